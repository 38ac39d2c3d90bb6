"""KerasVariable, KerasTensor (with Python operators as keras.ops calls), Node, InputSpec and
EagerTensor: the values that flow into and out of a layer call."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

import symnet as sn

from .layer_utils import flatten, fmt_shape

if TYPE_CHECKING:
    from .base import Layer


# ------------------------------------------------------------------------------------------
# Variables
# ------------------------------------------------------------------------------------------
class KerasVariable:
    """A layer weight: a symnet shared variable plus Keras's attributes.

    ``.shape`` is a static tuple (as in Keras); the symbolic variable is ``.value`` and the
    variable can be used directly in symnet expressions (``inputs @ self.kernel + self.bias``)."""

    __array_priority__ = 1001
    __array_ufunc__ = None   # numpy defers to our reflected operators

    def __init__(self, value: np.ndarray, name: str, path: str, trainable: bool = True,
                 regularizer: Any = None, constraint: Any = None) -> None:
        value = np.array(value, order="C")      # (ascontiguousarray would turn a 0-d value into shape (1,))
        self.name = name
        self.path = path
        self.trainable = bool(trainable)
        self.regularizer = regularizer
        self.constraint = constraint
        self._shared = sn.shared(value, name=path, shape=value.shape, borrow=True)

    def __symnet_variable__(self) -> sn.SharedVariable:
        return self._shared

    @property
    def value(self) -> sn.SharedVariable:
        return self._shared

    @property
    def shape(self) -> tuple:
        return tuple(self._shared.type.shape)

    @property
    def dtype(self) -> str:
        return self._shared.dtype

    @property
    def ndim(self) -> int:
        return self._shared.ndim

    def numpy(self) -> np.ndarray:
        return self._shared.get_value()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        v = self._shared.get_value()
        return v if dtype is None else v.astype(dtype)

    def assign(self, value: Any) -> None:
        value = np.asarray(value)
        if tuple(value.shape) != self.shape:
            raise ValueError(f"The shape of the target variable and the shape of the target value in "
                             f"`variable.assign(value)` must match. variable.shape={self.shape}, "
                             f"Received: value.shape={value.shape}. Target variable: {self.path}")
        self._shared.set_value(value.astype(self.dtype, copy=False))

    def assign_add(self, value: Any) -> None:
        self.assign(self.numpy() + np.asarray(value))

    def assign_sub(self, value: Any) -> None:
        self.assign(self.numpy() - np.asarray(value))

    def __repr__(self) -> str:
        return f"<KerasVariable shape={self.shape}, dtype={self.dtype}, path={self.path}>"

    # arithmetic builds symnet graphs on the shared variable
    def __add__(self, o): return self._shared + o
    def __radd__(self, o): return o + self._shared
    def __sub__(self, o): return self._shared - o
    def __rsub__(self, o): return o - self._shared
    def __mul__(self, o): return self._shared * o
    def __rmul__(self, o): return o * self._shared
    def __truediv__(self, o): return self._shared / o
    def __rtruediv__(self, o): return o / self._shared
    def __matmul__(self, o): return self._shared @ o
    def __rmatmul__(self, o): return o @ self._shared
    def __pow__(self, o): return self._shared ** o
    def __neg__(self): return -self._shared
    def __getitem__(self, idx): return self._shared[idx]

    @property
    def T(self): return self._shared.T


# ------------------------------------------------------------------------------------------
# Symbolic tensors of the functional API
# ------------------------------------------------------------------------------------------
class KerasHistory(tuple):
    """(operation, node_index, tensor_index), as Keras's _keras_history."""

    @property
    def operation(self) -> "Layer":
        return self[0]

    @property
    def node_index(self) -> int:
        return self[1]

    @property
    def tensor_index(self) -> int:
        return self[2]


class KerasTensor:
    """A symbolic tensor of the functional API: static shape (None batch), dtype and the layer
    call that produced it. It holds no values; models replay the recorded calls on symnet graphs."""

    def __init__(self, shape: Sequence, dtype: str, name: str | None = None) -> None:
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = str(dtype)
        self.name = name
        self._keras_history: KerasHistory | None = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __bool__(self) -> bool:
        raise TypeError("A KerasTensor is symbolic: it has no truth value")

    # Python operators are keras.ops calls, recorded in the functional graph (as Keras 3 does)
    __array_ufunc__ = None   # numpy defers to the reflected operators

    def __add__(self, o): return _ops().add(self, o)
    def __radd__(self, o): return _ops().add(o, self)
    def __sub__(self, o): return _ops().subtract(self, o)
    def __rsub__(self, o): return _ops().subtract(o, self)
    def __mul__(self, o): return _ops().multiply(self, o)
    def __rmul__(self, o): return _ops().multiply(o, self)
    def __truediv__(self, o): return _ops().divide(self, o)
    def __rtruediv__(self, o): return _ops().divide(o, self)
    def __floordiv__(self, o): return _ops().floor_divide(self, o)
    def __rfloordiv__(self, o): return _ops().floor_divide(o, self)
    def __mod__(self, o): return _ops().mod(self, o)
    def __rmod__(self, o): return _ops().mod(o, self)
    def __pow__(self, o): return _ops().power(self, o)
    def __rpow__(self, o): return _ops().power(o, self)
    def __matmul__(self, o): return _ops().matmul(self, o)
    def __rmatmul__(self, o): return _ops().matmul(o, self)
    def __neg__(self): return _ops().negative(self)
    def __pos__(self): return self
    def __abs__(self): return _ops().absolute(self)
    def __lt__(self, o): return _ops().less(self, o)
    def __le__(self, o): return _ops().less_equal(self, o)
    def __gt__(self, o): return _ops().greater(self, o)
    def __ge__(self, o): return _ops().greater_equal(self, o)
    def __and__(self, o): return _ops().logical_and(self, o)
    def __or__(self, o): return _ops().logical_or(self, o)
    def __invert__(self): return _ops().logical_not(self)
    def __getitem__(self, key): return _ops().getitem(self, key)

    @property
    def T(self): return _ops().transpose(self)

    def astype(self, dtype: str) -> "KerasTensor": return _ops().cast(self, dtype)
    def reshape(self, *shape: Any) -> "KerasTensor":
        return _ops().reshape(self, shape[0] if len(shape) == 1 else shape)


