"""Masking: time steps whose features all equal mask_value are masked (and zeroed)."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import Layer


class Masking(Layer):
    """Keras 3's Masking(mask_value=0.0)."""

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return sn.any(sn.neq(sn.graph.as_variable(inputs), self.mask_value), axis=-1)

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        keep = sn.any(sn.neq(x, self.mask_value), axis=-1, keepdims=True)
        out = sn.switch(keep, x, sn.zeros_like(x))
        out.tag["keras_mask"] = sn.any(sn.neq(x, self.mask_value), axis=-1)
        return out

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}
