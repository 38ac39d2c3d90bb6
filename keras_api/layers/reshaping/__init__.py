"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector (the batch axis is never touched)."""
from __future__ import annotations

import math
from typing import Any, Sequence

import symnet as sn

from ..base import InputSpec, Layer


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1*d2*...)."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"
        self.input_spec = InputSpec(min_ndim=1)
        self.built = True

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        if x.ndim == 1:
            return sn.expand_dims(x, 1)
        if self.data_format == "channels_first" and x.ndim > 2:
            x = x.dimshuffle([0] + list(range(2, x.ndim)) + [1])
        rest = x.type.shape[1:]
        if all(d is not None for d in rest):
            return sn.reshape(x, (-1, math.prod(rest)))
        return sn.flatten(x, 2)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        rest = input_shape[1:]
        return (input_shape[0], math.prod(rest) if all(d is not None for d in rest) else None)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshape everything but the batch axis to `target_shape` (one entry may be -1)."""

    def __init__(self, target_shape: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1:
            raise ValueError(f"There can only be one unknown dimension in `target_shape`, got {self.target_shape}")
        self.built = True

    def _resolved(self, input_shape: Sequence) -> tuple:
        target = self.target_shape
        if -1 not in target:
            return target
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return target
        total, known = math.prod(rest), math.prod(d for d in target if d != -1)
        if known == 0 or total % known:
            raise ValueError(f"Layer {self.name!r}: total size of the input {tuple(input_shape)} cannot be reshaped "
                             f"to {target}")
        return tuple(total // known if d == -1 else d for d in target)

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        target = self._resolved(x.type.shape)
        rest = x.type.shape[1:]
        if -1 not in target:
            if all(d is not None for d in rest) and math.prod(rest) != math.prod(target):
                raise ValueError(f"Layer {self.name!r}: the input of shape {tuple(x.type.shape)} has "
                                 f"{math.prod(rest)} values per sample and cannot be reshaped to {target}")
            return sn.reshape(x, (-1,) + target)
        return sn.reshape(x, [x.shape[0]] + list(target))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        t = self._resolved(input_shape)
        return (input_shape[0],) + tuple(None if d == -1 else d for d in t)

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permute the non-batch axes; `dims` counts from 1 as in Keras."""

    def __init__(self, dims: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` "
                             f"must be consecutive and start from 1. Received dims={self.dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)
        self.built = True

    def call(self, inputs: Any) -> Any:
        return sn.graph.as_variable(inputs).dimshuffle((0,) + self.dims)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features)."""

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)
        self.built = True

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        return x.dimshuffle(0, "x", 1) * sn.ones((1, self.n, 1), dtype=x.dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}


# -- spatial reshaping layers (one per file, Keras 3's keras.layers.reshaping) -------------------
from .zero_padding1d import ZeroPadding1D  # noqa: E402,F401
from .zero_padding2d import ZeroPadding2D  # noqa: E402,F401
from .zero_padding3d import ZeroPadding3D  # noqa: E402,F401
from .cropping1d import Cropping1D  # noqa: E402,F401
from .cropping2d import Cropping2D  # noqa: E402,F401
from .cropping3d import Cropping3D  # noqa: E402,F401
from .up_sampling1d import UpSampling1D  # noqa: E402,F401
from .up_sampling2d import UpSampling2D  # noqa: E402,F401
from .up_sampling3d import UpSampling3D  # noqa: E402,F401
