"""The gradient of a Scan: backpropagation through time, built as another Scan.

Forward step t:  s_t = f(x_t, s_{t-1}, w),  y_t = g(x_t, s_{t-1}, w).
Backward, over t = n-1 .. n-k (k = min(n, truncate_gradient) or n):
    carry_s   <- d/ds_{t-1} of  <s_t, carry_s + dS_t> + <y_t, dY_t>       (a 'last' state)
    acc_w     <- acc_w + d/dw of the same                                (a 'last' state)
    dx_t      =  d/dx_t of the same                                      (a per-step output)
with the inner gradient taken by sn.grad on a copy of the forward step, so the backward loop is
an ordinary Scan (differentiable again: hessians, jacobians of gradients).

The backward step needs s_{t-1}: a traced copy of the forward loop supplies it when the forward
op keeps only the last value of some state. With truncation (Theano's truncate_gradient) only the
last k steps are backpropagated: earlier sequence rows get zero gradient, and the initial states
get the carry only when all steps were backpropagated (k == n), else zero.
"""
from __future__ import annotations

from typing import Any

from ..graph import Variable, clone_graph
from ..ops.scan import LAST, TRACE, Scan


def _is_float(v: Variable) -> bool:
    return v.dtype.startswith("float")


def _traced(op: Scan) -> Scan:
    """The same loop with every state traced (the backward pass reads each step's states)."""
    return Scan(op.inner_inputs, op.inner_outputs, op.n_seqs, op.n_states, op.n_nitsot,
                [TRACE] * op.n_states, op.has_until, op.name, op.truncate_gradient, op.mode)


