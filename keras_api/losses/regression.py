"""Regression losses (Keras 3 formulas): mean squared/absolute (percentage/logarithmic) error,
Huber, log-cosh and cosine similarity, as functions and Loss classes."""
from __future__ import annotations

from typing import Any

import numpy as np

import symnet as sn

from .. import backend
from .loss import LossFunctionWrapper, squeeze_or_expand_to_same_rank, to_tensor


def _pair(y_true: Any, y_pred: Any):
    y_pred = to_tensor(y_pred, y_pred.dtype if isinstance(y_pred, sn.Variable) and y_pred.dtype.startswith("float") else None)
    y_true = to_tensor(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def mean_squared_error(y_true: Any, y_pred: Any) -> sn.Variable:
    y_true, y_pred = _pair(y_true, y_pred)
    return sn.mean(sn.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> sn.Variable:
    y_true, y_pred = _pair(y_true, y_pred)
    return sn.mean(sn.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> sn.Variable:
    y_true, y_pred = _pair(y_true, y_pred)
    diff = sn.abs((y_true - y_pred) / sn.maximum(sn.abs(y_true), backend.epsilon()))
    return 100.0 * sn.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> sn.Variable:
    y_true, y_pred = _pair(y_true, y_pred)
    eps = backend.epsilon()
    first_log = sn.log(sn.maximum(y_pred, eps) + 1.0)
    second_log = sn.log(sn.maximum(y_true, eps) + 1.0)
    return sn.mean(sn.square(first_log - second_log), axis=-1)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> sn.Variable:
    y_true, y_pred = _pair(y_true, y_pred)
    error = y_pred - y_true
    abs_error = sn.abs(error)
    delta = float(delta)
    return sn.mean(sn.switch(sn.le(abs_error, delta), 0.5 * sn.square(error),
                             delta * abs_error - 0.5 * delta * delta), axis=-1)


def log_cosh(y_true: Any, y_pred: Any) -> sn.Variable:
    """mean(x + softplus(-2x) - log 2) with x = y_pred - y_true: log(cosh(x)) without overflow."""
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    return sn.mean(x + sn.softplus(x * -2.0) - float(np.log(2.0)), axis=-1)


def l2_normalize(x: sn.Variable, axis: int = -1) -> sn.Variable:
    """x * min(rsqrt(sum(x^2)), 1/epsilon) (Keras 3's ops.normalize with order 2)."""
    square_sum = sn.sum(sn.square(x), axis=axis, keepdims=True)
    inv_norm = sn.minimum(1.0 / sn.sqrt(square_sum), 1.0 / backend.epsilon())
    return x * inv_norm


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> sn.Variable:
    y_true, y_pred = _pair(y_true, y_pred)
    return -sn.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
logcosh = log_cosh


class MeanSquaredError(LossFunctionWrapper):
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "mean_squared_error",
                 dtype: str | None = None) -> None:
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "mean_absolute_error",
                 dtype: str | None = None) -> None:
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "mean_absolute_percentage_error",
                 dtype: str | None = None) -> None:
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction, dtype=dtype)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "mean_squared_logarithmic_error",
                 dtype: str | None = None) -> None:
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction, dtype=dtype)


class Huber(LossFunctionWrapper):
    def __init__(self, delta: float = 1.0, reduction: Any = "sum_over_batch_size", name: str = "huber_loss",
                 dtype: str | None = None) -> None:
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)


class LogCosh(LossFunctionWrapper):
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "log_cosh",
                 dtype: str | None = None) -> None:
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    def __init__(self, axis: int = -1, reduction: Any = "sum_over_batch_size", name: str = "cosine_similarity",
                 dtype: str | None = None) -> None:
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype, axis=axis)
