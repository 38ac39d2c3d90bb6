"""ActivityRegularization: identity whose output adds l1 * sum(|x|) + l2 * sum(x**2) to the losses."""
from __future__ import annotations

from typing import Any

from .base import Layer


class ActivityRegularization(Layer):
    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        from .. import regularizers
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2
        self.built = True

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        config.update({"l1": self.l1, "l2": self.l2})
        return config
