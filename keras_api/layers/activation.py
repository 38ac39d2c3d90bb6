"""Activation: applies an activation function by name or callable."""
from __future__ import annotations

from typing import Any

from .base import Layer


class Activation(Layer):
    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from .. import activations
        self.activation = activations.get(activation)
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any) -> Any:
        return self.activation(inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        from .. import activations
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config
