"""Composite scalar ops written once in primitive ops, for backends whose printer has no better form.

A printer looks an op up in its own table first (the LLVM table has vectorisable sigmoid and
softplus, for instance); if it is missing there, `decompose` gives a Composite over primitive
ops (comparisons, switch, arithmetic, exp/log...) that the printer prints instead. So a new
backend prints relu's gradient, elu, sigmoid or softplus without writing them again.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

S = importlib.import_module("symnet.scalar")  # the module: the attribute symnet.scalar is sn.scalar()


def _program(dtype: str, build: Callable) -> Any:
    """A one-input Composite from build(op, const) -> output slot; slot 0 is the input."""
    steps: list = []

    def op(scalar_op: Any, *args: int, dtype_: str | None = None) -> int:
        steps.append((scalar_op, tuple(args), dtype_ or dtype))
        return len(steps)

    def const(v: Any, dt: str | None = None) -> int:
        steps.append((S.Const(v, dt or dtype), (), dt or dtype))
        return len(steps)
    out = build(op, const)
    return S.Composite([dtype], steps, [out])


def _step(op, const):          # relu's gradient: 1 where x > 0 else 0
    return op(S.switch, op(S.gt, 0, const(0), dtype_="bool"), const(1), const(0))


def _elu_form(alpha: float) -> Callable:
    def build(op, const):      # x if x > 0 else alpha * expm1(x)
        return op(S.switch, op(S.gt, 0, const(0), dtype_="bool"), 0, op(S.mul, const(alpha), op(S.expm1, 0)))
    return build


def _sigmoid(op, const):       # 1 / (1 + exp(-x))
    return op(S.true_div, const(1), op(S.add, const(1), op(S.exp, op(S.neg, 0))))


def _softplus(op, const):      # max(x, 0) + log1p(exp(-|x|))
    pos = op(S.switch, op(S.gt, 0, const(0), dtype_="bool"), 0, const(0))
    return op(S.add, pos, op(S.log1p, op(S.exp, op(S.neg, op(S.abs_, 0)))))


FORMS: dict[str, Callable[[Any, str], Callable]] = {
    "step": lambda op, dt: _step,
    "elu": lambda op, dt: _elu_form(op.alpha),
    "sigmoid": lambda op, dt: _sigmoid,
    "softplus": lambda op, dt: _softplus,
}


def decompose(op: Any, dtype: str) -> Any | None:
    """A Composite computing unary `op` in `dtype` from primitive ops, or None if it has no form."""
    form = FORMS.get(op.name)
    if form is None:
        return None
    return _program(dtype, form(op, dtype))
