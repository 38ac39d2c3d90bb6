"""Sampling images at transformed coordinates (the random translation / zoom / rotation layers):
each output pixel (x, y) reads the input at (x_in, y_in) given per sample, bilinear or nearest, with
Keras's fill modes for points outside the image: "reflect" (d c b a | a b c d | d c b a), "wrap",
"nearest" (edge pixel) or "constant" (fill_value). The gather is integer-array indexing of the image
flattened to (batch * H * W, C)."""
from __future__ import annotations

from typing import Any

import numpy as np

import symnet as sn

FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def _map_index(i: sn.Variable, n: int, fill_mode: str) -> tuple[sn.Variable, sn.Variable | None]:
    """Integer coordinates -> in-range coordinates, and (constant mode) the in-range mask."""
    if fill_mode == "reflect":
        m = sn.mod(i, 2 * n)
        return sn.where(sn.ge(m, n), 2 * n - 1 - m, m), None
    if fill_mode == "wrap":
        return sn.mod(i, n), None
    inside = sn.and_(sn.ge(i, 0), sn.lt(i, n)) if fill_mode == "constant" else None
    return sn.clip(i, 0, n - 1), inside


def sample(images: sn.Variable, x_in: sn.Variable, y_in: sn.Variable, interpolation: str, fill_mode: str,
           fill_value: float) -> sn.Variable:
    """images (B, H, W, C); x_in, y_in (B, H, W) float input coordinates of every output pixel."""
    if fill_mode not in FILL_MODES:
        raise NotImplementedError(f"fill_mode={fill_mode!r}: keras_api implements {FILL_MODES}")
    if interpolation not in ("bilinear", "nearest"):
        raise NotImplementedError(f"interpolation={interpolation!r}: keras_api implements bilinear and nearest")
    h, w, c = images.type.shape[1:]
    if h is None or w is None or c is None:
        raise ValueError(f"image size must be known; received shape {images.type.shape}")
    b = images.shape[0]
    flat = sn.reshape(images, (-1, c))
    base = sn.reshape(sn.arange(b) * (h * w), (-1, 1, 1))

    def gather(yi: sn.Variable, xi: sn.Variable) -> sn.Variable:
        yi, ymask = _map_index(yi, h, fill_mode)
        xi, xmask = _map_index(xi, w, fill_mode)
        idx = sn.reshape(base + yi * w + xi, (-1,))
        vals = sn.reshape(flat[idx], (b, h, w, c))
        if ymask is not None:
            keep = sn.expand_dims(sn.and_(ymask, xmask), 3)
            vals = sn.where(keep, vals, sn.constant(np.asarray(fill_value, dtype=images.dtype)))
        return vals

    if interpolation == "nearest":
        return gather(sn.cast(sn.round(y_in), "int64"), sn.cast(sn.round(x_in), "int64"))
    x0f, y0f = sn.floor(x_in), sn.floor(y_in)
    wx, wy = sn.expand_dims(x_in - x0f, 3), sn.expand_dims(y_in - y0f, 3)
    x0, y0 = sn.cast(x0f, "int64"), sn.cast(y0f, "int64")
    x1, y1 = x0 + 1, y0 + 1
    top = gather(y0, x0) * (1 - wx) + gather(y0, x1) * wx
    bottom = gather(y1, x0) * (1 - wx) + gather(y1, x1) * wx
    return top * (1 - wy) + bottom * wy


def grid(h: int, w: int, dtype: str) -> tuple[sn.Variable, sn.Variable]:
    """(1, H, W) output x and y coordinates."""
    ys, xs = np.meshgrid(np.arange(h, dtype=dtype), np.arange(w, dtype=dtype), indexing="ij")
    return sn.constant(xs[None]), sn.constant(ys[None])


def factor_pair(factor: Any, name: str) -> tuple[float, float]:
    """A number f -> (-f, f); a pair -> sorted; every value in [-1, 1]."""
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(f"`{name}` should be a number or a list of two numbers. Received: {name}={factor}")
        lo, hi = sorted(float(v) for v in factor)
    elif isinstance(factor, (int, float)):
        lo, hi = -abs(float(factor)), abs(float(factor))
    else:
        raise ValueError(f"`{name}` should be a number or a list of two numbers. Received: {name}={factor}")
    if lo < -1 or hi > 1:
        raise ValueError(f"`{name}` values must be in the range [-1, 1]. Received: {name}={factor}")
    return lo, hi
