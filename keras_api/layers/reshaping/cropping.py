"""Cropping1D/2D/3D's shared part: remove (before, after) entries from each spatial axis."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import InputSpec, Layer
from ..convolutional import _utils as U
from .zero_padding import normalize_pairs


class BaseCropping(Layer):
    rank = 1
    has_data_format = True

    def __init__(self, cropping: Any, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cropping = normalize_pairs(cropping, self.rank, "cropping")
        self.data_format = U.standardize_data_format(data_format) if self.has_data_format else "channels_last"
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _spatial_axes(self) -> list:
        start = 1 if self.data_format == "channels_last" else 2
        return list(range(start, start + self.rank))

    def build(self, input_shape: Any) -> None:
        for a, (lo, hi) in zip(self._spatial_axes(), self.cropping):
            n = input_shape[a]
            if n is not None and n - lo - hi <= 0:
                raise ValueError(f"`cropping` parameter of `{type(self).__name__}` layer must be smaller than the "
                                 f"input length. Received: input_shape={tuple(input_shape)}, "
                                 f"cropping={self.cropping}")
        self.built = True

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        idx = [slice(None)] * x.ndim
        for a, (lo, hi) in zip(self._spatial_axes(), self.cropping):
            idx[a] = slice(lo, -hi if hi else None)
        return x[tuple(idx)]

    def compute_output_shape(self, input_shape: Any) -> tuple:
        out = list(input_shape)
        for a, (lo, hi) in zip(self._spatial_axes(), self.cropping):
            out[a] = None if out[a] is None else out[a] - lo - hi
        return tuple(out)

    def get_config(self) -> dict:
        config = super().get_config()
        config["cropping"] = self.cropping[0] if self.rank == 1 else self.cropping
        if self.has_data_format:
            config["data_format"] = self.data_format
        return config
