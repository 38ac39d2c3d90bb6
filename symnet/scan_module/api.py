"""sn.scan and its shorthands (map, reduce, foldl, foldr), with Theano's semantics.

Argument order given to `fn`: every tap of every sequence (in the order given), then every tap of
every recurrent output, then the non-sequences. A sequence tap k at step t reads
``seq[t + k - min_taps]``; an output tap -k reads the value k steps back (the initial value
``initial[L - k]`` while t < k, with L = -min(taps)).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from ..graph import Variable, as_variable, describe
from ..ops.scan import LAST, TRACE
from .build import OrderedUpdates, StateSpec, _placeholder, build_scan, parse_step_result


def _listify(x: Any) -> list:
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _seq_spec(s: Any, i: int) -> tuple[Variable, list[int]]:
    if isinstance(s, dict):
        if "input" not in s:
            raise ValueError(f"scan: sequence {i} is a dict without an 'input' key: {s!r}")
        taps = s.get("taps", [0])
        taps = [0] if taps is None else [int(t) for t in _listify(taps)]
        return as_variable(s["input"]), taps
    return as_variable(s), [0]


def _out_spec(o: Any, i: int) -> tuple[Variable | None, list[int]]:
    if o is None:
        return None, []
    if isinstance(o, dict):
        init = o.get("initial")
        if init is None:
            return None, []
        taps = o.get("taps", [-1])
        taps = [-1] if taps is None else [int(t) for t in _listify(taps)]
        if any(t >= 0 for t in taps):
            raise ValueError(f"scan: outputs_info[{i}] taps must be negative (past values), got {taps}")
        return as_variable(init), taps
    return as_variable(o), [-1]


def scan(fn: Callable, sequences: Any = None, outputs_info: Any = None, non_sequences: Any = None,
         n_steps: Any = None, truncate_gradient: int = -1, go_backwards: bool = False, mode: Any = None,
         name: str | None = None, strict: bool = False, return_list: bool = False) -> tuple[Any, OrderedUpdates]:
    """Repeat `fn` over the sequences and recurrent outputs (Theano's theano.scan).

    Returns (outputs, updates): outputs one variable (or a list when there are several, or when
    return_list), each with the steps as its first axis; updates the shared-variable updates made
    inside the step (random draws included), to pass to sn.function(updates=...)."""
    from .. import basic as T
    seqs = [_seq_spec(s, i) for i, s in enumerate(_listify(sequences))]
    outs_info_list = _listify(outputs_info)
    outs = [_out_spec(o, i) for i, o in enumerate(outs_info_list)]
    nonseqs = [as_variable(v) for v in _listify(non_sequences)]
    if not seqs and n_steps is None:
        raise ValueError("scan: give sequences or n_steps (the number of steps cannot be inferred)")
    label = name or "scan"

    # number of steps: the shortest sequence (after its taps), capped by n_steps
    lengths = []
    for v, taps in seqs:
        if v.ndim == 0:
            raise TypeError(f"scan: sequence {describe(v)} is a scalar; sequences are iterated over their first axis")
        lengths.append(v.shape[0] - (max(taps) - min(taps)))
    steps = None
    for ln in lengths:
        steps = ln if steps is None else T.minimum(steps, ln)
    if n_steps is not None:
        ns = as_variable(n_steps)
        if ns.ndim != 0 or not (ns.dtype.startswith("int") or ns.dtype.startswith("uint")):
            raise TypeError(f"scan: n_steps must be an integer scalar, got {ns.type}")
        if isinstance(n_steps, int) and n_steps < 0:
            raise NotImplementedError("scan: negative n_steps (running backwards) is not supported; use "
                                      "go_backwards=True")
        steps = T.cast(ns, "int64") if steps is None else T.minimum(steps, T.cast(ns, "int64"))
    steps = T.cast(steps, "int64") if steps.dtype != "int64" else steps
    steps = T.maximum(steps, 0)

    # sequences: one aligned outer slice per tap, each with `steps` rows
    inner_seqs, outer_seqs, fn_args = [], [], []
    for i, (v, taps) in enumerate(seqs):
        lo = min(taps)
        src = v[::-1] if go_backwards else v
        for k in taps:
            start = k - lo
            outer_seqs.append(src[start:start + steps])
            p = _placeholder(type(v.type)(v.dtype, v.type.shape[1:]), f"{v.name or f'seq{i}'}[t{k:+d}]")
            inner_seqs.append(p)
            fn_args.append(p)

    # recurrent outputs: a state per output; several taps -> a window state
    state_specs, out_plan = [], []   # out_plan: (kind, index into states or None, taps)
    for i, (init, taps) in enumerate(outs):
        if init is None:
            out_plan.append(("nitsot", None, []))
            continue
        depth = -min(taps)
        if taps == [-1]:
            p = _placeholder(init.type, f"{label}.out{i}[t-1]")
            state_specs.append(StateSpec(init, p, TRACE))
            fn_args.append(p)
            out_plan.append(("sitsot", len(state_specs) - 1, taps))
        else:
            if init.ndim == 0:
                raise ValueError(f"scan: outputs_info[{i}] has taps {taps}, so its initial value needs a leading "
                                 f"axis of length {depth} (the last {depth} values), got a scalar")
            window = init[init.shape[0] - depth:] if depth else init
            p = _placeholder(type(init.type)(init.dtype, (depth,) + init.type.shape[1:]), f"{label}.out{i}[window]")
            state_specs.append(StateSpec(window, p, TRACE))
            for k in taps:
                fn_args.append(p[depth + k])
            out_plan.append(("mitsot", len(state_specs) - 1, taps))
    fn_args.extend(nonseqs)

    res = parse_step_result(fn(*fn_args), label)
    step_outs = res.outputs
    n_expected = len(out_plan)
    if outs_info_list and len(step_outs) != n_expected:
        raise ValueError(f"scan {label}: the step returned {len(step_outs)} outputs but outputs_info has "
                         f"{n_expected} entries; give one entry (None for a non-recurrent output) per output")
    if not outs_info_list:
        out_plan = [("nitsot", None, [])] * len(step_outs)
    nitsot = []
    for (kind, si, taps), o in zip(out_plan, step_outs):
        if o is None:
            raise ValueError(f"scan {label}: the step returned None for an output")
        if kind == "nitsot":
            nitsot.append(o)
        elif kind == "sitsot":
            s = state_specs[si]
            o = _cast_to_state(o, s, label)
            s.new = o
        else:
            s = state_specs[si]
            o = _cast_to_state(o, StateSpec(s.init, s.inner[0], TRACE), label)
            s.new = T.concatenate([s.inner[1:], T.expand_dims(o, 0)], axis=0) if s.inner.type.shape[0] != 1 \
                else T.expand_dims(o, 0)
    outer, updates = build_scan(inner_seqs, outer_seqs, state_specs, nitsot, res.condition, res.updates,
                                nonseqs, steps, name=name, strict=strict, truncate_gradient=truncate_gradient)
    # outer: state outputs (user states in order), then nitsot
    n_st = len(state_specs)
    results, it_n = [], 0
    for kind, si, taps in out_plan:
        if kind == "nitsot":
            results.append(outer[n_st + it_n])
            it_n += 1
        elif kind == "sitsot":
            results.append(outer[si])
        else:
            results.append(outer[si][:, -1])
    # `mode` is accepted for Theano's signature: the loop always runs on the outer function's backend
    if return_list:
        return results, updates
    if len(results) == 1:
        return results[0], updates
    if not results:
        return None, updates
    return results, updates


def _cast_to_state(o: Variable, s: StateSpec, label: str) -> Variable:
    """A step result of a weaker literal dtype is cast to its state's dtype; else types must agree."""
    from .. import basic as T
    from ..graph import Constant
    if o.dtype != s.inner.dtype and isinstance(o, Constant):
        return T.cast(o, s.inner.dtype)
    if o.dtype != s.inner.dtype:
        raise ValueError(
            f"scan {label}: the initial state (outputs_info) has dtype {s.inner.dtype}, while the result of the "
            f"step (fn) has dtype {o.dtype}. This can happen if the step upcasts or downcasts; cast the initial "
            "state or the step's result with sn.cast")
    if o.ndim != s.inner.ndim:
        raise ValueError(
            f"scan {label}: the initial state (outputs_info) has {s.inner.ndim} dimensions (type {s.inner.type}), "
            f"while the step (fn) returns {o.ndim} dimensions (type {o.type}) for it")
    return o


def map(fn: Callable, sequences: Any, non_sequences: Any = None, truncate_gradient: int = -1,
        go_backwards: bool = False, mode: Any = None, name: str | None = None) -> tuple[Any, OrderedUpdates]:
    """fn applied to each element of the sequences (Theano's theano.map)."""
    return scan(fn, sequences=sequences, outputs_info=None, non_sequences=non_sequences,
                truncate_gradient=truncate_gradient, go_backwards=go_backwards, mode=mode, name=name)


def reduce(fn: Callable, sequences: Any, outputs_info: Any, non_sequences: Any = None,
           go_backwards: bool = False, mode: Any = None, name: str | None = None) -> tuple[Any, OrderedUpdates]:
    """Like scan, returning only the last value of each output (Theano's theano.reduce)."""
    outs, upd = scan(fn, sequences=sequences, outputs_info=outputs_info, non_sequences=non_sequences,
                     go_backwards=go_backwards, mode=mode, name=name, return_list=True)
    last = [o[-1] for o in outs]
    return (last[0] if len(last) == 1 else last), upd


def foldl(fn: Callable, sequences: Any, outputs_info: Any, non_sequences: Any = None, mode: Any = None,
          name: str | None = None) -> tuple[Any, OrderedUpdates]:
    """reduce from the first element to the last (Theano's theano.foldl)."""
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=False, mode=mode, name=name)


def foldr(fn: Callable, sequences: Any, outputs_info: Any, non_sequences: Any = None, mode: Any = None,
          name: str | None = None) -> tuple[Any, OrderedUpdates]:
    """reduce from the last element to the first (Theano's theano.foldr)."""
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=True, mode=mode, name=name)
