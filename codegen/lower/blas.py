"""MatMul and Gemm: GemmKernels (BLAS), operands cast or viewed as batched matrices."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..kernel import Buffer, GemmKernel
from .context import Lowering, shape_of
from .programs import identity_composite
from .views import view_dimshuffle, view_expand


def _as_float_buffer(ctx: Lowering, var: Any, dtype: str, nodes: list) -> Buffer:
    buf = ctx.buffer_of(var)
    if var.dtype == dtype:
        return buf
    out = ctx.temp(dtype, var.ndim, shape_of(var), sshape=tuple(var.type.shape))
    ctx.loop("cast", nodes, var.ndim, [buf], [out], identity_composite(var.dtype, dtype), shape_from=out)
    return out

def _matrix_view(buf: Buffer, ndim: int, kind: str) -> Buffer:
    """Vectors as matrices: x (k,) -> (1, k) on the left, y (k,) -> (k, 1) on the right."""
    if ndim >= 2:
        return buf
    axes = (0,) if kind == "left" else (1,)
    return Buffer(-1, buf.base, buf.dtype, 2, buf, view_expand(axes, 2), False)

def _matmul(ctx: Lowering, node: Any) -> str | None:
    x, y = node.inputs
    out_var = node.outputs[0]
    if not ctx.target.has_blas or out_var.dtype not in ctx.target.blas_dtypes:
        return f"matmul in {out_var.dtype} (BLAS on {ctx.target.name} has {'/'.join(sorted(ctx.target.blas_dtypes))} only)"
    a = _as_float_buffer(ctx, x, out_var.dtype, [node])
    b = _as_float_buffer(ctx, y, out_var.dtype, [node])
    out = ctx.output_buffer(out_var)
    a2 = _register(ctx, _matrix_view(a, x.ndim, "left"))
    b2 = _register(ctx, _matrix_view(b, y.ndim, "right"))
    if x.ndim >= 2 and y.ndim >= 2:
        o2 = out
    else:
        axes = ((out_var.ndim,) if y.ndim == 1 else ()) + ((out_var.ndim - (0 if y.ndim == 1 else 1),) if x.ndim == 1 else ())
        if x.ndim == 1 and y.ndim == 1:
            axes = (0, 1)
        elif x.ndim == 1:
            axes = (out_var.ndim - 1,)
        else:
            axes = (out_var.ndim,)
        o2 = ctx.view(out, view_expand(axes, out_var.ndim + len(axes)), out_var.ndim + len(axes), True)
    nb = max(a2.ndim, b2.ndim, o2.ndim) - 2
    ctx.steps.append(GemmKernel(ctx.name("gemm"), [node], nbatch=nb, a=a2, b=b2, out=o2, dtype=out_var.dtype))
    return None

def _register(ctx: Lowering, buf: Buffer) -> Buffer:
    if buf.index < 0:
        buf.index = len(ctx.buffers)
        ctx.buffers.append(buf)
    return buf

def _gemm(ctx: Lowering, node: Any) -> str | None:
    A, B, C, alpha, beta = node.inputs
    op = node.op
    out_var = node.outputs[0]
    dt = out_var.dtype
    if not ctx.target.has_blas or dt not in ctx.target.blas_dtypes:
        return f"gemm in {dt} (no BLAS for it on {ctx.target.name})"
    a = ctx.buffer_of(A)
    b = ctx.buffer_of(B)
    if op.trans_a:
        a = ctx.view(a, view_dimshuffle((1, 0), ()), 2, False)
    if op.trans_b:
        b = ctx.view(b, view_dimshuffle((1, 0), ()), 2, False)
    out = ctx.output_buffer(out_var)
    # out = broadcast(C); the GEMM then accumulates with beta. A constant beta of 0 never reads C
    # (the BLAS rule), so then the copy is skipped: no pass over a weight-gradient-sized buffer.
    beta_is_zero = hasattr(beta, "data") and not np.any(beta.data)
    if not beta_is_zero:
        ctx.loop("gemm_c", [node], 2, [ctx.buffer_of(C)], [out], identity_composite(C.dtype, dt),
                 shape_from=out)
    ctx.steps.append(GemmKernel(ctx.name("gemm"), [node], nbatch=0, a=a, b=b, out=out, dtype=dt,
                                alpha=_as_float_buffer(ctx, alpha, dt, [node]),
                                beta=_as_float_buffer(ctx, beta, dt, [node])))
    return None


def rules() -> dict:
    """Op class -> lowering rule (imported here: codegen loads symnet's ops only when lowering)."""
    from symnet.ops.blas import MatMul
    from symnet.ops.fused import Gemm
    return {
        MatMul: _matmul,
        Gemm: _gemm,
    }
