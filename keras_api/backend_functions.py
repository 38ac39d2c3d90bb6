"""Keras 2's backend functions (``from keras import backend as K``) with Keras 2's signatures.

Keras 3 dropped them; Theano-era programs are written in them, so keras_api keeps them. Each works
where keras.ops works (KerasTensors in functional models, symnet graphs in custom layers, losses and
metrics, NumPy arrays eagerly); variables are KerasVariables; `K.function` compiles a symnet
function. Re-exported by keras_api.backend.
"""
from __future__ import annotations

import builtins
from typing import Any, Callable, Sequence

import numpy as np

import symnet as sn

from . import ops
from .layers.base import KerasTensor, KerasVariable, current_context, unique_name
from .layers.base import flatten as _flatten_struct
from .ops.core import as_tensor, is_symbolic, keras_op, standardize_dtype, variables_stay_symbolic

# -- math: the same as keras.ops (Keras 2's argument names where they differ) ------------------------
mean, sum, prod, std, var, any, all = ops.mean, ops.sum, ops.prod, ops.std, ops.var, ops.any, ops.all
max, min = ops.max, ops.min
square, exp, log, abs, sign, round = ops.square, ops.exp, ops.log, ops.abs, ops.sign, ops.round
maximum, minimum, dot, stack, cast = ops.maximum, ops.minimum, ops.matmul, ops.stack, ops.cast
equal, not_equal, greater, greater_equal = ops.equal, ops.not_equal, ops.greater, ops.greater_equal
less, less_equal = ops.less, ops.less_equal
sigmoid, tanh, softplus, softsign, elu = ops.sigmoid, ops.tanh, ops.softplus, ops.softsign, ops.elu
sin, cos, log1p, expm1 = ops.sin, ops.cos, ops.log1p, ops.expm1
binary_crossentropy = ops.binary_crossentropy
categorical_crossentropy, sparse_categorical_crossentropy = ops.categorical_crossentropy, \
    ops.sparse_categorical_crossentropy
logsumexp = ops.logsumexp


def stop_gradient(variables: Any) -> Any:
    """A tensor, or a list of tensors, through which no gradient flows."""
    if isinstance(variables, (list, tuple)):
        return [ops.stop_gradient(v) for v in variables]
    return ops.stop_gradient(variables)


def ones_like(x: Any, dtype: Any = None, name: str | None = None) -> Any:
    return ops.ones_like(x, dtype=dtype)


def zeros_like(x: Any, dtype: Any = None, name: str | None = None) -> Any:
    return ops.zeros_like(x, dtype=dtype)


def argmax(x: Any, axis: int = -1) -> Any:
    return ops.argmax(x, axis=axis)


def argmin(x: Any, axis: int = -1) -> Any:
    return ops.argmin(x, axis=axis)


@keras_op
def sqrt(x: Any) -> sn.Variable:
    """Keras 2 clips negative inputs to 0 before the square root."""
    v = ops.core._float_input(x)
    return sn.sqrt(sn.clip(v, 0.0, np.inf))


@keras_op(name="pow")
def pow(x: Any, a: Any) -> sn.Variable:
    return sn.pow(as_tensor(x), a)


@keras_op
def clip(x: Any, min_value: Any, max_value: Any) -> sn.Variable:
    if max_value is not None and min_value is not None and \
            isinstance(max_value, (int, float)) and isinstance(min_value, (int, float)) and max_value < min_value:
        max_value = min_value
    return sn.clip(as_tensor(x), -np.inf if min_value is None else min_value, np.inf if max_value is None else max_value)


@keras_op
def softmax(x: Any, axis: int = -1) -> sn.Variable:
    return sn.softmax(ops.core._float_input(x), axis=axis)


@keras_op
def relu(x: Any, alpha: float = 0.0, max_value: float | None = None, threshold: float = 0.0) -> sn.Variable:
    from .activations import relu as _relu
    return _relu(ops.core._float_input(x), negative_slope=alpha, max_value=max_value, threshold=threshold)


