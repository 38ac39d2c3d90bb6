"""Hinge losses (Keras 3): hinge, squared_hinge, categorical_hinge. Binary 0/1 labels are mapped
to -1/+1 when every label is 0 or 1 (decided at run time, as Keras's ops.cond)."""
from __future__ import annotations

from typing import Any

import symnet as sn

from .loss import LossFunctionWrapper, to_tensor


def _floats(y_true: Any, y_pred: Any):
    y_pred = to_tensor(y_pred, y_pred.dtype if isinstance(y_pred, sn.Variable) and y_pred.dtype.startswith("float") else None)
    return to_tensor(y_true, y_pred.dtype), y_pred


def convert_binary_labels_to_hinge(y_true: sn.Variable) -> sn.Variable:
    is_binary = sn.all(sn.or_(sn.eq(y_true, 0), sn.eq(y_true, 1)))
    return sn.switch(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true: Any, y_pred: Any) -> sn.Variable:
    y_true, y_pred = _floats(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    return sn.mean(sn.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> sn.Variable:
    y_true, y_pred = _floats(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    return sn.mean(sn.square(sn.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> sn.Variable:
    y_true, y_pred = _floats(y_true, y_pred)
    pos = sn.sum(y_true * y_pred, axis=-1)
    neg = sn.max((1.0 - y_true) * y_pred, axis=-1)
    return sn.maximum(neg - pos + 1.0, 0.0)


class Hinge(LossFunctionWrapper):
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "hinge", dtype: str | None = None) -> None:
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "squared_hinge",
                 dtype: str | None = None) -> None:
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "categorical_hinge",
                 dtype: str | None = None) -> None:
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)
