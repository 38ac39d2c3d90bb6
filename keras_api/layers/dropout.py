"""Dropout: inverted dropout (kept units scaled by 1/(1-rate)) during training, identity otherwise."""
from __future__ import annotations

from typing import Any, Sequence

import symnet as sn

from .base import Layer


class Dropout(Layer):
    """Random draws come from a symnet RandomStream seeded from `seed` (or the global generator), so
    each compiled training step draws a fresh mask inside the compiled function."""

    def __init__(self, rate: float, noise_shape: Sequence | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             f"Received: rate={rate}")
        self.rate = float(rate)
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed = seed
        if seed is None:
            from ..random import global_rng
            seed = int(global_rng().integers(0, 2 ** 31 - 1))
        from symnet.random import RandomStream
        self._stream = RandomStream(int(seed))
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if not training or self.rate == 0:
            return inputs
        if self.rate >= 1:
            return inputs * 0
        x = sn.graph.as_variable(inputs)
        shape = x.shape
        if self.noise_shape is not None:
            shape = [shape[i] if d is None else int(d) for i, d in enumerate(self.noise_shape)]
        keep = 1.0 - self.rate
        u = self._stream.uniform(size=shape, dtype=x.dtype)
        mask = sn.cast(u < keep, x.dtype)
        return x * mask / sn.constant(keep, dtype=x.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config