@keras_op
def hard_sigmoid(x: Any) -> sn.Variable:
    """Keras 2's form clip(0.2 x + 0.5, 0, 1) (Keras 3's activation uses x / 6 + 0.5)."""
    return sn.clip(ops.core._float_input(x) * 0.2 + 0.5, 0.0, 1.0)


@keras_op
def l2_normalize(x: Any, axis: Any = None) -> sn.Variable:
    v = ops.core._float_input(x)
    return v / sn.sqrt(sn.maximum(sn.sum(sn.square(v), axis=axis, keepdims=True), 1e-12))


# -- shapes ------------------------------------------------------------------------------------------
def int_shape(x: Any) -> tuple | None:
    """The static shape as a tuple of ints and None."""
    if isinstance(x, (KerasTensor, KerasVariable)):
        return tuple(x.shape)
    if is_symbolic(x):
        return tuple(sn.graph.as_variable(x).type.shape)
    return tuple(np.shape(x))


def shape(x: Any) -> Any:
    """The shape as a (symbolic, for graph tensors) int vector."""
    if isinstance(x, KerasTensor):
        return ops.shape(x)
    if is_symbolic(x):
        return sn.shape(sn.graph.as_variable(x))
    return np.asarray(np.shape(x), dtype="int64")


def ndim(x: Any) -> int:
    return len(int_shape(x))


def dtype(x: Any) -> str:
    return ops.dtype(x)


def concatenate(tensors: Sequence[Any], axis: int = -1) -> Any:
    return ops.concatenate(list(tensors), axis=axis)


def reshape(x: Any, shape: Any) -> Any:
    return ops.reshape(x, shape)


def permute_dimensions(x: Any, pattern: Sequence[int]) -> Any:
    return ops.transpose(x, tuple(pattern))


def transpose(x: Any) -> Any:
    return ops.transpose(x)


def expand_dims(x: Any, axis: int = -1) -> Any:
    return ops.expand_dims(x, axis)


def squeeze(x: Any, axis: int) -> Any:
    return ops.squeeze(x, axis)


def flatten(x: Any) -> Any:
    return ops.reshape(x, (-1,))


@keras_op
def batch_flatten(x: Any) -> sn.Variable:
    return sn.flatten(as_tensor(x), 2)


def tile(x: Any, n: Any) -> Any:
    return ops.tile(x, n)


@keras_op(name="repeat")
def repeat(x: Any, n: int) -> sn.Variable:
    """(batch, dim) -> (batch, n, dim), as RepeatVector."""
    v = as_tensor(x)
    return sn.repeat(sn.expand_dims(v, 1), n, axis=1)


def repeat_elements(x: Any, rep: int, axis: int) -> Any:
    return ops.repeat(x, rep, axis=axis)


def one_hot(indices: Any, num_classes: int) -> Any:
    return ops.one_hot(indices, num_classes)


@keras_op
def gather(reference: Any, indices: Any) -> sn.Variable:
    return as_tensor(reference)[as_tensor(indices)]


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: str = "int32") -> Any:
    return ops.arange(start, stop, step, dtype=dtype)


