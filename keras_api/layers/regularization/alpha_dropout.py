"""AlphaDropout (Keras 3): dropout that keeps SELU's self-normalising mean and variance: dropped
units are set to -alpha*scale, then the result is affinely corrected (a*x + b)."""
from __future__ import annotations

from typing import Any, Sequence

import symnet as sn

from ..base import Layer
from ._noise import check_rate, make_stream

_ALPHA = 1.6732632423543772848170429916717
_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    def __init__(self, rate: float, noise_shape: Sequence | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = check_rate(rate)
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed = seed
        self._stream = make_stream(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if not training or self.rate <= 0:
            return inputs
        x = sn.graph.as_variable(inputs)
        shape = x.shape
        if self.noise_shape is not None:
            shape = [shape[i] if d is None else int(d) for i, d in enumerate(self.noise_shape)]
        alpha_p = -_ALPHA * _SCALE
        rate = self.rate
        kept = sn.cast(self._stream.uniform(size=shape, dtype=x.dtype) >= rate, x.dtype)
        a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * rate
        y = x * kept + sn.constant(alpha_p, dtype=x.dtype) * (1 - kept)
        return sn.constant(a, dtype=x.dtype) * y + sn.constant(b, dtype=x.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape}
