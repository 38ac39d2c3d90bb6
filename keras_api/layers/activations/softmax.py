"""Softmax layer over one axis or several, with an optional mask (masked positions get 0)."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import Layer


def large_negative_number(dtype: str) -> float:
    """Keras's Softmax fill for masked positions: -1e9 (-3e4 in float16)."""
    return -3e4 if dtype == "float16" else -1e9


def masked_softmax(x: Any, axis: Any, mask: Any = None) -> Any:
    """Keras's Softmax.call: masked inputs become -1e9, the softmax runs over `axis` (an int or a
    tuple of axes), masked outputs become 0."""
    x = sn.graph.as_variable(x)
    if mask is not None:
        mask = sn.graph.as_variable(mask)
        if mask.ndim > x.ndim:
            raise ValueError("The `mask` must be broadcastable to `inputs` and must not have more dimensions. "
                             f"Received: inputs.shape={x.type.shape}, mask.shape={mask.type.shape}")
        for m, i in zip(mask.type.shape[::-1], x.type.shape[::-1]):
            if m is not None and i is not None and m != 1 and m != i:
                raise ValueError("The `mask` must be broadcastable to `inputs`. Each mask dimension must be 1 or "
                                 "match the corresponding input dimension. Received: "
                                 f"inputs.shape={x.type.shape}, mask.shape={mask.type.shape}")
        if mask.dtype != "bool":
            mask = sn.gt(mask, 0.5)
        x = sn.where(mask, x, sn.constant(large_negative_number(x.dtype), dtype=x.dtype))
    if isinstance(axis, (tuple, list)):
        if len(axis) > 1:
            out = sn.exp(x - sn.logsumexp(x, axis=tuple(axis), keepdims=True))
        else:
            out = sn.softmax(x, axis=axis[0])
    else:
        out = sn.softmax(x, axis=axis)
    if mask is not None:
        out = sn.where(mask, out, sn.constant(0.0, dtype=out.dtype))
    return out


class Softmax(Layer):
    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any, mask: Any = None) -> Any:
        return masked_softmax(inputs, self.axis, mask)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config
