"""A model's compile() arguments to and from config.json's ``compile_config`` (Keras 3)."""
from __future__ import annotations

import warnings
from typing import Any

from . import serialization_lib as sl


def get_compile_config(model: Any) -> dict | None:
    config = getattr(model, "_compile_config", None)
    if not getattr(model, "compiled", False) or config is None:
        return None
    return sl.serialize_dict(config)


def compile_from_config(model: Any, config: dict) -> None:
    """Re-run compile() with the deserialized arguments and build the optimizer's variables, so that
    the optimizer state in the weights file has somewhere to go."""
    from ..trainers.trainer import Trainer
    if type(model).compile is not Trainer.compile:
        warnings.warn("`compile()` was not called as part of model loading because the model's `compile()` method "
                      "is custom. All subclassed Models that have `compile()` overridden should also override "
                      "`get_compile_config()` and `compile_from_config(config)`. Alternatively, you can call "
                      "`compile()` manually after loading.", stacklevel=2)
        return
    config = sl.deserialize_keras_object(config)
    config.pop("auto_scale_loss", None)
    model.compile(**config)
    build_optimizer(model)


def build_optimizer(model: Any) -> None:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(model, "built", False) and not optimizer.built:
        optimizer.build([w.value for w in model.trainable_weights])
