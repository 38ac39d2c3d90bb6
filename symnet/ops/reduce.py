"""Reductions over axes (sum, prod, max, min, any, all) and argmax/argmin.

A Reduce drops the reduced axes; keepdims is a DimShuffle after it, so backends see one form."""
from __future__ import annotations

from typing import Any, Sequence

import builtins

import numpy as np

from ..graph import Apply, Op, Variable, as_variable
from ..types import TensorType, is_float, normalize_axes, normalize_axis

_NP = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min, "any": np.any, "all": np.all}


def reduce_dtype(kind: str, dtype: str) -> str:
    """NumPy's accumulator rule: small ints and bool sum/prod to int64, floats stay."""
    if kind in ("any", "all"):
        return "bool"
    if kind in ("sum", "prod"):
        if dtype == "bool" or dtype in ("int8", "int16", "int32"):
            return "int64"
        if dtype in ("uint8", "uint16", "uint32"):
            return "uint64"
    return dtype


class Reduce(Op):
    """Reduce `kind` over `axes` (sorted, non-negative), removing them."""

    __props__ = ("kind", "axes")

    def __init__(self, kind: str, axes: Sequence[int]) -> None:
        if kind not in _NP:
            raise ValueError(f"unknown reduction {kind!r}")
        self.kind = kind
        self.axes = tuple(axes)

    def make_node(self, x: Any) -> Apply:
        x = as_variable(x)
        if builtins.any(a >= x.ndim for a in self.axes):
            raise ValueError(f"{self.kind} over axes {self.axes} of a {x.ndim}-d tensor")
        shape = tuple(d for a, d in enumerate(x.type.shape) if a not in self.axes)
        return Apply(self, [x], [TensorType(reduce_dtype(self.kind, x.dtype), shape)])

    def perform(self, node: Apply, inputs: list[np.ndarray]) -> list[np.ndarray]:
        (x,) = inputs
        if x.size == 0 and self.kind in ("max", "min") and builtins.any(x.shape[a] == 0 for a in self.axes):
            raise ValueError(f"{self.kind} of an empty axis (input shape {x.shape}, axes {self.axes}) "
                             "has no identity")
        if self.kind in ("sum", "prod"):
            out = _NP[self.kind](x, axis=self.axes, dtype=node.outputs[0].dtype)
        else:
            out = _NP[self.kind](x, axis=self.axes)
        return [np.asarray(out, dtype=node.outputs[0].dtype)]

    def infer_shape(self, node, input_shapes, input_values):
        return [tuple(d for a, d in enumerate(input_shapes[0]) if a not in self.axes)]

    def grad(self, inputs, output_grads):
        from .. import basic as T
        (x,), (gz,) = inputs, output_grads
        if not is_float(x.dtype) or gz is None:
            return [None]
        gz_full = T.expand_dims(gz, self.axes)                  # put reduced axes back as size 1
        if self.kind == "sum":
            return [T.second(x, gz_full)]
        out_full = T.expand_dims(self(x), self.axes)
        if self.kind == "prod":
            # d prod / d x_i = the product of the other entries. prod / x_i is that only where
            # no entry is zero: with one zero, only the zero's slot gets a gradient (the product
            # of the non-zeros); with two or more, every gradient is zero.
            is_zero = T.eq(x, 0)
            n_zero = T.sum(T.cast(is_zero, "int64"), axis=self.axes, keepdims=True)
            x_nz = T.switch(is_zero, np.ones((), x.dtype), x)
            prod_nz = T.expand_dims(Reduce("prod", self.axes)(x_nz), self.axes)
            others = T.switch(T.eq(n_zero, 0), prod_nz / x_nz,
                              T.switch(T.and_(T.eq(n_zero, 1), is_zero), prod_nz, np.zeros((), x.dtype)))
            return [gz_full * others]
        if self.kind in ("max", "min"):
            mask = T.cast(T.eq(x, out_full), x.dtype)          # ties share the gradient (as TensorFlow)
            return [gz_full * mask / T.sum(mask, axis=self.axes, keepdims=True)]
        return [None]


class Argmax(Op):
    """Index of the max (or min) along one axis, or over the flattened tensor (axis=None)."""

    __props__ = ("axis", "kind")

    def __init__(self, axis: int | None, kind: str = "max") -> None:
        self.axis, self.kind = axis, kind

    def __str__(self):
        return f"Arg{self.kind}{{axis={self.axis}}}"

    def make_node(self, x: Any) -> Apply:
        x = as_variable(x)
        shape = () if self.axis is None else tuple(d for a, d in enumerate(x.type.shape) if a != self.axis)
        return Apply(self, [x], [TensorType("int64", shape)])

    def perform(self, node, inputs):
        fn = np.argmax if self.kind == "max" else np.argmin
        return [np.asarray(fn(inputs[0], axis=self.axis), dtype="int64")]

    def infer_shape(self, node, input_shapes, input_values):
        return [() if self.axis is None else tuple(d for a, d in enumerate(input_shapes[0]) if a != self.axis)]

    def grad(self, inputs, output_grads):
        return [None]

    def connection_pattern(self, node):
        return [[False]]


