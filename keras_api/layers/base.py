"""The Layer base class and the pieces of Keras's functional machinery it needs.

A layer is called in one of three ways, picked from what it is given:
- KerasTensors (from ``keras.Input``): the layer is built, its ops are traced once on symnet
  placeholders to learn the output shapes, and a Node records the call for the functional graph.
- symnet Variables: the layer's ops are added to that graph (what compiled train steps do), inside
  ``sn.name_scope(layer.name)`` so compiled kernels can be traced back to layer names.
- NumPy arrays (or lists, scalars): run eagerly through a small compiled function, cached per
  input signature.
"""
from __future__ import annotations

import contextlib
import inspect
import math
import threading
import warnings
from typing import Any, Callable, Iterator, Sequence

import numpy as np

import symnet as sn

from .._names import snake_case

# ------------------------------------------------------------------------------------------
# Unique names ('dense', 'dense_1', ...), reset by clear_session()
# ------------------------------------------------------------------------------------------
_UIDS: dict[str, int] = {}


def get_uid(prefix: str) -> int:
    """Keras's per-prefix counter: 1 for the first use, then 2, ..."""
    _UIDS[prefix] = _UIDS.get(prefix, 0) + 1
    return _UIDS[prefix]


def unique_name(prefix: str) -> str:
    n = get_uid(prefix)
    return prefix if n == 1 else f"{prefix}_{n - 1}"


def clear_session() -> None:
    """Reset the name counters (``keras.backend.clear_session()``)."""
    _UIDS.clear()


# ------------------------------------------------------------------------------------------
# Nested structures (lists, tuples, dicts with sorted keys, as Keras's tree module)
# ------------------------------------------------------------------------------------------
def flatten(struct: Any) -> list:
    if isinstance(struct, (list, tuple)):
        return [leaf for s in struct for leaf in flatten(s)]
    if isinstance(struct, dict):
        return [leaf for k in sorted(struct) for leaf in flatten(struct[k])]
    return [struct]


def pack_like(struct: Any, flat: Sequence) -> Any:
    it = iter(flat)

    def rec(s: Any) -> Any:
        if isinstance(s, (list, tuple)):
            return type(s)(rec(e) for e in s) if isinstance(s, list) else tuple(rec(e) for e in s)
        if isinstance(s, dict):
            return {k: rec(s[k]) for k in sorted(s)}
        return next(it)
    return rec(struct)


def map_struct(fn: Callable, struct: Any) -> Any:
    return pack_like(struct, [fn(x) for x in flatten(struct)])


def fmt_shape(shape: Sequence) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


# ------------------------------------------------------------------------------------------
# Call context: the training flag and the losses added while a graph is traced
# ------------------------------------------------------------------------------------------
_ctx = threading.local()


class CallContext:
    """Active while a model graph is traced: holds `training` and collects add_loss() values."""

    def __init__(self, training: bool | None, losses: list | None = None, updates: list | None = None) -> None:
        self.training = training
        self.losses: list = [] if losses is None else losses
        self.updates: list = [] if updates is None else updates   # (shared variable, new value) state updates
        self.loss_owners: dict = {}    # id(loss) -> the layer that added it (for layer.losses after eager calls)


@contextlib.contextmanager
def call_context(training: bool | None, inherit_losses: bool = False) -> Iterator[CallContext]:
    """Push a context; with inherit_losses the losses go to the enclosing context's list."""
    stack = getattr(_ctx, "stack", None)
    if stack is None:
        stack = _ctx.stack = []
    parent = stack[-1] if inherit_losses and stack else None
    c = CallContext(training, parent.losses if parent else None, parent.updates if parent else None)
    if parent is not None:
        c.loss_owners = parent.loss_owners
    stack.append(c)
    try:
        yield c
    finally:
        stack.pop()


def current_context() -> CallContext | None:
    stack = getattr(_ctx, "stack", None)
    return stack[-1] if stack else None


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


