"""Theano's ``theano.gradient``: grad and friends, and the ops that change only a gradient.

  grad_clip(x, lower_bound, upper_bound)  identity; its gradient is clipped to the bounds
  zero_grad(x)                            identity; its gradient is zero (still connected)
  consider_constant(x)                    identity; its gradient is zero (Theano's older name)
  disconnected_grad(x)                    identity; no gradient flows (disconnected, so grad()
                                          raises unless disconnected_inputs='ignore'/'warn')
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .graph import Apply, Op, Variable, as_variable
from .grad import (DisconnectedInputError, GradientError, grad, hessian, jacobian,  # noqa: F401
                   numeric_grad, verify_grad)


class _GradientOnly(Op):
    """Identity on values; `kind` says what happens to the gradient."""

    __props__ = ("kind", "lo", "hi")   # not "lower": codegen calls an op's own lower()

    def __init__(self, kind: str, lower: float | None = None, upper: float | None = None) -> None:
        self.kind, self.lo, self.hi = kind, lower, upper

    def __str__(self):
        return f"{self.kind}" + (f"{{{self.lo}, {self.hi}}}" if self.kind == "grad_clip" else "")

    def make_node(self, x: Any) -> Apply:
        x = as_variable(x)
        return Apply(self, [x], [x.type])

    def perform(self, node, inputs):
        return [np.array(inputs[0], copy=True)]

    def infer_shape(self, node, input_shapes, input_values):
        return [input_shapes[0]]

    def grad(self, inputs, output_grads):
        (gz,) = output_grads
        if gz is None or self.kind == "disconnected_grad":
            return [None]
        if self.kind == "grad_clip":
            from .ops.elemwise import clip
            return [clip(gz, self.lo, self.hi)]
        from .ops.elemwise import second
        return [second(gz, np.zeros((), gz.dtype))]

    def connection_pattern(self, node):
        return [[self.kind != "disconnected_grad"]]


def grad_clip(x: Any, lower_bound: float, upper_bound: float) -> Variable:
    """x, with the gradient flowing back through it clipped to [lower_bound, upper_bound]."""
    if not lower_bound <= upper_bound:
        raise ValueError(f"grad_clip: lower_bound ({lower_bound}) must be <= upper_bound ({upper_bound})")
    return _GradientOnly("grad_clip", float(lower_bound), float(upper_bound))(x)


def zero_grad(x: Any) -> Variable:
    """x, with a zero gradient (Theano's ZeroGrad)."""
    return _GradientOnly("zero_grad")(x)


def consider_constant(x: Any) -> Variable:
    """x, treated as a constant by grad (a zero gradient)."""
    return _GradientOnly("consider_constant")(x)


def disconnected_grad(x: Any) -> Variable:
    """x, with no gradient path through it (Theano's DisconnectedGrad)."""
    return _GradientOnly("disconnected_grad")(x)
