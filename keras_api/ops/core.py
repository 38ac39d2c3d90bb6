"""How one keras.ops function runs on what it is given.

Every op is written once, as a function of symnet Variables (`@keras_op`). The wrapper looks at the
arguments:
- KerasTensors (functional models): the op becomes an `OperationLayer` node of the functional graph,
  so `keras.Model(inputs, ops.mean(x, axis=1) + 1)` records and replays it like any layer call;
- symnet Variables or Keras variables while a graph is traced (custom layers' call, losses,
  metrics): the op adds its nodes to that graph;
- NumPy arrays, Python numbers (eager): the op runs through a small function compiled for the
  reference backend (the NumPy interpreter, so nothing is JIT-compiled per call) and returns an
  array with `.numpy()`; compiled functions are cached per argument signature.
"""
from __future__ import annotations

import contextlib
import functools
import threading
from typing import Any, Callable

import numpy as np

import symnet as sn

from ..layers.base import EagerTensor, KerasTensor, KerasVariable, Layer, current_context, flatten, map_struct, \
    pack_like, unique_name

_EAGER_CACHE: dict[tuple, tuple] = {}
_state = threading.local()


@contextlib.contextmanager
def variables_stay_symbolic():
    """Keras 2 semantics for K.* functions: an op on a variable builds a graph (K.eval gives its value)."""
    old = getattr(_state, "symbolic_variables", False)
    _state.symbolic_variables = True
    try:
        yield
    finally:
        _state.symbolic_variables = old
_EAGER_CACHE_MAX = 512


def is_symbolic(v: Any) -> bool:
    return isinstance(v, sn.Variable) or hasattr(type(v), "__symnet_variable__")


class _Slot:
    """Marks where the i-th tensor argument goes when an op's arguments are rebuilt."""

    def __init__(self, i: int) -> None:
        self.i = i

    def __repr__(self) -> str:
        return f"<tensor {self.i}>"


def _leaves(args: tuple, kwargs: dict) -> list:
    return flatten([list(args), kwargs])


def _template(args: tuple, kwargs: dict, is_tensor: Callable[[Any], bool]) -> tuple[Any, list]:
    """(args and kwargs with tensors replaced by slots, the tensors in order)."""
    tensors: list = []

    def slot(v: Any) -> Any:
        if is_tensor(v):
            tensors.append(v)
            return _Slot(len(tensors) - 1)
        return v
    return map_struct(slot, [list(args), kwargs]), tensors


def _fill(template: Any, tensors: list) -> tuple[tuple, dict]:
    args, kwargs = map_struct(lambda v: tensors[v.i] if isinstance(v, _Slot) else v, template)
    return tuple(args), kwargs


class OperationLayer(Layer):
    """A keras.ops call recorded in a functional model (Keras 3 records an Operation the same way)."""

    def __init__(self, op_name: str, fn: Callable, template: Any, **kwargs: Any) -> None:
        super().__init__(name=unique_name(op_name), **kwargs)
        self.op_name = op_name
        self.fn = fn
        self.template = template
        self.built = True

    def call(self, inputs: Any) -> Any:
        args, kwargs = _fill(self.template, list(inputs))
        return self.fn(*args, **kwargs)

    def get_config(self) -> dict:
        """Our documented format (docs in the module docstring of keras_api/ops/core.py's
        ``serialize_arguments``): ``operation`` is the keras.ops name, ``operation_module`` the module
        defining it, ``arguments`` the [args, kwargs] template with tensor places marked."""
        config = super().get_config()
        config.update({"operation": self.op_name, "operation_module": getattr(self.fn, "__module__", None),
                       "arguments": serialize_arguments(self.template, self.op_name)})
        return config

    @classmethod
    def from_config(cls, config: dict) -> "OperationLayer":
        config = dict(config)
        op_name = config.pop("operation")
        module = config.pop("operation_module", None)
        template = deserialize_arguments(config.pop("arguments"), op_name)
        fn = _OPERATIONS.get((module, op_name)) or _OPERATIONS_BY_NAME.get(op_name)
        if fn is None:
            raise ValueError(f"OperationLayer.from_config: no keras.ops operation named {op_name!r} "
                             f"(module {module!r}). Received: config={config}")
        from ..saving.layer_config import layer_kwargs_from_config
        kwargs = layer_kwargs_from_config(cls, config)
        name = kwargs.pop("name", None)
        layer = cls(op_name, fn, template, **{k: v for k, v in kwargs.items() if k in ("trainable", "dtype")})
        if name:
            layer.name = name
        return layer


# keras.ops functions by (defining module, name) and by name, for OperationLayer.from_config
_OPERATIONS: dict[tuple, Callable] = {}
_OPERATIONS_BY_NAME: dict[str, Callable] = {}

_TENSOR_MARK = "__operation_tensor__"
_TUPLE_MARK = "__tuple__"


