"""Shape contracts of the kernel kinds, checked when a buffer plan is made.

Native kernels trust their shapes: a GEMM reads K columns of A and K rows of B, a row pick reads
one label per row. Every such relation between the buffers of a kernel is checked here, per
input-shape signature and before any kernel runs, so no mismatch of runtime shapes can make a
kernel read or write outside its buffers. The error names the op, its input variables with their
shapes, and the user's source line the node was built at.

A new kernel kind registers its contract in `CONTRACTS` (keyed by the kernel class).
"""
from __future__ import annotations

import math
from typing import Any, Callable

from .kernel import ArgKernel, GatherKernel, GemmKernel, LoopKernel, LoopStep


class ShapeMismatch(ValueError):
    """Runtime shapes that a kernel cannot run on (raised when the plan is made)."""


def describe_var(v: Any) -> str:
    if getattr(v, "name", None):
        return repr(v.name)
    owner = getattr(v, "owner", None)
    if owner is not None:
        return f"the output of {type(owner.op).__name__}"
    return "a constant" if hasattr(v, "data") else "an unnamed variable"


def node_context(nodes: list, plan: Any) -> str:
    """'inputs: 'x' (4, 3), 'y' (2,) (built at model.py:12)' for the first graph node."""
    if not nodes:
        return ""
    node = nodes[0]
    parts = []
    for v in node.inputs:
        shape = plan.shapes.get(id(v))
        parts.append(f"{describe_var(v)} {tuple(shape) if shape is not None else '?'}")
    trace = node.tag.get("trace", "?") if getattr(node, "tag", None) else "?"
    return f"; inputs: {', '.join(parts)} (built at {trace})"


def mismatch(k: Any, relation: str, plan: Any, exc: type = ShapeMismatch) -> Exception:
    op = str(k.nodes[0].op) if k.nodes else k.name
    return exc(f"{op} (kernel {k.name}): {relation}{node_context(k.nodes, plan)}")


def broadcast_strides(loop: tuple, shape: tuple, strides: tuple) -> tuple | None:
    """An operand's strides in the loop space (right-aligned, broadcast dims stride 0), or None
    when its shape does not broadcast to the loop shape."""
    nd = len(loop)
    if len(shape) > nd:
        return None
    out = []
    for ax in range(nd):
        a = ax - (nd - len(shape))
        if a < 0:
            out.append(0)
        elif shape[a] == loop[ax]:
            out.append(strides[a] if loop[ax] != 1 else 0)
        elif shape[a] == 1:
            out.append(0)
        else:
            return None
    return tuple(out)


def _check_loop(k: LoopKernel, plan: Any) -> None:
    loop = tuple(plan.loop_shape(k))
    for role, bufs in (("input", k.inputs), ("output", k.outputs)):
        for j, buf in enumerate(bufs):
            shape = plan.layout[buf.index][1]
            if broadcast_strides(loop, shape, plan.layout[buf.index][2]) is None:
                raise mismatch(k, f"{role} {j} of shape {tuple(shape)} does not broadcast to the loop shape "
                                  f"{loop}", plan)


def _check_arg(k: ArgKernel, plan: Any) -> None:
    ishape = plan.layout[k.input.index][1]
    oshape = plan.layout[k.output.index][1]
    nkeep = k.ndim - k.nred
    if len(ishape) != k.ndim or tuple(ishape[:nkeep]) != tuple(oshape[:nkeep]) or math.prod(oshape) != math.prod(
            ishape[:nkeep]):
        raise mismatch(k, f"output shape {tuple(oshape)} is not the input's kept dims {tuple(ishape[:nkeep])}", plan)
    if any(d == 0 for d in ishape[nkeep:]):
        raise mismatch(k, f"arg{k.kind} of an empty sequence (input shape {tuple(ishape)})", plan)


