"""Theano's ``theano.tensor.signal.pool`` names: pool_2d, pool_3d, max_pool_2d_same_size and the ops.

Only the import line of a Theano program changes: ``from symnet.signal import pool`` then
``pool.pool_2d(x, ws=(2, 2), ignore_border=True)``. Pooling acts on the last 2 (3) axes of an input
of any rank >= 2 (3)."""
from __future__ import annotations

from typing import Any, Sequence

from ..graph import Variable, as_variable
from ..ops.pool import MODES, AveragePoolGrad, MaxPoolGrad, MaxPoolGradGrad, Pool, pool_out_size  # noqa: F401


def _resolve(ws, ds, stride, st, pad, padding, n: int) -> tuple:
    """Theano 0.x spellings ds/st/padding are accepted as aliases of ws/stride/pad."""
    if ws is None:
        ws = ds
    if ws is None:
        raise ValueError("pool: the window size `ws` is required")
    stride = stride if stride is not None else st
    pad = pad if pad is not None else padding
    return ws, stride, pad if pad is not None else (0,) * n


def pool_2d(input: Any, ws: Sequence[int] | None = None, ignore_border: bool = True,
            stride: Sequence[int] | None = None, pad: Sequence[int] = (0, 0), mode: str = "max",
            ds: Sequence[int] | None = None, st: Sequence[int] | None = None,
            padding: Sequence[int] | None = None) -> Variable:
    """Downscale the last two axes by windows of `ws` with `stride` (default ws) and zero `pad`;
    mode 'max', 'sum', 'average_inc_pad' or 'average_exc_pad'."""
    ws, stride, pad = _resolve(ws, ds, stride, st, pad, padding, 2)
    if len(tuple(ws)) != 2:
        raise ValueError(f"pool_2d: ws must have 2 entries. Received: ws={tuple(ws)}")
    return Pool(ws, stride, pad, ignore_border, mode)(as_variable(input))


def pool_3d(input: Any, ws: Sequence[int] | None = None, ignore_border: bool = True,
            stride: Sequence[int] | None = None, pad: Sequence[int] = (0, 0, 0), mode: str = "max",
            ds: Sequence[int] | None = None, st: Sequence[int] | None = None,
            padding: Sequence[int] | None = None) -> Variable:
    """pool_2d over the last three axes."""
    ws, stride, pad = _resolve(ws, ds, stride, st, pad, padding, 3)
    if len(tuple(ws)) != 3:
        raise ValueError(f"pool_3d: ws must have 3 entries. Received: ws={tuple(ws)}")
    return Pool(ws, stride, pad, ignore_border, mode)(as_variable(input))


def max_pool_2d_same_size(input: Any, patch_size: Sequence[int]) -> Variable:
    """Theano's helper: keep each window's maximum in place and zero the rest (same shape as input)."""
    x = as_variable(input)
    y = Pool(patch_size, None, None, True, "max")(x)
    return MaxPoolGrad(ws=tuple(patch_size), ignore_border=True)(x, y)
