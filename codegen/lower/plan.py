"""The buffer plan's layout for one input-shape signature (pure arithmetic), and the stride
utilities the backends' parameter fillers share (broadcast strides, dim collapsing)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check_program, node_context
from ..kernel import CONST, INPUT, PLANVAL, SHARED, WINDOW, Buffer, Program
from .context import PLAN_MAX_SIZE
from .views import c_strides


class Layout:
    """The layout of one input-shape signature: pure arithmetic, no allocation.

    shapes / values: every variable's shape (the ops' infer_shape) and the plan-time values
    (shape arithmetic, integer scalar inputs); base_layout: (shape, strides) per base; layout:
    (byte offset, shape, strides) per buffer; host_values: the data of CONST and PLANVAL bases.
    Storage for TEMP bases is the backend's (its `allocate` hook, see codegen/runtime.py)."""

    def __init__(self, program: Program, fgraph: Any, arrays: list, shared_values: list) -> None:
        self.program = program
        self.shapes: dict[int, tuple] = {}
        self.values: dict[int, Any] = {}
        for v, a in zip(fgraph.inputs, arrays):
            self.shapes[id(v)] = a.shape
        for i in program.value_inputs:
            self.values[id(fgraph.inputs[i])] = np.array(arrays[i])
        for (v, _), a in zip(program.shared_bases, shared_values):
            self.shapes[id(v)] = a.shape
        shaping_shared = {id(v) for v in program.value_shared}
        for (v, _), a in zip(program.shared_bases, shared_values):
            if id(v) in shaping_shared:
                self.values[id(v)] = np.array(a)
        plan_ids = {id(n) for n in program.plan_nodes}
        for node in fgraph.toposort():
            for v in node.inputs:
                if id(v) not in self.shapes and hasattr(v, "data"):
                    self.shapes[id(v)] = np.shape(v.data)
                    if np.size(v.data) <= PLAN_MAX_SIZE:
                        self.values[id(v)] = np.asarray(v.data)
            in_shapes = [self.shapes[id(v)] for v in node.inputs]
            in_vals = [self.values.get(id(v)) for v in node.inputs]
            if id(node) in plan_ids:
                res = node.op.perform(node, [self.values[id(v)] if id(v) in self.values else
                                             np.asarray(v.data) if hasattr(v, "data") else
                                             np.empty(self.shapes[id(v)], v.dtype) for v in node.inputs])
                for o, r in zip(node.outputs, res):
                    self.values[id(o)] = np.array(r, dtype=o.dtype, order="C")
                    self.shapes[id(o)] = np.shape(r)
                continue
            check_empty_reduce(node, in_shapes)
            try:
                outs = node.op.infer_shape(node, in_shapes, in_vals)
            except (ValueError, IndexError) as e:
                if "built at" in str(e):
                    raise
                raise type(e)(f"{node.op}: {e}{node_context([node], self)}") from e
            for o, s in zip(node.outputs, outs):
                self.shapes[id(o)] = tuple(int(d) for d in s)
        for v in fgraph.outputs:
            if id(v) not in self.shapes and hasattr(v, "data"):
                self.shapes[id(v)] = np.shape(v.data)
        # concrete views: (offset, shape, strides) per buffer, for the given arrays
        self.layout: list = [None] * len(program.buffers)
        self.host_values: dict[int, np.ndarray] = {}
        self.base_layout: dict[int, tuple] = {}
        for b in program.bases:
            if b.kind == INPUT:
                a = arrays[b.ref]
                self.base_layout[b.index] = (a.shape, a.strides)
            elif b.kind == SHARED:
                a = shared_values[[sv for sv, _ in program.shared_bases].index(b.ref)]
                self.base_layout[b.index] = (a.shape, a.strides)
            elif b.kind == CONST:
                self.host_values[b.index] = b.ref
                self.base_layout[b.index] = (b.ref.shape, b.ref.strides)
            elif b.kind == PLANVAL:
                a = b.ref(self) if callable(b.ref) else self.values[id(b.ref)]
                self.host_values[b.index] = a
                self.base_layout[b.index] = (a.shape, a.strides)
            elif b.kind == WINDOW:
                continue            # laid out from its sequence (see _resolve)
            else:
                shape = tuple(b.ref(self)) if callable(b.ref) else self.shapes[id(b.ref)]
                st = c_strides(shape, np.dtype(b.dtype).itemsize)
                self.base_layout[b.index] = (shape, st)
        for buf in program.buffers:
            self.layout[buf.index] = self._resolve(buf)
        check_program(program, self)

    def _resolve(self, buf: Buffer) -> tuple:
        if self.layout[buf.index] is not None:
            return self.layout[buf.index]
        if buf.parent is None:
            if buf.base.kind == WINDOW and buf.base.index not in self.base_layout:
                sl = buf.base.ref          # step i of a sequence: the sequence without its axis
                _, sshape, sstrides = self._resolve(sl.sequence)
                self.base_layout[buf.base.index] = (tuple(d for a, d in enumerate(sshape) if a != sl.axis),
                                                    tuple(s for a, s in enumerate(sstrides) if a != sl.axis))
            shape, strides = self.base_layout[buf.base.index]
            res = (0, tuple(shape), tuple(strides))
        else:
            off, shape, strides = self._resolve(buf.parent)
            res = buf.view(off, shape, strides, self)
        self.layout[buf.index] = res
        return res

    def loop_shape(self, k: Any) -> tuple:
        src = k.shape_from
        if not src.broadcast:
            return self.layout[src.buffers[0].index][1]
        shapes = [self.layout[b.index][1] for b in src.buffers]
        nd = k.ndim
        out = []
        for ax in range(nd):
            size = 1
            for s in shapes:
                a = ax - (nd - len(s))
                if a >= 0 and s[a] != 1:
                    size = s[a]
            out.append(size)
        return tuple(out)

    def loop_count(self, k: Any) -> int:
        """A LoopStep's iteration count for this signature."""
        shape = self.layout[k.count_from.index][1]
        return int(shape[k.count_axis]) if len(shape) > k.count_axis else 0


