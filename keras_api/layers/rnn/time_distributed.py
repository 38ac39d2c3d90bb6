"""TimeDistributed: one layer applied to every time step (the time axis folded into the batch)."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import Layer


class TimeDistributed(Layer):
    """Keras 3's TimeDistributed(layer): inputs (batch, time, ...) -> layer on (batch*time, ...)."""

    def __init__(self, layer: Any, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer}")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def _sublayers(self) -> list:
        return [self.layer]

    def build(self, input_shape: Any) -> None:
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                             f"dimensions, received: {input_shape}")
        child = (None,) + tuple(input_shape[2:])
        if not self.layer.built:
            self.layer._maybe_build(child)
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        child = self.layer.compute_output_shape((input_shape[0],) + tuple(input_shape[2:]))
        return (child[0], input_shape[1]) + tuple(child[1:])

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        x = sn.graph.as_variable(inputs)
        from ._common import dim
        b, t = dim(x, 0), dim(x, 1)
        rest = [dim(x, i) for i in range(2, x.ndim)]
        folded = sn.reshape(x, [b * t] + rest, ndim=x.ndim - 1)
        kwargs = {}
        if self.layer._call_has_training:
            kwargs["training"] = training
        y = sn.graph.as_variable(self.layer(folded, **kwargs))
        return sn.reshape(y, [b, t] + [dim(y, i) for i in range(1, y.ndim)], ndim=y.ndim + 1)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "layer": {"module": "keras.layers", "class_name": type(self.layer).__name__,
                          "config": self.layer.get_config(), "registered_name": None}}
