"""Elementwise ops, reductions (plain and with fused elementwise prologues) and Alloc: LoopKernels."""
from __future__ import annotations

from typing import Any

from ..kernel import ShapeFrom
from .context import Lowering
from .programs import S, ProgramBuilder, identity_composite
from .views import view_expand


def _elemwise(ctx: Lowering, node: Any) -> str | None:
    comp, bad = ctx.node_composite(node)
    if bad:
        return bad
    ins = [ctx.buffer_of(v) for v in node.inputs]
    outs = [ctx.output_buffer(v) for v in node.outputs]
    ctx.loop("elemwise", [node], node.outputs[0].ndim, ins, outs, comp, shape_from=outs[0])
    return None

def _reduce_kernel(ctx: Lowering, node: Any, kind: str, axes: tuple, comp: Any, full_ndim: int) -> None:
    ins = [ctx.buffer_of(v) for v in node.inputs]
    out_var = node.outputs[0]
    out = ctx.output_buffer(out_var)
    acc = ctx.view(out, view_expand(axes, full_ndim), full_ndim, True)
    k = ctx.loop("reduce_" + kind, [node], full_ndim, ins, [acc], comp, reduce=kind, shape_from=ShapeFrom.broadcast_of(ins))
    k.reduced_axes = axes

def _reduce(ctx: Lowering, node: Any) -> str | None:
    bad = ctx.unsupported_dtype(node)
    if bad:
        return bad
    x = node.inputs[0]
    out_dt = node.outputs[0].dtype
    if node.op.kind in ("any", "all"):
        b = ProgramBuilder([x.dtype])
        comp = b.finish([b.op(S.neq, 0, b.const(0, x.dtype))]) if x.dtype != "bool" else identity_composite("bool", "bool")
    else:
        comp = identity_composite(x.dtype, out_dt)
    _reduce_kernel(ctx, node, node.op.kind, node.op.axes, comp, x.ndim)
    return None

def _fused_reduce(ctx: Lowering, node: Any) -> str | None:
    comp, bad = ctx.node_composite(node)
    if bad:
        return bad
    elem_dt = comp.output_dtypes(*comp.in_dtypes)[0]
    out_dt = node.outputs[0].dtype
    if elem_dt != out_dt:       # the accumulator dtype (NumPy's rule): cast inside the program
        comp = S.Composite(comp.in_dtypes, list(comp.program) + [(S.CastOp(out_dt), (comp.outputs[0],), out_dt)],
                           [comp.nin + len(comp.program)])
    full_ndim = max(v.ndim for v in node.inputs) if node.inputs else 0
    _reduce_kernel(ctx, node, node.op.kind, node.op.axes, comp, full_ndim)
    return None

def _alloc(ctx: Lowering, node: Any) -> str | None:
    value, shp = node.inputs
    if id(shp) not in ctx.known and not hasattr(shp, "data"):
        return "the shape is computed from data"
    bad = ctx.unsupported_dtype(node)
    if bad:
        return bad
    out = ctx.output_buffer(node.outputs[0])
    ctx.loop("alloc", [node], node.outputs[0].ndim, [ctx.buffer_of(value)], [out],
             identity_composite(value.dtype, node.outputs[0].dtype), shape_from=out)
    return None


def rules() -> dict:
    """Op class -> lowering rule (imported here: codegen loads symnet's ops only when lowering)."""
    from symnet.ops.elemwise import Elemwise
    from symnet.ops.reduce import Reduce
    from symnet.ops.fused import FusedReduce
    from symnet.ops.creation import Alloc
    return {
        Elemwise: _elemwise,
        Reduce: _reduce,
        FusedReduce: _fused_reduce,
        Alloc: _alloc,
    }
