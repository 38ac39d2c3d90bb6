"""Rewrites around Scan nodes (registered in the canonicalize phase of the outer graph).

* scan_prune_unused: outputs nobody reads are dropped, with the states and inputs only they
  needed (the step computes less, the loop keeps fewer traces).
* scan_hoist_invariant: step nodes that depend on no sequence and no state (W.T, W * 2,
  zeros(shape of a non-sequence)) run once before the loop and enter as non-sequences.
* scan_pushout_matmul: x_t @ W with x_t a sequence row and W a non-sequence becomes one matrix
  product over all time steps before the loop, (T*B, F) @ W: one GEMM (the input projection of an
  RNN), whose rows the step then reads as a sequence.

Rewritten loops get a uid derived from the original's and the change, so two equal nodes that are
rewritten alike stay equal (merge still folds a forward loop and its gradient's twin).
"""
from __future__ import annotations

from typing import Any, Sequence

from ..graph import Apply, Constant, FunctionGraph, Variable, ancestors, clone_graph, toposort
from ..ops.scan import Scan
from ..rewrite.core import local_rewrite
from ..types import TensorType


def _split(node: Apply) -> tuple:
    op = node.op
    ns, nst = op.n_seqs, op.n_states
    ins = node.inputs
    return ins[0], ins[1:1 + ns], ins[1 + ns:1 + ns + nst], ins[1 + ns + nst:]


def rebuild(node: Apply, keep_states: Sequence[int], keep_nitsot: Sequence[int], tag: Any,
            replace_inner: dict | None = None, extra_seqs: Sequence[tuple] = (),
            extra_nonseqs: Sequence[tuple] = ()) -> list:
    """A new Scan keeping the given states/outputs; returns replacements aligned with node.outputs
    (None for the dropped ones). Sequence and non-sequence inputs the new step does not read go."""
    op: Scan = node.op
    n_steps, seqs, inits, nonseqs = _split(node)
    ns, nst = op.n_seqs, op.n_states
    seq_ph = op.inner_inputs[:ns]
    st_ph = op.inner_inputs[ns:ns + nst]
    non_ph = op.inner_inputs[ns + nst:]
    outs = [op.inner_outputs[k] for k in keep_states] + [op.inner_outputs[nst + j] for j in keep_nitsot]
    if op.has_until:
        outs.append(op.inner_outputs[-1])
    if replace_inner:
        outs, _ = clone_graph(outs, replace_inner)
    used = set(map(id, ancestors(outs)))
    seq_pairs = [(o, p) for o, p in list(zip(seqs, seq_ph)) + list(extra_seqs) if id(p) in used]
    non_pairs = [(o, p) for o, p in list(zip(nonseqs, non_ph)) + list(extra_nonseqs) if id(p) in used]
    inner_inputs = [p for _, p in seq_pairs] + [st_ph[k] for k in keep_states] + [p for _, p in non_pairs]
    new_op = Scan(inner_inputs, outs, len(seq_pairs), len(keep_states), len(keep_nitsot),
                  [op.state_modes[k] for k in keep_states], op.has_until, op.name, op.truncate_gradient, op.mode,
                  uid=(op.uid, tag))
    res = new_op(n_steps, *[o for o, _ in seq_pairs], *[inits[k] for k in keep_states], *[o for o, _ in non_pairs])
    res = res if isinstance(res, list) else [res]
    out: list = [None] * len(node.outputs)
    for i, k in enumerate(keep_states):
        out[k] = res[i]
    for i, j in enumerate(keep_nitsot):
        out[nst + j] = res[len(keep_states) + i]
    return out


@local_rewrite("canonicalize", Scan)
def scan_prune_unused(fgraph: FunctionGraph, node: Apply):
    """Drop outputs without clients (and states only they needed)."""
    op: Scan = node.op
    nst = op.n_states
    has_clients = [bool(fgraph.clients.get(o)) for o in node.outputs]
    if all(has_clients):
        return None
    needed_states = {k for k in range(nst) if has_clients[k]}
    needed_nits = [j for j in range(op.n_nitsot) if has_clients[nst + j]]
    st_ph = op.inner_inputs[op.n_seqs:op.n_seqs + nst]
    while True:
        roots = [op.inner_outputs[k] for k in needed_states] + [op.inner_outputs[nst + j] for j in needed_nits]
        if op.has_until:
            roots.append(op.inner_outputs[-1])
        used = set(map(id, ancestors(roots)))
        more = {k for k in range(nst) if id(st_ph[k]) in used} - needed_states
        if not more:
            break
        needed_states |= more
    keep_states = sorted(needed_states)
    if len(keep_states) == nst and len(needed_nits) == op.n_nitsot:
        return None
    if not keep_states and not needed_nits:
        return None
    return rebuild(node, keep_states, needed_nits, ("prune", tuple(keep_states), tuple(needed_nits)))


