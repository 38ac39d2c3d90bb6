"""Resizing: resample images to (height, width), bilinear or nearest (half-pixel centres)."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import Layer
from .image_ops import resize


class Resizing(Layer):
    def __init__(self, height: int, width: int, interpolation: str = "bilinear", crop_to_aspect_ratio: bool = False,
                 pad_to_aspect_ratio: bool = False, fill_mode: str = "constant", fill_value: float = 0.0,
                 antialias: bool = False, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if interpolation not in ("bilinear", "nearest"):
            raise NotImplementedError(f"Resizing: interpolation={interpolation!r} is not implemented in keras_api "
                                      "(bilinear and nearest are)")
        if crop_to_aspect_ratio or pad_to_aspect_ratio or antialias:
            raise NotImplementedError("Resizing: crop_to_aspect_ratio, pad_to_aspect_ratio and antialias are not "
                                      "implemented in keras_api")
        if data_format not in (None, "channels_last"):
            raise NotImplementedError("Resizing: only data_format='channels_last' is implemented in keras_api")
        self.height, self.width = height, width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode, self.fill_value = fill_mode, fill_value
        self.antialias = antialias
        self.data_format = "channels_last"
        self.built = True

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        if x.dtype != self.compute_dtype:
            x = sn.cast(x, self.compute_dtype)
        return resize(x, self.height, self.width, self.interpolation)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        s = list(input_shape)
        s[-3], s[-2] = self.height, self.width
        return tuple(s)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "interpolation": self.interpolation,
                       "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                       "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                       "fill_value": self.fill_value, "antialias": self.antialias, "data_format": self.data_format})
        return config
