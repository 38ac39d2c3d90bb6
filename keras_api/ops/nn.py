"""keras.ops' neural-network functions (keras.ops.nn) over symnet, with Keras 3's names and defaults.

Activations reuse keras_api.activations, crossentropies the losses' elementwise helpers, so ops and
layers compute the same numbers. Convolution, pooling, RNN and attention ops are added here as symnet
gains them: one `_activation(...)` line or one small function each.
"""
from __future__ import annotations

from typing import Any, Callable

import symnet as sn

from .. import activations as _act
from ..losses import probabilistic as _prob
from .core import _float_input, as_tensor, keras_op, normalize_axis, standardize_dtype

__all__: list[str] = []


def _export(fn: Callable) -> Callable:
    globals()[fn.__name__] = fn
    __all__.append(fn.__name__)
    return fn


def _activation(name: str, impl: Callable[..., sn.Variable]) -> None:
    def op(x: Any) -> sn.Variable:
        return impl(_float_input(x))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"keras.ops.{name}(x)."
    _export(keras_op(op))


# -- activations: one line per op --------------------------------------------------------------
_activation("relu", sn.relu)
_activation("relu6", _act.relu6)
_activation("sigmoid", sn.sigmoid)
_activation("softplus", sn.softplus)
_activation("softsign", _act.softsign)
_activation("silu", _act.silu)
_activation("swish", _act.silu)
_activation("log_sigmoid", lambda x: -sn.softplus(-x))
_activation("hard_sigmoid", _act.hard_sigmoid)
_activation("hard_silu", _act.hard_silu)
_activation("hard_swish", _act.hard_silu)
_activation("selu", sn.selu)
_activation("mish", _act.mish)


@_export
@keras_op
def leaky_relu(x: Any, negative_slope: float = 0.2) -> sn.Variable:
    return _act.leaky_relu(_float_input(x), negative_slope)


@_export
@keras_op
def elu(x: Any, alpha: float = 1.0) -> sn.Variable:
    return sn.elu(_float_input(x), alpha)


@_export
@keras_op
def gelu(x: Any, approximate: bool = True) -> sn.Variable:
    """Keras 3's ops.gelu defaults to the tanh approximation (activations.gelu does not)."""
    return sn.gelu(_float_input(x), approximate)


@_export
@keras_op
def softmax(x: Any, axis: int = -1) -> sn.Variable:
    return sn.softmax(_float_input(x), axis=axis)


@_export
@keras_op
def log_softmax(x: Any, axis: int = -1) -> sn.Variable:
    return sn.log_softmax(_float_input(x), axis=axis)


@_export
@keras_op
def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None, sparse: bool = False) -> sn.Variable:
    if sparse:
        raise NotImplementedError("keras_api ops.one_hot(sparse=True): sparse tensors are not supported")
    return sn.one_hot(as_tensor(x), int(num_classes), dtype=standardize_dtype(dtype), axis=axis)


@_export
@keras_op
def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> sn.Variable:
    """Elementwise, not averaged (Keras's ops.binary_crossentropy; the loss averages the last axis)."""
    output = _float_input(output)
    return _prob._bce(as_tensor(target, output.dtype), output, from_logits)


@_export
@keras_op
def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1) -> sn.Variable:
    output = _float_input(output)
    target = as_tensor(target, output.dtype)
    if target.ndim != output.ndim:
        raise ValueError(f"Arguments `target` and `output` must have the same rank (ndim). Received: "
                         f"target.shape={target.type.shape}, output.shape={output.type.shape}")
    return -sn.sum(target * _prob._log_prob(output, from_logits, axis), axis=axis)


@_export
@keras_op
def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> sn.Variable:
    return _prob.sparse_categorical_crossentropy(target, _float_input(output), from_logits=from_logits, axis=axis)


@_export
@keras_op
def moments(x: Any, axes: Any, keepdims: bool = False, synchronized: bool = False) -> list:
    """[mean, variance] over `axes`."""
    v = _float_input(x)
    axes = normalize_axis(axes)
    mean = sn.mean(v, axis=axes, keepdims=True)
    variance = sn.mean(sn.square(v - mean), axis=axes, keepdims=keepdims)
    return [mean if keepdims else sn.squeeze(mean, axes), variance]


@_export
@keras_op
def normalize(x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None) -> sn.Variable:
    v = _float_input(x)
    if order != 2:
        raise NotImplementedError(f"keras_api ops.normalize: only order=2 is supported. Received: order={order}")
    eps = 1e-12 if epsilon is None else epsilon
    return v / sn.sqrt(sn.maximum(sn.sum(sn.square(v), axis=axis, keepdims=True), eps))
