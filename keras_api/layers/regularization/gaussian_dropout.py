"""GaussianDropout (Keras 3): x * N(1, sqrt(rate / (1 - rate))) while training."""
from __future__ import annotations

import math
from typing import Any

import symnet as sn

from ..base import Layer
from ._noise import check_rate, make_stream


class GaussianDropout(Layer):
    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = check_rate(rate)
        self.seed = seed
        self._stream = make_stream(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if not training or not 0 < self.rate < 1:
            return inputs
        x = sn.graph.as_variable(inputs)
        std = math.sqrt(self.rate / (1.0 - self.rate))
        return x * self._stream.normal(size=x.shape, avg=1.0, std=std, dtype=x.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
