"""NumPy kernels of N-d grouped, strided, dilated cross-correlation (channels-first) and its two
adjoints, written as im2col + one large GEMM through BLAS (no Python loop over pixels).

Layout: input (N, C, *S), filters (O, C/G, *K), output (N, O, *P). `pads` holds (low, high) per
spatial axis. Every function here computes the *correlation*; the ops flip the filters for true
convolution. The only Python loops are over the K kernel offsets in `col2im` (a strided add each).

Intended native lowering (one module, codegen/lower/conv.py, later): the same three steps as
kernels of the kernel IR — a packing loop kernel (the im2col view below, written contiguously), one
library GEMM call per group (alpha=1, beta=0, bias and activation fused into an epilogue loop) and,
for the input gradient, the col2im scatter as K strided accumulation loops.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from numpy.lib.stride_tricks import as_strided


def out_size(size: int, k: int, pad: tuple[int, int], stride: int, dilation: int) -> int:
    """Output length of one spatial axis: (size + lo + hi - dilated_k) // stride + 1."""
    return (size + pad[0] + pad[1] - (dilation * (k - 1) + 1)) // stride + 1


def pad_input(x: np.ndarray, pads: Sequence[tuple[int, int]], fill: float = 0.0) -> np.ndarray:
    """Zero-pad (or `fill`-pad) the spatial axes; returns x itself when there is nothing to pad."""
    if not any(lo or hi for lo, hi in pads):
        return x
    lead = x.ndim - len(pads)
    out = np.full(x.shape[:lead] + tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[lead:], pads)),
                  fill, dtype=x.dtype)
    out[(Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(x.shape[lead:], pads))] = x
    return out


def windows(xp: np.ndarray, kshape: Sequence[int], out_shape: Sequence[int], stride: Sequence[int],
            dilation: Sequence[int]) -> np.ndarray:
    """Read-only strided view (*lead, *P, *K) of the sliding windows of xp's last len(K) axes."""
    nd = len(kshape)
    lead = xp.ndim - nd
    st = xp.strides
    shape = xp.shape[:lead] + tuple(out_shape) + tuple(kshape)
    strides = st[:lead] + tuple(st[lead + i] * stride[i] for i in range(nd)) + \
        tuple(st[lead + i] * dilation[i] for i in range(nd))
    return as_strided(xp, shape, strides, writeable=False)


