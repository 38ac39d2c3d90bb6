"""Turning a step function into a Scan node: the machinery behind sn.scan.

The builder calls the user's step function once on fresh placeholder variables (one row of each
sequence tap, the previous value of each output tap) and on the non-sequences as they are (so the
step may differentiate through them, as sn.jacobian does), then closes the resulting graph:

* every free variable the step reads (shared variables, outer symbolic inputs) becomes an
  implicit non-sequence;
* shared variables updated in the step (explicit updates or default updates such as a random
  stream's state) become 'last'-mode states; their final values are the returned updates.

Outputs with several taps (Theano's mit-sot) become a state holding the window of the last
values; the user sees the trace of the newest value.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..graph import Constant, SharedVariable, Variable, as_variable, clone_graph, describe, graph_inputs
from ..ops.scan import LAST, TRACE, Scan
from ..types import TensorType


class until:
    """Stop the loop after the step where `condition` is true (Theano's scan_module.until)."""

    def __init__(self, condition: Any) -> None:
        c = as_variable(condition)
        if c.ndim != 0:
            raise TypeError(f"until: the condition must be a scalar, got {describe(c)} with {c.ndim} dims")
        self.condition = c


class OrderedUpdates(OrderedDict):
    """The updates a scan returns: {shared variable: its value after the loop}; pass to sn.function."""

    def __add__(self, other: Any) -> "OrderedUpdates":
        res = OrderedUpdates(self)
        res.update(other)
        return res


@dataclass
class StepResult:
    outputs: list
    updates: list = field(default_factory=list)
    condition: Variable | None = None


def parse_step_result(res: Any, name: str) -> StepResult:
    """Theano's accepted return forms: outputs, (outputs, updates), (updates, outputs),
    with an until anywhere (alone, or as the last/first element)."""
    cond = None
    if isinstance(res, until):
        return StepResult([], [], res.condition)
    if isinstance(res, (dict,)):
        return StepResult([], list(res.items()))
    if isinstance(res, tuple) or isinstance(res, list):
        parts = list(res)
        rest = []
        for p in parts:
            if isinstance(p, until):
                cond = p.condition
            else:
                rest.append(p)
        dicts = [p for p in rest if isinstance(p, dict)]
        others = [p for p in rest if not isinstance(p, dict)]
        updates = [kv for d in dicts for kv in d.items()]
        if len(others) == 1 and isinstance(others[0], (list, tuple)) and (dicts or cond is not None):
            outs = list(others[0])
        elif len(others) == 2 and not dicts and isinstance(others[1], (list, tuple)) and others[1] and \
                all(isinstance(kv, (list, tuple)) and len(kv) == 2 and isinstance(kv[0], SharedVariable)
                    for kv in others[1]):
            outs, updates = ([others[0]] if not isinstance(others[0], (list, tuple)) else list(others[0])), \
                list(others[1])
        else:
            outs = others
        return StepResult([as_variable(o) if o is not None else None for o in outs], updates, cond)
    if res is None:
        return StepResult([])
    return StepResult([as_variable(res)])


def _placeholder(t: TensorType, name: str) -> Variable:
    return Variable(TensorType(t.dtype, t.shape), name=name)


@dataclass
class StateSpec:
    """One carried value: `init` outside, `inner` the previous value inside, `new` the next."""
    init: Variable
    inner: Variable
    mode: str
    new: Variable | None = None


def build_scan(inner_seqs: Sequence[Variable], outer_seqs: Sequence[Variable], states: Sequence[StateSpec],
               nitsot: Sequence[Variable], condition: Variable | None, updates: Sequence[tuple],
               nonseq_outer: Sequence[Variable], n_steps: Variable, *, name: str | None, strict: bool,
               truncate_gradient: int, given_nonseq_inner: Sequence[Variable] = ()) -> tuple[list, OrderedUpdates]:
    """Close the step graph and make the Scan node. Returns (outer outputs, updates).

    inner_seqs/outer_seqs: placeholders and the matching outer sequences (already aligned and
    reversed as needed, each with >= n_steps rows). states: carried values with `new` set.
    nonseq_outer: the non-sequences as passed to the step (replaced by placeholders here)."""
    states = list(states)
    exprs = [s.new for s in states] + list(nitsot) + ([condition] if condition is not None else [])
    update_pairs = []
    for var, val in updates:
        if not isinstance(var, SharedVariable):
            raise TypeError(f"scan {name or ''}: the step's updates must update shared variables, got "
                            f"{describe(var) if isinstance(var, Variable) else repr(var)}")
        update_pairs.append((var, as_variable(val, partners=[var.dtype])))
    # default updates (random streams) of shared variables the step reads
    explicit = {id(v) for v, _ in update_pairs}
    blockers = list(inner_seqs) + [s.inner for s in states] + list(given_nonseq_inner)
    while True:
        frontier = exprs + [e for _, e in update_pairs]
        added = False
        for v in graph_inputs(frontier, blockers):
            if isinstance(v, SharedVariable) and v.default_update is not None and id(v) not in explicit:
                explicit.add(id(v))
                update_pairs.append((v, v.default_update))
                added = True
        if not added:
            break
    replace: dict = {}
    nonseq_inner: list = list(given_nonseq_inner)
    nonseq_outer = list(nonseq_outer)
    for k, v in enumerate(nonseq_outer[len(nonseq_inner):]):
        if isinstance(v, Constant):
            p = v
        else:
            p = _placeholder(v.type, f"{v.name or 'nonseq'}[inner]")
            replace[v] = p
        nonseq_inner.append(p)
    shared_states = []
    for var, val in update_pairs:
        if val.dtype != var.dtype:
            raise TypeError(f"scan {name or ''}: the update of {describe(var)} has dtype {val.dtype}, the shared "
                            f"variable {var.dtype}")
        p = _placeholder(var.type, f"{var.name or 'shared'}[inner]")
        if var in replace:  # also passed as a non-sequence: reads see the carried value
            pass
        replace[var] = p
        shared_states.append(StateSpec(var, p, LAST, val))
    frontier = exprs + [s.new for s in shared_states]
    known = set(map(id, blockers)) | set(map(id, replace)) | set(map(id, nonseq_inner))
    implicit = []
    for v in graph_inputs(frontier, blockers + list(replace)):
        if v.owner is None and not isinstance(v, Constant) and id(v) not in known:
            if strict and not isinstance(v, SharedVariable):
                raise ValueError(f"scan {name or ''} (strict=True): the step uses {describe(v)}, which is neither a "
                                 "sequence, an output nor a non-sequence; pass it in non_sequences")
            if strict:
                raise ValueError(f"scan {name or ''} (strict=True): the step uses the shared variable {describe(v)} "
                                 "without it being in non_sequences")
            p = _placeholder(v.type, f"{v.name or 'free'}[inner]")
            replace[v] = p
            implicit.append((v, p))
            known.add(id(v))
    all_exprs = exprs + [s.new for s in shared_states]
    cloned, _ = clone_graph(all_exprs, replace) if replace else (all_exprs, {})
    n_user_states = len(states)
    for s, c in zip(states, cloned[:n_user_states]):
        s.new = c
    nits = cloned[n_user_states:n_user_states + len(nitsot)]
    cond = cloned[n_user_states + len(nitsot)] if condition is not None else None
    for s, c in zip(shared_states, cloned[len(exprs):]):
        s.new = c
    all_states = states + shared_states
    for k, s in enumerate(all_states):
        _check_state(s, k, name)
    if cond is not None:
        from .. import basic as T
        cond = T.neq(cond, 0) if cond.dtype != "bool" else cond
    inner_inputs = list(inner_seqs) + [s.inner for s in all_states] + nonseq_inner + [p for _, p in implicit]
    inner_outputs = [s.new for s in all_states] + list(nits) + ([cond] if cond is not None else [])
    op = Scan(inner_inputs, inner_outputs, len(inner_seqs), len(all_states), len(nits),
              [s.mode for s in all_states], cond is not None, name=name, truncate_gradient=truncate_gradient)
    outer_nonseq = [v for v in nonseq_outer] + [v for v, _ in implicit]
    from .. import basic as T
    n_steps = T.cast(as_variable(n_steps), "int64") if as_variable(n_steps).dtype != "int64" else as_variable(n_steps)
    outs = op(n_steps, *outer_seqs, *[s.init for s in all_states], *outer_nonseq)
    outs = outs if isinstance(outs, list) else [outs]
    upd = OrderedUpdates()
    for s, o in zip(shared_states, outs[n_user_states:len(all_states)]):
        upd[s.init] = o
    return outs[:n_user_states] + outs[len(all_states):], upd


def _check_state(s: StateSpec, k: int, name: str | None) -> None:
    if s.new is None:
        raise ValueError(f"scan {name or ''}: output {k} has an initial value but the step returned nothing for it")
    if s.new.ndim != s.inner.ndim:
        raise ValueError(
            f"scan {name or ''}: the initial state (outputs_info) of output {k} has {s.inner.ndim} dimensions "
            f"(type {s.inner.type}), while the step (fn) returns {s.new.ndim} dimensions for it (type "
            f"{s.new.type}); a recurrent output must keep its number of dimensions")
    if s.new.dtype != s.inner.dtype:
        raise ValueError(
            f"scan {name or ''}: the initial state (outputs_info) of output {k} has dtype {s.inner.dtype}, while "
            f"the result of the step (fn) has dtype {s.new.dtype}. This can happen if the step upcasts or "
            "downcasts; cast the initial state or the step's result with sn.cast")