def scan_grad(op: Scan, inputs: list[Variable], output_grads: list) -> list:
    from .. import basic as T
    from ..grad import grad as sn_grad
    from .build import StateSpec, _placeholder, build_scan
    if op.has_until:
        raise NotImplementedError(f"scan {op.name or ''}: the gradient of a scan with an until condition is not "
                                  "implemented (the number of steps is data-dependent)")
    n_steps = inputs[0]
    ns, nst = op.n_seqs, op.n_states
    seqs = inputs[1:1 + ns]
    inits = inputs[1 + ns:1 + ns + nst]
    nonseqs = inputs[1 + ns + nst:]
    g_states = output_grads[:nst]
    g_nits = output_grads[nst:]

    # traces of every state (recompute with a traced twin if some are 'last')
    if all(m == TRACE for m in op.state_modes):
        traces = None
    else:
        traces = _traced(op)(n_steps, *seqs, *inits, *nonseqs)
        traces = traces if isinstance(traces, list) else [traces]
    if traces is None:
        # Op.grad does not see its node's outputs: the same call again, which the canonicalize
        # phase merges with the original (equal op, equal inputs)
        traces = op(n_steps, *seqs, *inits, *nonseqs)
        traces = traces if isinstance(traces, list) else [traces]
    traces = traces[:nst]

    k = n_steps if op.truncate_gradient < 0 else T.minimum(n_steps, op.truncate_gradient)
    truncated = op.truncate_gradient >= 0

    def rev(v: Variable) -> Variable:  # rows n-1, n-2, ..., n-k
        return v[:n_steps][::-1][:k]

    # (a reshape, not expand_dims: its gradient keeps working when static shapes are unknown)
    prev_states = [T.concatenate([T.reshape(init, [1] + [init.shape[i] for i in range(init.ndim)],
                                            ndim=init.ndim + 1), tr[:n_steps - 1]], axis=0)
                   for init, tr in zip(inits, traces)]
    float_states = [i for i in range(nst) if _is_float(inits[i])]
    float_nonseqs = [j for j in range(len(nonseqs)) if _is_float(nonseqs[j])]
    float_seqs = [j for j in range(ns) if _is_float(seqs[j])]
    trace_grads = [j for j in float_states if g_states[j] is not None and op.state_modes[j] == TRACE]
    nit_grads = [j for j in range(op.n_nitsot) if g_nits[j] is not None and _is_float(op.inner_outputs[nst + j])]

    b_outer_seqs = [rev(s) for s in seqs] + [rev(p) for p in prev_states] + \
                   [rev(g_states[j]) for j in trace_grads] + [rev(g_nits[j]) for j in nit_grads]
    b_inner_seqs = [_placeholder(v.type, f"bptt.{i}") for i, v in enumerate(op.inner_inputs[:ns + nst])] + \
                   [_placeholder(op.inner_inputs[ns + j].type, f"bptt.dS{j}") for j in trace_grads] + \
                   [_placeholder(op.inner_outputs[nst + j].type, f"bptt.dY{j}") for j in nit_grads]
    x_in = b_inner_seqs[:ns]
    s_prev_in = b_inner_seqs[ns:ns + nst]
    dS_in = dict(zip(trace_grads, b_inner_seqs[ns + nst:ns + nst + len(trace_grads)]))
    dY_in = dict(zip(nit_grads, b_inner_seqs[ns + nst + len(trace_grads):]))
    w_in = [_placeholder(v.type, f"bptt.w{j}") for j, v in enumerate(op.inner_inputs[ns + nst:])]

    # carried gradients: one per float state, one accumulator per float non-sequence
    states: list[StateSpec] = []
    carry_in = {}
    for j in float_states:
        g_last = g_states[j] if (g_states[j] is not None and op.state_modes[j] == LAST) else None
        init = g_last if g_last is not None else T.zeros_like(inits[j])
        p = _placeholder(op.inner_inputs[ns + j].type, f"bptt.carry{j}")
        carry_in[j] = p
        states.append(StateSpec(init, p, LAST))
    acc_in = {}
    for j in float_nonseqs:
        p = _placeholder(nonseqs[j].type, f"bptt.acc{j}")
        acc_in[j] = p
        states.append(StateSpec(T.zeros_like(nonseqs[j]), p, LAST))

    # the backward step: sn.grad of a copy of the forward step
    fwd = clone_graph(op.inner_outputs, dict(zip(op.inner_inputs, x_in + s_prev_in + w_in)))[0]
    known: dict = {}
    for j in float_states:
        g = carry_in[j] + dS_in[j] if j in dS_in else carry_in[j]
        _add(known, fwd[j], g)
    for j in nit_grads:
        _add(known, fwd[nst + j], dY_in[j])
    wrt = [x_in[j] for j in float_seqs] + [s_prev_in[j] for j in float_states] + [w_in[j] for j in float_nonseqs]
    gs = sn_grad(None, wrt, known_grads=known, disconnected_inputs="ignore") if wrt and known else \
        [T.zeros_like(w) for w in wrt]
    g_x = gs[:len(float_seqs)]
    g_s = gs[len(float_seqs):len(float_seqs) + len(float_states)]
    g_w = gs[len(float_seqs) + len(float_states):]
    for s, g in zip(states[:len(float_states)], g_s):
        s.new = g
    for s, j, g in zip(states[len(float_states):], float_nonseqs, g_w):
        s.new = acc_in[j] + g
    outer, _ = build_scan(b_inner_seqs, b_outer_seqs, states, g_x, None, [], list(nonseqs), k,
                          name=f"grad_of_{op.name or 'scan'}", strict=False, truncate_gradient=-1,
                          given_nonseq_inner=w_in)
    nb = len(states)
    carries = outer[:len(float_states)]
    accs = outer[len(float_states):nb]
    gx_rev = outer[nb:]

    result: list[Any] = [None] * len(inputs)
    for pos, j in enumerate(float_seqs):
        g = gx_rev[pos][::-1]
        full = T.zeros_like(seqs[j])
        start = n_steps - k
        result[1 + j] = T.set_subtensor(full[start:n_steps], g)
    for pos, j in enumerate(float_states):
        c = carries[pos]
        if truncated:
            c = T.switch(T.eq(k, n_steps), c, T.zeros_like(c))
        result[1 + ns + j] = c
    for pos, j in enumerate(float_nonseqs):
        result[1 + ns + nst + j] = accs[pos]
    return result


def _add(known: dict, v: Variable, g: Variable) -> None:
    known[v] = known[v] + g if v in known else g
