"""Merging layers: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum, Dot.

Each takes a list of tensors; elementwise merges broadcast with NumPy rules as Keras does."""
from __future__ import annotations

from typing import Any, Sequence

import symnet as sn

from .base import Layer


class _Merge(Layer):
    min_inputs = 2

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        if not isinstance(input_shape, list) or not input_shape or not isinstance(input_shape[0], tuple):
            raise ValueError(f"A merge layer should be called on a list of inputs. Received: input_shape={input_shape} "
                             "(not a list of shapes)")
        if len(input_shape) < self.min_inputs:
            raise ValueError(f"A merge layer should be called on a list of at least {self.min_inputs} inputs. "
                             f"Got {len(input_shape)} inputs. Full input_shape received: {input_shape}")
        self._check_shapes(input_shape)
        self.built = True

    def _check_shapes(self, shapes: list) -> None:
        batch = [s[1:] for s in shapes]
        try:
            from symnet.types import broadcast_shapes
            broadcast_shapes(*batch)
        except ValueError:
            raise ValueError(f"Inputs have incompatible shapes. Received shapes {', '.join(str(s) for s in shapes)}") from None

    def call(self, inputs: Sequence[Any]) -> Any:
        xs = [sn.graph.as_variable(x) for x in inputs]
        return self._merge(xs)

    def _merge(self, xs: list) -> Any:
        raise NotImplementedError


class Add(_Merge):
    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Subtract(_Merge):
    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape={input_shape}")

    def _merge(self, xs):
        return xs[0] - xs[1]


class Multiply(_Merge):
    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


class Average(_Merge):
    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out / sn.constant(float(len(xs)), dtype=out.dtype)


class Maximum(_Merge):
    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = sn.maximum(out, x)
        return out


class Minimum(_Merge):
    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = sn.minimum(out, x)
        return out


class Concatenate(_Merge):
    """Join along `axis` (default -1); all other axes must match."""

    min_inputs = 1

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)

    def _check_shapes(self, shapes: list) -> None:
        ndims = {len(s) for s in shapes}
        if len(ndims) != 1:
            raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes except for the concatenation "
                             f"axis. Received: input_shape={shapes}")
        nd = ndims.pop()
        axis = self.axis % nd
        for i in range(nd):
            if i == axis:
                continue
            dims = {s[i] for s in shapes if s[i] is not None}
            if len(dims) > 1:
                raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes except for the "
                                 f"concatenation axis. Received: input_shape={shapes}")

    def _merge(self, xs):
        return sn.concatenate(xs, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """Dot product of two samples' tensors along `axes` (batch_dot); `normalize` uses l2-normalized inputs
    (cosine proximity)."""

    def __init__(self, axes: int | Sequence[int], normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axes = axes if isinstance(axes, int) else tuple(axes)
        self.normalize = normalize

    def _axes(self, nx: int, ny: int) -> tuple[int, int]:
        ax = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        return ax[0] % nx, ax[1] % ny

    def _check_shapes(self, shapes: list) -> None:
        if len(shapes) != 2:
            raise ValueError(f"A `Dot` layer should be called on a list of 2 inputs. Received: input_shape={shapes}")
        a, b = self._axes(len(shapes[0]), len(shapes[1]))
        if shapes[0][a] is not None and shapes[1][b] is not None and shapes[0][a] != shapes[1][b]:
            raise ValueError(f"Incompatible input shapes: axis values {shapes[0][a]} (at axis {a}) != {shapes[1][b]} "
                             f"(at axis {b}). Full input shapes: {shapes[0]}, {shapes[1]}")

    def _merge(self, xs):
        x, y = xs
        a, b = self._axes(x.ndim, y.ndim)
        if self.normalize:
            x = x / sn.sqrt(sn.maximum(sn.sum(sn.sqr(x), axis=a, keepdims=True), 1e-12))
            y = y / sn.sqrt(sn.maximum(sn.sum(sn.sqr(y), axis=b, keepdims=True), 1e-12))
        if x.ndim == 2 and y.ndim == 2:
            return sn.sum(x * y, axis=1, keepdims=True)
        # move x's contracted axis last and y's to position 1, then a batched matmul
        xo = [0] + [i for i in range(1, x.ndim) if i != a] + [a]
        yo = [0, b] + [i for i in range(1, y.ndim) if i != b]
        xt, yt = x.dimshuffle(xo), y.dimshuffle(yo)
        if x.ndim > 3 or y.ndim > 3:
            raise NotImplementedError("keras_api.layers.Dot: inputs of more than 3 dimensions are not supported")
        if x.ndim == 2:
            xt = xt.dimshuffle(0, "x", 1)
        if y.ndim == 2:
            yt = yt.dimshuffle(0, 1, "x")
        out = sn.matmul(xt, yt)
        if x.ndim == 2:
            out = out[:, 0]
        elif y.ndim == 2:
            out = out[:, :, 0]
        return out

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def add(inputs: list, **kwargs: Any) -> Any:
    return Add(**kwargs)(inputs)


def subtract(inputs: list, **kwargs: Any) -> Any:
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list, **kwargs: Any) -> Any:
    return Multiply(**kwargs)(inputs)


def average(inputs: list, **kwargs: Any) -> Any:
    return Average(**kwargs)(inputs)


def maximum(inputs: list, **kwargs: Any) -> Any:
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list, **kwargs: Any) -> Any:
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: list, axis: int = -1, **kwargs: Any) -> Any:
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: list, axes: Any = -1, normalize: bool = False, **kwargs: Any) -> Any:
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
