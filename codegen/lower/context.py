"""The lowering context: what rules (codegen/lower/<family>.py) and ops' own ``lower`` methods
use to create bases, buffers, views and kernels, and to ask the target what it runs natively."""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..kernel import (CONST, FRESH, PLANVAL, TEMP, Base, Buffer, FallbackStep, LoopKernel, ShapeFrom)
from ..target import Target
from .programs import S, as_composite, identity_composite
from .views import ExpandView

PLAN_MAX_SIZE = 1024          # plan-time nodes: outputs at most this many elements


class Lowering:
    """Context handed to lowering rules (and to ops' own ``lower`` methods)."""

    def __init__(self, fgraph: Any, n_outputs: int, target: Target) -> None:
        self.fgraph = fgraph
        self.target = target
        self.bases: list[Base] = []
        self.buffers: list[Buffer] = []
        self.steps: list = []
        self.var_buffer: dict[int, Buffer] = {}
        self.plan_nodes: list = []
        self.known: set[int] = set()         # ids of variables whose value the plan computes
        self.out_ids = {id(v) for v in fgraph.outputs[:n_outputs]}
        self.counter = 0

    # -- buffers -----------------------------------------------------------------------
    def new_base(self, kind: str, dtype: str, ndim: int, ref: Any = None, contiguous: bool = True) -> Base:
        b = Base(len(self.bases), kind, dtype, ndim, ref, contiguous)
        self.bases.append(b)
        return b

    def whole(self, base: Base, var: Any = None, sshape: Any = None) -> Buffer:
        buf = Buffer(len(self.buffers), base, base.dtype, base.ndim, contiguous=base.contiguous, var=var,
                     sshape=tuple(var.type.shape) if var is not None else sshape)
        self.buffers.append(buf)
        return buf

    def view(self, parent: Buffer, fn: Callable, ndim: int, contiguous: bool, var: Any = None,
             dtype: str | None = None, sshape: Any = None) -> Buffer:
        if var is not None:
            sshape = tuple(var.type.shape)
        elif sshape is None and isinstance(fn, ExpandView) and parent.sshape is not None:
            it = iter(parent.sshape)
            sshape = tuple(1 if a in fn.axes else next(it) for a in range(ndim))
        buf = Buffer(len(self.buffers), parent.base, dtype or parent.dtype, ndim, parent, fn, contiguous, var,
                     sshape)
        self.buffers.append(buf)
        return buf

    def temp(self, dtype: str, ndim: int, shape_fn: Callable, var: Any = None, sshape: Any = None) -> Buffer:
        """An internal buffer; shape_fn(plan) gives its shape."""
        base = self.new_base(TEMP, dtype, ndim, ref=shape_fn)
        return self.whole(base, var, sshape)

    def output_buffer(self, var: Any) -> Buffer:
        """The buffer a kernel writes `var` into: fresh per call when it is a function output."""
        kind = FRESH if id(var) in self.out_ids else TEMP
        buf = self.whole(self.new_base(kind, var.dtype, var.ndim, ref=var), var)
        self.var_buffer[id(var)] = buf
        return buf

    def buffer_of(self, var: Any) -> Buffer:
        buf = self.var_buffer.get(id(var))
        if buf is not None:
            return buf
        if id(var) in self.known:
            buf = self.whole(self.new_base(PLANVAL, var.dtype, var.ndim, ref=var), var)
        elif hasattr(var, "data"):
            buf = self.whole(self.new_base(CONST, var.dtype, var.ndim, ref=np.array(var.data, order="C")), var)
        else:
            raise RuntimeError(f"internal error: {var} has no buffer")
        self.var_buffer[id(var)] = buf
        return buf

    def contiguous_buffer(self, var: Any, nodes: list) -> Buffer:
        """`var`'s buffer, copied to a contiguous temporary when it may not be contiguous."""
        buf = self.buffer_of(var)
        if buf.contiguous:
            return buf
        out = self.temp(var.dtype, var.ndim, shape_of(var), sshape=tuple(var.type.shape))
        self.loop(f"copy", nodes, var.ndim, [buf], [out], identity_composite(var.dtype, var.dtype), shape_from=out)
        return out

    # -- kernels -----------------------------------------------------------------------
    def name(self, stem: str) -> str:
        self.counter += 1
        return f"k{self.counter}_{stem}"

    def loop(self, stem: str, nodes: list, ndim: int, inputs: list, outputs: list, composite: Any,
             reduce: str | None = None, shape_from: Buffer | ShapeFrom | None = None) -> LoopKernel:
        """A LoopKernel; its loop shape is `shape_from`'s (a Buffer: that buffer's shape)."""
        if isinstance(shape_from, Buffer):
            shape_from = ShapeFrom.of(shape_from)
        k = LoopKernel(self.name(stem), list(nodes), ndim=ndim, inputs=list(inputs), outputs=list(outputs),
                       composite=composite, reduce=reduce, shape_from=shape_from)
        self.steps.append(k)
        return k

    def fallback(self, node: Any, reason: str) -> None:
        ins = [self.buffer_of(v) for v in node.inputs]
        outs = [self.output_buffer(v) for v in node.outputs]
        self.steps.append(FallbackStep(self.name("fallback_" + type(node.op).__name__), [node], node=node,
                                       inputs=ins, outputs=outs, reason=reason))

    # -- what the target runs ------------------------------------------------------------
    def unsupported_dtype(self, node: Any) -> str | None:
        """Why `node`'s dtypes cannot run natively on the target (None: they can)."""
        return self.target.unsupported_dtype(v.dtype for v in list(node.inputs) + list(node.outputs))

    def node_composite(self, node: Any) -> tuple[Any, str | None]:
        """The scalar program of an elementwise-bodied node, and why it cannot run natively (or None)."""
        comp = as_composite(node.op.scalar_op, [v.dtype for v in node.inputs])
        return comp, self.unsupported_dtype(node) or self.composite_unsupported(comp)

    def composite_unsupported(self, comp: Any) -> str | None:
        for op, _, dt in comp.program:
            bad = self.target.unsupported_dtype([dt])
            if bad:
                return bad
            if isinstance(op, S.Composite):
                return "nested composite"
        return None


