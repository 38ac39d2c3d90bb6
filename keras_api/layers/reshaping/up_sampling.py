"""UpSampling1D/2D/3D's shared part: nearest-neighbour repetition along each spatial axis."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import InputSpec, Layer
from ..convolutional import _utils as U


class BaseUpSampling(Layer):
    rank = 1
    has_data_format = True

    def __init__(self, size: Any, data_format: str | None = None, interpolation: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.size = U.standardize_tuple(size, self.rank, "size")
        self.data_format = U.standardize_data_format(data_format) if self.has_data_format else "channels_last"
        if interpolation is not None and interpolation != "nearest":
            raise NotImplementedError(f"keras_api.layers.{type(self).__name__}: interpolation={interpolation!r} is "
                                      "not supported (only 'nearest')")
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def _spatial_axes(self) -> list:
        start = 1 if self.data_format == "channels_last" else 2
        return list(range(start, start + self.rank))

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        for a, s in zip(self._spatial_axes(), self.size):
            if s != 1:
                x = sn.repeat(x, s, axis=a)
        return x

    def compute_output_shape(self, input_shape: Any) -> tuple:
        out = list(input_shape)
        for a, s in zip(self._spatial_axes(), self.size):
            out[a] = None if out[a] is None else out[a] * s
        return tuple(out)

    def get_config(self) -> dict:
        return super().get_config()
