"""Probabilistic losses (Keras 3): binary/categorical/sparse categorical crossentropy, KL
divergence and Poisson.

On probabilities the crossentropies follow Keras 3's backend exactly (that is what gives Keras's
numbers): categorical normalises by the sum, clips to [epsilon, 1 - epsilon] and takes the log;
binary clips and takes both logs. With ``from_logits=True`` the stable forms are used directly:
sn.log_softmax for the categorical ones, t*softplus(-x) + (1-t)*softplus(x) for the binary one
(its gradient sigmoid(x) - t is exact everywhere; sn.sigmoid_binary_crossentropy's relu/abs
form has a wrong gradient at x = 0 exactly).

A sigmoid's or softmax's output carries the logits behind it (``_keras_logits``, set by
keras_api.activations as Keras does; ``sn.nnet.sigmoid_logits`` finds those of any sigmoid):
  * binary crossentropy of such an output is computed from the logits,
    t*softplus(-x) + (1-t)*softplus(x) (Keras's TensorFlow-backend numbers; inside [eps, 1-eps]
    they equal the clipped form), stable in value and gradient even with optimizer=None;
  * categorical/sparse crossentropy keeps Keras's clip, log(clip(p / sum(p), eps, 1-eps)), so
    evaluation and training report the same (Keras JAX-backend) loss at saturation; the
    canonicalize phase drops the division for a softmax along the same axis, and
    log(clip(softmax)) becomes log_softmax when the clip feeds only the log.
No symnet op classes are inspected here: the rewrites recognise the graph shapes."""
from __future__ import annotations

from typing import Any

import symnet as sn

from .. import backend
from .loss import LossFunctionWrapper, class_index, to_tensor


def _float_pred(y_pred: Any) -> sn.Variable:
    if isinstance(y_pred, sn.Variable) and y_pred.dtype.startswith("float"):
        return y_pred
    return to_tensor(y_pred)


def _keras_logits(v: sn.Variable) -> sn.Variable | None:
    """The logits a sigmoid/softmax activation cached on its output (Keras's _keras_logits), or
    behind any sigmoid (Keras's TensorFlow backend also takes a Sigmoid op's input)."""
    cached = getattr(v, "_keras_logits", None)
    return cached if cached is not None else sn.nnet.sigmoid_logits(v)


def _bce(target: sn.Variable, output: sn.Variable, from_logits: bool) -> sn.Variable:
    if from_logits:
        # t*softplus(-x) + (1-t)*softplus(x) (= -t*log_sigmoid(x) - (1-t)*log_sigmoid(-x), Keras's JAX
        # form): exact gradient sigmoid(x) - t everywhere, including x = 0
        return target * sn.softplus(-output) + (1.0 - target) * sn.softplus(output)
    logits = _keras_logits(output)
    if logits is not None:           # Keras's TensorFlow backend takes the cached logits
        return target * sn.softplus(-logits) + (1.0 - target) * sn.softplus(logits)
    eps = backend.epsilon()
    output = sn.clip(output, eps, 1.0 - eps)
    return -(target * sn.log(output) + (1.0 - target) * sn.log(1.0 - output))


def _log_prob(output: sn.Variable, from_logits: bool, axis: int) -> sn.Variable:
    if from_logits:
        return sn.log_softmax(output, axis=axis)
    eps = backend.epsilon()
    output = output / sn.sum(output, axis=axis, keepdims=True)    # dropped for a softmax by canonicalize
    return sn.log(sn.clip(output, eps, 1.0 - eps))


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> sn.Variable:
    y_pred = _float_pred(y_pred)
    y_true = to_tensor(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return sn.mean(_bce(y_true, y_pred, from_logits), axis=axis)


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
                             axis: int = -1) -> sn.Variable:
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_pred = _float_pred(y_pred)
    y_true = to_tensor(y_true, y_pred.dtype)
    if y_pred.ndim != y_true.ndim:
        raise ValueError(f"categorical_crossentropy: y_true (rank {y_true.ndim}) and y_pred (rank {y_pred.ndim}) "
                         "must have the same rank; for integer class labels use sparse_categorical_crossentropy")
    if label_smoothing:
        n = y_true.static_shape[-1]
        num_classes = float(n) if n is not None else sn.cast(y_true.shape[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return -sn.sum(y_true * _log_prob(y_pred, from_logits, axis), axis=axis)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                                    ignore_class: int | None = None, axis: int = -1) -> sn.Variable:
    y_pred = _float_pred(y_pred)
    if isinstance(y_true, sn.Variable):
        target = y_true if not y_true.dtype.startswith("float") else sn.cast(y_true, "int64")
    else:
        target = to_tensor(y_true, "int64")
    if target.ndim == y_pred.ndim and target.static_shape[-1] == 1:
        target = sn.squeeze(target, -1)
    if target.ndim != y_pred.ndim - 1:
        raise ValueError(f"sparse_categorical_crossentropy: y_true (rank {target.ndim}) must have one dim fewer "
                         f"than y_pred (rank {y_pred.ndim}), or a trailing dim of 1")
    valid = None
    if ignore_class is not None:
        valid = sn.neq(target, ignore_class)
        target = target * sn.cast(valid, target.dtype)
        y_pred = y_pred * sn.cast(sn.expand_dims(valid, -1), y_pred.dtype)
    one_hot = sn.cast(sn.eq(sn.expand_dims(target, axis), class_index(y_pred, axis)), y_pred.dtype)
    res = -sn.sum(one_hot * _log_prob(y_pred, from_logits, axis), axis=axis)
    if valid is not None:
        res = sn.switch(valid, res, sn.zeros_like(res))
    return res


def kl_divergence(y_true: Any, y_pred: Any) -> sn.Variable:
    y_pred = _float_pred(y_pred)
    y_true = to_tensor(y_true, y_pred.dtype)
    eps = backend.epsilon()
    y_true = sn.clip(y_true, eps, 1.0)
    y_pred = sn.clip(y_pred, eps, 1.0)
    return sn.sum(y_true * sn.log(y_true / y_pred), axis=-1)


def poisson(y_true: Any, y_pred: Any) -> sn.Variable:
    y_pred = _float_pred(y_pred)
    y_true = to_tensor(y_true, y_pred.dtype)
    return sn.mean(y_pred - y_true * sn.log(y_pred + backend.epsilon()), axis=-1)


kld = KLD = kullback_leibler_divergence = kl_divergence


class BinaryCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: Any = "sum_over_batch_size", name: str = "binary_crossentropy",
                 dtype: str | None = None) -> None:
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class CategoricalCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: Any = "sum_over_batch_size", name: str = "categorical_crossentropy",
                 dtype: str | None = None) -> None:
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction: Any = "sum_over_batch_size", name: str = "sparse_categorical_crossentropy",
                 dtype: str | None = None) -> None:
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class)
        self.from_logits, self.ignore_class = from_logits, ignore_class

    def __call__(self, y_true, y_pred, sample_weight=None):
        # integer labels stay integers (Keras casts them to floatx and back; same values)
        from .loss import reduce_weighted_values
        with sn.name_scope(self.name):
            y_pred = to_tensor(y_pred, self.dtype)
            losses = self.fn(y_true, y_pred, **self._fn_kwargs)
            return reduce_weighted_values(losses, sample_weight=sample_weight, reduction=self.reduction,
                                          dtype=self.dtype)


class KLDivergence(LossFunctionWrapper):
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "kl_divergence",
                 dtype: str | None = None) -> None:
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)


class Poisson(LossFunctionWrapper):
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "poisson", dtype: str | None = None) -> None:
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)
