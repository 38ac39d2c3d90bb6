"""Keras 3 activations as functions of symnet variables, with Keras's names and defaults."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

import symnet as sn
from symnet.graph import as_variable

from ._names import lookup


def relu(x: Any, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0) -> sn.Variable:
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return sn.relu(x)
    x = as_variable(x)
    if threshold != 0.0:
        y = sn.switch(sn.gt(x, threshold), x, sn.zeros_like(x))
    else:
        y = sn.relu(x)
    if max_value is not None:
        y = sn.minimum(y, max_value)
    if negative_slope != 0.0:
        y = y + negative_slope * sn.switch(sn.lt(x, threshold), x - threshold, sn.zeros_like(x))
    return y


def leaky_relu(x: Any, negative_slope: float = 0.2) -> sn.Variable:
    return sn.switch(sn.ge(x, 0), x, x * negative_slope)


def relu6(x: Any) -> sn.Variable:
    return sn.clip(x, 0.0, 6.0)


def elu(x: Any, alpha: float = 1.0) -> sn.Variable:
    return sn.elu(x, alpha)


def selu(x: Any) -> sn.Variable:
    return sn.selu(x)


def softplus(x: Any) -> sn.Variable:
    return sn.softplus(x)


def softsign(x: Any) -> sn.Variable:
    return x / (1.0 + sn.abs(x))


def silu(x: Any) -> sn.Variable:
    return x * sn.sigmoid(x)


swish = silu


def gelu(x: Any, approximate: bool = False) -> sn.Variable:
    return sn.gelu(x, approximate)


def tanh(x: Any) -> sn.Variable:
    return sn.tanh(x)


def sigmoid(x: Any) -> sn.Variable:
    return sn.sigmoid(x)


def exponential(x: Any) -> sn.Variable:
    return sn.exp(x)


def hard_sigmoid(x: Any) -> sn.Variable:
    """Keras 3's form relu6(x + 3) / 6 (Keras 2 used 0.2x + 0.5)."""
    return sn.clip(x * (1.0 / 6.0) + 0.5, 0.0, 1.0)


def hard_silu(x: Any) -> sn.Variable:
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def mish(x: Any) -> sn.Variable:
    return x * sn.tanh(sn.softplus(x))


def linear(x: Any) -> Any:
    return x


def softmax(x: Any, axis: int = -1) -> sn.Variable:
    return sn.softmax(x, axis=axis)


def log_softmax(x: Any, axis: int = -1) -> sn.Variable:
    return sn.log_softmax(x, axis=axis)


_ALL: dict[str, Callable] = {f.__name__: f for f in (
    relu, leaky_relu, relu6, elu, selu, softplus, softsign, silu, gelu, tanh, sigmoid, exponential,
    hard_sigmoid, hard_silu, mish, linear, softmax, log_softmax)}
_ALL["swish"] = silu
_ALL["hard_swish"] = hard_silu


def get(identifier: Any) -> Callable:
    """None/'linear' -> identity; a name -> the function; a callable passes through."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier not in _ALL and identifier.lower() not in _ALL:
            from .saving.object_registration import get_registered_object
            custom = get_registered_object(identifier)      # custom_object_scope / registered functions
            if callable(custom):
                return custom
        return lookup("activation function", identifier, _ALL)
    if isinstance(identifier, dict):
        if identifier.get("class_name") == "function" or "module" in identifier:
            from .saving.serialization_lib import deserialize_keras_object
            return deserialize_keras_object(identifier)
        return get(identifier.get("config", identifier).get("name", identifier.get("class_name")))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")


def serialize(activation: Callable) -> str:
    for name, fn in _ALL.items():
        if fn is activation:
            return fn.__name__
    name = getattr(activation, "__name__", None)
    if name is None:
        raise ValueError(f"cannot serialize activation {activation!r}: it has no name")
    return name


def deserialize(name: Any) -> Callable:
    return get(name)