@keras_op
def batch_dot(x: Any, y: Any, axes: Any = None) -> sn.Variable:
    """Keras 2's batchwise dot: sums x's axis axes[0] against y's axes[1], per sample (rank 2 or 3)."""
    x, y = as_tensor(x), as_tensor(y)
    if x.ndim < 2 or y.ndim < 2:
        raise ValueError(f"Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes "
                         f"{x.type.shape} and {y.type.shape}.")
    if x.ndim > 3 or y.ndim > 3:
        raise NotImplementedError(f"keras_api K.batch_dot supports inputs of rank 2 and 3; Received shapes "
                                  f"{x.type.shape} and {y.type.shape}")
    if axes is None:
        axes = [x.ndim - 1, y.ndim - 1 if y.ndim == 2 else y.ndim - 2]
    if isinstance(axes, int):
        axes = (axes, axes)
    ax, ay = [a % n for a, n in zip(axes, (x.ndim, y.ndim))]
    if ax == 0 or ay == 0:
        raise ValueError(f"Cannot perform batch_dot over axis 0 (the batch axis). Received: axes={axes}")
    if x.ndim == 3 and ax == 1:
        x = sn.transpose(x, (0, 2, 1))
    if y.ndim == 3 and ay == 2:
        y = sn.transpose(y, (0, 2, 1))
    x3 = sn.expand_dims(x, 1) if x.ndim == 2 else x
    y3 = sn.expand_dims(y, 2) if y.ndim == 2 else y
    out = sn.matmul(x3, y3)
    squeeze_axes = ([1] if x.ndim == 2 else []) + ([2] if y.ndim == 2 else [])
    if squeeze_axes:
        out = sn.squeeze(out, tuple(squeeze_axes))
    if out.ndim == 1:
        out = sn.expand_dims(out, 1)
    return out


# -- variables, constants, placeholders -----------------------------------------------------------------
def variable(value: Any, dtype: Any = None, name: str | None = None, constraint: Any = None) -> KerasVariable:
    """A trainable-style variable holding `value` (floatx unless `dtype` is given)."""
    arr = np.asarray(value.numpy() if isinstance(value, KerasVariable) else value)
    arr = arr.astype(standardize_dtype(dtype))          # Keras 2: dtype None means floatx
    name = name or unique_name("variable")
    var = KerasVariable(arr, name=name, path=name, constraint=constraint)
    return var


def constant(value: Any, dtype: Any = None, shape: Sequence[int] | None = None, name: str | None = None) -> np.ndarray:
    arr = np.asarray(value, dtype=standardize_dtype(dtype))
    if shape is not None:
        arr = np.broadcast_to(arr, tuple(shape)).copy()
    return ops.convert_to_tensor(arr)


def placeholder(shape: Sequence | None = None, ndim: int | None = None, dtype: Any = None, sparse: bool = False,
                name: str | None = None) -> sn.Variable:
    """A symbolic input for K.function (a symnet variable; shape entries may be None)."""
    if sparse:
        raise NotImplementedError("keras_api K.placeholder(sparse=True): sparse tensors are not supported")
    if shape is None:
        if ndim is None:
            raise ValueError("K.placeholder needs `shape` or `ndim`. Received: shape=None, ndim=None")
        shape = (None,) * int(ndim)
    return sn.tensor(tuple(shape), dtype=standardize_dtype(dtype), name=name)


def ones(shape: Sequence[int], dtype: Any = None, name: str | None = None) -> KerasVariable:
    return variable(np.ones(tuple(shape), standardize_dtype(dtype)), dtype=dtype, name=name)


def zeros(shape: Sequence[int], dtype: Any = None, name: str | None = None) -> KerasVariable:
    return variable(np.zeros(tuple(shape), standardize_dtype(dtype)), dtype=dtype, name=name)


def eye(size: int, dtype: Any = None, name: str | None = None) -> KerasVariable:
    return variable(np.eye(size, dtype=standardize_dtype(dtype)), dtype=dtype, name=name)


def get_value(x: Any) -> np.ndarray:
    if isinstance(x, KerasVariable):
        return x.numpy()
    if isinstance(x, sn.SharedVariable):
        return x.get_value()
    if isinstance(x, (KerasTensor, sn.Variable)):
        raise ValueError(f"K.get_value: {x!r} is symbolic, not a variable; use K.eval for constant expressions")
    return np.asarray(x)


def batch_get_value(xs: Sequence[Any]) -> list[np.ndarray]:
    return [get_value(x) for x in xs]


def set_value(x: Any, value: Any) -> None:
    if isinstance(x, KerasVariable):
        x.assign(np.asarray(value, dtype=x.dtype))
    elif isinstance(x, sn.SharedVariable):
        x.set_value(np.asarray(value, dtype=x.dtype))
    else:
        raise TypeError(f"K.set_value needs a variable. Received: {type(x).__name__}")


def batch_set_value(tuples: Sequence[tuple]) -> None:
    for x, value in tuples:
        set_value(x, value)


def eval(x: Any) -> np.ndarray:
    """The value of a variable or of an expression with no inputs."""
    if isinstance(x, (KerasVariable, sn.SharedVariable)):
        return get_value(x)
    if is_symbolic(x):
        return np.asarray(sn.function([], sn.graph.as_variable(x), mode="reference")())
    return np.asarray(x)


def count_params(x: Any) -> int:
    return int(np.prod(int_shape(x)))


def is_keras_tensor(x: Any) -> bool:
    return isinstance(x, KerasTensor)


# -- random ---------------------------------------------------------------------------------------------------
def _stream(seed: int | None) -> Any:
    from .random import global_rng
    return sn.random.RandomStream(int(global_rng().integers(0, 2 ** 31 - 1)) if seed is None else int(seed))


def random_normal(shape: Sequence[int], mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                  seed: int | None = None) -> sn.Variable:
    """A symbolic normal sample (fresh on every run of a compiled function; K.eval gives one draw)."""
    return _stream(seed).normal(tuple(shape), avg=mean, std=stddev, dtype=standardize_dtype(dtype))


def random_uniform(shape: Sequence[int], minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
                   seed: int | None = None) -> sn.Variable:
    return _stream(seed).uniform(tuple(shape), low=minval, high=maxval, dtype=standardize_dtype(dtype))


# -- learning phase, switch, function, gradients -------------------------------------------------------------
class _LearningPhase(int):
    """What K.learning_phase() returns: the current phase (0 test, 1 train); in K.function's inputs it marks
    the slot whose value picks the phase when the function is called."""


_learning_phase = 0


def learning_phase() -> int:
    ctx = current_context()
    if ctx is not None and ctx.training is not None:
        return _LearningPhase(int(bool(ctx.training)))
    return _LearningPhase(_learning_phase)


def set_learning_phase(value: int) -> None:
    global _learning_phase
    if value not in (0, 1):
        raise ValueError(f"Expected learning phase to be 0 or 1. Received: value={value!r}")
    _learning_phase = int(value)


def _value(x: Any) -> Any:
    return x() if callable(x) else x


def switch(condition: Any, then_expression: Any, else_expression: Any) -> Any:
    """Elementwise select for a tensor condition; a Python/NumPy boolean picks a branch."""
    if not (isinstance(condition, KerasTensor) or is_symbolic(condition)):
        return _value(then_expression) if bool(np.asarray(condition)) else _value(else_expression)
    return ops.where(condition, _value(then_expression), _value(else_expression))


def in_train_phase(x: Any, alt: Any, training: Any = None) -> Any:
    if training is None:
        training = learning_phase()
    if isinstance(training, (bool, int, np.bool_, np.integer)):
        return _value(x) if training else _value(alt)
    return switch(training, x, alt)


def in_test_phase(x: Any, alt: Any, training: Any = None) -> Any:
    return in_train_phase(alt, x, training=training)


def gradients(loss: Any, variables: Sequence[Any]) -> list:
    """Symbolic gradients of a scalar loss (Keras 2's K.gradients)."""
    vs = variables if isinstance(variables, (list, tuple)) else [variables]
    return sn.grad(sn.graph.as_variable(loss), [sn.graph.as_variable(v) for v in vs],
                   disconnected_inputs="ignore", return_disconnected="zero")


