"""The Scan op: a loop whose body is a closed symnet graph (the "inner graph").

Layout of one Scan node (built by ``symnet.scan_module.build``, never by hand):

    outer inputs   n_steps (int64 scalar), sequences (n_seqs, each with >= n_steps rows),
                   initial states (n_states), non-sequences (n_nonseqs)
    inner inputs   one row of each sequence, the previous value of each state, the non-sequences
    inner outputs  the new value of each state, the per-step (nit-sot) outputs, [the until condition]
    outer outputs  per state: its trace (n_steps, ...) ('trace' mode) or only its final value
                   ('last' mode: shared-variable updates, reductions, BPTT carries); then one
                   (n_steps, ...) trace per nit-sot output

Several taps (Theano's mit-sot) are represented by the builder as a state holding a window of
the last values, so the op itself knows only one-tap states.

Execution: an explicit interim fallback. ``perform`` compiles the inner graph once per (outer
mode, op) with the same backend as the outer function (``mode`` is bound by sn.function through
``bind_mode``) and loops in Python, one native call per step on LLVM. The native lowering will be
one module, ``codegen/lower/scan.py`` (Codegen v2), of this shape::

    def lower_scan(ctx, node):            # registered for the op class "Scan"
        body = ctx.lower_subgraph(node.op.inner_inputs, node.op.inner_outputs)   # kernels, once
        ctx.loop_step(body, n=node.inputs[0],
                      sequences=[(buf, row_stride) ...],      # row t of each sequence buffer
                      carried=[(init_buf, trace_buf or last_buf) ...],  # state t-1 -> t, double-buffered
                      per_step=[trace_buf ...], until=cond_index)
        return None                      # lowered natively: no fallback

so that compile time does not depend on the sequence length and the traces kept for the gradient
are planned once per signature. The graph-level contract (inputs, outputs, modes) stays as here.
"""
from __future__ import annotations

import itertools
import threading
from typing import Any, Sequence

import numpy as np

from ..graph import Apply, Constant, Op, Variable, as_variable
from ..types import TensorType

_uids = itertools.count()

TRACE, LAST = "trace", "last"


