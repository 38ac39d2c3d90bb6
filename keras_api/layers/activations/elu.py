"""ELU layer: x for x > 0, alpha * (exp(x) - 1) otherwise."""
from __future__ import annotations

from typing import Any

from ..base import Layer


class ELU(Layer):
    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any) -> Any:
        from ... import activations
        return activations.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        # Keras 3.15's base get_config adds the constructor arguments automatically (alpha)
        config = super().get_config()
        config["alpha"] = self.alpha
        return config