def _check_gemm(k: GemmKernel, plan: Any) -> None:
    ashape, bshape, oshape = (plan.layout[x.index][1] for x in (k.a, k.b, k.out))
    M, K = ashape[-2], ashape[-1]
    K2, N = bshape[-2], bshape[-1]
    if K != K2:
        raise mismatch(k, f"inner dimensions differ: A is {tuple(ashape)}, B is {tuple(bshape)} ({K} != {K2})", plan)
    if tuple(oshape[-2:]) != (M, N):
        raise mismatch(k, f"output {tuple(oshape)} is not ({M}, {N}) for A {tuple(ashape)} and B {tuple(bshape)}",
                       plan)
    batch = tuple(oshape[:-2])
    for what, shp, st in (("A", ashape, plan.layout[k.a.index][2]), ("B", bshape, plan.layout[k.b.index][2])):
        if broadcast_strides(batch, tuple(shp[:-2]), tuple(st[:-2])) is None:
            raise mismatch(k, f"batch dims of {what} {tuple(shp)} do not broadcast to the output's {batch}", plan)
    for what, buf in (("alpha", k.alpha), ("beta", k.beta)):
        if buf is not None and math.prod(plan.layout[buf.index][1]) != 1:
            raise mismatch(k, f"{what} must hold one value, got shape {tuple(plan.layout[buf.index][1])}", plan)


def _check_gather(k: GatherKernel, plan: Any) -> None:
    xshape = tuple(plan.layout[k.x.index][1])
    ishape = tuple(plan.layout[k.idx.index][1])
    oshape = tuple(plan.layout[k.out.index][1])
    if not xshape:
        raise mismatch(k, "cannot index a scalar", plan, IndexError)
    if k.mode == "pick":      # x (rows..., n) with one label per row
        rows = xshape[:-1]
        if ishape != rows:
            raise mismatch(k, f"one label per row of the logits is needed: logits have rows {rows}, labels have "
                              f"shape {ishape}", plan)
        if oshape != rows:
            raise mismatch(k, f"output {oshape} is not the rows {rows}", plan)
        labels = plan.shapes.get(id(k.nodes[0].inputs[1])) if k.nodes else None
        if xshape[-1] == 0 and labels is not None and math.prod(labels) > 0:
            raise mismatch(k, "class index out of range [0, 0): the logits have no classes", plan, IndexError)
        return
    want = ishape + xshape[1:]
    if k.mode == "take":
        if oshape != want:
            raise mismatch(k, f"output {oshape} is not indices {ishape} + rows {xshape[1:]}", plan)
        return
    yshape = tuple(plan.layout[k.y.index][1])
    if yshape != want:
        raise mismatch(k, f"updates of shape {yshape} do not match indices {ishape} + rows {xshape[1:]}", plan)
    if oshape != xshape:
        raise mismatch(k, f"output {oshape} is not the indexed array's {xshape}", plan)


def _check_loop_step(k: LoopStep, plan: Any) -> None:
    n = plan.loop_count(k)
    if n < 0:
        raise mismatch(k, f"negative iteration count {n}", plan)
    for sl in k.sliced:
        shape = plan.layout[sl.sequence.index][1]
        if not shape or sl.axis >= len(shape):
            raise mismatch(k, f"sequence of shape {tuple(shape)} has no axis {sl.axis}", plan)
        if shape[sl.axis] < n:
            raise mismatch(k, f"sequence of shape {tuple(shape)} has {shape[sl.axis]} steps along axis {sl.axis}, "
                              f"the loop runs {n}", plan)
    for c in k.carried:
        a, b = (plan.layout[x.index] for x in (c.current, c.next))
        if tuple(a[1]) != tuple(b[1]) or a[2] != b[2]:
            raise mismatch(k, f"carried buffers differ: {tuple(a[1])} and {tuple(b[1])}", plan)
    for step in k.body:
        check_kernel(step, plan)


CONTRACTS: dict[type, Callable[[Any, Any], None]] = {
    LoopKernel: _check_loop,
    ArgKernel: _check_arg,
    GemmKernel: _check_gemm,
    GatherKernel: _check_gather,
    LoopStep: _check_loop_step,
}


def check_kernel(k: Any, plan: Any) -> None:
    contract = CONTRACTS.get(type(k))
    if contract is not None:
        contract(k, plan)


def check_program(program: Any, plan: Any) -> None:
    """Every kernel's shape contract for this plan (fallback steps check themselves in perform).
    Update copies are exempt: the runner disables one whose value does not fit its variable and
    assigns the new value instead."""
    updates = {id(k) for _, _, k in program.update_copies}
    for step in program.steps:
        if id(step) not in updates:
            check_kernel(step, plan)
