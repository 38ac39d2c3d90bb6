"""Theano's ``theano.tensor`` spelled ``symnet.tensor``: ``import symnet.tensor as T``.
(Calling it, ``sn.tensor(shape=(None, 3))``, still makes a symbolic input.)

Everything symnet has under theano.tensor's names: the constructors (T.matrix, T.ivector,
T.dmatrix...), the elementwise/reduction/shape ops, T.grad, T.nnet (the very module
``symnet.nnet``, so ops added there appear here too) and T.shared_randomstreams.RandomStreams.
"""
from __future__ import annotations

import importlib
import sys
import types
from typing import Any, Sequence

from ..basic import *  # noqa: F401,F403
from ..basic import (abs, all, any, max, min, pow, round, sum, tensor, constant, shared, scalar,  # noqa: F401
                     vector, matrix, tensor3, tensor4, concatenate, stack, as_variable, reshape, dimshuffle,
                     flatten as _flatten, maximum, minimum, sign, reciprocal, matmul, zeros_like, ones_like)
from ..graph import Constant, SharedVariable, Variable
from ..grad import grad, hessian, jacobian, verify_grad  # noqa: F401

nnet = importlib.import_module("symnet.nnet")
sys.modules[__name__ + ".nnet"] = nnet          # import symnet.tensor.nnet gives symnet.nnet itself
from . import shared_randomstreams  # noqa: E402,F401

TensorVariable = Variable
TensorConstant = Constant
TensorSharedVariable = SharedVariable
as_tensor_variable = as_tensor = as_variable
abs_ = abs
sgn = sign
inv = reciprocal


def alloc(value: Any, *shape: Any) -> Variable:
    """Theano's alloc(value, *shape): value broadcast to the shape (one int per dim)."""
    from ..ops.creation import alloc as _alloc
    return _alloc(value, shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape)


def flatten(x: Any, ndim: int | None = None, outdim: int | None = None) -> Variable:
    """Theano's flatten(x, ndim=1) (``outdim`` is its older name)."""
    return _flatten(x, ndim if ndim is not None else (outdim if outdim is not None else 1))


def shape_padleft(t: Any, n_ones: int = 1) -> Variable:
    """t with n_ones broadcastable axes added on the left."""
    t = as_variable(t)
    return dimshuffle(t, ["x"] * n_ones + list(range(t.ndim)))


def shape_padright(t: Any, n_ones: int = 1) -> Variable:
    t = as_variable(t)
    return dimshuffle(t, list(range(t.ndim)) + ["x"] * n_ones)


def shape_padaxis(t: Any, axis: int) -> Variable:
    t = as_variable(t)
    axis = axis if axis >= 0 else axis + t.ndim + 1
    pattern = list(range(t.ndim))
    pattern.insert(axis, "x")
    return dimshuffle(t, pattern)


def addbroadcast(x: Any, *axes: int) -> Variable:
    """x with the given axes declared of length 1 (checked when the function runs)."""
    x = as_variable(x)
    axes = {a % x.ndim for a in axes}
    if not axes:
        return x
    shp = [1 if a in axes else (x.static_shape[a] if x.static_shape[a] is not None else x.shape[a])
           for a in range(x.ndim)]
    return reshape(x, shp)


def patternbroadcast(x: Any, broadcastable: Sequence[bool]) -> Variable:
    x = as_variable(x)
    return addbroadcast(x, *[a for a, b in enumerate(broadcastable) if b])


def largest(*args: Any) -> Variable:
    """Elementwise maximum of all arguments."""
    out = args[0]
    for a in args[1:]:
        out = maximum(out, a)
    return out


def smallest(*args: Any) -> Variable:
    out = args[0]
    for a in args[1:]:
        out = minimum(out, a)
    return out


def batched_dot(a: Any, b: Any) -> Variable:
    """Per-batch matrix product over the first axis (3-d inputs: a[i] @ b[i])."""
    return matmul(a, b)




class _CallableTensorModule(types.ModuleType):
    """``symnet.tensor`` is both this module (Theano's theano.tensor) and symnet's constructor
    ``sn.tensor(shape=..., dtype=..., name=...)``, which it was before the module existed."""

    def __call__(self, *args: Any, **kwargs: Any) -> Variable:
        return tensor(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableTensorModule


# ------------------------------------------------------------------------------------------
# Reductions with Theano's argument order (dtype before keepdims)
# ------------------------------------------------------------------------------------------
from ..basic import var as _var, std as _std, prod as _prod, cast as _cast  # noqa: E402
from ..basic import sum as _sum, mean as _mean  # noqa: E402


def sum(input: Any, axis: Any = None, dtype: str | None = None, keepdims: bool = False,  # noqa: A001
        acc_dtype: str | None = None) -> Variable:
    """Theano's sum: small ints and bool sum to int64 (unsigned to uint64), floats keep their dtype."""
    return _sum(input, axis, keepdims=keepdims, dtype=dtype)


def prod(input: Any, axis: Any = None, dtype: str | None = None, keepdims: bool = False,
         acc_dtype: str | None = None, no_zeros_in_input: bool = False) -> Variable:
    out = _prod(input, axis, keepdims=keepdims)
    return _cast(out, dtype) if dtype is not None else out


def mean(input: Any, axis: Any = None, dtype: str | None = None, op: bool = False, keepdims: bool = False,
         acc_dtype: str | None = None) -> Variable:
    """Theano's mean: of an integer/bool tensor it is float64 whatever floatX is (an int64 sum
    over a float64 count); ``dtype`` sets the dtype of the sum."""
    if op:
        raise NotImplementedError("mean(op=True) (the Mean op) is not supported; the default op=False is")
    if dtype is None:
        return _mean(input, axis, keepdims=keepdims)
    return _mean(_cast(input, dtype), axis, keepdims=keepdims)


def var(input: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False, corrected: bool = False) -> Variable:
    return _var(input, axis, keepdims=keepdims, ddof=ddof)


def std(input: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False, corrected: bool = False) -> Variable:
    return _std(input, axis, keepdims=keepdims, ddof=ddof)
