"""The public tensor namespace: constructors and every op function, re-exported by ``symnet``."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .config import config
from .graph import Constant, SharedVariable, Variable, as_variable
from .types import TensorType
from .ops.elemwise import (  # noqa: F401
    abs, add, and_, cast, ceil, clip, cos, elu, eq, erf, exp, expm1, floor, floor_div, ge, gelu, gt,
    identity, isinf, isnan, le, log, log1p, lt, maximum, minimum, mod, mul, neg, neq, not_, or_, pow,
    reciprocal, relu, round, second, selu, sigmoid, sign, sin, softplus, sqr, sqrt, square, step, sub,
    switch, tan, tanh, true_div, where, xor)
from .ops.reduce import (  # noqa: F401
    all, any, argmax, argmin, logsumexp, max, mean, min, prod, std, sum, var)
from .ops.shape import (  # noqa: F401
    dimshuffle, expand_dims, flatten, reshape, shape, squeeze, stop_gradient, transpose)
from .ops.subtensor import getitem, inc_subtensor, set_subtensor  # noqa: F401
from .ops.blas import dot, matmul, outer, tensordot  # noqa: F401
from .ops.nnet import (  # noqa: F401
    binary_crossentropy, categorical_crossentropy, log_softmax, sigmoid_binary_crossentropy, softmax,
    sparse_categorical_crossentropy)
from .ops.creation import (  # noqa: F401
    alloc, arange, broadcast_to, full, ones, ones_like, zeros, zeros_like)

true_divide = true_div
int_div = floor_div
minimum = minimum
sqr = sqr
fill = second


def _dtype(dtype: str | None) -> str:
    if dtype is None or dtype == "floatX":
        return config.floatX
    return str(np.dtype(dtype))


def tensor(shape: Sequence[int | None] | None = None, dtype: str | None = None, name: str | None = None,
           ndim: int | None = None) -> Variable:
    """A symbolic input: ``sn.tensor(shape=(None, 784))``; None marks an unknown dim."""
    if shape is None:
        if ndim is None:
            raise TypeError("sn.tensor needs shape= (or ndim=)")
        shape = (None,) * ndim
    return Variable(TensorType(_dtype(dtype), tuple(shape)), name=name)


def scalar(name: str | None = None, dtype: str | None = None) -> Variable:
    return tensor((), dtype, name)


def vector(name: str | None = None, dtype: str | None = None, shape: Sequence | None = None) -> Variable:
    return tensor(shape or (None,), dtype, name)


def matrix(name: str | None = None, dtype: str | None = None, shape: Sequence | None = None) -> Variable:
    return tensor(shape or (None, None), dtype, name)


def tensor3(name: str | None = None, dtype: str | None = None, shape: Sequence | None = None) -> Variable:
    return tensor(shape or (None,) * 3, dtype, name)


def tensor4(name: str | None = None, dtype: str | None = None, shape: Sequence | None = None) -> Variable:
    return tensor(shape or (None,) * 4, dtype, name)


def constant(value: Any, name: str | None = None, dtype: str | None = None) -> Constant:
    """A constant tensor; Python floats become floatX unless dtype says otherwise."""
    if isinstance(value, Variable):
        raise TypeError("constant() takes a value, not a symbolic variable")
    return as_variable(value, name=name, dtype=dtype)


def shared(value: Any, name: str | None = None, strict: bool = False, borrow: bool = False,
           shape: Sequence[int | None] | None = None, broadcastable: Sequence[bool] | None = None,
           dtype: str | None = None) -> SharedVariable:
    """A variable whose value persists across calls. Its static shape is unknown (resizable via
    set_value) unless ``shape=`` (or Theano's ``broadcastable=``) fixes some dims."""
    if dtype is not None:
        arr = np.array(value, dtype=dtype)
    elif isinstance(value, np.ndarray):
        arr = value if borrow else value.copy()
    else:
        arr = np.asarray(value)
        if arr.dtype == np.float64 and not isinstance(value, np.generic):
            arr = arr.astype(config.floatX)      # Python floats and lists of them take floatX
    if shape is None:
        shape = tuple(1 if b else None for b in broadcastable) if broadcastable is not None else (None,) * arr.ndim
    return SharedVariable(TensorType(str(arr.dtype), shape), arr, name=name)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Variable:
    from .ops import join
    return join.concatenate(tensors, axis)


def stack(tensors: Sequence[Any], axis: int = 0) -> Variable:
    from .ops import join
    return join.stack(tensors, axis)


from .ops.join import join, split  # noqa: E402,F401
from .ops.manip import eye, one_hot, pad, repeat, tile  # noqa: E402,F401


# ------------------------------------------------------------------------------------------
# Theano's typed constructors: a dtype letter (b int8, w int16, i int32, l int64, f float32,
# d float64, c/z complex are not supported) + scalar/vector/row/col/matrix/tensor3/tensor4.
# ------------------------------------------------------------------------------------------
_LETTERS = {"b": "int8", "w": "int16", "i": "int32", "l": "int64", "f": "float32", "d": "float64"}
_KINDS = {"scalar": (), "vector": (None,), "row": (1, None), "col": (None, 1), "matrix": (None, None),
          "tensor3": (None,) * 3, "tensor4": (None,) * 4, "tensor5": (None,) * 5}


def _typed_constructor(dtype: str, shape: tuple):
    def make(name: str | None = None) -> Variable:
        return tensor(shape, dtype, name)
    return make


for _letter, _dt in _LETTERS.items():
    for _kind, _shape in _KINDS.items():
        _f = _typed_constructor(_dt, _shape)
        _f.__name__ = _f.__qualname__ = _letter + _kind
        _f.__doc__ = f"A {_dt} {_kind} input (Theano's {_letter}{_kind})."
        globals()[_letter + _kind] = _f


def row(name: str | None = None, dtype: str | None = None) -> Variable:
    """A (1, None) matrix: broadcastable along its rows (Theano's row)."""
    return tensor((1, None), dtype, name)


def col(name: str | None = None, dtype: str | None = None) -> Variable:
    """A (None, 1) matrix: broadcastable along its columns (Theano's col)."""
    return tensor((None, 1), dtype, name)


def tensor5(name: str | None = None, dtype: str | None = None, shape: Sequence | None = None) -> Variable:
    return tensor(shape or (None,) * 5, dtype, name)
from .ops.einsum import einsum  # noqa: E402,F401
from .ops.attention import dot_product_attention  # noqa: E402,F401
