"""GaussianNoise (Keras 3): x + N(0, stddev) while training, identity otherwise."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import Layer
from ._noise import make_stream


class GaussianNoise(Layer):
    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(stddev, (int, float)) or isinstance(stddev, bool) or stddev < 0:
            raise ValueError(f"Invalid value received for argument `stddev`. Expected a float value greater than 0. "
                             f"Received: stddev={stddev}")
        self.stddev = float(stddev)
        self.seed = seed
        self._stream = make_stream(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if not training or self.stddev == 0:
            return inputs
        x = sn.graph.as_variable(inputs)
        return x + self._stream.normal(size=x.shape, avg=0.0, std=self.stddev, dtype=x.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


