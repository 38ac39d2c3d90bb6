"""Accuracy metrics (Keras 3): accuracy, binary/categorical/sparse categorical and top-k."""
from __future__ import annotations

from typing import Any

import symnet as sn

from .. import backend
from ..losses.loss import class_index, squeeze_or_expand_to_same_rank, to_tensor
from .metric import MeanMetricWrapper


def _pred(y_pred: Any) -> sn.Variable:
    if isinstance(y_pred, sn.Variable):
        return y_pred
    return to_tensor(y_pred)


def _drop_last(x: sn.Variable) -> sn.Variable:
    """x[..., 0]: the (N, 1) -> (N,) squeeze, valid even when the trailing 1 is not static."""
    if x.static_shape[-1] == 1:
        return sn.squeeze(x, -1)
    return x[(slice(None),) * (x.ndim - 1) + (0,)]


def accuracy(y_true: Any, y_pred: Any) -> sn.Variable:
    y_pred = _pred(y_pred)
    y_true = to_tensor(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return sn.cast(sn.eq(y_true, y_pred), backend.floatx())


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> sn.Variable:
    y_pred = _pred(y_pred)
    y_true = to_tensor(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = sn.cast(sn.gt(y_pred, float(threshold)), y_true.dtype)
    return sn.cast(sn.eq(y_true, y_pred), backend.floatx())


def categorical_accuracy(y_true: Any, y_pred: Any) -> sn.Variable:
    y_pred = _pred(y_pred)
    y_true = to_tensor(y_true, y_pred.dtype) if not isinstance(y_true, sn.Variable) else y_true
    return sn.cast(sn.eq(sn.argmax(y_true, axis=-1), sn.argmax(y_pred, axis=-1)), backend.floatx())


def _int_labels(y_true: Any) -> sn.Variable:
    if isinstance(y_true, sn.Variable):
        return y_true if not y_true.dtype.startswith("float") else sn.cast(y_true, "int64")
    return to_tensor(y_true, "int64")


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> sn.Variable:
    y_pred = _pred(y_pred)
    y_true = _int_labels(y_true)
    reshape = y_true.ndim == y_pred.ndim
    if reshape:
        y_true = _drop_last(y_true)
    matches = sn.cast(sn.eq(y_true, sn.argmax(y_pred, axis=-1)), backend.floatx())
    return sn.expand_dims(matches, -1) if reshape else matches


def _in_top_k(targets: sn.Variable, predictions: sn.Variable, k: int) -> sn.Variable:
    """rank of the target's score (1 + number of strictly larger scores) <= k (Keras's JAX in_top_k)."""
    one_hot = sn.cast(sn.eq(sn.expand_dims(targets, -1), class_index(predictions, -1)), predictions.dtype)
    at_label = sn.sum(one_hot * predictions, axis=-1, keepdims=True)
    at_label = sn.switch(sn.isnan(at_label), sn.full((), float("-inf"), predictions.dtype), at_label)
    rank = 1 + sn.sum(sn.cast(sn.gt(predictions, at_label), "int64"), axis=-1)
    return sn.le(rank, k)


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> sn.Variable:
    y_pred = _pred(y_pred)
    y_true = sn.argmax(y_true if isinstance(y_true, sn.Variable) else to_tensor(y_true), axis=-1)
    return sn.cast(_in_top_k(y_true, y_pred, k), backend.floatx())


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False) -> sn.Variable:
    if from_sorted_ids:
        raise NotImplementedError("sparse_top_k_categorical_accuracy(from_sorted_ids=True) (keras_api/metrics)")
    y_pred = _pred(y_pred)
    y_true = _int_labels(y_true)
    if y_true.ndim == y_pred.ndim:
        y_true = _drop_last(y_true)
    return sn.cast(_in_top_k(y_true, y_pred, k), backend.floatx())


class Accuracy(MeanMetricWrapper):
    def __init__(self, name: str = "accuracy", dtype: str | None = None) -> None:
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    def __init__(self, name: str = "binary_accuracy", dtype: str | None = None, threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name: str = "categorical_accuracy", dtype: str | None = None) -> None:
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: str | None = None) -> None:
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: str | None = None) -> None:
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype: str | None = None,
                 from_sorted_ids: bool = False) -> None:
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
