"""Stable equivalents of numerically fragile forms, shared by grad() and the stabilize phase.

``stable_form(v)`` recognises an expression such as ``log(sigmoid(z))`` and returns an equal
expression built from stable ops over the same leaves (``-softplus(-z)``), together with the
intermediate variables it bypasses. Two users:

* ``grad`` differentiates the stable form instead of the fragile one (the op-level fix: the
  naive chain rule through ``log(p)`` then ``sigmoid`` multiplies ``1/p`` by ``p(1-p)``, which is
  0/0 when p underflows), so gradients stay finite with or without the rewrite pipeline;
* the stabilize phase replaces the value with the stable form.

Forms (z, x, y, a, b any expressions; V a chain of views: reshape, dimshuffle, indexing):
  log(V(sigmoid(z)))           -> V(-softplus(-z))     sigmoid(z) also spelt exp(z)/(1+exp(z)),
  log(V(1 - sigmoid(z)))       -> V(-softplus(z))      1/(1+exp(-z)), reciprocal(1+exp(-z))
  log(V(softmax(x)))           -> V(log_softmax(x))
  log(1 + exp(x))              -> softplus(x)
  log(exp(x) + exp(y))         -> x + softplus(y - x)  (gradient sigmoid(x - y), exact at x == y)
  log(sum(exp(x), axes))       -> logsumexp(x, axes)
  exp(x)/(1+exp(x)), 1/(1+exp(-x)) -> sigmoid(x)
  exp(a) * exp(b) * c          -> exp(a + b) * c       (exp(x)*exp(-x) is 1 where each overflows)
"""
from __future__ import annotations

from typing import Callable

import importlib

from .graph import Constant, Variable

S = importlib.import_module("symnet.scalar")   # the attribute symnet.scalar is sn.scalar()

STABLE_TAG = "stable_form"      # nodes built here (or by sn.logsumexp) are not matched again


def _elemwise_op(v: Variable):
    from .ops.elemwise import Elemwise
    if v.owner is not None and isinstance(v.owner.op, Elemwise):
        return v.owner.op.scalar_op
    return None


def _is(v: Variable, cls: type) -> bool:
    return isinstance(_elemwise_op(v), cls)


def _const_value(v: Variable):
    from .ops.shape import DimShuffle
    while v.owner is not None and isinstance(v.owner.op, DimShuffle):
        v = v.owner.inputs[0]
    if isinstance(v, Constant) and v.data.size >= 1:
        flat = v.data.reshape(-1)
        if (flat == flat[0]).all():
            return flat[0].item()
    return None


def _is_one(v: Variable) -> bool:
    return _const_value(v) == 1


class _Match:
    """What a matcher found: the stable expression and the variables it replaces."""

    def __init__(self, value: Variable, bypassed: list[Variable]) -> None:
        self.value, self.bypassed = value, bypassed


def _one_plus(v: Variable) -> Variable | None:
    """u if v is 1 + u (either order), with the 1 not widening the shape."""
    if _is(v, S.Add):
        a, b = v.owner.inputs
        if _is_one(a) and a.ndim <= b.ndim:
            return b
        if _is_one(b) and b.ndim <= a.ndim:
            return a
    return None


def _neg_of(v: Variable, bypassed: list[Variable] | None = None) -> Variable:
    """-v, reusing the operand when v is itself a negation (then v joins `bypassed`)."""
    from .ops.elemwise import neg
    if _is(v, S.Neg):
        if bypassed is not None:
            bypassed.append(v)
        return v.owner.inputs[0]
    return neg(v)


def sigmoid_logit(v: Variable) -> tuple[Variable, list[Variable]] | None:
    """(z, bypassed) if v computes sigmoid(z) in any of its spellings."""
    op = _elemwise_op(v)
    if isinstance(op, S.SigmoidOp):
        return v.owner.inputs[0], [v]
    den = None
    if isinstance(op, S.TrueDiv):
        num, den = v.owner.inputs
        u = _one_plus(den)
        if u is not None and _is(u, S.Exp):
            t = u.owner.inputs[0]
            if num is u or (_is(num, S.Exp) and num.owner.inputs[0] is t):
                return t, [v, den, u]                         # exp(t) / (1 + exp(t))
            if _is_one(num) and num.ndim <= den.ndim:
                bypassed = [v, den, u]
                return _neg_of(t, bypassed), bypassed         # 1 / (1 + exp(t))
        return None
    if isinstance(op, S.Reciprocal):
        den = v.owner.inputs[0]
        u = _one_plus(den)
        if u is not None and _is(u, S.Exp):
            bypassed = [v, den, u]
            return _neg_of(u.owner.inputs[0], bypassed), bypassed
    return None


def _one_minus(v: Variable) -> Variable | None:
    if _is(v, S.Sub) and _is_one(v.owner.inputs[0]) and v.owner.inputs[0].ndim <= v.ndim:
        return v.owner.inputs[1]
    if _is(v, S.Add):
        a, b = v.owner.inputs
        for one, other in ((a, b), (b, a)):
            if _is_one(one) and _is(other, S.Neg):
                return other.owner.inputs[0]
    return None


