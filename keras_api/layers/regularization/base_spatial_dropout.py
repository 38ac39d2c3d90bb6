"""BaseSpatialDropout: SpatialDropout1D/2D/3D (Keras 3): Dropout with one mask value per
(sample, channel), shared over the spatial axes."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import InputSpec, Layer
from ..convolutional import _utils as U
from ._noise import check_rate, make_stream


class BaseSpatialDropout(Layer):
    spatial_rank = 1
    has_data_format = True

    def __init__(self, rate: float, seed: int | None = None, name: str | None = None, dtype: Any = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.rate = check_rate(rate)
        self.seed = seed
        self._stream = make_stream(seed)
        self.data_format = U.standardize_data_format(data_format) if self.has_data_format else "channels_last"
        self.input_spec = InputSpec(ndim=self.spatial_rank + 2)
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if not training or self.rate == 0:
            return inputs
        x = sn.graph.as_variable(inputs)
        s = x.shape
        if self.data_format == "channels_last":
            shape = [s[0]] + [1] * self.spatial_rank + [s[x.ndim - 1]]
        else:
            shape = [s[0], s[1]] + [1] * self.spatial_rank
        keep = 1.0 - self.rate
        if keep <= 0:
            return x * 0
        mask = sn.cast(self._stream.uniform(size=shape, dtype=x.dtype) < keep, x.dtype)
        return x * mask / sn.constant(keep, dtype=x.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = {"name": self.name, "rate": self.rate, "seed": self.seed, "dtype": self.dtype}
        if self.has_data_format:
            config["data_format"] = self.data_format
        return config