def _ops():
    from .. import ops
    return ops


class Node:
    """One call of a layer on KerasTensors: its inputs (as passed), other arguments and outputs."""

    def __init__(self, layer: "Layer", call_args: Any, call_kwargs: dict, outputs: Any) -> None:
        self.operation = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs
        self.input_tensors = [t for t in flatten(call_args) if isinstance(t, KerasTensor)]
        for t in flatten(call_kwargs):     # tensors passed after the first argument (attention's value, masks)
            if isinstance(t, KerasTensor) and not any(t is u for u in self.input_tensors):
                self.input_tensors.append(t)
        self.output_tensors = flatten(outputs)
        self.parent_nodes = []
        for t in self.input_tensors:
            hist = t._keras_history
            if hist is not None:
                self.parent_nodes.append(hist.operation._inbound_nodes[hist.node_index])
        index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for parent in self.parent_nodes:
            parent.operation._outbound_nodes.append(self)
        for i, t in enumerate(self.output_tensors):
            t._keras_history = KerasHistory((layer, index, i))

    @property
    def layer(self) -> "Layer":
        return self.operation

    def __repr__(self) -> str:
        return f"<Node {self.operation.name} {[t.shape for t in self.input_tensors]}>"


class InputSpec:
    """Constraints a layer puts on its input: ndim, min_ndim, max_ndim, axes={axis: size}."""

    def __init__(self, dtype: str | None = None, shape: Sequence | None = None, ndim: int | None = None,
                 max_ndim: int | None = None, min_ndim: int | None = None, axes: dict | None = None,
                 allow_last_axis_squeeze: bool = False, name: str | None = None) -> None:
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.name = name

    def __repr__(self) -> str:
        return (f"InputSpec(ndim={self.ndim}, max_ndim={self.max_ndim}, min_ndim={self.min_ndim}, "
                f"axes={self.axes})")


def assert_input_compatibility(spec: Any, shapes: list[tuple], layer_name: str) -> None:
    """Raise Keras's 'Input 0 of layer "dense" is incompatible with the layer: ...' errors."""
    if spec is None:
        return
    specs = spec if isinstance(spec, (list, tuple)) else [spec] * len(shapes)
    for i, (s, shape) in enumerate(zip(specs, shapes)):
        if s is None or shape is None:
            continue
        pre = f'Input {i} of layer "{layer_name}" is incompatible with the layer: '
        ndim = len(shape)
        if s.ndim is not None and ndim != s.ndim:
            raise ValueError(pre + f"expected ndim={s.ndim}, found ndim={ndim}. Full shape received: {fmt_shape(shape)}")
        if s.max_ndim is not None and ndim > s.max_ndim:
            raise ValueError(pre + f"expected max_ndim={s.max_ndim}, found ndim={ndim}. "
                             f"Full shape received: {fmt_shape(shape)}")
        if s.min_ndim is not None and ndim < s.min_ndim:
            raise ValueError(pre + f"expected min_ndim={s.min_ndim}, found ndim={ndim}. "
                             f"Full shape received: {fmt_shape(shape)}")
        for axis, value in s.axes.items():
            if value is None:
                continue
            if not -ndim <= axis < ndim:
                raise ValueError(pre + f"expected axis {axis} of input shape to exist. Full shape received: "
                                 f"{fmt_shape(shape)}")
            got = shape[axis]
            if got is not None and got != value:
                raise ValueError(pre + f"expected axis {axis} of input shape to have value {value}, but received "
                                 f"input with shape {fmt_shape(shape)}")
        if s.shape is not None:
            for want, got in zip(s.shape, shape):
                if want is not None and got is not None and want != got:
                    raise ValueError(pre + f"expected shape={fmt_shape(s.shape)}, found shape={fmt_shape(shape)}")


class EagerTensor(np.ndarray):
    """What an eager layer call returns: a NumPy array that also has Keras tensors' ``.numpy()``."""

    def numpy(self) -> np.ndarray:
        return np.asarray(self)


def _floatx() -> str:
    return sn.config.floatX


def _standardize_dtype(dtype: Any) -> str:
    if dtype is None:
        return _floatx()
    if isinstance(dtype, dict):   # a serialized DTypePolicy
        dtype = dtype.get("config", {}).get("name", _floatx())
    name = getattr(dtype, "name", dtype)
    if name in ("string", "str", str):     # Keras's string inputs (for NumPy preprocessing layers)
        return "string"
    return str(np.dtype(str(name)))
