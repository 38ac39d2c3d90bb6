"""ZeroPadding1D/2D/3D's shared part: padding argument handling (Keras's forms: an int, one int
per axis, or a (before, after) pair per axis) and the pad itself on the spatial axes."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import InputSpec, Layer
from ..convolutional import _utils as U


def normalize_pairs(value: Any, rank: int, name: str) -> tuple:
    """int -> ((v, v),)*rank; rank ints -> ((a, a), ...); rank pairs -> as given (1-d: a pair is (lo, hi))."""
    if isinstance(value, int) and not isinstance(value, bool):
        return ((value, value),) * rank
    value = tuple(value)
    if rank == 1:
        if len(value) == 2 and all(isinstance(v, int) for v in value):
            return (tuple(value),)
        raise ValueError(f"`{name}` should be either an int, a tuple of 2 ints. Received: {name}={value}")
    if len(value) != rank:
        raise ValueError(f"`{name}` should have {rank} elements. Received: {name}={value}.")
    out = []
    for v in value:
        if isinstance(v, int) and not isinstance(v, bool):
            out.append((v, v))
        else:
            v = tuple(v)
            if len(v) != 2:
                raise ValueError(f"`{name}` should be a tuple of {rank} ints or {rank} tuples of 2 ints. "
                                 f"Received: {name}={value}")
            out.append(v)
    for lo, hi in out:
        if lo < 0 or hi < 0:
            raise ValueError(f"`{name}` cannot contain negative values. Received: {name}={value}")
    return tuple(out)


class BaseZeroPadding(Layer):
    rank = 1

    def __init__(self, padding: Any, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.padding = normalize_pairs(padding, self.rank, "padding")
        self.data_format = U.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def _spatial_axes(self) -> list:
        start = 1 if self.data_format == "channels_last" else 2
        return list(range(start, start + self.rank))

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        pairs = [(0, 0)] * x.ndim
        for a, p in zip(self._spatial_axes(), self.padding):
            pairs[a] = p
        return sn.pad(x, pairs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        out = list(input_shape)
        for a, (lo, hi) in zip(self._spatial_axes(), self.padding):
            out[a] = None if out[a] is None else out[a] + lo + hi
        return tuple(out)

    def get_config(self) -> dict:
        padding = self.padding[0] if self.rank == 1 else self.padding
        return {**super().get_config(), "padding": padding, "data_format": self.data_format}