def serialize_arguments(template: Any, op_name: str = "") -> Any:
    """An OperationLayer's [args, kwargs] as JSON: a tensor place is
    ``{"class_name": "__operation_tensor__", "config": {"index": i}}`` (the i-th tensor of the node's
    inbound tensors), a tuple ``{"class_name": "__tuple__", "config": {"value": [...]}}``, lists and
    dicts stay JSON lists/objects, and other values (numbers, strings, None, slices, Ellipsis, NumPy
    arrays, dtypes as strings) use serialize_keras_object's forms. Anything else raises."""
    from ..saving.serialization_lib import serialize_keras_object

    def ser(v: Any) -> Any:
        if isinstance(v, _Slot):
            return {"class_name": _TENSOR_MARK, "config": {"index": v.i}}
        if isinstance(v, tuple):
            return {"class_name": _TUPLE_MARK, "config": {"value": [ser(e) for e in v]}}
        if isinstance(v, list):
            return [ser(e) for e in v]
        if isinstance(v, dict):
            return {str(k): ser(e) for k, e in v.items()}
        if v is None or isinstance(v, (bool, int, float, str, np.generic, np.ndarray, slice)) or v is Ellipsis:
            return serialize_keras_object(v)
        if isinstance(v, np.dtype) or (isinstance(v, type) and issubclass(v, np.generic)):
            return str(np.dtype(v))
        raise ValueError(f"keras_api: the keras.ops call {op_name!r} in this functional model has an argument "
                         f"that cannot be saved (only numbers, strings, None, tuples, lists, dicts, slices, "
                         f"Ellipsis, NumPy arrays and dtypes can). Received: {v!r} of type {type(v).__name__}")
    return ser(template)


def deserialize_arguments(data: Any, op_name: str = "") -> Any:
    """The inverse of serialize_arguments."""
    from ..saving.serialization_lib import deserialize_keras_object

    def de(v: Any) -> Any:
        if isinstance(v, dict):
            cls = v.get("class_name")
            if cls == _TENSOR_MARK:
                return _Slot(int(v["config"]["index"]))
            if cls == _TUPLE_MARK:
                return tuple(de(e) for e in v["config"]["value"])
            if cls in ("__numpy__", "__slice__", "__ellipsis__", "__bytes__"):
                return deserialize_keras_object(v)
            return {k: de(e) for k, e in v.items()}
        if isinstance(v, list):
            return [de(e) for e in v]
        return v
    if not isinstance(data, list) or len(data) != 2:
        raise ValueError(f"OperationLayer {op_name!r}: `arguments` must be [args, kwargs]. Received: {data!r}")
    args, kwargs = de(data)
    return [list(args), dict(kwargs)]


def _functional(name: str, fn: Callable, args: tuple, kwargs: dict) -> Any:
    template, tensors = _template(args, kwargs, lambda v: isinstance(v, KerasTensor))
    return OperationLayer(name, fn, template)(tensors)


def _to_eager_array(v: Any) -> Any:
    if isinstance(v, KerasVariable):
        return v.numpy()
    return v


def _eager(name: str, fn: Callable, args: tuple, kwargs: dict) -> Any:
    args, kwargs = map_struct(_to_eager_array, [list(args), kwargs])
    template, arrays = _template(tuple(args), kwargs, lambda v: isinstance(v, (np.ndarray, np.generic)))
    arrays = [np.asarray(a) for a in arrays]
    key = (name, tuple((a.shape, a.dtype.str) for a in arrays), repr(template))
    entry = _EAGER_CACHE.get(key)
    if entry is None:
        placeholders = [sn.tensor(a.shape, dtype=str(a.dtype)) for a in arrays]
        a2, k2 = _fill(template, placeholders)
        out = fn(*a2, **k2)
        flat = [sn.graph.as_variable(o) for o in flatten(out)]
        f = sn.function(placeholders, flat, mode="reference", on_unused_input="ignore", name=f"ops.{name}")
        if len(_EAGER_CACHE) >= _EAGER_CACHE_MAX:
            _EAGER_CACHE.clear()
        entry = _EAGER_CACHE[key] = (f, out)
    f, out_struct = entry
    results = [np.asarray(r).view(EagerTensor) for r in f(*arrays)]
    return pack_like(out_struct, results)


def keras_op(fn: Callable | None = None, *, name: str | None = None) -> Callable:
    """Make a function of symnet Variables a keras.ops function (see the module docstring)."""
    if fn is None:
        return lambda f: keras_op(f, name=name)
    op_name = name or fn.__name__.rstrip("_")
    _OPERATIONS.setdefault((fn.__module__, op_name), fn)
    _OPERATIONS_BY_NAME.setdefault(op_name, fn)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        leaves = _leaves(args, kwargs)
        if any(isinstance(v, KerasTensor) for v in leaves):
            return _functional(op_name, fn, args, kwargs)
        if any(isinstance(v, sn.Variable) for v in leaves):
            return fn(*args, **kwargs)
        if any(isinstance(v, KerasVariable) for v in leaves) and (
                current_context() is not None or getattr(_state, "symbolic_variables", False)):
            return fn(*args, **kwargs)        # a weight inside a traced call: stay symbolic
        return _eager(op_name, fn, args, kwargs)
    wrapper.__keras_op__ = True
    return wrapper


def as_tensor(x: Any, dtype: str | None = None) -> sn.Variable:
    """A symnet Variable for x (Python floats take floatx, as Keras's convert_to_tensor does)."""
    if isinstance(x, float) and dtype is None:
        dtype = sn.config.floatX
    v = sn.graph.as_variable(x, dtype=dtype) if not is_symbolic(x) else sn.graph.as_variable(x)
    if dtype is not None and v.dtype != standardize_dtype(dtype):
        v = sn.cast(v, standardize_dtype(dtype))
    return v


def standardize_dtype(dtype: Any) -> str:
    if dtype is None:
        return sn.config.floatX
    name = getattr(dtype, "name", dtype)
    name = {"float": sn.config.floatX, "int": "int64", "bool": "bool"}.get(str(name), str(name))
    return str(np.dtype(name))


def _float_input(x: Any) -> sn.Variable:
    """Integer/bool inputs of float math ops become floatx (Keras upcasts them the same way)."""
    v = as_tensor(x)
    return v if v.dtype.startswith("float") else sn.cast(v, sn.config.floatX)


def normalize_axis(axis: Any) -> Any:
    if isinstance(axis, list):
        return tuple(axis)
    return axis