def _reduce(kind: str, x: Any, axis: Any, keepdims: bool) -> Variable:
    from .shape import expand_dims
    x = as_variable(x)
    axes = normalize_axes(axis, x.ndim)
    out = Reduce(kind, axes)(x) if axes else (x if kind not in ("any", "all") else _as_bool(x))
    if kind in ("sum", "prod") and not axes and out.dtype != reduce_dtype(kind, x.dtype):
        from .elemwise import cast
        out = cast(out, reduce_dtype(kind, x.dtype))
    return expand_dims(out, axes) if keepdims and axes else out


def _as_bool(x):
    from .elemwise import neq
    return x if x.dtype == "bool" else neq(x, 0)


def sum(x: Any, axis: Any = None, keepdims: bool = False, dtype: str | None = None) -> Variable:
    out = _reduce("sum", x, axis, keepdims)
    if dtype is not None:
        from .elemwise import cast
        out = cast(out, dtype)
    return out


def prod(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    return _reduce("prod", x, axis, keepdims)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    return _reduce("max", x, axis, keepdims)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    return _reduce("min", x, axis, keepdims)


def any(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    return _reduce("any", _as_bool(as_variable(x)), axis, keepdims)


def all(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    return _reduce("all", _as_bool(as_variable(x)), axis, keepdims)


def _count(x: Variable, axes: tuple[int, ...]) -> Any:
    """Number of elements reduced: a Python int if static, else a graph."""
    dims = [x.type.shape[a] for a in axes]
    if builtins.all(d is not None for d in dims):
        return int(np.prod(dims)) if dims else 1
    from .. import basic as T
    shp = x.shape
    n = None
    for a in axes:
        n = shp[a] if n is None else n * shp[a]
    return n


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    from .elemwise import cast, true_div
    x = as_variable(x)
    axes = normalize_axes(axis, x.ndim)
    s = sum(x, axes, keepdims=keepdims)
    n = _count(x, axes)
    # Theano: the sum of an integer/bool tensor is int64 (uint64), divided by the shape cast to
    # float64, so the mean of any integer/bool tensor is float64 whatever floatX is
    out_dtype = x.dtype if is_float(x.dtype) else "float64"
    if isinstance(n, int):
        return true_div(cast(s, out_dtype), float(n)) if n != 1 else cast(s, out_dtype)
    return true_div(cast(s, out_dtype), cast(n, out_dtype))


def var(x: Any, axis: Any = None, keepdims: bool = False, ddof: int = 0) -> Variable:
    from .elemwise import sqr
    x = as_variable(x)
    axes = normalize_axes(axis, x.ndim)
    m = mean(x, axes, keepdims=True)
    v = mean(sqr(x - m), axes, keepdims=keepdims)
    if ddof:
        n = _count(x, axes)
        if isinstance(n, int):
            v = v * (n / (n - ddof))
        else:   # a symbolic int64 count: scale in v's dtype, so float32 stays float32
            from .elemwise import cast
            n = cast(n, v.dtype)
            v = v * n / (n - ddof)
    return v


def std(x: Any, axis: Any = None, keepdims: bool = False, ddof: int = 0) -> Variable:
    from .elemwise import sqrt
    return sqrt(var(x, axis, keepdims, ddof))


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """log(sum(exp(x))) computed stably: the max is subtracted first (inf-safe)."""
    from .elemwise import exp, isinf, log, switch
    from .. import basic as T
    x = as_variable(x)
    axes = normalize_axes(axis, x.ndim)
    m = T.stop_gradient(max(x, axes, keepdims=True))
    m = switch(isinf(m), 0.0, m)
    out = log(sum(exp(x - m), axes, keepdims=True)) + m
    return out if keepdims else T.squeeze(out, axes)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Variable:
    return _arg("max", x, axis, keepdims)


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Variable:
    return _arg("min", x, axis, keepdims)


def _arg(kind: str, x: Any, axis: int | None, keepdims: bool) -> Variable:
    from .shape import expand_dims
    x = as_variable(x)
    if isinstance(axis, (tuple, list)):
        if len(axis) != 1:
            raise NotImplementedError(f"arg{kind} over several axes {tuple(axis)}; give one axis or None")
        axis = axis[0]
    ax = None if axis is None else normalize_axis(int(axis), x.ndim)
    out = Argmax(ax, kind)(x)
    if keepdims:
        out = expand_dims(out, tuple(range(x.ndim)) if ax is None else (ax,))
    return out
