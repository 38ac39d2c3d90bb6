"""Keras 3 optimizers (Keras's update rules, defaults and variable order) and ``get``."""
from __future__ import annotations

from typing import Any

from .._names import lookup
from . import schedules  # noqa: F401
from .optimizer import Optimizer
from .sgd import SGD
from .rmsprop import RMSprop
from .adam import Adam, AdamW
from .adagrad import Adagrad
from .adadelta import Adadelta
from .adamax import Adamax
from .nadam import Nadam
from .ftrl import Ftrl

ALL_OBJECTS: dict[str, type] = {}
for _c in (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, Ftrl):
    ALL_OBJECTS[_c.__name__] = _c
    ALL_OBJECTS[_c.__name__.lower()] = _c


def serialize(optimizer: Optimizer) -> dict:
    from ..saving import serialization_lib
    return serialization_lib.serialize_keras_object(optimizer)


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    from ..saving import serialization_lib
    return serialization_lib.deserialize_keras_object(config, module_objects=ALL_OBJECTS, custom_objects=custom_objects,
                                                      printable_module_name="optimizer")


def get(identifier: Any) -> Optimizer:
    """'adam' -> Adam() with Keras's defaults; an Optimizer passes through; a config dict deserializes."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return lookup("optimizer", identifier, ALL_OBJECTS)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
