"""Keras 3 weight regularizers: callables from a weight variable to a symbolic scalar penalty."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ._names import lookup


class Regularizer:
    def __call__(self, x: sn.Variable) -> sn.Variable:
        return 0.0

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Regularizer":
        return cls(**config)


class L1(Regularizer):
    """l1 * sum(|x|)."""

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = float(l1)

    def __call__(self, x):
        return self.l1 * sn.sum(sn.abs(x))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """l2 * sum(x**2) (no factor 1/2, as Keras)."""

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = float(l2)

    def __call__(self, x):
        return self.l2 * sn.sum(sn.square(x))

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x**2); both default to 0.0 as in Keras 3."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        out = 0.0
        if self.l1:
            out = out + self.l1 * sn.sum(sn.abs(x))
        if self.l2:
            out = out + self.l2 * sn.sum(sn.square(x))
        if isinstance(out, float):
            return sn.constant(0.0)
        return out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


def l1(l1: float = 0.01) -> L1:  # noqa: D103  (Keras 2 function spellings)
    return L1(l1)


def l2(l2: float = 0.01) -> L2:  # noqa: D103
    return L2(l2)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """Keras 2's l1_l2 function had 0.01 defaults (the L1L2 class has 0.0)."""
    return L1L2(l1, l2)


ALL_OBJECTS: dict[str, type] = {"L1": L1, "L2": L2, "L1L2": L1L2, "l1": L1, "l2": L2, "l1_l2": L1L2}


def serialize(reg: Regularizer) -> dict:
    from .saving import serialization_lib
    return serialization_lib.serialize_keras_object(reg)


def deserialize(config: dict, custom_objects: dict | None = None) -> Regularizer:
    from .saving import serialization_lib
    return serialization_lib.deserialize_keras_object(config, module_objects=ALL_OBJECTS, custom_objects=custom_objects,
                                                      printable_module_name="regularizer")


def get(identifier: Any) -> Any:
    if identifier is None:
        return None
    if isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        return lookup("regularizer", identifier, ALL_OBJECTS)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")
