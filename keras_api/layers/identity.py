"""Identity: returns its input unchanged (a placeholder layer, e.g. in architectures with optional parts)."""
from __future__ import annotations

from typing import Any

from .base import Layer


class Identity(Layer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape
