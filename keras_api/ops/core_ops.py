"""keras.ops' core functions: cast, convert_to_tensor, shape, cond, stop_gradient, slicing."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

import symnet as sn

from ..layers.base import EagerTensor, KerasTensor, KerasVariable, flatten, map_struct
from .core import as_tensor, is_symbolic, keras_op, standardize_dtype

__all__ = ["cast", "convert_to_tensor", "convert_to_numpy", "shape", "stop_gradient", "cond", "getitem",
           "is_tensor", "dtype", "slice", "take"]   # vectorized_map raises NotImplementedError


@keras_op
def cast(x: Any, dtype: Any) -> sn.Variable:
    return sn.cast(as_tensor(x), standardize_dtype(dtype))


def convert_to_tensor(x: Any, dtype: Any = None, sparse: Any = None, ragged: Any = None) -> Any:
    """Symbolic inputs stay symbolic (cast when `dtype` is given); anything else becomes an array
    (Python floats and float lists take floatx, as in Keras)."""
    if sparse or ragged:
        raise NotImplementedError("keras_api ops.convert_to_tensor: sparse and ragged tensors are not supported")
    if isinstance(x, KerasTensor):
        return x if dtype is None else cast(x, dtype)
    if is_symbolic(x) and not isinstance(x, KerasVariable):
        return as_tensor(x, None if dtype is None else standardize_dtype(dtype))
    arr = np.asarray(x.numpy() if isinstance(x, KerasVariable) else x)
    if arr.dtype == object or arr.dtype.kind in "US":
        raise ValueError(f"Cannot convert a value of dtype {arr.dtype} to a tensor: only numeric and boolean "
                         f"data can be tensors. Received: x={x!r:.80}")
    if dtype is not None:
        arr = arr.astype(standardize_dtype(dtype))
    elif arr.dtype == np.float64 and not isinstance(x, (np.ndarray, np.generic)):
        arr = arr.astype(sn.config.floatX)
    return arr.view(EagerTensor)


def convert_to_numpy(x: Any) -> np.ndarray:
    if isinstance(x, (KerasTensor, sn.Variable)) and not isinstance(x, sn.SharedVariable):
        raise ValueError(f"convert_to_numpy: {x!r} is symbolic and holds no values")
    if isinstance(x, sn.SharedVariable):
        return x.get_value()
    return np.asarray(x.numpy() if isinstance(x, KerasVariable) else x)


def shape(x: Any) -> tuple:
    """A tuple: ints where the size is static; where it is not, None for a KerasTensor and a symbolic
    scalar for a graph variable (usable in ops.reshape)."""
    if isinstance(x, KerasTensor):
        return tuple(x.shape)
    if is_symbolic(x):
        v = sn.graph.as_variable(x)
        return tuple(d if d is not None else v.shape[i] for i, d in enumerate(v.type.shape))
    return tuple(np.shape(x))


def dtype(x: Any) -> str:
    return standardize_dtype(getattr(x, "dtype", None) or np.asarray(x).dtype)


def is_tensor(x: Any) -> bool:
    return isinstance(x, (KerasTensor, sn.Variable, np.ndarray))


@keras_op
def stop_gradient(variable: Any) -> sn.Variable:
    return sn.stop_gradient(as_tensor(variable))


@keras_op(name="getitem")
def getitem(x: Any, key: Any) -> sn.Variable:
    return as_tensor(x)[key]


@keras_op
def take(x: Any, indices: Any, axis: int | None = None) -> sn.Variable:
    v = as_tensor(x)
    idx = as_tensor(indices)
    if axis is None:
        return sn.flatten(v, 1)[idx]
    axis = axis % v.ndim
    perm = [axis] + [i for i in range(v.ndim) if i != axis]
    taken = sn.transpose(v, tuple(perm))[idx]
    k = idx.ndim
    back = list(range(k, k + axis)) + list(range(k)) + list(range(k + axis, taken.ndim))
    return sn.transpose(taken, tuple(back))


@keras_op
def slice(inputs: Any, start_indices: Any, shape: Any) -> sn.Variable:
    key = tuple(np.s_[int(s):int(s) + int(n)] for s, n in zip(start_indices, shape))
    return as_tensor(inputs)[key]


def cond(pred: Any, true_fn: Callable[[], Any], false_fn: Callable[[], Any]) -> Any:
    """A Python or eager boolean runs one branch; a symbolic one computes both and selects
    elementwise (the branches must give the same structure and broadcastable shapes)."""
    if not (isinstance(pred, (KerasTensor, KerasVariable)) or is_symbolic(pred)):
        return true_fn() if bool(np.asarray(pred)) else false_fn()
    t, f = true_fn(), false_fn()
    ft, ff = flatten(t), flatten(f)
    if len(ft) != len(ff):
        raise ValueError(f"`true_fn` and `false_fn` should return outputs of the same kind (structure). Received: "
                         f"true_fn output {t!r}, false_fn output {f!r}")
    from .numpy import where
    it = iter(ff)
    return map_struct(lambda a: where(pred, a, next(it)), t)


def vectorized_map(function: Callable[[Any], Any], elements: Any) -> Any:
    raise NotImplementedError("keras_api ops.vectorized_map is not implemented yet (not mapped onto sn.scan); "
                              "write the computation with batched ops")
