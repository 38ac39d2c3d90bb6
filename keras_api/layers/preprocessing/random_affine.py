"""RandomTranslation, RandomZoom and RandomRotation: per-image random affine resampling in training
(identity otherwise), with Keras's arguments (fill_mode="reflect", interpolation="bilinear")."""
from __future__ import annotations

import math
from typing import Any

import symnet as sn

from .affine import factor_pair, grid, sample
from .random_layers import _RandomLayer


class _RandomAffine(_RandomLayer):
    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, data_format: Any = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError(f"{type(self).__name__}: only data_format='channels_last' is implemented")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value

    def _draw(self, x: sn.Variable, lo: float, hi: float) -> sn.Variable:
        return self._stream.uniform(size=[x.shape[0], 1, 1], low=lo, high=hi, dtype=x.dtype)

    def call(self, inputs: Any, training: bool = True) -> Any:
        x = sn.graph.as_variable(inputs)
        if x.dtype != self.compute_dtype:
            x = sn.cast(x, self.compute_dtype)
        if not training:
            return x
        single = x.ndim == 3
        if single:
            x = sn.expand_dims(x, 0)
        h, w = x.type.shape[1], x.type.shape[2]
        xs, ys = grid(h, w, x.dtype)
        x_in, y_in = self._source(x, xs, ys, h, w)
        out = sample(x, x_in, y_in, self.interpolation, self.fill_mode, self.fill_value)
        return out[0] if single else out

    def _base_config(self) -> dict:
        return {"fill_mode": self.fill_mode, "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value, "data_format": "channels_last"}


class RandomTranslation(_RandomAffine):
    """Shift by dy ~ U(height_factor) * H, dx ~ U(width_factor) * W: output(x, y) = input(x - dx, y - dy)."""

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: Any = None, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._h = factor_pair(height_factor, "height_factor")
        self._w = factor_pair(width_factor, "width_factor")

    def _source(self, x, xs, ys, h, w):
        dy = self._draw(x, *self._h) * h
        dx = self._draw(x, *self._w) * w
        return xs - dx, ys - dy

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor,
                       **self._base_config()})
        return config


class RandomZoom(_RandomAffine):
    """Zoom about the centre: factor f ~ U(height_factor) (width: U(width_factor), or the same f when
    width_factor is None); f > 0 zooms out. output(x, y) = input(cx + (1 + fx)(x - cx), ...)."""

    def __init__(self, height_factor: Any, width_factor: Any = None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: Any = None, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._h = factor_pair(height_factor, "height_factor")
        self._w = factor_pair(width_factor, "width_factor") if width_factor is not None else None

    def _source(self, x, xs, ys, h, w):
        fy = self._draw(x, *self._h)
        fx = self._draw(x, *self._w) if self._w is not None else fy
        cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
        return cx + (1.0 + fx) * (xs - cx), cy + (1.0 + fy) * (ys - cy)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor,
                       **self._base_config()})
        return config


class RandomRotation(_RandomAffine):
    """Rotate about the centre by an angle ~ U(factor) * 2 pi (counter-clockwise for positive values)."""

    def __init__(self, factor: Any, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, value_range: Any = (0, 255),
                 data_format: Any = None, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = factor
        self.value_range = value_range
        self._f = factor_pair(factor, "factor")

    def _source(self, x, xs, ys, h, w):
        angle = self._draw(x, *self._f) * (2 * math.pi)
        cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
        c, s = sn.cos(angle), sn.sin(angle)
        dx, dy = xs - cx, ys - cy
        return cx + c * dx - s * dy, cy + s * dx + c * dy

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, **self._base_config()})
        return config
