"""Neural-network ops: softmax and log-softmax (stable ops with their own gradients) and the
crossentropies, written as plain graphs that the stabilize rewrites turn into stable forms."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..graph import Apply, Op, Variable, as_variable, describe
from ..types import TensorType, is_float, normalize_axis, upgrade_to_float


class _AlongAxis(Op):
    """An op normalising along one axis: same shape out, float dtype."""

    __props__ = ("axis",)
    label = "?"

    def __init__(self, axis: int = -1) -> None:
        self.axis = int(axis)

    def make_node(self, x: Any) -> Apply:
        x = as_variable(x)
        if x.ndim == 0:
            raise ValueError(f"{self.label} of a scalar ({describe(x)}): it needs at least one axis")
        normalize_axis(self.axis, x.ndim)
        return Apply(self, [x], [TensorType(upgrade_to_float(x.dtype), x.type.shape)])

    def infer_shape(self, node, input_shapes, input_values):
        return [input_shapes[0]]


class Softmax(_AlongAxis):
    """exp(x - max) / sum(exp(x - max)) along `axis`."""

    label = "softmax"

    def perform(self, node, inputs):
        x = inputs[0].astype(node.outputs[0].dtype, copy=False)
        with np.errstate(all="ignore"):
            m = np.max(x, axis=self.axis, keepdims=True) if x.size else x
            e = np.exp(x - m)
            return [e / np.sum(e, axis=self.axis, keepdims=True)]

    def grad(self, inputs, output_grads):
        from .reduce import sum as rsum
        (x,), (gz,) = inputs, output_grads
        if gz is None:
            return [None]
        sm = self(x)
        return [sm * (gz - rsum(gz * sm, self.axis, keepdims=True))]


class LogSoftmax(_AlongAxis):
    """x - max - log(sum(exp(x - max))) along `axis`."""

    label = "log_softmax"

    def perform(self, node, inputs):
        x = inputs[0].astype(node.outputs[0].dtype, copy=False)
        with np.errstate(all="ignore"):
            m = np.max(x, axis=self.axis, keepdims=True) if x.size else x
            m = np.where(np.isfinite(m), m, 0)
            s = x - m
            return [s - np.log(np.sum(np.exp(s), axis=self.axis, keepdims=True))]

    def grad(self, inputs, output_grads):
        from .reduce import sum as rsum
        (x,), (gz,) = inputs, output_grads
        if gz is None:
            return [None]
        # softmax(x), not exp(log_softmax(x)): the same values, and it shares the forward softmax
        # when grad() differentiates log(softmax(x)) through this op
        return [gz - Softmax(self.axis)(x) * rsum(gz, self.axis, keepdims=True)]


def softmax(x: Any, axis: int = -1) -> Variable:
    return Softmax(axis)(x)


def log_softmax(x: Any, axis: int = -1) -> Variable:
    return LogSoftmax(axis)(x)


def categorical_crossentropy(coding_dist: Any, true_dist: Any, axis: int = -1) -> Variable:
    """Theano's argument order: predictions first. -sum(true * log(pred)) along `axis`; an
    integer `true_dist` holds class indices (then it is the sparse form)."""
    from .elemwise import log
    from .reduce import sum as rsum
    p, t = as_variable(coding_dist), as_variable(true_dist)
    if not is_float(t.dtype):
        return sparse_categorical_crossentropy(p, t, axis=axis)
    if p.ndim != t.ndim:
        raise ValueError(f"categorical_crossentropy: predictions {describe(p)} have {p.ndim} dims, targets "
                         f"{describe(t)} have {t.ndim}")
    return -rsum(t * log(p), axis=axis)


def sparse_categorical_crossentropy(coding_dist: Any, true_idx: Any, axis: int = -1) -> Variable:
    """-log(pred[.., true_idx]) with integer class indices (one fewer dim than pred)."""
    from .. import basic as T
    p, t = as_variable(coding_dist), as_variable(true_idx)
    if is_float(t.dtype):
        raise TypeError(f"sparse_categorical_crossentropy needs integer class indices, got {t.type}")
    if t.ndim != p.ndim - 1:
        raise ValueError(f"sparse_categorical_crossentropy: indices {describe(t)} must have one dim fewer "
                         f"than the predictions {describe(p)}")
    from .creation import axis_index
    one_hot = T.cast(T.eq(T.expand_dims(t, axis), axis_index(p, axis)), p.dtype)
    return categorical_crossentropy(p, one_hot, axis=axis)


def binary_crossentropy(output: Any, target: Any) -> Variable:
    """Theano's order: -(t*log(o) + (1-t)*log(1-o)), elementwise."""
    from .elemwise import log
    o, t = as_variable(output), as_variable(target)
    return -(t * log(o) + (1 - t) * log(1 - o))


def sigmoid_binary_crossentropy(logits: Any, target: Any) -> Variable:
    """Binary crossentropy from logits: softplus(x) - x*t, stable for any |x| (softplus is computed
    stably), with the exact gradient sigmoid(x) - t everywhere, x = 0 included."""
    from .elemwise import softplus
    x, t = as_variable(logits), as_variable(target)
    return softplus(x) - x * t
