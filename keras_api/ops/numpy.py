"""keras.ops' NumPy-like functions (Keras 3 names, argument names and defaults) over symnet.

Elementwise functions are table entries (one line adds one op); the rest are small functions.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

import symnet as sn

from .core import _float_input, as_tensor, keras_op, normalize_axis, standardize_dtype

__all__: list[str] = []


def _export(fn: Callable) -> Callable:
    globals()[fn.__name__] = fn
    __all__.append(fn.__name__)
    return fn


def _unary(name: str, impl: Callable[[sn.Variable], sn.Variable], floats: bool = False) -> None:
    def op(x: Any) -> sn.Variable:
        return impl(_float_input(x) if floats else as_tensor(x))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"keras.ops.{name}(x): elementwise."
    _export(keras_op(op))


def _binary(name: str, impl: Callable[[sn.Variable, sn.Variable], sn.Variable], floats: bool = False) -> None:
    def op(x1: Any, x2: Any) -> sn.Variable:
        conv = _float_input if floats else as_tensor
        a = x1 if isinstance(x1, (bool, int, float)) else conv(x1)     # Python numbers stay weakly typed
        b = x2 if isinstance(x2, (bool, int, float)) else conv(x2)
        return impl(a, b)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"keras.ops.{name}(x1, x2): elementwise with NumPy broadcasting."
    _export(keras_op(op))


# -- elementwise: one line per op ---------------------------------------------------------------
_unary("abs", sn.abs)
_unary("absolute", sn.abs)
_unary("negative", sn.neg)
_unary("square", sn.square)
_unary("sqrt", sn.sqrt, floats=True)
_unary("exp", sn.exp, floats=True)
_unary("expm1", sn.expm1, floats=True)
_unary("log", sn.log, floats=True)
_unary("log1p", sn.log1p, floats=True)
_unary("log2", lambda x: sn.log(x) / np.log(2.0), floats=True)
_unary("log10", lambda x: sn.log(x) / np.log(10.0), floats=True)
_unary("sin", sn.sin, floats=True)
_unary("cos", sn.cos, floats=True)
_unary("tan", sn.tan, floats=True)
_unary("tanh", sn.tanh, floats=True)
_unary("sign", sn.sign)
_unary("floor", sn.floor, floats=True)
_unary("ceil", sn.ceil, floats=True)
_unary("reciprocal", sn.reciprocal, floats=True)
_unary("isnan", sn.isnan)
_unary("isinf", sn.isinf)
_unary("isfinite", lambda x: sn.not_(sn.or_(sn.isnan(x), sn.isinf(x))))
_unary("logical_not", lambda x: sn.not_(sn.cast(x, "bool")))
_binary("add", sn.add)
_binary("subtract", sn.sub)
_binary("multiply", sn.mul)
_binary("divide", sn.true_div)
_binary("true_divide", sn.true_div)
_binary("floor_divide", sn.floor_div)
_binary("mod", sn.mod)
_binary("power", sn.pow)
_binary("maximum", sn.maximum)
_binary("minimum", sn.minimum)
_binary("equal", sn.eq)
_binary("not_equal", sn.neq)
_binary("less", sn.lt)
_binary("less_equal", sn.le)
_binary("greater", sn.gt)
_binary("greater_equal", sn.ge)
_binary("logical_and", lambda a, b: sn.and_(sn.cast(a, "bool"), sn.cast(b, "bool")))
_binary("logical_or", lambda a, b: sn.or_(sn.cast(a, "bool"), sn.cast(b, "bool")))
_binary("logical_xor", lambda a, b: sn.xor(sn.cast(a, "bool"), sn.cast(b, "bool")))
_binary("matmul", sn.matmul)
_binary("dot", sn.dot)
_binary("outer", sn.outer)


# -- reductions -----------------------------------------------------------------------------------
def _reduction(name: str, impl: Callable, floats: bool = False) -> None:
    def op(x: Any, axis: Any = None, keepdims: bool = False) -> sn.Variable:
        return impl(_float_input(x) if floats else as_tensor(x), axis=normalize_axis(axis), keepdims=keepdims)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"keras.ops.{name}(x, axis=None, keepdims=False)."
    _export(keras_op(op))


_reduction("mean", sn.mean, floats=True)
_reduction("std", sn.std, floats=True)
_reduction("var", sn.var, floats=True)
_reduction("any", sn.any)
_reduction("all", sn.all)
_reduction("argmax", lambda x, axis, keepdims: sn.argmax(x, axis=axis, keepdims=keepdims))
_reduction("argmin", lambda x, axis, keepdims: sn.argmin(x, axis=axis, keepdims=keepdims))
_reduction("logsumexp", sn.logsumexp, floats=True)


@_export
@keras_op
def sum(x: Any, axis: Any = None, keepdims: bool = False) -> sn.Variable:
    return sn.sum(as_tensor(x), axis=normalize_axis(axis), keepdims=keepdims)


@_export
@keras_op
def prod(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> sn.Variable:
    v = as_tensor(x)
    return sn.prod(v if dtype is None else sn.cast(v, standardize_dtype(dtype)), axis=normalize_axis(axis),
                   keepdims=keepdims)


@_export
@keras_op
def max(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> sn.Variable:
    out = sn.max(as_tensor(x), axis=normalize_axis(axis), keepdims=keepdims)
    return out if initial is None else sn.maximum(out, initial)


@_export
@keras_op
def min(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> sn.Variable:
    out = sn.min(as_tensor(x), axis=normalize_axis(axis), keepdims=keepdims)
    return out if initial is None else sn.minimum(out, initial)


amax, amin = max, min
__all__ += ["amax", "amin"]


# -- other math -------------------------------------------------------------------------------------
@_export
@keras_op
def clip(x: Any, x_min: Any, x_max: Any) -> sn.Variable:
    return sn.clip(as_tensor(x), x_min, x_max)


@_export
@keras_op
def where(condition: Any, x1: Any = None, x2: Any = None) -> sn.Variable:
    if x1 is None or x2 is None:
        raise NotImplementedError("keras_api ops.where(condition) without x1 and x2 (the indices of true values) "
                                  "has a data-dependent shape and is not supported; pass x1 and x2")
    return sn.switch(sn.cast(as_tensor(condition), "bool"), x1, x2)


@_export
@keras_op
def round(x: Any, decimals: int = 0) -> sn.Variable:
    v = as_tensor(x)
    if decimals == 0:
        return sn.round(v)
    scale = 10.0 ** decimals
    return sn.round(v * scale) / scale


@_export
@keras_op
def tensordot(x1: Any, x2: Any, axes: Any = 2) -> sn.Variable:
    return sn.tensordot(as_tensor(x1), as_tensor(x2), axes=axes)


# -- shapes -----------------------------------------------------------------------------------------
@_export
@keras_op
def reshape(x: Any, newshape: Any) -> sn.Variable:
    shape = (newshape,) if isinstance(newshape, int) else tuple(newshape)
    return sn.reshape(as_tensor(x), shape)


@_export
@keras_op
def transpose(x: Any, axes: Sequence[int] | None = None) -> sn.Variable:
    return sn.transpose(as_tensor(x), None if axes is None else tuple(axes))


@_export
@keras_op
def expand_dims(x: Any, axis: Any) -> sn.Variable:
    return sn.expand_dims(as_tensor(x), normalize_axis(axis))


@_export
@keras_op
def squeeze(x: Any, axis: Any = None) -> sn.Variable:
    return sn.squeeze(as_tensor(x), normalize_axis(axis))


@_export
@keras_op
def ravel(x: Any) -> sn.Variable:
    return sn.flatten(as_tensor(x), 1)


@_export
@keras_op
def swapaxes(x: Any, axis1: int, axis2: int) -> sn.Variable:
    v = as_tensor(x)
    perm = list(range(v.ndim))
    perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
    return sn.transpose(v, tuple(perm))


@_export
@keras_op
def concatenate(xs: Sequence[Any], axis: int = 0) -> sn.Variable:
    return sn.concatenate([as_tensor(x) for x in xs], axis=axis)


@_export
@keras_op
def stack(x: Sequence[Any], axis: int = 0) -> sn.Variable:
    return sn.stack([as_tensor(e) for e in x], axis=axis)


@_export
@keras_op
def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list:
    v = as_tensor(x)
    if isinstance(indices_or_sections, int):
        return list(sn.split(v, indices_or_sections, axis=axis))
    size = v.type.shape[axis]
    if size is None:
        raise ValueError(f"ops.split with split indices needs a static size along axis {axis}; "
                         f"Received: x.shape={v.type.shape}")
    bounds = [0, *indices_or_sections, size]
    return list(sn.split(v, [b - a for a, b in zip(bounds, bounds[1:])], axis=axis))


@_export
@keras_op
def tile(x: Any, repeats: Any) -> sn.Variable:
    return sn.tile(as_tensor(x), repeats)


@_export
@keras_op
def repeat(x: Any, repeats: Any, axis: int | None = None) -> sn.Variable:
    return sn.repeat(as_tensor(x), repeats, axis=axis)


@_export
@keras_op
def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> sn.Variable:
    return sn.pad(as_tensor(x), pad_width, mode=mode, constant_values=0 if constant_values is None else constant_values)


@_export
@keras_op
def broadcast_to(x: Any, shape: Any) -> sn.Variable:
    return sn.broadcast_to(as_tensor(x), tuple(shape))


# -- creation ----------------------------------------------------------------------------------------
@_export
@keras_op
def zeros(shape: Any, dtype: Any = None) -> sn.Variable:
    return sn.zeros(shape, dtype=standardize_dtype(dtype))


@_export
@keras_op
def ones(shape: Any, dtype: Any = None) -> sn.Variable:
    return sn.ones(shape, dtype=standardize_dtype(dtype))


@_export
@keras_op
def full(shape: Any, fill_value: Any, dtype: Any = None) -> sn.Variable:
    return sn.full(shape, fill_value, dtype=None if dtype is None else standardize_dtype(dtype))


@_export
@keras_op
def zeros_like(x: Any, dtype: Any = None) -> sn.Variable:
    v = as_tensor(x)
    return sn.zeros_like(v) if dtype is None else sn.cast(sn.zeros_like(v), standardize_dtype(dtype))


@_export
@keras_op
def ones_like(x: Any, dtype: Any = None) -> sn.Variable:
    v = as_tensor(x)
    return sn.ones_like(v) if dtype is None else sn.cast(sn.ones_like(v), standardize_dtype(dtype))


@_export
@keras_op
def full_like(x: Any, fill_value: Any, dtype: Any = None) -> sn.Variable:
    v = as_tensor(x)
    return sn.cast(sn.zeros_like(v) + fill_value, standardize_dtype(dtype) if dtype is not None else v.dtype)


@_export
@keras_op
def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> sn.Variable:
    return sn.arange(start, stop, 1 if step is None else step, dtype=None if dtype is None else standardize_dtype(dtype))


@_export
@keras_op
def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> sn.Variable:
    return sn.eye(N, M, k, dtype=standardize_dtype(dtype))


@_export
@keras_op
def identity(n: int, dtype: Any = None) -> sn.Variable:
    return sn.eye(n, dtype=standardize_dtype(dtype))
