"""Shape and view ops: DimShuffle, Reshape, StopGradient (views, no code), Join (copies into
slices of the output) and Split (views)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .context import Lowering
from .programs import identity_composite
from .views import view_dimshuffle, view_reshape


def _dimshuffle(ctx: Lowering, node: Any) -> str | None:
    op = node.op
    src = ctx.buffer_of(node.inputs[0])
    kept = [p for p in op.pattern if p != "x"]
    contiguous = src.contiguous and kept == sorted(kept)
    ctx.var_buffer[id(node.outputs[0])] = ctx.view(src, view_dimshuffle(op.pattern, op.drop), len(op.pattern),
                                                   contiguous, node.outputs[0])
    return None

def _reshape(ctx: Lowering, node: Any) -> str | None:
    x, shp = node.inputs
    if id(shp) not in ctx.known and not hasattr(shp, "data"):
        return "the target shape is computed from data, not from shapes"
    src = ctx.contiguous_buffer(x, [node])
    ctx.var_buffer[id(node.outputs[0])] = ctx.view(src, view_reshape(node.outputs[0]), node.op.ndim, True,
                                                   node.outputs[0])
    return None

def _identity_view(ctx: Lowering, node: Any) -> str | None:
    ctx.var_buffer[id(node.outputs[0])] = ctx.buffer_of(node.inputs[0])
    return None

def _join(ctx: Lowering, node: Any) -> str | None:
    """Each input is copied into its slice of the output (a strided view)."""
    bad = ctx.unsupported_dtype(node)
    if bad:
        return bad
    parts = list(node.inputs)
    ax = node.op.axis
    out_var = node.outputs[0]
    out = ctx.output_buffer(out_var)
    nd = out_var.ndim
    for i, p in enumerate(parts):
        def fn(off, shape, strides, plan, parent=None, i=i):
            start = sum(plan.shapes[id(q)][ax] for q in parts[:i])
            shp = list(shape)
            shp[ax] = plan.shapes[id(parts[i])][ax]
            return off + start * strides[ax], tuple(shp), strides
        dst = ctx.view(out, fn, nd, False, sshape=tuple(p.type.shape))
        ctx.loop("join", [node], nd, [ctx.buffer_of(p)], [dst], identity_composite(p.dtype, out_var.dtype),
                 shape_from=dst)
    return None

def _split(ctx: Lowering, node: Any) -> str | None:
    """Pieces are views of x."""
    x, sizes = node.inputs
    if id(sizes) not in ctx.known and not hasattr(sizes, "data"):
        return "the split sizes are computed from data"
    ax = node.op.axis
    src = ctx.buffer_of(x)
    for i, o in enumerate(node.outputs):
        def fn(off, shape, strides, plan, parent=None, i=i):
            sz = [int(v) for v in np.asarray(plan.values[id(sizes)]).reshape(-1)]
            shp = list(shape)
            shp[ax] = sz[i]
            return off + sum(sz[:i]) * strides[ax], tuple(shp), strides
        ctx.var_buffer[id(o)] = ctx.view(src, fn, x.ndim, False, o)
    return None


def rules() -> dict:
    """Op class -> lowering rule (imported here: codegen loads symnet's ops only when lowering)."""
    from symnet.ops.shape import DimShuffle, Reshape, StopGradient
    from symnet.ops.join import Join, Split
    return {
        DimShuffle: _dimshuffle,
        Reshape: _reshape,
        StopGradient: _identity_view,
        Join: _join,
        Split: _split,
    }
