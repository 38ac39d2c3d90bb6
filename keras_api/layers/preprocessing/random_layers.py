"""Random augmentation layers, active only in training (fit, or a direct call with training=True, which
is Keras's default for a direct call); identity in predict/evaluate. Draws come from a counter-based
symnet RandomStream, so each compiled training step draws new ones."""
from __future__ import annotations

from typing import Any

import numpy as np

import symnet as sn

from ..base import Layer
from .image_ops import image_axes


class _RandomLayer(Layer):
    def __init__(self, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed = seed
        if seed is None:
            from ...random import global_rng
            seed = int(global_rng().integers(0, 2 ** 31 - 1))
        from symnet.random import RandomStream
        self._stream = RandomStream(int(seed))
        self.supports_masking = True
        self.built = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        first = args[0] if args else kwargs.get("inputs")
        if isinstance(first, (np.ndarray, list)) and "training" not in kwargs:
            kwargs["training"] = True           # Keras: a direct call augments
        return super().__call__(*args, **kwargs)

    def _per_sample_uniform(self, x: sn.Variable, low: float, high: float) -> sn.Variable:
        shape = [x.shape[0]] + [1] * (x.ndim - 1) if x.ndim == 4 else [1] * x.ndim
        return self._stream.uniform(size=shape, low=low, high=high, dtype=x.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


class RandomFlip(_RandomLayer):
    def __init__(self, mode: str = "horizontal_and_vertical", seed: int | None = None, data_format: Any = None,
                 **kwargs: Any) -> None:
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError(f"RandomFlip layer {kwargs.get('name')} received an unknown mode argument {mode}")
        super().__init__(seed=seed, **kwargs)
        self.mode = mode

    def call(self, inputs: Any, training: bool = True) -> Any:
        x = sn.graph.as_variable(inputs)
        if not training:
            return x
        h_axis, w_axis = image_axes(x)
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            flip = sn.le(self._per_sample_uniform(x, 0.0, 1.0), 0.5)
            idx = [slice(None)] * x.ndim
            idx[w_axis] = slice(None, None, -1)
            x = sn.where(flip, x[tuple(idx)], x)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            flip = sn.le(self._per_sample_uniform(x, 0.0, 1.0), 0.5)
            idx = [slice(None)] * x.ndim
            idx[h_axis] = slice(None, None, -1)
            x = sn.where(flip, x[tuple(idx)], x)
        return x

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"mode": self.mode, "seed": self.seed, "data_format": "channels_last"})
        return config


class RandomContrast(_RandomLayer):
    """Per image: (x - mean over H, W) * f + mean, f ~ U[1 - factor[0], 1 + factor[1]], clipped to
    value_range."""

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        # Keras 3.15's factor rule (bounds [0, 1]): a number f becomes (max(-f, 0), f) = (0, f), so the
        # contrast factor is drawn from [1 - 0, 1 + f]; a pair is sorted and used as (lower, upper).
        msg = ("The `factor` argument should be a number (or a list of two numbers) in the range [0, 1]. "
               f"Received: factor={factor}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > 1 or factor[1] < 0:
                raise ValueError(msg)
            lower, upper = sorted(factor)
        elif isinstance(factor, (int, float)):
            if factor < 0 or factor > 1:
                raise ValueError(msg)
            lower, upper = max(-abs(factor), 0), abs(factor)
        else:
            raise ValueError(msg)
        self.factor = (lower, upper)
        self.lower, self.upper = lower, upper
        self.value_range = tuple(value_range)

    def call(self, inputs: Any, training: bool = True) -> Any:
        x = sn.graph.as_variable(inputs)
        if x.dtype != self.compute_dtype:
            x = sn.cast(x, self.compute_dtype)
        if not training:
            return x
        h_axis, w_axis = image_axes(x)
        f = self._per_sample_uniform(x, 1.0 - self.lower, 1.0 + self.upper)
        mean = sn.mean(x, axis=(h_axis, w_axis), keepdims=True)
        out = (x - mean) * f + mean
        return sn.clip(out, float(self.value_range[0]), float(self.value_range[1]))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed,
                       "data_format": "channels_last"})
        return config