class Scan(Op):
    """One symbolic loop. See the module docstring for the input/output layout."""

    __props__ = ("uid", "n_seqs", "n_states", "n_nitsot", "state_modes", "has_until", "mode")

    def __init__(self, inner_inputs: Sequence[Variable], inner_outputs: Sequence[Variable], n_seqs: int,
                 n_states: int, n_nitsot: int, state_modes: Sequence[str], has_until: bool = False,
                 name: str | None = None, truncate_gradient: int = -1, mode: str | None = None,
                 uid: int | None = None) -> None:
        self.inner_inputs = list(inner_inputs)
        self.inner_outputs = list(inner_outputs)
        self.n_seqs, self.n_states, self.n_nitsot = int(n_seqs), int(n_states), int(n_nitsot)
        self.state_modes = tuple(state_modes)
        self.has_until = bool(has_until)
        self.name = name
        self.truncate_gradient = int(truncate_gradient)
        self.mode = mode
        self.uid = next(_uids) if uid is None else uid
        self.n_nonseqs = len(self.inner_inputs) - self.n_seqs - self.n_states
        assert len(self.state_modes) == self.n_states
        assert len(self.inner_outputs) == self.n_states + self.n_nitsot + int(self.has_until)
        self._compiled: dict = {}
        self._lock = threading.Lock()

    def __str__(self) -> str:
        return f"Scan{{{self.name or 'scan'}, steps of {self.n_states} states, {self.n_nitsot} outputs" \
               f"{', until' if self.has_until else ''}}}"

    __repr__ = __str__

    # -- graph ------------------------------------------------------------------------
    def bind_mode(self, mode: str) -> "Scan":
        """The same loop, running its inner graph on `mode` (called by sn.function)."""
        if mode == self.mode:
            return self
        op = Scan(self.inner_inputs, self.inner_outputs, self.n_seqs, self.n_states, self.n_nitsot,
                  self.state_modes, self.has_until, self.name, self.truncate_gradient, mode, self.uid)
        return op

    @property
    def dynamic_output_shape(self) -> bool:
        """With an until condition the number of steps run is only known after running them."""
        return self.has_until

    def make_node(self, n_steps: Any, *args: Any) -> Apply:
        n_steps = as_variable(n_steps)
        if n_steps.ndim != 0 or n_steps.dtype[:3] not in ("int", "uin"):
            raise TypeError(f"scan: n_steps must be an integer scalar, got {n_steps.type}")
        args = [as_variable(a) for a in args]
        expect = self.n_seqs + self.n_states + self.n_nonseqs
        if len(args) != expect:
            raise TypeError(f"Scan expects {expect} inputs after n_steps, got {len(args)}")
        out_types = []
        inner_states = self.inner_inputs[self.n_seqs:self.n_seqs + self.n_states]
        for k in range(self.n_states):
            t = inner_states[k].type
            out_types.append(TensorType(t.dtype, (None,) + t.shape) if self.state_modes[k] == TRACE else t)
        for o in self.inner_outputs[self.n_states:self.n_states + self.n_nitsot]:
            out_types.append(TensorType(o.type.dtype, (None,) + o.type.shape))
        return Apply(self, [n_steps] + args, out_types)

    def connection_pattern(self, node: Apply) -> list[list[bool]]:
        n_out = len(node.outputs)
        floats = [v.dtype.startswith("float") for v in node.inputs]
        return [[False] * n_out] + [[f] * n_out for f in floats[1:]]

    # -- running ----------------------------------------------------------------------
    def _runner(self) -> Any:
        """The inner graph compiled once for this op's mode (the interim Python-loop fallback)."""
        key = self.mode or "default"
        fn = self._compiled.get(key)
        if fn is None:
            with self._lock:
                fn = self._compiled.get(key)
                if fn is None:
                    from ..config import config
                    from ..function import function
                    # one step is small work called n times in a row: one generated-code thread
                    # (two threads that wait for each other every step collapse on a busy machine)
                    with config.change_flags(llvm__threads=1):
                        fn = function(self.inner_inputs, list(self.inner_outputs), mode=self.mode,
                                      on_unused_input="ignore", no_default_updates=True)
                    self._compiled[key] = fn
        return fn

    def perform(self, node: Apply, inputs: list[np.ndarray]) -> list[np.ndarray]:
        n = int(inputs[0])
        if n < 0:
            raise ValueError(f"scan {self.name or ''}: n_steps must be >= 0, got {n}")
        seqs = inputs[1:1 + self.n_seqs]
        states = list(inputs[1 + self.n_seqs:1 + self.n_seqs + self.n_states])
        nonseqs = list(inputs[1 + self.n_seqs + self.n_states:])
        for i, s in enumerate(seqs):
            if s.shape[0] < n:
                raise ValueError(f"scan {self.name or ''}: sequence {i} has {s.shape[0]} rows, fewer than the "
                                 f"{n} steps asked for (n_steps)")
        fn = self._runner()
        runner, inner_types = fn.runner, [v.type for v in self.inner_inputs]
        traces: list = [None] * (self.n_states + self.n_nitsot)
        shapes = self._step_shapes([s.shape for s in inputs], None) if n == 0 else None
        steps_run = 0
        for t in range(n):
            args = [s[t, ...] for s in seqs] + states + nonseqs
            outs = runner(args)
            steps_run = t + 1
            for k in range(self.n_states + self.n_nitsot):
                o = np.asarray(outs[k])
                if k < self.n_states:
                    prev = states[k]
                    if o.shape != prev.shape:
                        raise ValueError(
                            f"scan {self.name or ''}: the step returned state {k} with shape {o.shape}, but its "
                            f"previous value (outputs_info) has shape {prev.shape}; a recurrent output must keep "
                            "its shape from step to step")
                if traces[k] is None:
                    traces[k] = np.empty((n,) + o.shape, node.outputs[k].dtype) if \
                        (k >= self.n_states or self.state_modes[k] == TRACE) else None
                elif k >= self.n_states and traces[k].shape[1:] != o.shape:
                    raise ValueError(f"scan {self.name or ''}: output {k - self.n_states} changed shape from "
                                     f"{traces[k].shape[1:]} to {o.shape} at step {t}")
                if traces[k] is not None:
                    traces[k][t] = o
                if k < self.n_states:
                    # our own copy: the next call may reuse the runner's output buffers
                    states[k] = traces[k][t, ...] if traces[k] is not None else np.array(o, dtype=inner_types[
                        self.n_seqs + k].dtype)
            if self.has_until and bool(np.asarray(outs[-1])):
                break
        results = []
        for k in range(self.n_states + self.n_nitsot):
            is_last = k < self.n_states and self.state_modes[k] == LAST
            if is_last:
                results.append(np.array(states[k]))
            elif traces[k] is None:
                results.append(np.empty(shapes[k], node.outputs[k].dtype))
            else:
                results.append(traces[k][:steps_run] if steps_run < n else traces[k])
        return results

    # -- shapes -----------------------------------------------------------------------
    def _step_shapes(self, input_shapes: list, input_values: list | None) -> list[tuple]:
        """Outer output shapes for n steps, from the inner graph's shape rules."""
        from .scan_shapes import inner_output_shapes
        n_vals = input_values or [None] * len(input_shapes)
        n = n_vals[0]
        n = int(n) if n is not None else 0
        seq_shapes = [tuple(s[1:]) for s in input_shapes[1:1 + self.n_seqs]]
        rest = [tuple(s) for s in input_shapes[1 + self.n_seqs:]]
        # a row of a sequence whose value is known (an arange of indices) stands for every row:
        # an output's shape may not change from step to step
        # (an integer row of unknown value is taken as zeros: a scalar index selects the same
        # shape whatever its value)
        inner_vals = []
        for v, shp, var in zip(n_vals[1:1 + self.n_seqs], seq_shapes, self.inner_inputs):
            if v is not None and n > 0 and np.ndim(v):
                inner_vals.append(np.asarray(v)[0])
            elif var.dtype[:3] in ("int", "uin") and int(np.prod(shp)) <= 64:
                inner_vals.append(np.zeros(shp, var.dtype))
            else:
                inner_vals.append(None)
        inner_vals += list(n_vals[1 + self.n_seqs:])
        outs = inner_output_shapes(self, seq_shapes + rest, inner_vals)
        res = []
        for k in range(self.n_states + self.n_nitsot):
            if k < self.n_states and self.state_modes[k] == LAST:
                res.append(tuple(rest[k]))
            elif k < self.n_states:
                res.append((n,) + tuple(rest[k]))
            else:
                res.append((n,) + tuple(outs[k]))
        return res

    def infer_shape(self, node: Apply, input_shapes: list, input_values: list) -> list[tuple]:
        if self.has_until:
            raise NotImplementedError(
                f"scan {self.name or ''} has an until condition: how many steps it runs is known only after "
                "running it, and this backend plans buffers from shape rules (the Codegen v2 loop step will "
                "lift this); sn.function runs such graphs on mode='reference'")
        if input_values[0] is None:
            raise NotImplementedError(f"scan {self.name or ''}: n_steps must be known from shapes or integer "
                                      "inputs before the loop runs on this backend")
        return self._step_shapes(input_shapes, input_values)

    # -- gradient (backpropagation through time, itself a scan) -----------------------
    def grad(self, inputs: list[Variable], output_grads: list) -> list:
        from ..scan_module.bptt import scan_grad
        return scan_grad(self, inputs, output_grads)


def inner_clone(op: Scan, replacements: Sequence[Variable]) -> list[Variable]:
    """The inner outputs rebuilt on `replacements` (one per inner input)."""
    from ..graph import clone_graph
    outs, _ = clone_graph(op.inner_outputs, dict(zip(op.inner_inputs, replacements)))
    return outs


def is_free(v: Variable) -> bool:
    return v.owner is None and not isinstance(v, Constant)


def free_inputs(outputs: Sequence[Variable], blockers: Sequence[Variable]) -> list[Variable]:
    from ..graph import graph_inputs
    return [v for v in graph_inputs(outputs, blockers) if is_free(v) or any(v is b for b in blockers)]