# ------------------------------------------------------------------------------------------
# Layer
# ------------------------------------------------------------------------------------------
class Layer:
    """Keras's Layer: subclasses implement build(input_shape), call(inputs[, training]) and
    get_config(); weights come from add_weight()."""

    _TRACKING_SKIP = frozenset({"_inbound_nodes", "_outbound_nodes", "_layers", "_tracked_layers",
                                "_operations", "_functional", "_input_layer_ref", "optimizer"})

    def __init__(self, activity_regularizer: Any = None, trainable: bool = True, dtype: Any = None,
                 autocast: bool = True, name: str | None = None, **kwargs: Any) -> None:
        object.__setattr__(self, "_tracked_layers", [])
        self._trainable_variables: list[KerasVariable] = []
        self._non_trainable_variables: list[KerasVariable] = []
        self._inbound_nodes: list[Node] = []
        self._outbound_nodes: list[Node] = []
        self._trainable = bool(trainable)
        self.built = False
        self.input_spec = None
        self.supports_masking = False
        self._eager_cache: dict = {}
        self._build_shapes: Any = None
        self.dtype = _standardize_dtype(dtype)
        self.compute_dtype = self.dtype
        self.variable_dtype = self.dtype
        self.name = name if name is not None else unique_name(snake_case(type(self).__name__))
        if not isinstance(self.name, str) or "/" in self.name:
            raise ValueError(f"Argument `name` must be a string and cannot contain character `/`. Received: name={name!r}")
        if activity_regularizer is not None:
            from .. import regularizers
            activity_regularizer = regularizers.get(activity_regularizer)
        self.activity_regularizer = activity_regularizer
        self._input_shape_arg = None
        input_dim = kwargs.pop("input_dim", None)
        input_shape = kwargs.pop("input_shape", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        kwargs.pop("input_length", None)
        if input_dim is not None:
            warnings.warn(f"Layer {self.name!r}: `input_dim={input_dim}` is the Keras 1/2 spelling; use "
                          f"`input_shape=({input_dim},)` or a `keras.Input(shape=({input_dim},))` as the first "
                          "layer", DeprecationWarning, stacklevel=3)
            input_shape = (input_dim,)
        if input_shape is not None:
            if isinstance(input_shape, int):
                input_shape = (input_shape,)
            self._input_shape_arg = (batch_size,) + tuple(input_shape)
        elif batch_input_shape is not None:
            self._input_shape_arg = tuple(batch_input_shape)
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}")
        self._call_params = inspect.signature(self.call).parameters
        self._call_has_training = "training" in self._call_params

    # -- attribute tracking: sublayers assigned as attributes -----------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        tracked = self.__dict__.get("_tracked_layers")
        if tracked is not None and name not in self._TRACKING_SKIP:
            items = value if isinstance(value, (list, tuple)) else [value]
            for v in items:
                if isinstance(v, Layer) and v is not self and not any(v is t for t in tracked):
                    tracked.append(v)
        object.__setattr__(self, name, value)

    def _sublayers(self) -> list["Layer"]:
        return list(self._tracked_layers)

    def _flatten_layers(self, include_self: bool = True) -> list["Layer"]:
        out, seen = [], set()
        stack = [self] if include_self else list(reversed(self._sublayers()))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            stack.extend(reversed(layer._sublayers()))
        return out

    # -- weights ------------------------------------------------------------------------
    def add_weight(self, shape: Sequence | None = None, initializer: Any = None, dtype: Any = None,
                   trainable: bool = True, autocast: bool = True, regularizer: Any = None,
                   constraint: Any = None, aggregation: str = "none", name: str | None = None,
                   **kwargs: Any) -> KerasVariable:
        """Create a weight; the value comes from a keras_api initializer (glorot_uniform for floats
        by default, zeros otherwise)."""
        from .. import constraints, initializers, regularizers
        shape = () if shape is None else tuple(int(d) for d in shape)
        dtype = _standardize_dtype(dtype or self.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if np.dtype(dtype).kind == "f" else "zeros"
        init = initializers.get(initializer)
        value = np.asarray(init(shape, dtype=dtype))
        value = value.astype(dtype, copy=False).reshape(shape)
        if name is None:
            name = f"variable_{len(self._trainable_variables) + len(self._non_trainable_variables)}" \
                if (self._trainable_variables or self._non_trainable_variables) else "variable"
        var = KerasVariable(value, name=name, path=f"{self.name}/{name}", trainable=trainable,
                            regularizer=regularizers.get(regularizer) if regularizer is not None else None,
                            constraint=constraints.get(constraint) if constraint is not None else None)
        if trainable:
            self._trainable_variables.append(var)
        else:
            self._non_trainable_variables.append(var)
        return var

    def add_variable(self, shape: Sequence, initializer: Any, dtype: Any = None, trainable: bool = True,
                     name: str | None = None, **kwargs: Any) -> KerasVariable:
        return self.add_weight(shape=shape, initializer=initializer, dtype=dtype, trainable=trainable,
                               name=name, **kwargs)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        self._trainable = value
        for v in self._trainable_variables:
            v.trainable = value
        for layer in self._sublayers():
            layer.trainable = value

    @property
    def weights(self) -> list[KerasVariable]:
        out: list[KerasVariable] = []
        seen: set[int] = set()
        for w in self._trainable_variables + self._non_trainable_variables:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        for layer in self._sublayers():
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def variables(self) -> list[KerasVariable]:
        return self.weights

    @property
    def trainable_weights(self) -> list[KerasVariable]:
        if not self.trainable:
            return []
        return [w for w in self.weights if w.trainable]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list[KerasVariable]:
        if not self.trainable:
            return self.weights
        return [w for w in self.weights if not w.trainable]

    non_trainable_variables = non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of "
                             f"length {len(weights)}, but the layer was expecting {len(params)} weights.")
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if tuple(w.shape) != p.shape:
                raise ValueError(f"Layer {self.name} weight shape {p.shape} is not compatible with provided "
                                 f"weight shape {tuple(w.shape)}.")
        for p, w in zip(params, weights):
            p.assign(w)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                             "built. You can build it manually via: `layer.build(input_shape)`.")
        return int(sum(math.prod(w.shape) for w in self.weights))

    @property
    def losses(self) -> list:
        """Keras's ``layer.losses``: the losses add_loss() received in the last eager call (this layer's,
        then its sublayers'), then the weight-regularization penalties of its trainable weights.

        While a graph is traced they are symbolic (the regularization penalties only: traced add_loss
        values go to the step being built); otherwise concrete arrays."""
        reg = [w.regularizer(w.value) for w in self.trainable_weights if w.regularizer is not None]
        if current_context() is not None:
            return reg
        added = [v for layer in self._flatten_layers() for v in layer.__dict__.get("_eager_losses", [])]
        if reg:
            values = sn.function([], [sn.cast(sn.graph.as_variable(r), self.compute_dtype) for r in reg],
                                 mode="reference", name=f"{self.name}_regularization_losses")()
            reg = [np.asarray(v).view(EagerTensor) for v in values]
        return added + reg

    def add_loss(self, loss: Any) -> None:
        """Add a loss computed in call() (the endpoint-layer pattern, activity regularization). While a
        training step is traced it is summed into the training loss; in an eager call its value is kept
        in ``layer.losses``. Outside any call there is nothing to attach it to: an error."""
        ctx = current_context()
        for x in flatten(loss):
            if not (isinstance(x, (sn.Variable, np.ndarray, np.generic)) or hasattr(type(x), "__symnet_variable__")):
                raise ValueError("`add_loss()` can only be called from inside `build()` or `call()`, on a tensor "
                                 f"input. Received invalid value: {x}")
            if ctx is None:
                if isinstance(x, sn.Variable):
                    raise ValueError(f"Layer {self.name!r}: add_loss() received a symbolic tensor outside of "
                                     "call(); call it inside call() so it joins the traced training step")
                self.__dict__.setdefault("_eager_losses", []).append(np.asarray(x).view(EagerTensor))
                continue
            x = sn.graph.as_variable(x)
            ctx.losses.append(x)
            ctx.loss_owners[id(x)] = self

    def add_state_update(self, variable: "KerasVariable", new_value: Any) -> None:
        """Record `variable <- new_value` for the compiled step being traced (non-trainable state such as
        moving averages); the trainer applies it with the optimizer's updates."""
        ctx = current_context()
        if ctx is not None:
            ctx.updates.append((variable.value, sn.cast(sn.graph.as_variable(new_value), variable.dtype)))

    # -- building -----------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        self.built = True

    def _maybe_build(self, shapes: Any) -> None:
        if self.built:
            return
        self._build_shapes = shapes
        with sn.name_scope(self.name):
            self.build(shapes)
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Static output shape, found by tracing call() on symnet placeholders."""
        def ph(s: Sequence) -> sn.Variable:
            return sn.tensor(tuple(s), dtype=self.compute_dtype)
        is_multi = isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (tuple, list))
        args = [ph(s) for s in input_shape] if is_multi else ph(input_shape)
        self._maybe_build(input_shape)
        with call_context(False):
            out = self._symbolic_call(args, {})
        return map_struct(lambda v: tuple(v.type.shape), out)

    # -- calling ------------------------------------------------------------------------
    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"Layer {type(self).__name__} does not have a `call()` method implemented.")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args:
            if "inputs" in kwargs:
                args = (kwargs.pop("inputs"),)
            else:
                raise TypeError(f"Layer {self.name!r} was called without inputs")
        inputs, rest = args[0], args[1:]
        flat = flatten(inputs)
        if any(isinstance(t, KerasTensor) for t in flat):
            return self._functional_call(inputs, rest, kwargs)
        if all(isinstance(t, sn.Variable) or hasattr(type(t), "__symnet_variable__") for t in flat):
            shapes = map_struct(lambda v: tuple(sn.graph.as_variable(v).type.shape), inputs)
            self._maybe_build(_shape_arg(shapes))
            assert_input_compatibility(self.input_spec, flatten_shapes(shapes), self.name)
            return self._symbolic_call(inputs, dict(kwargs), *rest)
        return self._eager_call(inputs, rest, kwargs)

    def _symbolic_call(self, inputs: Any, kwargs: dict, *rest: Any) -> Any:
        """Add this layer's ops to the current graph (inputs are symnet Variables)."""
        ctx = current_context()
        if self._call_has_training:
            if kwargs.get("training") is None:
                kwargs["training"] = ctx.training if ctx is not None else None
        else:
            kwargs.pop("training", None)
        previous_mask = kwargs.get("mask")
        if previous_mask is None:   # Keras 3: a mask travels with its tensor
            previous_mask = keras_mask_of(inputs)
            if previous_mask is not None and "mask" in self._call_params:
                kwargs["mask"] = previous_mask
        kwargs.pop("mask", None) if "mask" not in self._call_params else None
        with sn.name_scope(self.name):
            outputs = self.call(inputs, *rest, **kwargs)
            set_mask_metadata(self, inputs, outputs, previous_mask)
            if self.activity_regularizer is not None and ctx is not None:
                for o in flatten(outputs):
                    if isinstance(o, sn.Variable):
                        penalty = self.activity_regularizer(o)
                        ctx.losses.append(penalty)
                        ctx.loss_owners[id(penalty)] = self
        return outputs

    def _functional_call(self, inputs: Any, rest: tuple, kwargs: dict) -> Any:
        shapes = map_struct(lambda t: t.shape if isinstance(t, KerasTensor) else None, inputs)
        self._maybe_build(_shape_arg(shapes))
        assert_input_compatibility(self.input_spec, flatten_shapes(shapes), self.name)
        placeholders = map_struct(lambda t: sn.tensor(t.shape, dtype=t.dtype, name=t.name)
                                  if isinstance(t, KerasTensor) else t, inputs)
        tensor_args = {}       # KerasTensors after the first argument get placeholders too

        def arg_placeholder(t: Any) -> Any:
            if not isinstance(t, KerasTensor):
                return t
            if id(t) not in tensor_args:
                tensor_args[id(t)] = sn.tensor(t.shape, dtype=t.dtype, name=t.name)
            return tensor_args[id(t)]
        sym_rest = tuple(map_struct(arg_placeholder, r) for r in rest)
        sym_kwargs = {k: map_struct(arg_placeholder, v) for k, v in kwargs.items()}
        with call_context(False):
            sym_out = self._symbolic_call(placeholders, sym_kwargs, *sym_rest)
        outputs = map_struct(lambda v: KerasTensor(sn.graph.as_variable(v).type.shape,
                                                   sn.graph.as_variable(v).dtype), sym_out)
        for i, t in enumerate(flatten(outputs)):
            t.name = f"keras_tensor_{get_uid('keras_tensor')}"
        Node(self, inputs, {"rest": rest, **kwargs}, outputs)
        return outputs

    def _eager_call(self, inputs: Any, rest: tuple, kwargs: dict) -> Any:
        arrays = map_struct(lambda a: self._to_array(a), inputs)
        flat = flatten(arrays)
        shapes = map_struct(lambda a: (None,) + tuple(a.shape[1:]) if a.ndim else (), arrays)
        self._maybe_build(_shape_arg(shapes))
        assert_input_compatibility(self.input_spec, [tuple(a.shape) for a in flat], self.name)
        training = kwargs.pop("training", None)
        arg_arrays: list = []      # arrays passed after the first argument (masks, attention's value) are inputs too

        def lift(v: Any) -> Any:
            if isinstance(v, np.ndarray):
                arg_arrays.append(np.asarray(v))
                return _ArrayArg(len(arg_arrays) - 1)
            return v
        rest = tuple(map_struct(lift, r) for r in rest)
        kwargs = {k: map_struct(lift, v) for k, v in kwargs.items()}
        key = (tuple((a.shape[1:], str(a.dtype)) for a in flat), bool(training), repr(rest),
               repr(sorted(kwargs.items(), key=lambda kv: kv[0])),
               tuple((a.shape[1:], str(a.dtype)) for a in arg_arrays))
        entry = self._eager_cache.get(key)
        if entry is None:
            placeholders = [sn.tensor((None,) + tuple(a.shape[1:]) if a.ndim else (), dtype=str(a.dtype))
                            for a in flat]
            arg_placeholders = [sn.tensor((None,) + tuple(a.shape[1:]) if a.ndim else (), dtype=str(a.dtype))
                                for a in arg_arrays]

            def unlift(v: Any) -> Any:
                return arg_placeholders[v.index] if isinstance(v, _ArrayArg) else v
            sym_rest = tuple(map_struct(unlift, r) for r in rest)
            sym_kwargs = {k: map_struct(unlift, v) for k, v in kwargs.items()}
            sym_in = pack_like(arrays, placeholders)
            with call_context(bool(training)) as ctx:
                out = self._symbolic_call(sym_in, dict(sym_kwargs, training=training) if training is not None
                                          else dict(sym_kwargs), *sym_rest)
            out_flat = [sn.graph.as_variable(o) for o in flatten(out)]
            owners = [ctx.loss_owners.get(id(l), self) for l in ctx.losses]
            loss_outs = [sn.graph.as_variable(l) for l in ctx.losses]
            # state updates (BatchNormalization's moving statistics) apply on an eager call, as in Keras
            fn = sn.function(placeholders + arg_placeholders, out_flat + loss_outs, on_unused_input="ignore",
                             name=f"{self.name}_call", updates=list(ctx.updates))
            entry = self._eager_cache[key] = (fn, out, owners)
        fn, out_struct, owners = entry
        values = fn(*flat, *arg_arrays)
        n_out = len(values) - len(owners)
        results = [np.asarray(r).view(EagerTensor) for r in values[:n_out]]
        for layer in self._flatten_layers():            # each eager call replaces the losses of the last one
            layer.__dict__["_eager_losses"] = []
        for owner, v in zip(owners, values[n_out:]):
            owner.__dict__.setdefault("_eager_losses", []).append(np.asarray(v).view(EagerTensor))
        return pack_like(out_struct, results)

    def _to_array(self, a: Any) -> np.ndarray:
        arr = np.asarray(a)
        if arr.dtype.kind == "f" or arr.dtype == object or arr.dtype.kind == "b":
            arr = arr.astype(self.compute_dtype)
        return arr

    # -- masks (Keras 3) --------------------------------------------------------------------
    def compute_mask(self, inputs: Any, previous_mask: Any) -> Any:
        return previous_mask

    # -- config -------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": {"module": "keras", "class_name": "DTypePolicy",
                            "config": {"name": self.dtype}, "registered_name": None}}
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Layer":
        from ..saving.layer_config import layer_kwargs_from_config
        config = layer_kwargs_from_config(cls, config)
        try:
            return cls(**config)
        except Exception as e:
            raise TypeError(f"Error when deserializing class '{cls.__name__}' using config={config}.\n\n"
                            f"Exception encountered: {e}") from e

    def build_from_config(self, config: dict) -> None:
        """Build from get_build_config()'s dict (Keras's saving calls it before loading weights)."""
        from ..saving.serialization_lib import to_shape
        shape = to_shape(config.get("input_shape")) if config else None
        if shape is not None and not self.built:
            self._maybe_build(shape)

    def get_build_config(self) -> dict | None:
        if self._build_shapes is not None:
            return {"input_shape": self._build_shapes}
        return None

    # -- functional introspection ---------------------------------------------------------
    @property
    def input(self) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has never been called and thus has no defined input.")
        return self._inbound_nodes[0].call_args

    @property
    def output(self) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has never been called and thus has no defined output.")
        return self._inbound_nodes[0].outputs

    @property
    def input_shape(self) -> Any:
        return map_struct(lambda t: t.shape, self.input)

    @property
    def output_shape(self) -> Any:
        return map_struct(lambda t: t.shape, self.output)

    @property
    def path(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


class _ArrayArg:
    """Stands for the i-th array argument after the first in an eager call (for the cache key)."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __repr__(self) -> str:
        return f"<array argument {self.index}>"


def _shape_arg(shapes: Any) -> Any:
    """What build() receives: a tuple for one input, a list of tuples for several."""
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in shapes):
        return shapes
    if isinstance(shapes, (list, tuple)):
        return [_shape_arg(s) for s in shapes]
    if isinstance(shapes, dict):
        return {k: _shape_arg(v) for k, v in shapes.items()}
    return shapes


def flatten_shapes(shapes: Any) -> list:
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in shapes):
        return [shapes]
    if isinstance(shapes, (list, tuple)):
        return [s for e in shapes for s in flatten_shapes(e)]
    if isinstance(shapes, dict):
        return [s for k in sorted(shapes) for s in flatten_shapes(shapes[k])]
    return [shapes]


# ------------------------------------------------------------------------------------------
# Masks (Keras 3 semantics): a boolean (batch, time) mask rides on its symnet tensor's tag
# ------------------------------------------------------------------------------------------
def get_keras_mask(x: Any) -> Any:
    tag = getattr(x, "tag", None)
    return tag.get("keras_mask") if isinstance(tag, dict) else None


def set_keras_mask(x: Any, mask: Any) -> None:
    if isinstance(getattr(x, "tag", None), dict):
        x.tag["keras_mask"] = mask


def keras_mask_of(inputs: Any) -> Any:
    """The mask of a tensor, or the list of masks of a list (None when none has one)."""
    if isinstance(inputs, (list, tuple)):
        masks = [get_keras_mask(x) for x in inputs]
        return masks if any(m is not None for m in masks) else None
    return get_keras_mask(inputs)


def _supports_masking(layer: Layer) -> bool:
    return bool(layer.supports_masking) or type(layer).compute_mask is not Layer.compute_mask


def set_mask_metadata(layer: Layer, inputs: Any, outputs: Any, previous_mask: Any) -> None:
    """Attach compute_mask's result to the outputs (unless they all carry one already)."""
    flat_out = [o for o in flatten(outputs) if isinstance(o, sn.Variable)]
    if not flat_out:
        return
    if not _supports_masking(layer):
        if previous_mask is not None and any(m is not None for m in flatten(previous_mask)):
            warnings.warn(f"Layer '{layer.name}' (of type {type(layer).__name__}) was passed an input with a mask "
                          "attached to it. However, this layer does not support masking and will therefore destroy "
                          "the mask information. Downstream layers will not see the mask.", stacklevel=4)
        return
    if all(get_keras_mask(o) is not None for o in flat_out):
        return
    masks = layer.compute_mask(inputs, previous_mask)
    if masks is None:
        return
    for o, m in zip(flat_out, flatten(masks) if isinstance(masks, (list, tuple)) else [masks]):
        if m is not None and get_keras_mask(o) is None:
            set_keras_mask(o, m)