def _variant(op: Scan) -> set:
    """ids of inner variables that change from step to step."""
    var = set(map(id, op.inner_inputs[:op.n_seqs + op.n_states]))
    for n in toposort(op.inner_outputs, blockers=op.inner_inputs):
        if getattr(n.op, "is_random", False) or "Random" in type(n.op).__name__ or \
                any(id(i) in var for i in n.inputs):
            var.update(id(o) for o in n.outputs)
    return var


@local_rewrite("canonicalize", Scan)
def scan_hoist_invariant(fgraph: FunctionGraph, node: Apply):
    """Step nodes that depend on no sequence and no state run once before the loop."""
    op: Scan = node.op
    var = _variant(op)
    non_ph = op.inner_inputs[op.n_seqs + op.n_states:]
    blockers = set(map(id, op.inner_inputs))
    frontier: list = []
    seen: set = set()
    for n in toposort(op.inner_outputs, blockers=op.inner_inputs):
        if not any(id(o) in var for o in n.outputs):
            continue
        for i in n.inputs:
            if id(i) not in var and i.owner is not None and id(i) not in blockers and id(i) not in seen:
                if all(isinstance(a, Constant) for a in ancestors([i], blockers=op.inner_inputs)
                       if a.owner is None):
                    continue       # constant-only: folded inside the step
                seen.add(id(i))
                frontier.append(i)
    for o in op.inner_outputs:
        if id(o) not in var and o.owner is not None and id(o) not in seen and id(o) not in blockers:
            if any(not isinstance(a, Constant) for a in ancestors([o], blockers=op.inner_inputs) if a.owner is None):
                seen.add(id(o))
                frontier.append(o)
    if not frontier:
        return None
    _, _, _, nonseqs = _split(node)
    outer, _ = clone_graph(frontier, dict(zip(non_ph, nonseqs)))
    placeholders = [Variable(TensorType(v.type.dtype, v.type.shape), name="hoisted") for v in frontier]
    keep = list(range(op.n_states))
    return rebuild(node, keep, list(range(op.n_nitsot)), ("hoist", len(frontier)),
                   replace_inner=dict(zip(frontier, placeholders)), extra_nonseqs=list(zip(outer, placeholders)))


@local_rewrite("canonicalize", Scan)
def scan_pushout_matmul(fgraph: FunctionGraph, node: Apply):
    """x_t @ W (x_t a sequence row, W a non-sequence) -> one product over all steps before the loop."""
    from .. import basic as T
    from ..ops.blas import MatMul
    op: Scan = node.op
    seq_ph = op.inner_inputs[:op.n_seqs]
    non_ph = op.inner_inputs[op.n_seqs + op.n_states:]
    seq_pos = {id(p): i for i, p in enumerate(seq_ph)}
    non_pos = {id(p): i for i, p in enumerate(non_ph)}
    _, seqs, _, nonseqs = _split(node)
    for n in toposort(op.inner_outputs, blockers=op.inner_inputs):
        if not isinstance(n.op, MatMul) or len(n.inputs) != 2:
            continue
        a, b = n.inputs
        if id(a) not in seq_pos or id(b) not in non_pos or b.ndim != 2 or a.ndim not in (1, 2):
            continue
        X, W = seqs[seq_pos[id(a)]], nonseqs[non_pos[id(b)]]
        if a.ndim == 1:
            proj = T.matmul(X, W)
        else:
            d0 = X.shape[0]
            d1 = X.type.shape[1] if X.type.shape[1] is not None else X.shape[1]
            f = X.type.shape[2] if X.type.shape[2] is not None else X.shape[2]
            u = W.type.shape[1] if W.type.shape[1] is not None else W.shape[1]
            proj = T.reshape(T.matmul(T.reshape(X, [d0 * d1, f], ndim=2), W), [d0, d1, u], ndim=3)
        out = n.outputs[0]
        ph = Variable(TensorType(out.type.dtype, out.type.shape), name="projected[t]")
        return rebuild(node, list(range(op.n_states)), list(range(op.n_nitsot)), ("pushout", seq_pos[id(a)],
                       non_pos[id(b)]), replace_inner={out: ph}, extra_seqs=[(proj, ph)])
    return None
