"""UnitNormalization: x * min(rsqrt(sum(x**2 over axis)), 1e12) (Keras's L2 normalize, epsilon 1e-12)."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import Layer


def l2_normalize(x: Any, axis: Any, epsilon: float) -> sn.Variable:
    x = sn.graph.as_variable(x)
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    square_sum = sn.sum(sn.square(x), axis=axis, keepdims=True)
    inv = sn.minimum(1.0 / sn.sqrt(square_sum), sn.constant(1.0 / epsilon, dtype=x.dtype))
    return x * inv


class UnitNormalization(Layer):
    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Invalid value for `axis` argument: expected an int or a list/tuple of ints. "
                            f"Received: axis={axis}")
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        axes = [self.axis] if isinstance(self.axis, int) else self.axis
        for a in axes:
            if a >= x.ndim or a < -x.ndim:
                raise ValueError(f"Axis {self.axis} is out of bounds for input shape {x.type.shape}.")
        return l2_normalize(x, self.axis, 1e-12)

    def compute_output_shape(self, input_shape: Any) -> Any:
        axes = [self.axis] if isinstance(self.axis, int) else self.axis
        for a in axes:
            if a >= len(input_shape) or a < -len(input_shape):
                raise ValueError(f"Axis {self.axis} is out of bounds for input shape {input_shape}.")
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config
