"""The Loss base class and Keras 3's reduction of weighted per-sample losses.

``loss(y_true, y_pred, sample_weight)`` = reduce(call(y_true, y_pred) * sample_weight):
"sum_over_batch_size" (default) and "mean" divide the weighted sum by the number of loss elements
(not by the sum of the weights), "mean_with_sample_weight" by the sum of the weights, "sum" sums,
None/"none" returns the weighted per-sample values."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

import symnet as sn
from symnet.graph import Variable, as_variable

from .. import backend
from .._names import snake_case

REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def standardize_reduction(reduction: Any) -> Any:
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of {set(REDUCTIONS)}. "
                         f"Received: reduction={reduction}")
    return reduction


def to_tensor(x: Any, dtype: str | None = None) -> Variable:
    """A symnet variable of `dtype` (floatx when None); NumPy data becomes a constant."""
    dtype = dtype or backend.floatx()
    if isinstance(x, Variable):
        return x if x.dtype == dtype else sn.cast(x, dtype)
    return sn.constant(np.asarray(x, dtype=dtype))


def squeeze_or_expand_to_same_rank(x1: Variable, x2: Variable, expand_rank_1: bool = True):
    """Keras's rule: when ranks differ by one and the longer has a static trailing 1, squeeze it
    (or, when the shorter is rank 1, expand the shorter)."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.static_shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = sn.expand_dims(x2, -1)
        else:
            x1 = sn.squeeze(x1, -1)
    if r2 == r1 + 1 and x2.static_shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = sn.expand_dims(x1, -1)
        else:
            x2 = sn.squeeze(x2, -1)
    return x1, x2


def num_elements(x: Variable) -> Any:
    shape = x.static_shape
    if None not in shape:
        return int(np.prod(shape)) if shape else 1
    return sn.cast(sn.prod(x.shape), x.dtype)


def reduce_values(values: Variable, sample_weight: Any = None, reduction: Any = "sum_over_batch_size") -> Variable:
    if reduction is None or reduction == "none" or values.ndim == 0:
        return values
    loss = sn.sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            div = sn.cast(sn.sum(sample_weight), loss.dtype)
            loss = sn.switch(sn.eq(div, 0), sn.zeros_like(loss), loss / div)     # divide_no_nan
        else:
            n = num_elements(values)
            if isinstance(n, int):
                loss = loss / float(n) if n > 0 else loss
            else:
                loss = sn.switch(sn.eq(n, 0), sn.zeros_like(loss), loss / n)
    return loss


def reduce_weighted_values(values: Variable, sample_weight: Any = None, reduction: Any = "sum_over_batch_size",
                           dtype: str | None = None) -> Variable:
    reduction = standardize_reduction(reduction)
    values = to_tensor(values, dtype or values.dtype)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        while sample_weight.ndim < values.ndim:     # per-sample weights of per-timestep losses (sequence outputs)
            sample_weight = sn.expand_dims(sample_weight, -1)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


class Loss:
    """Base class: subclasses implement ``call(y_true, y_pred) -> per-sample losses``."""

    def __init__(self, name: str | None = None, reduction: Any = "sum_over_batch_size",
                 dtype: str | None = None) -> None:
        self.name = name or snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = dtype

    @property
    def dtype(self) -> str:
        return self._dtype or backend.floatx()

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Variable:
        with sn.name_scope(self.name):
            y_pred = to_tensor(y_pred, self.dtype)
            y_true = to_tensor(y_true, self.dtype)
            losses = self.call(y_true, y_pred)
            return reduce_weighted_values(losses, sample_weight=sample_weight, reduction=self.reduction,
                                          dtype=self.dtype)

    def call(self, y_true: Variable, y_pred: Variable) -> Variable:
        raise NotImplementedError(f"{type(self).__name__}.call (keras_api/losses)")

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> "Loss":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class LossFunctionWrapper(Loss):
    """A Loss whose per-sample values come from a loss function (Keras's pattern for built-ins)."""

    def __init__(self, fn: Callable, reduction: Any = "sum_over_batch_size", name: str | None = None,
                 dtype: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config


def class_index(x: sn.Variable, axis: int) -> sn.Variable:
    """0..n-1 along `axis` of x, shaped to broadcast against x: compared with expanded integer
    labels it gives their one-hot (the stabilize phase recognises that form)."""
    axis = axis % x.ndim
    n = x.static_shape[axis] if x.static_shape[axis] is not None else x.shape[axis]
    idx = sn.arange(0, n, 1, dtype="int64")
    return sn.expand_dims(idx, [a for a in range(x.ndim) if a != axis]) if x.ndim > 1 else idx