def check_empty_reduce(node: Any, in_shapes: list) -> None:
    op = node.op
    if type(op).__name__ in ("Reduce", "FusedReduce") and op.kind in ("max", "min"):
        if type(op).__name__ == "Reduce":
            full = in_shapes[0]
        else:
            nd = max(len(s) for s in in_shapes)
            full = tuple(max([s[a - (nd - len(s))] for s in in_shapes if a - (nd - len(s)) >= 0] or [1])
                         for a in range(nd))
        if any(full[a] == 0 for a in op.axes):
            raise ValueError(f"{op.kind} of an empty axis (input shape {tuple(full)}, axes {op.axes}) has no identity")


def loop_operand_strides(loop: tuple, shape: tuple, strides: tuple, what: str) -> tuple:
    """An operand's strides in the loop space: right-aligned, broadcast dims get stride 0."""
    nd = len(loop)
    out = []
    for ax in range(nd):
        a = ax - (nd - len(shape))
        if a < 0:
            out.append(0)
            continue
        if shape[a] == loop[ax]:
            out.append(strides[a] if loop[ax] != 1 else 0)
        elif shape[a] == 1:
            out.append(0)
        else:
            raise ValueError(f"{what}: operand of shape {shape} does not broadcast to {loop}")
    return tuple(out)


def collapse(loop: tuple, op_strides: list) -> tuple:
    """Drop size-1 dims and merge dims that are contiguous for every operand.

    Returns (shape, [strides per operand]) with the same ndim as `loop` (padded in front with 1s)."""
    nd = len(loop)
    dims = [(loop[a], [s[a] for s in op_strides]) for a in range(nd) if loop[a] != 1]
    if any(d == 0 for d, _ in dims):
        return (0,) * nd if nd else (), [tuple([0] * nd) for _ in op_strides]
    merged: list = []
    for d, st in dims:
        if merged:
            pd, pst = merged[-1]
            if all(ps == s * d for ps, s in zip(pst, st)):
                merged[-1] = (pd * d, st)
                continue
        merged.append((d, st))
    pad = nd - len(merged)
    shape = (1,) * pad + tuple(d for d, _ in merged)
    strides = [tuple([0] * pad + [st[j] for _, st in merged]) for j in range(len(op_strides))]
    return shape, strides
