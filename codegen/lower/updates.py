"""Outputs and shared-variable updates: fresh output arrays, simultaneous updates, and the
analysis that lets an update's producing kernel write straight into the variable's storage."""
from __future__ import annotations

from typing import Any

from ..kernel import FRESH, INPUT, SHARED, TEMP, ArgKernel, Buffer, GatherKernel, GemmKernel, LoopKernel, LoopStep
from .context import Lowering, shape_of
from .programs import identity_composite


def finish_outputs(ctx: Lowering, fgraph: Any, n_outputs: int) -> list:
    """Each output a whole fresh array of its own (never an input, a shared value or a view)."""
    outputs = []
    seen: set = set()
    for v in fgraph.outputs[:n_outputs]:
        buf = ctx.buffer_of(v)
        if buf.base.kind != FRESH or buf.parent is not None or buf.base.index in seen:
            fresh = ctx.whole(ctx.new_base(FRESH, v.dtype, v.ndim, ref=v), None, tuple(v.type.shape))
            ctx.loop("output_copy", [v.owner] if v.owner else [], v.ndim, [buf], [fresh],
                     identity_composite(v.dtype, v.dtype), shape_from=fresh)
            buf = fresh
        seen.add(buf.base.index)
        outputs.append(buf)
    return outputs


def finish_updates(ctx: Lowering, fgraph: Any, n_outputs: int, update_targets: list, shared_bases: list) -> tuple:
    """(copies, direct): updates are simultaneous, so values that live in a shared variable are
    snapshotted first; then each value is either written in place by its producer (direct) or
    copied into its variable's storage (when shapes match; otherwise the runner assigns it)."""
    shared_base = {id(sv): b for sv, b in shared_bases}
    values = []
    for target, v in zip(update_targets, fgraph.outputs[n_outputs:]):
        buf = ctx.buffer_of(v)
        if buf.base.kind in (SHARED, INPUT):
            snap = ctx.temp(v.dtype, v.ndim, shape_of(v), sshape=tuple(v.type.shape))
            ctx.loop("update_snapshot", [], v.ndim, [buf], [snap], identity_composite(v.dtype, v.dtype),
                     shape_from=snap)
            buf = snap
        values.append((target, buf))
    copies = []
    direct = []
    for target, buf in values:
        if can_write_in_place(ctx, target, buf, shared_base.get(id(target))):
            buf.base.update_target = target
            direct.append((target, buf))
            continue
        base = shared_base.get(id(target))
        if base is None:
            base = ctx.new_base(SHARED, target.dtype, target.ndim, ref=target, contiguous=False)
            shared_bases.append((target, base))
        dst = ctx.whole(base, target)
        k = ctx.loop("update", [], target.ndim, [buf], [dst], identity_composite(buf.dtype, target.dtype),
                     shape_from=dst)
        copies.append((target, buf, k))
    return copies, direct


def step_buffers(step: Any) -> tuple[list, list]:
    """(buffers read, buffers written) by a step."""
    if isinstance(step, LoopKernel):
        return list(step.inputs) + (list(step.outputs) if step.reduce else []), list(step.outputs)
    if isinstance(step, GemmKernel):
        return [b for b in (step.a, step.b, step.alpha, step.beta, step.out) if b is not None], [step.out]
    if isinstance(step, ArgKernel):
        return [step.input], [step.output]
    if isinstance(step, GatherKernel):
        return [b for b in (step.x, step.idx, step.y) if b is not None], [step.out]
    if isinstance(step, LoopStep):
        reads, writes = [], []
        for s in step.body:
            r, w = step_buffers(s)
            reads += r
            writes += w
        return reads + [s.sequence for s in step.sliced], writes + [s.sequence for s in step.sliced]
    return list(step.inputs), list(step.outputs)


def can_write_in_place(ctx: Lowering, target: Any, buf: Buffer, tbase: Any) -> bool:
    """Can the kernel producing an update's value write it straight into the shared variable?
    Yes when it is an elementwise kernel writing the whole temporary, reading the variable (if at
    all) only whole, at the same element, and no later step reads the variable's old value."""
    if buf.base.kind != TEMP or buf.parent is not None or tbase is None:
        return False
    if buf.base.update_target is not None:
        return False
    producer = None
    for pos, step in enumerate(ctx.steps):
        if any(o is buf for o in step_buffers(step)[1]):
            producer = pos
    if producer is None:
        return False
    k = ctx.steps[producer]
    if not isinstance(k, LoopKernel) or k.reduce or k.sampler is not None:
        return False
    if sum(o.base is buf.base for step in ctx.steps for o in step_buffers(step)[1]) != 1:
        return False
    for b in list(k.inputs) + list(k.outputs):
        if b.base is tbase and (b.parent is not None or b.sshape != buf.sshape):
            return False
    for step in ctx.steps[producer + 1:]:
        if any(b.base is tbase for b in step_buffers(step)[0]):
            return False
    return True