def shape_of(var: Any) -> Callable:
    """A temporary's shape function: the shape the plan inferred for `var`."""
    return lambda plan: plan.shapes[id(var)]


def is_plan_node(node: Any, known: set) -> bool:
    from symnet.ops.creation import ARange
    from symnet.ops.random import RandomVariable
    from symnet.ops.shape import Shape
    if isinstance(node.op, Shape):
        return True
    if isinstance(node.op, RandomVariable):
        return False
    if not all(id(v) in known or (hasattr(v, "data") and np.size(v.data) <= PLAN_MAX_SIZE) for v in node.inputs):
        return False
    if isinstance(node.op, ARange):   # any size: a function of shapes only
        return True
    return all(all(d is not None for d in o.type.shape) and math.prod(o.type.shape) <= PLAN_MAX_SIZE
               for o in node.outputs)


def structural_toposort(fgraph: Any) -> list:
    """A topological order that depends only on the graph's structure (DFS post-order from the
    outputs, inputs in order), so equal graphs lower to identical IR and hit the compile cache."""
    order: list = []
    done: set = set()
    for out in fgraph.outputs:
        if out.owner is None or id(out.owner) in done:
            continue
        stack = [(out.owner, 0)]
        onstack = {id(out.owner)}
        while stack:
            node, i = stack.pop()
            if i < len(node.inputs):
                stack.append((node, i + 1))
                o = node.inputs[i].owner
                if o is not None and id(o) not in done and id(o) not in onstack:
                    stack.append((o, 0))
                    onstack.add(id(o))
            else:
                done.add(id(node))
                order.append(node)
    return order
