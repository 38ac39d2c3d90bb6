"""Normalization: (x - mean) / max(sqrt(variance), 1e-7) per position of the kept `axis` (invert:
mean + x * max(sqrt(variance), 1e-7)); mean/variance given or learned by adapt() on NumPy data."""
from __future__ import annotations

from typing import Any

import numpy as np

import symnet as sn

from ..base import Layer

_EPSILON = 1e-7     # keras.backend.epsilon()


class Normalization(Layer):
    def __init__(self, axis: Any = -1, mean: Any = None, variance: Any = None, invert: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be set. Received: "
                             f"mean={mean} and variance={variance}")

    def build(self, input_shape: Any) -> None:
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). Received inputs with ndim={ndim}, "
                             f"while axis={self.axis}")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(f"All `axis` values to be kept must have a known shape. Received axis={self.axis}, "
                                 f"inputs.shape={tuple(input_shape)}, with unknown axis at index {d}")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [input_shape[d] if d in self._keep_axis else 1 for d in range(ndim)]
        shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=shape, initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=shape, initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64", initializer="zeros", trainable=False)
        self._build_shapes = tuple(input_shape)
        self.built = True

    def adapt(self, data: Any) -> None:
        """Mean and variance of the data over the non-kept axes (population variance)."""
        arr = np.asarray(data, dtype="float64")
        if not self.built:
            self._maybe_build((None,) + arr.shape[1:])
        if self.input_mean is not None:
            raise ValueError("Cannot adapt a Normalization layer whose mean and variance were given")
        mean = arr.mean(axis=self._reduce_axis)
        var = arr.var(axis=self._reduce_axis)
        self.adapt_mean.assign(mean.reshape(self.adapt_mean.shape))
        self.adapt_variance.assign(var.reshape(self.adapt_variance.shape))
        self.count.assign(np.asarray(int(np.prod([arr.shape[a] for a in self._reduce_axis])), "int64"))

    def _stats(self, dtype: str) -> tuple[Any, Any]:
        if self.input_mean is not None:
            mean = np.broadcast_to(np.asarray(self.input_mean, dtype=dtype).reshape(
                [s if s != 1 else 1 for s in np.shape(self.input_mean)] or []), ()) \
                if np.ndim(self.input_mean) == 0 else np.asarray(self.input_mean, dtype=dtype)
            var = np.asarray(self.input_variance, dtype=dtype)
            mean = self._expand(mean)
            var = self._expand(var)
            return sn.constant(mean), sn.constant(var)
        return (sn.reshape(sn.cast(self.adapt_mean.value, dtype), tuple(self._broadcast_shape)),
                sn.reshape(sn.cast(self.adapt_variance.value, dtype), tuple(self._broadcast_shape)))

    def _expand(self, v: np.ndarray) -> np.ndarray:
        ndim = len(self._broadcast_shape)
        shape = [1] * ndim
        for i in range(1, v.ndim + 1):
            shape[self._keep_axis[-i]] = v.shape[-i]
        return np.broadcast_to(v.reshape(shape), self._broadcast_shape).copy()

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        dtype = self.compute_dtype
        if x.dtype != dtype:
            x = sn.cast(x, dtype)
        mean, var = self._stats(dtype)
        std = sn.maximum(sn.sqrt(var), sn.constant(_EPSILON, dtype=dtype))
        return mean + x * std if self.invert else (x - mean) / std

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        listify = (lambda v: np.asarray(v).tolist() if v is not None else None)
        config.update({"axis": self.axis, "invert": self.invert, "mean": listify(self.input_mean),
                       "variance": listify(self.input_variance)})
        return config