class Function:
    """What K.function returns: call it with a list of input values; it returns a list of arrays."""

    def __init__(self, inputs: Sequence[Any], outputs: Any, updates: Any = None, name: str | None = None) -> None:
        self.single = not isinstance(outputs, (list, tuple))
        self.inputs = list(inputs)
        self.outputs = [outputs] if self.single else list(outputs)
        self.updates = list(updates or [])
        self.name = name
        self._phase_slots = [i for i, v in enumerate(self.inputs) if isinstance(v, _LearningPhase)]
        self._compiled: dict[int, Any] = {}

    def _compile(self, phase: int) -> Any:
        from .layers.base import call_context
        from .models.functional import Functional
        tensor_inputs = [v for v in self.inputs if not isinstance(v, _LearningPhase)]
        placeholders: list = []
        kt_in = [v for v in tensor_inputs if isinstance(v, KerasTensor)]
        outs = list(self.outputs)
        if kt_in or builtins.any(isinstance(o, KerasTensor) for o in outs):
            if len(kt_in) != len(tensor_inputs):
                raise ValueError("K.function: mix KerasTensor inputs (model.input) with placeholders is not supported")
            kt_outs = [o for o in outs if isinstance(o, KerasTensor)]
            sub = Functional(kt_in, kt_outs)
            placeholders = [sn.tensor(t.shape, dtype=t.dtype, name=t.name) for t in kt_in]
            with call_context(bool(phase)):
                sym = _flatten_struct(sub.call(placeholders if len(placeholders) > 1 else placeholders[0],
                                       training=bool(phase)))
            it = iter(sym)
            outs = [sn.graph.as_variable(next(it)) if isinstance(o, KerasTensor) else sn.graph.as_variable(o)
                    for o in outs]
        else:
            placeholders = [sn.graph.as_variable(v) for v in tensor_inputs]
            outs = [sn.graph.as_variable(o) for o in outs]
        ups = [(sn.graph.as_variable(v), sn.cast(sn.graph.as_variable(e), sn.graph.as_variable(v).dtype))
               for v, e in (self.updates.items() if isinstance(self.updates, dict) else self.updates)]
        return sn.function(placeholders, outs, updates=ups, on_unused_input="ignore", name=self.name)

    def __call__(self, inputs: Sequence[Any]) -> Any:
        values = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(values) != len(self.inputs):
            raise ValueError(f"K.function expects {len(self.inputs)} input values (one per input). "
                             f"Received: {len(values)}")
        phase = int(values[self._phase_slots[0]]) if self._phase_slots else _learning_phase
        fn = self._compiled.get(phase)
        if fn is None:
            fn = self._compiled[phase] = self._compile(phase)
        arrays = [v for i, v in enumerate(values) if i not in self._phase_slots]
        out = fn(*arrays)
        return out[0] if self.single else list(out)


def function(inputs: Sequence[Any], outputs: Any, updates: Any = None, name: str | None = None,
             **kwargs: Any) -> Function:
    """Keras 2's K.function(inputs, outputs, updates=None)."""
    return Function(inputs, outputs, updates=updates, name=name)


def _keras2(fn: Callable) -> Callable:
    """Run fn with Keras 2 semantics: operations on variables stay symbolic."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with variables_stay_symbolic():
            return fn(*args, **kwargs)
    return wrapper


_NOT_OPS = {"int_shape", "ndim", "dtype", "variable", "constant", "placeholder", "ones", "zeros", "eye", "get_value",
            "batch_get_value", "set_value", "batch_set_value", "eval", "count_params", "is_keras_tensor",
            "learning_phase", "set_learning_phase", "function", "gradients"}
_NOT_OPS |= {"as_tensor", "is_symbolic", "keras_op", "standardize_dtype", "variables_stay_symbolic",
             "current_context", "unique_name"}
for _name, _fn in list(globals().items()):
    if (not _name.startswith("_") and _name not in _NOT_OPS and callable(_fn) and not isinstance(_fn, type)
            and getattr(_fn, "__module__", "").startswith("keras_api")):
        globals()[_name] = _keras2(_fn)

NAMES = sorted(n for n, v in dict(globals()).items() if not n.startswith("_") and callable(v)
               and n not in ("Any", "Callable", "Sequence", "KerasTensor", "KerasVariable", "Function",
                             "annotations", "current_context", "unique_name", "as_tensor", "is_symbolic",
                             "keras_op", "standardize_dtype", "variables_stay_symbolic"))
