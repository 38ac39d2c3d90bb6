"""CenterCrop: the central (height, width) window of each image."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import Layer


class CenterCrop(Layer):
    def __init__(self, height: int, width: int, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError("CenterCrop: only data_format='channels_last' is implemented in keras_api")
        self.height, self.width = height, width
        self.data_format = "channels_last"
        self.built = True

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        h, w = x.type.shape[-3], x.type.shape[-2]
        if h is None or w is None:
            raise ValueError(f"CenterCrop needs the input's height and width to be known; received shape "
                             f"{x.type.shape}")
        if h < self.height or w < self.width:
            raise NotImplementedError(f"CenterCrop: the input ({h}x{w}) is smaller than the target "
                                      f"({self.height}x{self.width}); Keras then resizes it up, which keras_api "
                                      "does not implement")
        top, left = (h - self.height) // 2, (w - self.width) // 2
        idx = (slice(None),) * (x.ndim - 3) + (slice(top, top + self.height), slice(left, left + self.width))
        out = x[idx]
        return sn.cast(out, self.compute_dtype) if out.dtype != self.compute_dtype else out

    def compute_output_shape(self, input_shape: Any) -> tuple:
        s = list(input_shape)
        s[-3], s[-2] = self.height, self.width
        return tuple(s)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "data_format": self.data_format})
        return config
