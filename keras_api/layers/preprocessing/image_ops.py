"""Image helpers shared by the image preprocessing layers (channels_last: (batch, H, W, C) or (H, W, C))."""
from __future__ import annotations

from typing import Any

import numpy as np

import symnet as sn


def interpolation_matrix(in_size: int, out_size: int, method: str) -> np.ndarray:
    """(out, in) weights of 1-d resampling with half-pixel centres (jax.image.resize without antialias):
    bilinear uses the two neighbours of (i + 0.5) * in / out - 0.5, clamped at the edges; nearest the
    pixel containing (i + 0.5) * in / out."""
    m = np.zeros((out_size, in_size), dtype="float64")
    scale = in_size / out_size
    for i in range(out_size):
        if method == "nearest":
            m[i, min(int(np.floor((i + 0.5) * scale)), in_size - 1)] = 1.0
            continue
        src = min(max((i + 0.5) * scale - 0.5, 0.0), in_size - 1)
        lo = int(np.floor(src))
        hi = min(lo + 1, in_size - 1)
        frac = src - lo
        m[i, lo] += 1.0 - frac
        m[i, hi] += frac
    return m


def resize(x: sn.Variable, height: int, width: int, method: str) -> sn.Variable:
    """Separable resampling of the H and W axes as two contractions with constant matrices."""
    h_in, w_in = x.type.shape[-3], x.type.shape[-2]
    if h_in is None or w_in is None:
        raise ValueError(f"Resizing needs the input's height and width to be known; received shape {x.type.shape}")
    mh = sn.constant(interpolation_matrix(h_in, height, method).astype(x.dtype))
    mw = sn.constant(interpolation_matrix(w_in, width, method).astype(x.dtype))
    spec = "...hwc" if x.ndim >= 3 else None
    y = sn.einsum(f"Hh,{spec}->...Hwc", mh, x)
    return sn.einsum(f"Ww,...hwc->...hWc", mw, y)


def image_axes(x: Any) -> tuple[int, int]:
    n = sn.graph.as_variable(x).ndim
    if n not in (3, 4):
        raise ValueError(f"Expected an image tensor of rank 3 (H, W, C) or 4 (batch, H, W, C); received rank {n}")
    return n - 3, n - 2
