"""Convolution ops with Theano's names and meaning (``theano.tensor.nnet.abstract_conv``).

``AbstractConv`` (N-d, channels-first, groups, strides, dilation, every border mode) and its two
gradients as ops of their own, ``AbstractConv_gradWeights`` and ``AbstractConv_gradInputs``, so
rewrites and every backend see them; each one's gradient is again one of the three (they are the
three bilinear maps of one convolution). ``filter_flip=True`` is true convolution (Theano's default);
``False`` is the cross-correlation Keras computes.

The NumPy reference (`perform`) is im2col + one GEMM (conv_kernels.py). The LLVM backend runs that
perform through its automatic fallback until a native lowering exists; conv_kernels.py documents
the intended lowering (packing kernel + library GEMM + epilogue).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..graph import Apply, Op, Variable, as_variable, describe
from ..types import TensorType, fmt_shape, is_float, upcast
from . import conv_kernels as K

BorderMode = Any   # 'valid' | 'full' | 'half' | int | tuple of ints | tuple of (lo, hi) pairs


def normalize_border_mode(border_mode: BorderMode, convdim: int) -> Any:
    """'valid'/'full'/'half' stay strings; ints become a tuple of (lo, hi) pairs."""
    if isinstance(border_mode, str):
        if border_mode not in ("valid", "full", "half"):
            raise ValueError(f"border_mode must be 'valid', 'full', 'half', an int or a tuple of {convdim} ints. "
                             f"Received: border_mode={border_mode!r}")
        return border_mode
    if isinstance(border_mode, (int, np.integer)):
        border_mode = (int(border_mode),) * convdim
    if isinstance(border_mode, (tuple, list)) and len(border_mode) == convdim:
        pairs = []
        for b in border_mode:
            pair = (int(b), int(b)) if isinstance(b, (int, np.integer)) else tuple(int(v) for v in b)
            if len(pair) != 2 or min(pair) < 0:
                raise ValueError(f"border_mode entries must be non-negative ints or (low, high) pairs. "
                                 f"Received: border_mode={border_mode!r}")
            pairs.append(pair)
        pairs = tuple(pairs)
        return "valid" if all(p == (0, 0) for p in pairs) else pairs
    raise ValueError(f"border_mode must be 'valid', 'full', 'half', an int or a tuple of {convdim} ints. "
                     f"Received: border_mode={border_mode!r}")


def pads_for(border_mode: Any, kshape: Sequence[int], dilation: Sequence[int]) -> tuple:
    """(lo, hi) padding per axis for a normalized border mode and a kernel shape (Theano's rule:
    'half' pads dilated_k // 2, 'full' pads dilated_k - 1)."""
    dk = [d * (k - 1) + 1 for k, d in zip(kshape, dilation)]
    if border_mode == "valid":
        return tuple((0, 0) for _ in kshape)
    if border_mode == "full":
        return tuple((k - 1, k - 1) for k in dk)
    if border_mode == "half":
        return tuple((k // 2, k // 2) for k in dk)
    return tuple(border_mode)


def _int_tuple(value: Any, n: int, name: str) -> tuple:
    if isinstance(value, (int, np.integer)):
        value = (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) != n or min(value) < 1:
        raise ValueError(f"{name} must be {n} positive ints. Received: {name}={value}")
    return value


def spatial_shape_vector(shape: Any, n: int) -> tuple[Variable, list]:
    """A spatial shape (ints / symbolic scalars / int vector) as an int64 vector plus its static values."""
    from .creation import _shape_vector
    vec, static = _shape_vector(shape)
    if len(static) != n:
        raise ValueError(f"expected a shape with {n} spatial dims, got {len(static)}")
    return vec, static


def _spatial_of(v: Variable, n: int) -> Any:
    """v's last n dims: static ints where known, else a symbolic vector."""
    dims = v.type.shape[-n:]
    if all(d is not None for d in dims):
        return tuple(dims)
    from .shape import shape as sym_shape
    s = sym_shape(v)
    return [dims[i] if dims[i] is not None else s[v.ndim - n + i] for i in range(n)]


class _ConvBase(Op):
    __props__ = ("convdim", "border_mode", "subsample", "filter_flip", "filter_dilation", "num_groups")

    def __init__(self, convdim: int = 2, border_mode: BorderMode = "valid", subsample: Any = None,
                 filter_flip: bool = True, filter_dilation: Any = None, num_groups: int = 1) -> None:
        self.convdim = int(convdim)
        self.border_mode = normalize_border_mode(border_mode, self.convdim)
        self.subsample = _int_tuple(subsample if subsample is not None else 1, self.convdim, "subsample")
        self.filter_dilation = _int_tuple(filter_dilation if filter_dilation is not None else 1,
                                          self.convdim, "filter_dilation")
        self.filter_flip = bool(filter_flip)
        if not isinstance(num_groups, (int, np.integer)) or num_groups < 1:
            raise ValueError(f"num_groups must be a positive int. Received: num_groups={num_groups}")
        self.num_groups = int(num_groups)

    # the three ops of one convolution share their settings
    def _kw(self) -> dict:
        return dict(border_mode=self.border_mode, subsample=self.subsample, filter_flip=self.filter_flip,
                    filter_dilation=self.filter_dilation, num_groups=self.num_groups)

    def _pads(self, kshape: Sequence[int]) -> tuple:
        return pads_for(self.border_mode, kshape, self.filter_dilation)

    def _out_spatial(self, in_spatial: Sequence, kshape: Sequence) -> list:
        out = []
        for i in range(self.convdim):
            if in_spatial[i] is None or kshape[i] is None:
                out.append(None)
                continue
            pad = self._pads(kshape)[i]
            out.append(K.out_size(in_spatial[i], kshape[i], pad, self.subsample[i], self.filter_dilation[i]))
        return out

    def _check_rank(self, v: Variable, what: str) -> None:
        if v.ndim != self.convdim + 2:
            raise ValueError(f"{type(self).__name__}: {what} {describe(v)} must have {self.convdim + 2} dims "
                             f"(batch, channels, {self.convdim} spatial), got {v.ndim} (shape {fmt_shape(v.type.shape)})")

    def _check_channels(self, c_in: Any, c_per_group: Any, o: Any) -> None:
        g = self.num_groups
        if o is not None and o % g:
            raise ValueError(f"{type(self).__name__}: the number of filters ({o}) must be divisible by "
                             f"num_groups={g}")
        if c_in is not None and c_per_group is not None and c_in != c_per_group * g:
            raise ValueError(f"{type(self).__name__}: the input has {c_in} channels but the filters expect "
                             f"{c_per_group} per group x num_groups={g} = {c_per_group * g}")

    def _flipped(self, w: np.ndarray) -> np.ndarray:
        return K.flip(w) if self.filter_flip else w

    def _dtype(self, a: Variable, b: Variable) -> str:
        dtype = upcast(a.dtype, b.dtype)
        if not is_float(dtype):
            raise TypeError(f"{type(self).__name__} needs float tensors, got {a.dtype} and {b.dtype}")
        return dtype


class AbstractConv(_ConvBase):
    """output = conv(input, filters): input (N, C, *S), filters (O, C/groups, *K) -> (N, O, *P)."""

    def make_node(self, input: Any, filters: Any) -> Apply:
        x, w = as_variable(input), as_variable(filters)
        self._check_rank(x, "input")
        self._check_rank(w, "filters")
        self._check_channels(x.type.shape[1], w.type.shape[1], w.type.shape[0])
        out = self._out_spatial(x.type.shape[2:], w.type.shape[2:])
        if any(d is not None and d <= 0 for d in out):
            raise ValueError(f"{type(self).__name__}: input {describe(x)} of shape {fmt_shape(x.type.shape)} is "
                             f"smaller than the filters {fmt_shape(w.type.shape)} allow (border_mode="
                             f"{self.border_mode!r}, dilation {self.filter_dilation}): output spatial shape {out}")
        shape = (x.type.shape[0], w.type.shape[0]) + tuple(out)
        return Apply(self, [x, w], [TensorType(self._dtype(x, w), shape)])

    def perform(self, node, inputs):
        x, w = inputs
        dtype = node.outputs[0].dtype
        x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
        self._check_runtime(x, w)
        y = K.corr(x, self._flipped(w), self._pads(w.shape[2:]), self.subsample, self.filter_dilation,
                   self.num_groups)
        return [y.astype(dtype, copy=False)]

    def _check_runtime(self, x: np.ndarray, w: np.ndarray) -> None:
        if x.shape[1] != w.shape[1] * self.num_groups or w.shape[0] % self.num_groups:
            raise ValueError(f"{type(self).__name__}: input shape {x.shape} and filter shape {w.shape} do not "
                             f"match with num_groups={self.num_groups}")
        out = self._out_spatial(x.shape[2:], w.shape[2:])
        if min(out, default=1) <= 0:
            raise ValueError(f"{type(self).__name__}: input shape {x.shape} is smaller than the filters "
                             f"{w.shape} allow (border_mode={self.border_mode!r}): output spatial shape {out}")

    def infer_shape(self, node, input_shapes, input_values):
        xs, ws = input_shapes
        return [(xs[0], ws[0]) + tuple(self._out_spatial(xs[2:], ws[2:]))]

    def grad(self, inputs, output_grads):
        x, w = inputs
        (gy,) = output_grads
        if gy is None:
            return [None, None]
        ops = CONV_OPS[self.convdim]
        gx = ops[2](self.convdim, **self._kw())(w, gy, _spatial_of(x, self.convdim))
        gw = ops[1](self.convdim, **self._kw())(x, gy, _spatial_of(w, self.convdim))
        from .elemwise import cast
        return [cast(gx, x.dtype), cast(gw, w.dtype)]


class AbstractConv_gradWeights(_ConvBase):
    """dL/dfilters of AbstractConv from (input, output_grad, filter spatial shape)."""

    def make_node(self, input: Any, topgrad: Any, shape: Any) -> Apply:
        x, gy = as_variable(input), as_variable(topgrad)
        self._check_rank(x, "input")
        self._check_rank(gy, "output gradient")
        vec, kshape = spatial_shape_vector(shape, self.convdim)
        c, o, g = x.type.shape[1], gy.type.shape[1], self.num_groups
        self._check_channels(None, None, o)
        if c is not None and c % g:
            raise ValueError(f"{type(self).__name__}: the input has {c} channels, not divisible by num_groups={g}")
        out = (o, c // g if c is not None else None) + tuple(kshape)
        return Apply(self, [x, gy, vec], [TensorType(self._dtype(x, gy), out)])

    def perform(self, node, inputs):
        x, gy, kshape = inputs
        dtype = node.outputs[0].dtype
        kshape = tuple(int(k) for k in kshape)
        dw = K.corr_grad_weights(x.astype(dtype, copy=False), gy.astype(dtype, copy=False), kshape,
                                 self._pads(kshape), self.subsample, self.filter_dilation, self.num_groups)
        return [self._flipped(dw).astype(dtype, copy=True)]

    def infer_shape(self, node, input_shapes, input_values):
        xs, gs, _ = input_shapes
        if input_values[2] is None:
            raise NotImplementedError(f"{type(self).__name__}.infer_shape needs the filter shape value")
        return [(gs[1], xs[1] // self.num_groups) + tuple(int(k) for k in input_values[2])]

    def grad(self, inputs, output_grads):
        x, gy, _ = inputs
        (gw,) = output_grads
        if gw is None:
            return [None, None, None]
        ops = CONV_OPS[self.convdim]
        gx = ops[2](self.convdim, **self._kw())(gw, gy, _spatial_of(x, self.convdim))
        ggy = ops[0](self.convdim, **self._kw())(x, gw)
        from .elemwise import cast
        return [cast(gx, x.dtype), cast(ggy, gy.dtype), None]

    def connection_pattern(self, node):
        return [[True], [True], [False]]


class AbstractConv_gradInputs(_ConvBase):
    """dL/dinput of AbstractConv from (filters, output_grad, input spatial shape): also the
    transposed convolution."""

    def make_node(self, filters: Any, topgrad: Any, shape: Any) -> Apply:
        w, gy = as_variable(filters), as_variable(topgrad)
        self._check_rank(w, "filters")
        self._check_rank(gy, "output gradient")
        vec, in_shape = spatial_shape_vector(shape, self.convdim)
        self._check_channels(None, None, w.type.shape[0])
        o, go = w.type.shape[0], gy.type.shape[1]
        if o is not None and go is not None and o != go:
            raise ValueError(f"{type(self).__name__}: the output gradient has {go} channels, the filters "
                             f"{describe(w)} have {o}")
        c = w.type.shape[1] * self.num_groups if w.type.shape[1] is not None else None
        return Apply(self, [w, gy, vec], [TensorType(self._dtype(w, gy), (gy.type.shape[0], c) + tuple(in_shape))])

    def perform(self, node, inputs):
        w, gy, in_shape = inputs
        dtype = node.outputs[0].dtype
        w = self._flipped(w.astype(dtype, copy=False))
        in_shape = tuple(int(s) for s in in_shape)
        dx = K.corr_grad_inputs(w, gy.astype(dtype, copy=False), in_shape, self._pads(w.shape[2:]),
                                self.subsample, self.filter_dilation, self.num_groups)
        return [dx.astype(dtype, copy=False)]

    def infer_shape(self, node, input_shapes, input_values):
        ws, gs, _ = input_shapes
        if input_values[2] is None:
            raise NotImplementedError(f"{type(self).__name__}.infer_shape needs the input shape value")
        return [(gs[0], ws[1] * self.num_groups) + tuple(int(s) for s in input_values[2])]

    def grad(self, inputs, output_grads):
        w, gy, _ = inputs
        (gx,) = output_grads
        if gx is None:
            return [None, None, None]
        ops = CONV_OPS[self.convdim]
        gw = ops[1](self.convdim, **self._kw())(gx, gy, _spatial_of(w, self.convdim))
        ggy = ops[0](self.convdim, **self._kw())(gx, w)
        from .elemwise import cast
        return [cast(gw, w.dtype), cast(ggy, gy.dtype), None]

    def connection_pattern(self, node):
        return [[True], [True], [False]]


def _fixed_dim(base: type, n: int, name: str) -> type:
    """Theano's per-dimension class names (AbstractConv2d, AbstractConv3d_gradInputs, ...)."""
    def __init__(self, convdim: int = n, border_mode: BorderMode = "valid", subsample: Any = None,
                 filter_flip: bool = True, filter_dilation: Any = None, num_groups: int = 1) -> None:
        if convdim != n:
            raise ValueError(f"{name} is {n}-d, got convdim={convdim}")
        base.__init__(self, n, border_mode, subsample, filter_flip, filter_dilation, num_groups)
    return type(name, (base,), {"__init__": __init__, "__module__": __name__,
                                "__doc__": f"{n}-d {base.__name__} (Theano's {name})."})


AbstractConv1d = _fixed_dim(AbstractConv, 1, "AbstractConv1d")
AbstractConv1d_gradWeights = _fixed_dim(AbstractConv_gradWeights, 1, "AbstractConv1d_gradWeights")
AbstractConv1d_gradInputs = _fixed_dim(AbstractConv_gradInputs, 1, "AbstractConv1d_gradInputs")
AbstractConv2d = _fixed_dim(AbstractConv, 2, "AbstractConv2d")
AbstractConv2d_gradWeights = _fixed_dim(AbstractConv_gradWeights, 2, "AbstractConv2d_gradWeights")
AbstractConv2d_gradInputs = _fixed_dim(AbstractConv_gradInputs, 2, "AbstractConv2d_gradInputs")
AbstractConv3d = _fixed_dim(AbstractConv, 3, "AbstractConv3d")
AbstractConv3d_gradWeights = _fixed_dim(AbstractConv_gradWeights, 3, "AbstractConv3d_gradWeights")
AbstractConv3d_gradInputs = _fixed_dim(AbstractConv_gradInputs, 3, "AbstractConv3d_gradInputs")

CONV_OPS = {
    1: (AbstractConv1d, AbstractConv1d_gradWeights, AbstractConv1d_gradInputs),
    2: (AbstractConv2d, AbstractConv2d_gradWeights, AbstractConv2d_gradInputs),
    3: (AbstractConv3d, AbstractConv3d_gradWeights, AbstractConv3d_gradInputs),
}
