"""Specialize: cheaper special cases for backends.

  x ** 2 -> sqr(x), x ** 0.5 -> sqrt(x), x ** -1 -> reciprocal(x), x ** 1 -> x
  matmul(x, W) + b  -> Gemm(x, W, b, 1, 1)       (one BLAS call with the bias as C)
  matmul(x, W)      -> Gemm(x, W, 0, 1, 0)       when an operand is transposed, so that
  transposes of A or B are folded into Gemm's trans_a / trans_b flags (no transposed copy).
"""
from __future__ import annotations

import numpy as np

from ..graph import Apply, FunctionGraph, Variable, as_variable
from ..ops.blas import MatMul
from ..ops.elemwise import Elemwise
from ..ops.fused import Gemm
from ..ops.shape import DimShuffle
from ..types import is_float
from .core import S, local_rewrite, scalar_of, uniform_const


@local_rewrite("specialize", Elemwise)
def pow_specialize(fgraph: FunctionGraph, node: Apply):
    """x ** c for c in {2, 0.5, -1, 1} -> sqr / sqrt / reciprocal / x."""
    if not isinstance(node.op.scalar_op, S.Pow):
        return None
    x, e = node.inputs
    c = uniform_const(e)
    out = node.outputs[0]
    if c is None or e.ndim > x.ndim or any(d != 1 for d in e.type.shape) or x.dtype != out.dtype:
        return None
    table = {2: S.sqr, 0.5: S.sqrt, -1: S.reciprocal}
    if c == 1:
        return [x] if x.type.shape == out.type.shape else None
    if c in table and (is_float(out.dtype) or c == 2):
        r = Elemwise(table[c])(x)
        return [r] if r.type == out.type else None
    return None


def _untranspose(v: Variable) -> tuple[Variable, bool]:
    if v.owner is not None and isinstance(v.owner.op, DimShuffle) and v.owner.op.pattern == (1, 0):
        return v.owner.inputs[0], True
    return v, False


def _gemm(a: Variable, b: Variable, c: Variable, beta: float) -> Variable | None:
    A, ta = _untranspose(a)
    B, tb = _untranspose(b)
    dtype = a.dtype
    try:
        return Gemm(ta, tb)(A, B, c, as_variable(np.asarray(1, dtype)), as_variable(np.asarray(beta, dtype)))
    except (TypeError, ValueError):
        return None


def _is_matrix_product(v: Variable) -> bool:
    return (v.owner is not None and isinstance(v.owner.op, MatMul) and v.ndim == 2
            and all(i.ndim == 2 for i in v.owner.inputs) and is_float(v.dtype)
            and v.owner.inputs[0].dtype == v.owner.inputs[1].dtype == v.dtype)


@local_rewrite("specialize", Elemwise)
def gemm_with_bias(fgraph: FunctionGraph, node: Apply):
    """matmul(x, W) + b -> Gemm(x, W, b, 1, 1) when the product is used only here."""
    if not isinstance(node.op.scalar_op, S.Add):
        return None
    out = node.outputs[0]
    for p, b in (node.inputs, reversed(node.inputs)):
        if not _is_matrix_product(p) or len(fgraph.clients.get(p, ())) != 1:
            continue
        if b.ndim > 2 or b.dtype != p.dtype or out.type.shape != p.type.shape and \
                any(d is not None and d != e for d, e in zip(out.type.shape, p.type.shape)):
            continue
        r = _gemm(*p.owner.inputs, b, 1.0)
        if r is not None and r.dtype == out.dtype:
            return [r]
    return None


@local_rewrite("specialize", MatMul)
def gemm_fold_transpose(fgraph: FunctionGraph, node: Apply):
    """matmul(A.T, B) / matmul(A, B.T) -> Gemm with the transpose as a flag (beta = 0)."""
    v = node.outputs[0]
    if not _is_matrix_product(v):
        return None
    a, b = node.inputs
    if not (_untranspose(a)[1] or _untranspose(b)[1]):
        return None
    clients = fgraph.clients.get(v, ())
    if any(c != "output" and isinstance(c.op, Elemwise) and isinstance(c.op.scalar_op, S.Add)
           for c, _ in clients) and len(clients) == 1:
        return None   # gemm_with_bias takes it
    zero = as_variable(np.zeros((), v.dtype))
    r = _gemm(a, b, zero, 0.0)
    return [r] if r is not None and r.type.shape == v.type.shape else None
