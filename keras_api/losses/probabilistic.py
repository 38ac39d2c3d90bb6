"""Probabilistic losses (Keras 3): binary/categorical/sparse categorical crossentropy, KL
divergence and Poisson.

On probabilities the crossentropies follow Keras 3's backend exactly (that is what gives Keras's
numbers): categorical normalises by the sum, clips to [epsilon, 1 - epsilon] and takes the log;
binary clips and takes both logs. With ``from_logits=True`` the stable forms are used directly:
sn.log_softmax for the categorical ones, t*softplus(-x) + (1-t)*softplus(x) for the binary one
(its gradient sigmoid(x) - t is exact everywhere; sn.sigmoid_binary_crossentropy's relu/abs
form has a wrong gradient at x = 0 exactly).

What the stabilize rewrites (symnet/rewrite/stabilize.py) are relied on to match:
  * categorical/sparse crossentropy of ``softmax(z)`` along the same axis is built as
    ``log(clip(softmax(z), eps, 1-eps))`` (the normalising division is skipped: a softmax already
    sums to 1), which the ``log_softmax`` rewrite turns into ``log_softmax(z)`` (and then into
    SoftmaxCrossentropyWithLogits) when the clip feeds only the log, i.e. in graphs without the
    gradient; in a training graph the clip stays, giving Keras's JAX-backend numbers (loss
    saturates at -log(eps), zero gradient for a saturated wrong class). The unclipped
    ``log(softmax)`` is not used because its gradient is nan at saturation today;
  * binary crossentropy of ``sigmoid(z)`` is built without the clip, as
    ``-(t*log(sigmoid(z)) + (1-t)*log(1 - sigmoid(z)))``, which the ``log_sigmoid`` rewrite turns
    into the softplus (from-logits) form.
    For a sigmoid these are the numbers Keras's TensorFlow backend gives (it takes the logits
    behind the sigmoid); inside [eps, 1-eps] they equal the clipped form. Without the rewrite
    pipeline (optimizer=None) a saturated sigmoid gives inf, as the plain formula does."""
from __future__ import annotations

from typing import Any

import symnet as sn
from symnet.scalar import SigmoidOp
from symnet.ops.creation import axis_index
from symnet.ops.elemwise import Elemwise
from symnet.ops.nnet import Softmax

from .. import backend
from .loss import LossFunctionWrapper, to_tensor


def _float_pred(y_pred: Any) -> sn.Variable:
    if isinstance(y_pred, sn.Variable) and y_pred.dtype.startswith("float"):
        return y_pred
    return to_tensor(y_pred)


def _is_sigmoid(v: sn.Variable) -> bool:
    return v.owner is not None and isinstance(v.owner.op, Elemwise) and isinstance(v.owner.op.scalar_op, SigmoidOp)


def _is_softmax(v: sn.Variable, axis: int) -> bool:
    if v.owner is None or not isinstance(v.owner.op, Softmax):
        return False
    return v.owner.op.axis % v.ndim == axis % v.ndim


def _bce(target: sn.Variable, output: sn.Variable, from_logits: bool) -> sn.Variable:
    if from_logits:
        # t*softplus(-x) + (1-t)*softplus(x) (= -t*log_sigmoid(x) - (1-t)*log_sigmoid(-x), Keras's JAX
        # form): exact gradient sigmoid(x) - t everywhere, including x = 0
        return target * sn.softplus(-output) + (1.0 - target) * sn.softplus(output)
    if _is_sigmoid(output):          # plain form for the log_sigmoid rewrite (see module docstring)
        return -(target * sn.log(output) + (1.0 - target) * sn.log(1.0 - output))
    eps = backend.epsilon()
    output = sn.clip(output, eps, 1.0 - eps)
    return -(target * sn.log(output) + (1.0 - target) * sn.log(1.0 - output))


def _log_prob(output: sn.Variable, from_logits: bool, axis: int) -> sn.Variable:
    if from_logits:
        return sn.log_softmax(output, axis=axis)
    eps = backend.epsilon()
    if not _is_softmax(output, axis):  # a softmax already sums to 1: keep log(clip(softmax)) matchable
        output = output / sn.sum(output, axis=axis, keepdims=True)
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
    one_hot = sn.cast(sn.eq(sn.expand_dims(target, axis), axis_index(y_pred, axis)), y_pred.dtype)
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
