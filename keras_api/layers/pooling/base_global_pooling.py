"""BaseGlobalPooling: GlobalMax/GlobalAveragePooling1D/2D/3D (Keras 3): a max / mean over every
spatial axis (keepdims keeps them as size 1). GlobalAveragePooling1D honours a mask (batch, steps)."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import InputSpec, Layer
from ..convolutional import _utils as U


class BaseGlobalPooling(Layer):
    reduce = "max"

    def __init__(self, pool_dimensions: int, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = U.standardize_data_format(data_format)
        self.keepdims = keepdims
        self.pool_dimensions = pool_dimensions
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self.built = True

    def _axes(self) -> tuple:
        start = 1 if self.data_format == "channels_last" else 2
        return tuple(range(start, start + self.pool_dimensions))

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        fn = sn.max if self.reduce == "max" else sn.mean
        return fn(x, axis=self._axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config
