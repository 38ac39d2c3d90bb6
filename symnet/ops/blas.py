"""Matrix products. One op, MatMul, with np.matmul semantics (vectors, matrices, broadcast batches);
dot/tensordot/outer are built on it. Backends map it onto BLAS GEMM calls."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..graph import Apply, Op, Variable, as_variable, describe
from ..types import TensorType, broadcast_shapes, fmt_shape, upcast


class MatMul(Op):
    """x @ y with NumPy's matmul rules."""

    def make_node(self, x: Any, y: Any) -> Apply:
        x, y = as_variable(x), as_variable(y)
        if x.ndim == 0 or y.ndim == 0:
            raise ValueError("matmul of a scalar: use * for scalar multiplication")
        if x.dtype == "bool" or y.dtype == "bool":
            raise TypeError("matmul of boolean tensors")
        xs, ys = x.type.shape, y.type.shape
        k1 = xs[-1]
        k2 = ys[-2] if y.ndim >= 2 else ys[0]
        if k1 is not None and k2 is not None and k1 != k2:
            raise ValueError(f"matmul: {describe(x)} has shape {fmt_shape(xs)} and {describe(y)} has shape "
                             f"{fmt_shape(ys)}; the inner dimensions {k1} and {k2} differ")
        batch = broadcast_shapes(xs[:-2], ys[:-2], context="the batch dims of matmul")
        shape = batch + (xs[-2:-1] if x.ndim >= 2 else ()) + (ys[-1:] if y.ndim >= 2 else ())
        return Apply(self, [x, y], [TensorType(upcast(x.dtype, y.dtype), shape)])

    def perform(self, node, inputs):
        x, y = inputs
        try:
            out = np.matmul(x, y)
        except ValueError:
            raise ValueError(f"matmul: shapes {x.shape} and {y.shape} do not match "
                             f"(built at {node.tag.get('trace', '?')})") from None
        return [np.asarray(out, dtype=node.outputs[0].dtype)]

    def infer_shape(self, node, input_shapes, input_values):
        xs, ys = input_shapes
        if xs[-1] != (ys[-2] if len(ys) >= 2 else ys[0]):
            raise ValueError(f"matmul: shapes {tuple(xs)} and {tuple(ys)} do not match "
                             f"(built at {node.tag.get('trace', '?')})")
        batch = tuple(np.broadcast_shapes(tuple(xs[:-2]), tuple(ys[:-2])))
        return [batch + (tuple(xs[-2:-1]) if len(xs) >= 2 else ()) + (tuple(ys[-1:]) if len(ys) >= 2 else ())]

    def grad(self, inputs, output_grads):
        from .. import basic as T
        from .elemwise import reduce_to_shape
        x, y = inputs
        (gz,) = output_grads
        if gz is None:
            return [None, None]
        # Promote vectors to matrices ((k,) -> (1, k) for x, (k, 1) for y) so one formula covers all.
        x2 = T.expand_dims(x, 0) if x.ndim == 1 else x
        y2 = T.expand_dims(y, 1) if y.ndim == 1 else y
        g2 = gz
        if x.ndim == 1:
            g2 = T.expand_dims(g2, g2.ndim - (1 if y.ndim >= 2 else 0))
        if y.ndim == 1:
            g2 = T.expand_dims(g2, g2.ndim)
        gx = reduce_to_shape(matmul(g2, swap_last(y2)), x2)
        if y2.ndim == 2 and x2.ndim > 2:
            # (batch.., m, k) @ (k, n): one GEMM over the flattened batch instead of a batched one
            gy = matmul(swap_last(_rows(x2)), _rows(g2))
        else:
            gy = reduce_to_shape(matmul(swap_last(x2), g2), y2)
        if x.ndim == 1:
            gx = T.dimshuffle(gx, [1])
        if y.ndim == 1:
            gy = T.dimshuffle(gy, [0])
        return [T.cast(gx, x.dtype) if x.dtype.startswith("float") else None,
                T.cast(gy, y.dtype) if y.dtype.startswith("float") else None]


def _rows(x: Variable) -> Variable:
    """(a, b, .., k) -> (a*b*.., k)."""
    from .. import basic as T
    k = x.type.shape[-1] if x.type.shape[-1] is not None else T.shape(x)[-1]
    return T.reshape(x, (-1, k))


def swap_last(x: Variable) -> Variable:
    from .shape import dimshuffle
    p = list(range(x.ndim))
    p[-1], p[-2] = p[-2], p[-1]
    return dimshuffle(x, p)


def matmul(x: Any, y: Any) -> Variable:
    return MatMul()(x, y)


def dot(x: Any, y: Any) -> Variable:
    """np.dot semantics: matmul for <= 2-d and for N-d @ 2-d/1-d; tensordot over x's last and
    y's second-to-last axis otherwise; scalars multiply."""
    x, y = as_variable(x), as_variable(y)
    if x.ndim == 0 or y.ndim == 0:
        from .elemwise import mul
        return mul(x, y)
    if y.ndim <= 2:
        return matmul(x, y)
    return tensordot(x, y, axes=[[x.ndim - 1], [y.ndim - 2]])


def tensordot(x: Any, y: Any, axes: Any = 2) -> Variable:
    """np.tensordot: contract the given axes by transposing and reshaping onto one matmul."""
    from .. import basic as T
    x, y = as_variable(x), as_variable(y)
    if isinstance(axes, (int, np.integer)):
        ax_x = list(range(x.ndim - int(axes), x.ndim))
        ax_y = list(range(int(axes)))
    else:
        ax_x, ax_y = [list(a) if isinstance(a, (list, tuple)) else [a] for a in axes]
    ax_x = [a % x.ndim for a in ax_x]
    ax_y = [a % y.ndim for a in ax_y]
    if len(ax_x) != len(ax_y):
        raise ValueError(f"tensordot: axes {ax_x} and {ax_y} have different lengths")
    for a, b in zip(ax_x, ax_y):
        da, db = x.type.shape[a], y.type.shape[b]
        if da is not None and db is not None and da != db:
            raise ValueError(f"tensordot: axis {a} of {describe(x)} ({da}) and axis {b} of {describe(y)} ({db}) differ")
    free_x = [a for a in range(x.ndim) if a not in ax_x]
    free_y = [a for a in range(y.ndim) if a not in ax_y]
    xt = T.transpose(x, free_x + ax_x)
    yt = T.transpose(y, ax_y + free_y)
    sx, sy = T.shape(x), T.shape(y)

    def dim(v, s, a):
        return v.type.shape[a] if v.type.shape[a] is not None else s[a]

    def prod(v, s, axs):
        if all(v.type.shape[a] is not None for a in axs):
            return int(np.prod([v.type.shape[a] for a in axs])) if axs else 1
        out = 1
        for a in axs:
            out = out * dim(v, s, a)
        return out

    x2 = T.reshape(xt, (prod(x, sx, free_x), prod(x, sx, ax_x)))
    y2 = T.reshape(yt, (prod(y, sy, ax_y), prod(y, sy, free_y)))
    out = matmul(x2, y2)
    out_shape = tuple(dim(x, sx, a) for a in free_x) + tuple(dim(y, sy, a) for a in free_y)
    return T.reshape(out, out_shape) if out_shape != (out.type.shape[0], out.type.shape[1]) or len(out_shape) != 2 else out


def outer(x: Any, y: Any) -> Variable:
    from .. import basic as T
    x, y = T.flatten(as_variable(x), 1), T.flatten(as_variable(y), 1)
    return T.expand_dims(x, 1) * T.expand_dims(y, 0)
