"""Keras 3 weight constraints: callables from a weight's new value to its projected value,
applied by the optimizer after each update."""
from __future__ import annotations

from typing import Any

import symnet as sn

from . import backend
from ._names import lookup


class Constraint:
    def __call__(self, w: sn.Variable) -> sn.Variable:
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Constraint":
        return cls(**config)


def _norms(w: Any, axis: Any) -> sn.Variable:
    return sn.sqrt(sn.sum(sn.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """w * clip(norm, 0, max_value) / (epsilon + norm), norms along `axis`."""

    def __init__(self, max_value: float = 2, axis: Any = 0) -> None:
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = sn.clip(norms, 0.0, float(self.max_value))
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """w * (w >= 0)."""

    def __call__(self, w):
        return w * sn.cast(sn.ge(w, 0.0), w.dtype)


class UnitNorm(Constraint):
    """w / (epsilon + norm), norms along `axis`."""

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w):
        return w / (backend.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """w * (rate * clip(norm, min, max) + (1 - rate) * norm) / (epsilon + norm)."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Any = 0) -> None:
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = self.rate * sn.clip(norms, float(self.min_value), float(self.max_value)) + (1.0 - self.rate) * norms
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
ALL_OBJECTS: dict[str, type] = {"MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm,
                                "MinMaxNorm": MinMaxNorm, "max_norm": MaxNorm, "non_neg": NonNeg,
                                "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm}


def serialize(c: Constraint) -> dict:
    from .saving import serialization_lib
    return serialization_lib.serialize_keras_object(c)


def deserialize(config: dict, custom_objects: dict | None = None) -> Constraint:
    from .saving import serialization_lib
    return serialization_lib.deserialize_keras_object(config, module_objects=ALL_OBJECTS, custom_objects=custom_objects,
                                                      printable_module_name="constraint")


def get(identifier: Any) -> Any:
    if identifier is None:
        return None
    if isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, str):
        return lookup("constraint", identifier, ALL_OBJECTS)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")