def _log_of_probability(p: Variable) -> _Match | None:
    """A stable log(p) for p a sigmoid, 1 - sigmoid or softmax output, seen through views."""
    from .ops import elemwise as E
    from .ops.nnet import Softmax, log_softmax
    found = sigmoid_logit(p)
    if found is not None:
        z, bypassed = found
        return _Match(E.neg(E.softplus(_neg_of(z, bypassed))), bypassed)
    q = _one_minus(p)
    if q is not None:
        found = sigmoid_logit(q)
        if found is not None:
            z, bypassed = found
            return _Match(E.neg(E.softplus(z)), [p] + bypassed)
    if p.owner is not None and isinstance(p.owner.op, Softmax):
        return _Match(log_softmax(p.owner.inputs[0], p.owner.op.axis), [p])
    if p.owner is not None and _is_view(p.owner.op) and p.owner.inputs[0].dtype == p.dtype:
        inner = _log_of_probability(p.owner.inputs[0])
        if inner is not None:
            rebuilt = p.owner.op(inner.value, *p.owner.inputs[1:])
            return _Match(rebuilt, [p] + inner.bypassed)
    return None


def _is_view(op) -> bool:
    """Ops that only move or select elements: log commutes with them."""
    from .ops.shape import DimShuffle, Reshape
    from .ops import subtensor as ST
    views = (DimShuffle, Reshape, ST.Subtensor, ST.AdvancedSubtensor1)
    general = getattr(ST, "AdvancedSubtensor", None)
    return isinstance(op, views) or (general is not None and isinstance(op, general))


def _log_form(v: Variable) -> _Match | None:
    from .ops import elemwise as E
    from .ops.reduce import Reduce, logsumexp
    from .ops.shape import DimShuffle
    if not _is(v, S.Log):
        return None
    p = v.owner.inputs[0]
    m = _log_of_probability(p)
    if m is not None:
        return _Match(m.value, [v] + m.bypassed)
    u = _one_plus(p)
    if u is not None and _is(u, S.Exp):
        return _Match(E.softplus(u.owner.inputs[0]), [v, p, u])
    if _is(p, S.Add):
        a, b = p.owner.inputs
        if _is(a, S.Exp) and _is(b, S.Exp):
            x, y = a.owner.inputs[0], b.owner.inputs[0]
            return _Match(x + E.softplus(y - x), [v, p, a, b])
    q, ds = p, None
    if q.owner is not None and isinstance(q.owner.op, DimShuffle):
        ds, q = q.owner.op, q.owner.inputs[0]
    if q.owner is not None and isinstance(q.owner.op, Reduce) and q.owner.op.kind == "sum":
        e = q.owner.inputs[0]
        if _is(e, S.Exp):
            res = logsumexp(e.owner.inputs[0], q.owner.op.axes)
            if ds is not None:
                res = DimShuffle(res.ndim, ds.pattern)(res)
            return _Match(res, [v, p, q, e] if ds is not None else [v, q, e])
    return None


def _sigmoid_form(v: Variable) -> _Match | None:
    from .ops import elemwise as E
    if _is(v, S.SigmoidOp):
        return None
    found = sigmoid_logit(v)
    if found is None:
        return None
    z, bypassed = found
    return _Match(E.sigmoid(z), bypassed)


def _mul_factors(v: Variable, out: list[Variable], inner: list[Variable]) -> None:
    for i in v.owner.inputs:
        if _is(i, S.Mul) and i.dtype == v.dtype:
            inner.append(i)
            _mul_factors(i, out, inner)
        else:
            out.append(i)


def _exp_product_form(v: Variable) -> _Match | None:
    from .ops import elemwise as E
    if not _is(v, S.Mul):
        return None
    factors: list[Variable] = []
    inner: list[Variable] = []
    _mul_factors(v, factors, inner)
    exps = [f for f in factors if _is(f, S.Exp)]
    if len(exps) < 2:
        return None
    arg = exps[0].owner.inputs[0]
    for f in exps[1:]:
        arg = arg + f.owner.inputs[0]
    res = E.exp(arg)
    for f in factors:
        if not _is(f, S.Exp):
            res = res * f
    return _Match(res, [v] + inner + exps)


_FORMS: list[Callable[[Variable], _Match | None]] = [_log_form, _sigmoid_form, _exp_product_form]


def leaves_of(bypassed: list[Variable]) -> list[Variable]:
    """The inputs of the bypassed sub-expression: what the stable form is a function of."""
    inner = set(map(id, bypassed))
    seen: set[int] = set()
    out = []
    for b in bypassed:
        for i in b.owner.inputs:
            if id(i) not in inner and id(i) not in seen:
                seen.add(id(i))
                out.append(i)
    return out


def _tag_new_nodes(res: Variable, bypassed: list[Variable]) -> None:
    from .graph import toposort
    for node in toposort([res], blockers=leaves_of(bypassed)):
        node.tag[STABLE_TAG] = True


def stable_form(v: Variable) -> _Match | None:
    """The stable equivalent of v (same dtype and static shape), or None."""
    if v.owner is None or v.owner.tag.get(STABLE_TAG):
        return None
    for form in _FORMS:
        m = form(v)
        if m is None:
            continue
        res = m.value
        if res.dtype != v.dtype:
            from .ops.elemwise import cast
            res = cast(res, v.dtype)
        if res.ndim != v.ndim or any(a is not None and a != b for a, b in zip(res.type.shape, v.type.shape)):
            continue
        _tag_new_nodes(res, m.bypassed)
        return _Match(res, m.bypassed)
    return None