def im2col(x: np.ndarray, kshape: Sequence[int], pads, stride, dilation, groups: int) -> tuple[np.ndarray, tuple]:
    """(G, Cg*K, N*P) contiguous patch matrix ("K-major": the innermost copied run is a row of output
    pixels, contiguous in the input for stride 1) and the output spatial shape P."""
    n, c = x.shape[:2]
    nd = len(kshape)
    out_shape = tuple(out_size(x.shape[2 + i], kshape[i], pads[i], stride[i], dilation[i]) for i in range(nd))
    xp = pad_input(x, pads)
    w = windows(xp, kshape, out_shape, stride, dilation)           # (N, C, *P, *K)
    w = w.reshape((n, groups, c // groups) + out_shape + tuple(kshape))
    perm = (1, 2) + tuple(range(3 + nd, 3 + 2 * nd)) + (0,) + tuple(range(3, 3 + nd))
    cols = w.transpose(perm).reshape(groups, (c // groups) * math.prod(kshape), n * math.prod(out_shape))
    return cols, out_shape


def _gemm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(G, M, K) @ (G, K, N): one 2-d BLAS call per group, on the compiled code's BLAS (host_blas)."""
    from .host_blas import matmul2d
    if a.dtype != b.dtype:
        dtype = np.result_type(a.dtype, b.dtype)
        a, b = a.astype(dtype), b.astype(dtype)
    if a.shape[0] == 1:
        return matmul2d(a[0], b[0])[None]
    return np.stack([matmul2d(a[g], b[g]) for g in range(a.shape[0])])


def corr(x: np.ndarray, w: np.ndarray, pads, stride, dilation, groups: int) -> np.ndarray:
    """y[n, o, p] = sum_{c, k} xpad[n, g*Cg + c, p*stride + k*dilation] * w[o, c, k]."""
    n = x.shape[0]
    o, nd = w.shape[0], w.ndim - 2
    cols, out_shape = im2col(x, w.shape[2:], pads, stride, dilation, groups)
    wm = w.reshape(groups, o // groups, math.prod(w.shape[1:]))    # (G, Og, Cg*K)
    y = _gemm(wm, cols)                                             # (G, Og, N*P)
    y = y.reshape((groups, o // groups, n) + out_shape)
    perm = (2, 0, 1) + tuple(range(3, 3 + nd))
    return np.ascontiguousarray(y.transpose(perm)).reshape((n, o) + out_shape)


def _top_matrix(gy: np.ndarray, groups: int) -> np.ndarray:
    """(N, O, *P) -> (G, Og, N*P)."""
    n, o = gy.shape[:2]
    g = gy.reshape((n, groups, o // groups, math.prod(gy.shape[2:])))
    return g.transpose(1, 2, 0, 3).reshape(groups, o // groups, n * g.shape[3])


def corr_grad_weights(x: np.ndarray, gy: np.ndarray, kshape: Sequence[int], pads, stride, dilation,
                      groups: int) -> np.ndarray:
    """dL/dw of `corr` given dL/dy: (G, Og, N*P) @ (G, N*P, Cg*K) -> (O, Cg, *K)."""
    cols, out_shape = im2col(x, kshape, pads, stride, dilation, groups)
    if tuple(out_shape) != tuple(gy.shape[2:]):
        raise ValueError(f"conv gradient wrt weights: the output gradient has spatial shape {gy.shape[2:]}, "
                         f"the input and filter shapes give {out_shape}")
    dw = _gemm(_top_matrix(gy, groups), cols.transpose(0, 2, 1))
    return dw.reshape((gy.shape[1], x.shape[1] // groups) + tuple(kshape))


def corr_grad_inputs(w: np.ndarray, gy: np.ndarray, in_shape: Sequence[int], pads, stride, dilation,
                     groups: int) -> np.ndarray:
    """dL/dx of `corr` given dL/dy: one GEMM to columns, then col2im (K strided adds)."""
    n, o = gy.shape[:2]
    cg, kshape, nd = w.shape[1], tuple(w.shape[2:]), w.ndim - 2
    out_shape = tuple(gy.shape[2:])
    expect = tuple(out_size(in_shape[i], kshape[i], pads[i], stride[i], dilation[i]) for i in range(nd))
    if expect != out_shape:
        raise ValueError(f"conv gradient wrt inputs: the output gradient has spatial shape {out_shape}, "
                         f"the input shape {tuple(in_shape)} and the filters give {expect}")
    wt = w.reshape(groups, o // groups, math.prod(w.shape[1:])).transpose(0, 2, 1)   # (G, Cg*K, Og)
    cols = _gemm(wt, _top_matrix(gy, groups))                      # (G, Cg*K, N*P)
    cols = cols.reshape((groups, cg) + kshape + (n,) + out_shape)
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(in_shape, pads))
    dxp = np.zeros((n, groups, cg) + padded, dtype=np.result_type(w.dtype, gy.dtype))
    if all(p > 0 for p in out_shape):
        perm = (2, 0, 1) + tuple(range(3, 3 + nd))                 # (N, G, Cg, *P) of one offset
        for kk in np.ndindex(*kshape):
            region = tuple(slice(kk[i] * dilation[i], kk[i] * dilation[i] + stride[i] * (out_shape[i] - 1) + 1,
                                 stride[i]) for i in range(nd))
            dxp[(slice(None),) * 3 + region] += cols[(slice(None), slice(None)) + kk].transpose(perm)
    dxp = dxp.reshape((n, groups * cg) + padded)
    return dxp[(slice(None), slice(None)) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(in_shape, pads))].copy()


def flip(w: np.ndarray) -> np.ndarray:
    """Reverse the spatial axes (true convolution = correlation with flipped filters)."""
    return w[(slice(None), slice(None)) + (slice(None, None, -1),) * (w.ndim - 2)]
