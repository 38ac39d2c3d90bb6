"""Indexing: constant-index Subtensor (a view), IncSubtensor (a copy and a loop over the region),
AdvancedSubtensor1 / AdvancedIncSubtensor1 (GatherKernels)."""
from __future__ import annotations

from typing import Any

from ..kernel import GatherKernel
from .context import Lowering
from .programs import S, ProgramBuilder, identity_composite
from .views import view_subtensor


def _subtensor(ctx: Lowering, node: Any) -> str | None:
    if not all(id(v) in ctx.known or hasattr(v, "data") for v in node.inputs[1:]):
        return "index values are computed from data (the view offset must be known per shape signature)"
    src = ctx.buffer_of(node.inputs[0])
    ctx.var_buffer[id(node.outputs[0])] = ctx.view(src, view_subtensor(node), node.outputs[0].ndim, False,
                                                   node.outputs[0])
    return None

def _inc_subtensor(ctx: Lowering, node: Any) -> str | None:
    x, y, *idx = node.inputs
    if not all(id(v) in ctx.known or hasattr(v, "data") for v in idx):
        return "index values are computed from data"
    bad = ctx.unsupported_dtype(node)
    if bad:
        return bad
    out_var = node.outputs[0]
    out = ctx.output_buffer(out_var)
    ctx.loop("incsub_copy", [node], x.ndim, [ctx.buffer_of(x)], [out], identity_composite(x.dtype, x.dtype),
             shape_from=out)
    fake = type("N", (), {})()
    fake.op, fake.inputs, fake.tag = node.op, [out_var] + list(idx), node.tag
    region = ctx.view(out, view_subtensor(fake), out_var.ndim - sum(not isinstance(e, tuple) for e in node.op.idx_list),
                      False)
    nd = region.ndim
    if node.op.set_instead_of_inc:
        comp = identity_composite(y.dtype, x.dtype)
        ins = [ctx.buffer_of(y)]
    else:
        pb = ProgramBuilder([x.dtype, y.dtype])
        comp = pb.finish([pb.op(S.add, 0, pb.cast(1, x.dtype), dtype=x.dtype)])
        ins = [region, ctx.buffer_of(y)]
    k = ctx.loop("incsub", [node], nd, ins, [region], comp, shape_from=region)
    k.parallel = True
    return None

def _take(ctx: Lowering, node: Any) -> str | None:
    x, idx = node.inputs
    bad = ctx.unsupported_dtype(node)
    if bad:
        return bad
    xb = ctx.contiguous_buffer(x, [node])
    ib = ctx.contiguous_buffer(idx, [node])
    out = ctx.output_buffer(node.outputs[0])
    ctx.steps.append(GatherKernel(ctx.name("take"), [node], mode="take", x=xb, idx=ib, out=out))
    return None

def _advanced_inc(ctx: Lowering, node: Any) -> str | None:
    x, y, idx = node.inputs
    bad = ctx.unsupported_dtype(node)
    if bad:
        return bad
    out_var = node.outputs[0]
    out = ctx.output_buffer(out_var)
    ctx.loop("advinc_copy", [node], x.ndim, [ctx.buffer_of(x)], [out], identity_composite(x.dtype, x.dtype),
             shape_from=out)
    full_nd = idx.ndim + x.ndim - 1
    yfull = ctx.temp(x.dtype, full_nd, lambda plan: tuple(plan.shapes[id(idx)]) + tuple(plan.shapes[id(x)][1:]),
                     sshape=tuple(idx.type.shape) + tuple(x.type.shape[1:]))
    ctx.loop("advinc_y", [node], full_nd, [ctx.buffer_of(y)], [yfull], identity_composite(y.dtype, x.dtype),
             shape_from=yfull)
    ib = ctx.contiguous_buffer(idx, [node])
    ctx.steps.append(GatherKernel(ctx.name("scatter"), [node], mode="set" if node.op.set_instead_of_inc else "inc",
                                  x=out, idx=ib, y=yfull, out=out))
    return None


def rules() -> dict:
    """Op class -> lowering rule (imported here: codegen loads symnet's ops only when lowering)."""
    from symnet.ops.subtensor import AdvancedIncSubtensor1, AdvancedSubtensor1, IncSubtensor, Subtensor
    return {
        Subtensor: _subtensor,
        IncSubtensor: _inc_subtensor,
        AdvancedSubtensor1: _take,
        AdvancedIncSubtensor1: _advanced_inc,
    }
