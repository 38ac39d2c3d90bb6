"""BasePooling: MaxPooling1D/2D/3D and AveragePooling1D/2D/3D (Keras 3), on symnet's Pool op,
channels-first inside (the transposes cancel against neighbouring conv layers'). Keras's 'same'
pads (total // 2, rest) and never counts the padding: max ignores it, average divides by the
number of real inputs in the window (Pool mode 'average_exc_pad')."""
from __future__ import annotations

from typing import Any

import symnet as sn
from symnet.ops.pool import Pool

from ..base import InputSpec, Layer
from ..convolutional import _utils as U


class BasePooling(Layer):
    mode = "max"

    def __init__(self, pool_size: Any, strides: Any, pool_dimensions: int, pool_mode: str = "max",
                 padding: str = "valid", data_format: str | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.pool_size = U.standardize_tuple(pool_size, pool_dimensions, "pool_size")
        strides = pool_size if strides is None else strides
        self.strides = U.standardize_tuple(strides, pool_dimensions, "strides")
        self.pool_mode = pool_mode
        self.padding = U.standardize_padding(padding)
        self.data_format = U.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self.pool_dimensions = pool_dimensions
        self.built = True

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        x_cf = U.to_channels_first(x, self.data_format)
        spatial = x_cf.type.shape[2:]
        if self.padding == "valid":
            pads = tuple((0, 0) for _ in self.pool_size)
        else:
            pads = tuple(U.same_pads(n, k, s, 1, self.name) for n, k, s in zip(spatial, self.pool_size, self.strides))
        mode = "max" if self.pool_mode == "max" else "average_exc_pad"
        y = Pool(self.pool_size, self.strides, pads, True, mode)(x_cf)
        return U.to_data_format(y, self.data_format)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        spatial = U.spatial_dims(input_shape, self.data_format, self.pool_dimensions)
        out = []
        for n, k, s in zip(spatial, self.pool_size, self.strides):
            if n is None:
                out.append(None)
            elif self.padding == "valid":
                out.append((n - k) // s + 1)
            else:
                out.append((n - 1) // s + 1)
        out = tuple(out)
        if self.data_format == "channels_last":
            return (input_shape[0],) + out + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + out

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "padding": self.padding, "strides": self.strides,
                       "data_format": self.data_format})
        return config
