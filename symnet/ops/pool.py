"""Pooling over the last `nd` axes (Theano's ``signal.pool``): Pool, MaxPoolGrad, AveragePoolGrad and
MaxPoolGradGrad, each with a gradient, so every derivative order stays inside these four ops.

Semantics follow Theano: output length per axis is ``(r + 2*pad - ws) // stride + 1`` with
``ignore_border=True``; with ``ignore_border=False`` partial windows at the end are kept. Padding is
never a candidate of a max; 'average_inc_pad' divides by the window clipped to the padded image,
'average_exc_pad' by the window clipped to the image itself; 'sum' adds. The max gradient goes to the
first maximum of each window (row-major order inside the window).

Performs are vectorised over pixels (strided window views); the only Python loops run over the
window offsets. Intended native lowering (codegen/lower/pool.py, later): one loop kernel per op
over the output pixels with the window as an unrolled inner reduction; the gradients as scatter
loops over the window offsets (the same structure as the perform).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..graph import Apply, Op, Variable, as_variable, describe
from ..types import TensorType, fmt_shape, is_float
from .conv_kernels import pad_input, windows

MODES = ("max", "sum", "average_inc_pad", "average_exc_pad")


def pool_out_size(r: int, ws: int, stride: int, pad: Any, ignore_border: bool) -> int:
    """Theano's Pool.out_shape for one axis (pad: an int for both sides, or a (low, high) pair)."""
    r = r + (2 * pad if isinstance(pad, (int, np.integer)) else pad[0] + pad[1])
    if ignore_border:
        return max((r - ws) // stride + 1, 0)
    if stride >= ws:
        return (r - 1) // stride + 1 if r > 0 else 0
    return max(0, (r - 1 - ws) // stride + 1) + 1 if r > 0 else 0


def _tuple(v: Any, n: int, name: str, minimum: int) -> tuple:
    if isinstance(v, (int, np.integer)):
        v = (int(v),) * n
    v = tuple(int(a) for a in v)
    if len(v) != n or any(a < minimum for a in v):
        raise ValueError(f"pool: {name} must be {n} ints >= {minimum}. Received: {name}={v}")
    return v


def _pad_pairs(pad: Any, n: int) -> tuple:
    """Theano's symmetric pads (ints) or (low, high) pairs (Keras's 'same') -> n (low, high) pairs."""
    if isinstance(pad, (int, np.integer)):
        pad = (int(pad),) * n
    pairs = tuple((int(p), int(p)) if isinstance(p, (int, np.integer)) else tuple(int(v) for v in p) for p in pad)
    if len(pairs) != n or any(len(p) != 2 or min(p) < 0 for p in pairs):
        raise ValueError(f"pool: pad must be {n} non-negative ints or (low, high) pairs. Received: pad={pad}")
    return pairs


class _PoolBase(Op):
    __props__ = ("ws", "stride", "pad", "ignore_border", "mode")

    def __init__(self, ws: Sequence[int], stride: Sequence[int] | None = None, pad: Sequence[int] | None = None,
                 ignore_border: bool = True, mode: str = "max") -> None:
        nd = len(ws)
        self.ws = _tuple(ws, nd, "ws", 1)
        self.stride = _tuple(stride if stride is not None else self.ws, nd, "stride", 1)
        self.pad = _pad_pairs(pad if pad is not None else 0, nd)
        self.ignore_border = bool(ignore_border)
        if mode not in MODES:
            raise ValueError(f"pool: mode must be one of {MODES}. Received: mode={mode!r}")
        self.mode = mode
        if any(lo or hi for lo, hi in self.pad) and not self.ignore_border:
            raise NotImplementedError("pool: padding works only with ignore_border=True (as in Theano)")
        if any(max(p) >= w for p, w in zip(self.pad, self.ws)):
            raise ValueError(f"pool: pad {self.pad} must be smaller than the window ws {self.ws}")

    @property
    def nd(self) -> int:
        return len(self.ws)

    def out_spatial(self, spatial: Sequence) -> tuple:
        return tuple(None if r is None else pool_out_size(r, self.ws[i], self.stride[i], self.pad[i], self.ignore_border)
                     for i, r in enumerate(spatial))

    def _check_input(self, x: Variable) -> None:
        if x.ndim < self.nd:
            raise ValueError(f"pool: input {describe(x)} of shape {fmt_shape(x.type.shape)} has fewer than "
                             f"{self.nd} dims to pool over")

    # -- shared NumPy helpers ----------------------------------------------------------
    def _extent(self, spatial: Sequence[int], out: Sequence[int]) -> list:
        """(lo, hi) padding that makes every window lie fully inside the padded array."""
        return [(self.pad[i][0], max((out[i] - 1) * self.stride[i] + self.ws[i] - spatial[i] - self.pad[i][0], 0)
                 if out[i] > 0 else 0) for i in range(self.nd)]

    def _windows(self, x: np.ndarray, fill: float) -> tuple[np.ndarray, tuple]:
        spatial = x.shape[x.ndim - self.nd:]
        out = self.out_spatial(spatial)
        xp = pad_input(x, self._extent(spatial, out), fill)
        return windows(xp, self.ws, out, self.stride, (1,) * self.nd), out

    def _counts(self, spatial: Sequence[int], out: Sequence[int]) -> np.ndarray:
        """The divisor of each output pixel of the average modes (a grid of shape `out`)."""
        per_axis = []
        for i in range(self.nd):
            start = np.arange(out[i]) * self.stride[i]
            end = start + self.ws[i]
            plo, phi = self.pad[i]
            if self.mode == "average_inc_pad":
                lo, hi = start, np.minimum(end, spatial[i] + plo + phi)
            else:
                lo, hi = np.maximum(start, plo), np.minimum(end, spatial[i] + plo)
            per_axis.append(np.maximum(hi - lo, 0))
        grid = per_axis[0]
        for c in per_axis[1:]:
            grid = np.multiply.outer(grid, c)
        return grid

    def _offset_views(self, x: np.ndarray, fill: float) -> tuple[list, tuple]:
        """One strided view (..., *out) per window offset (row-major order): elementwise work over
        all pixels per offset instead of a reduction over a 2*nd-axis window view."""
        win, out = self._windows(x, fill)
        lead = (slice(None),) * (win.ndim - self.nd)
        return [win[lead + kk] for kk in np.ndindex(*self.ws)], out

    def _max_and_index(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple]:
        """Each window's maximum and the flat offset of its first maximum."""
        fill = -np.inf if is_float(str(x.dtype)) else np.iinfo(x.dtype).min
        views, out = self._offset_views(x, fill)
        best = np.array(views[0])
        idx = np.zeros(best.shape, dtype=np.int32)
        for k, v in enumerate(views[1:], start=1):
            better = v > best
            np.copyto(best, v, where=better)
            np.copyto(idx, k, where=better)
        return best, idx, out

    def _first_max_index(self, x: np.ndarray) -> tuple[np.ndarray, tuple]:
        _, idx, out = self._max_and_index(x)
        return idx, out

    def _scatter(self, x_shape: tuple, dtype: Any, out: tuple, value_at) -> np.ndarray:
        """Sum, over the window offsets, of value_at(offset) (shape (..., *out)) into an input-shaped array."""
        nd, lead = self.nd, len(x_shape) - self.nd
        spatial = x_shape[lead:]
        ext = self._extent(spatial, out)
        padded = tuple(s + lo + hi for s, (lo, hi) in zip(spatial, ext))
        gxp = np.zeros(x_shape[:lead] + padded, dtype=dtype)
        if all(o > 0 for o in out):
            for k, kk in enumerate(np.ndindex(*self.ws)):
                region = tuple(slice(kk[i], kk[i] + self.stride[i] * (out[i] - 1) + 1, self.stride[i]) for i in range(nd))
                gxp[(Ellipsis,) + region] += value_at(k)
        return gxp[(Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(spatial, ext))].copy()


class Pool(_PoolBase):
    """Pool the last len(ws) axes of x."""

    def make_node(self, x: Any) -> Apply:
        x = as_variable(x)
        self._check_input(x)
        lead = x.ndim - self.nd
        dtype = x.dtype if self.mode in ("max", "sum") or is_float(x.dtype) else "float64"
        return Apply(self, [x], [TensorType(dtype, x.type.shape[:lead] + self.out_spatial(x.type.shape[lead:]))])

    def perform(self, node, inputs):
        (x,) = inputs
        dtype = node.outputs[0].dtype
        spatial = x.shape[x.ndim - self.nd:]
        if self.mode == "max":
            y = self._max_and_index(x)[0]
        else:
            views, out = self._offset_views(x.astype(dtype, copy=False), 0)
            y = np.array(views[0], dtype=dtype)
            for v in views[1:]:
                y += v
            if self.mode != "sum":
                y = y / self._counts(spatial, out)
        return [np.asarray(y, dtype=dtype)]

    def infer_shape(self, node, input_shapes, input_values):
        (xs,) = input_shapes
        lead = len(xs) - self.nd
        return [tuple(xs[:lead]) + self.out_spatial(xs[lead:])]

    def grad(self, inputs, output_grads):
        (x,), (gz,) = inputs, output_grads
        if gz is None or not is_float(x.dtype):
            return [None]
        if self.mode == "max":
            return [MaxPoolGrad(**self._kw())(x, gz)]
        return [AveragePoolGrad(**self._kw())(x, gz)]

    def _kw(self) -> dict:
        return dict(ws=self.ws, stride=self.stride, pad=self.pad, ignore_border=self.ignore_border, mode=self.mode)


class MaxPoolGrad(_PoolBase):
    """gx: each window's output gradient added at the window's first maximum of x."""

    def make_node(self, x: Any, gz: Any) -> Apply:
        x, gz = as_variable(x), as_variable(gz)
        self._check_input(x)
        return Apply(self, [x, gz], [TensorType(x.dtype, x.type.shape)])

    def perform(self, node, inputs):
        x, gz = inputs
        idx, out = self._first_max_index(x)
        gz = gz.astype(x.dtype, copy=False)
        return [self._scatter(x.shape, x.dtype, out, lambda k: np.where(idx == k, gz, 0))]

    def infer_shape(self, node, input_shapes, input_values):
        return [input_shapes[0]]

    def grad(self, inputs, output_grads):
        x, gz = inputs
        (ggx,) = output_grads
        if ggx is None:
            return [None, None]
        from .creation import zeros_like
        return [zeros_like(x), MaxPoolGradGrad(**_kw(self))(x, ggx)]


class MaxPoolGradGrad(_PoolBase):
    """The adjoint of MaxPoolGrad in gz: for each window, ggx at the window's first maximum of x."""

    def make_node(self, x: Any, ggx: Any) -> Apply:
        x, ggx = as_variable(x), as_variable(ggx)
        self._check_input(x)
        lead = x.ndim - self.nd
        return Apply(self, [x, ggx], [TensorType(x.dtype, x.type.shape[:lead] + self.out_spatial(x.type.shape[lead:]))])

    def perform(self, node, inputs):
        x, ggx = inputs
        idx, out = self._first_max_index(x)
        win, _ = self._windows(ggx.astype(x.dtype, copy=False), 0)
        flat = win.reshape(win.shape[:win.ndim - self.nd] + (-1,))
        return [np.take_along_axis(flat, idx[..., None], axis=-1)[..., 0].astype(x.dtype)]

    def infer_shape(self, node, input_shapes, input_values):
        xs = input_shapes[0]
        lead = len(xs) - self.nd
        return [tuple(xs[:lead]) + self.out_spatial(xs[lead:])]

    def grad(self, inputs, output_grads):
        x, ggx = inputs
        (g,) = output_grads
        if g is None:
            return [None, None]
        from .creation import zeros_like
        return [zeros_like(x), MaxPoolGrad(**_kw(self))(x, g)]


class AveragePoolGrad(_PoolBase):
    """gx of the sum / average modes: each window's gradient (divided by its count) spread over it.
    x is an input only for its shape."""

    def make_node(self, x: Any, gz: Any) -> Apply:
        x, gz = as_variable(x), as_variable(gz)
        self._check_input(x)
        return Apply(self, [x, gz], [TensorType(gz.dtype, x.type.shape)])

    def perform(self, node, inputs):
        x, gz = inputs
        dtype = node.outputs[0].dtype
        spatial = x.shape[x.ndim - self.nd:]
        out = self.out_spatial(spatial)
        g = gz.astype(dtype, copy=False)
        if self.mode != "sum":
            g = g / self._counts(spatial, out)
        return [self._scatter(x.shape, dtype, out, lambda k: g)]

    def infer_shape(self, node, input_shapes, input_values):
        return [input_shapes[0]]

    def connection_pattern(self, node):
        return [[False], [True]]

    def grad(self, inputs, output_grads):
        x, gz = inputs
        (ggx,) = output_grads
        if ggx is None:
            return [None, None]
        return [None, Pool(**_kw(self))(ggx)]


def _kw(op: _PoolBase) -> dict:
    return dict(ws=op.ws, stride=op.stride, pad=op.pad, ignore_border=op.ignore_border, mode=op.mode)


def pool(input: Any, ws: Sequence[int], ignore_border: bool = True, stride: Sequence[int] | None = None,
         pad: Sequence[int] | None = None, mode: str = "max") -> Variable:
    """Pool the last len(ws) axes of `input`."""
    return Pool(ws, stride, pad, ignore_border, mode)(input)

