"""Rescaling: inputs * scale + offset (e.g. scale=1/255 for images)."""
from __future__ import annotations

from typing import Any

import numpy as np

import symnet as sn

from ..base import Layer


class Rescaling(Layer):
    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        if x.dtype != self.compute_dtype:
            x = sn.cast(x, self.compute_dtype)
        scale = sn.constant(np.asarray(self.scale, dtype=self.compute_dtype))
        offset = sn.constant(np.asarray(self.offset, dtype=self.compute_dtype))
        return x * scale + offset

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"scale": self.scale, "offset": self.offset})
        return config
