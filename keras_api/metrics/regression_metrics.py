"""Regression, probabilistic and hinge metrics: Mean wrappers around the loss functions
(Keras 3 names), plus RootMeanSquaredError = sqrt(mean of squared errors)."""
from __future__ import annotations

from typing import Any

import symnet as sn

from .. import losses as L
from ..losses.loss import squeeze_or_expand_to_same_rank, to_tensor
from .metric import Mean, MeanMetricWrapper


def _wrapper(cls_name: str, fn: Any, default_name: str, **defaults: Any) -> type:
    def __init__(self, name: str = default_name, dtype: str | None = None, **kwargs: Any) -> None:
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{cls_name}: unknown arguments {sorted(unknown)}")
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **{**defaults, **kwargs})
    return type(cls_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": f"Mean of {fn.__name__}."})


MeanSquaredError = _wrapper("MeanSquaredError", L.mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", L.mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper("MeanAbsolutePercentageError", L.mean_absolute_percentage_error,
                                       "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _wrapper("MeanSquaredLogarithmicError", L.mean_squared_logarithmic_error,
                                       "mean_squared_logarithmic_error")
LogCoshError = _wrapper("LogCoshError", L.log_cosh, "logcosh")
BinaryCrossentropy = _wrapper("BinaryCrossentropy", L.binary_crossentropy, "binary_crossentropy",
                              from_logits=False, label_smoothing=0.0)
CategoricalCrossentropy = _wrapper("CategoricalCrossentropy", L.categorical_crossentropy,
                                   "categorical_crossentropy", from_logits=False, label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _wrapper("SparseCategoricalCrossentropy", L.sparse_categorical_crossentropy,
                                         "sparse_categorical_crossentropy", from_logits=False, axis=-1)
KLDivergence = _wrapper("KLDivergence", L.kl_divergence, "kl_divergence")
Poisson = _wrapper("Poisson", L.poisson, "poisson")
Hinge = _wrapper("Hinge", L.hinge, "hinge")
SquaredHinge = _wrapper("SquaredHinge", L.squared_hinge, "squared_hinge")
CategoricalHinge = _wrapper("CategoricalHinge", L.categorical_hinge, "categorical_hinge")


def _cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> sn.Variable:
    """The metric is +cos (the loss is its negative)."""
    return -L.cosine_similarity(y_true, y_pred, axis=axis)


_cosine_similarity.__name__ = "cosine_similarity"
CosineSimilarity = _wrapper("CosineSimilarity", _cosine_similarity, "cosine_similarity", axis=-1)


class RootMeanSquaredError(Mean):
    def __init__(self, name: str = "root_mean_squared_error", dtype: str | None = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = to_tensor(y_true, self.dtype)
        y_pred = to_tensor(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update_state(sn.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return sn.sqrt(super().result())
