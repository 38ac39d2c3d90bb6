"""Stabilize: rewrite numerically fragile forms into stable ones (float32, |x| ~ 1000, p in {0, 1}).

  log(softmax(x))                       -> log_softmax(x)
  log(clip(softmax(x), lo, hi))         -> log_softmax(x)   when the clip feeds only the log (the
                                           Keras from-logits behaviour; with a gradient through
                                           the clip the clipped form is already finite and stays)
  -sum(t * log_softmax(x), axis)        -> SoftmaxCrossentropyWithLogits(x, t)   (and the sparse
                                           one-hot-of-arange form -> the sparse op on the indices)
  exp(x) / sum(exp(x), axis, keepdims)  -> softmax(x)
  log(sigmoid(x))                       -> -softplus(-x)
  log(1 - sigmoid(x))                   -> -softplus(x)     (so binary crossentropy of a sigmoid
                                           becomes t*softplus(-x) + (1-t)*softplus(x), the
                                           from-logits form)
  log(1 + exp(x))                       -> softplus(x)
  log(1 + x)                            -> log1p(x)
  exp(x) - 1                            -> expm1(x)
  log(sum(exp(x), axes))                -> m + log(sum(exp(x - m), axes)), m = max(x) (inf-safe)
The gradients of these forms are stabilised by the simplify phase's sympy pass, which cancels
(g / s) * s for s = softmax/sigmoid outputs in the gradient graph.
"""
from __future__ import annotations

import numpy as np

from ..graph import Apply, Constant, FunctionGraph, Variable, as_variable
from ..ops.creation import ARange
from ..ops.elemwise import Elemwise, cast
from ..ops.fused import SoftmaxCrossentropyWithLogits
from ..ops.nnet import LogSoftmax, Softmax
from ..ops.reduce import Reduce
from ..ops.shape import DimShuffle, Shape, StopGradient
from ..ops.subtensor import Subtensor
from ..types import is_float, is_int, normalize_axis
from .core import S, const_value, is_const, local_rewrite, scalar_of


def _owner_op(v: Variable, cls: type):
    return v.owner.op if v.owner is not None and isinstance(v.owner.op, cls) else None


def _log_arg(node: Apply) -> Variable | None:
    if isinstance(node.op.scalar_op, S.Log) and is_float(node.outputs[0].dtype):
        return node.inputs[0]
    return None


@local_rewrite("stabilize", Elemwise)
def log_softmax(fgraph: FunctionGraph, node: Apply):
    """log(softmax(x)) -> log_softmax(x); log(clip(softmax(x))) likewise when nothing else
    uses the clip."""
    p = _log_arg(node)
    if p is None:
        return None
    sm = _owner_op(p, Softmax)
    if sm is not None:
        return [LogSoftmax(sm.axis)(p.owner.inputs[0])]
    if isinstance(scalar_of(p), S.Clip) and len(fgraph.clients.get(p, ())) == 1:
        inner = p.owner.inputs[0]
        sm = _owner_op(inner, Softmax)
        if sm is not None and inner.type.shape == p.type.shape and inner.dtype == p.dtype:
            return [LogSoftmax(sm.axis)(inner.owner.inputs[0])]
    return None


def _strip(v: Variable) -> Variable:
    """Look through casts to int64 and DimShuffles (for index matching)."""
    while v.owner is not None and (isinstance(v.owner.op, DimShuffle) or isinstance(scalar_of(v), S.CastOp)):
        v = v.owner.inputs[0]
    return v


def _is_axis_index(v: Variable, x: Variable, ax: int) -> bool:
    """v is arange(0, n) laid along axis `ax` (size 1 elsewhere) with n = x.shape[ax]."""
    if v.owner is None or not isinstance(v.owner.op, DimShuffle):
        return False
    pat = v.owner.op.pattern
    if v.ndim != x.ndim or [i for i, p in enumerate(pat) if p != "x"] != [ax]:
        return False
    r = v.owner.inputs[0]
    if not isinstance(_owner_op(r, ARange), ARange):
        return False
    start, stop, step = r.owner.inputs
    if not (is_const(start, 0) and is_const(step, 1)):
        return False
    n = const_value(stop)
    if n is not None:
        return x.type.shape[ax] is not None and int(n) == x.type.shape[ax]
    stop = _strip(stop)
    sub = _owner_op(stop, Subtensor)
    if sub is None or sub.idx_list != (ax,) and sub.idx_list != (ax - x.ndim,):
        return False
    shp = stop.owner.inputs[0]
    if _owner_op(shp, Shape) is None:
        return False
    src = shp.owner.inputs[0]
    while src.owner is not None and isinstance(src.owner.op, (Softmax, LogSoftmax, StopGradient)):
        src = src.owner.inputs[0]
    return src is x or (src.type.shape == x.type.shape and all(d is not None for d in x.type.shape))


def _sparse_indices(t: Variable, x: Variable, ax: int) -> Variable | None:
    """If t is cast(eq(expand_dims(idx, ax), arange along ax)), the integer indices idx."""
    if not isinstance(scalar_of(t), S.CastOp):
        return None
    e = t.owner.inputs[0]
    if not isinstance(scalar_of(e), S.EQ):
        return None
    for a, b in (e.owner.inputs, reversed(e.owner.inputs)):
        ds = _owner_op(a, DimShuffle)
        if ds is None or not _is_axis_index(b, x, ax):
            continue
        idx = a.owner.inputs[0]
        want = tuple(i for i in range(x.ndim) if i != ax)
        pat = list(ds.pattern)
        if pat[ax] != "x" or tuple(p for i, p in enumerate(pat) if i != ax) != tuple(range(idx.ndim)) \
                or idx.ndim != len(want) or not is_int(idx.dtype):
            continue
        return idx
    return None


@local_rewrite("stabilize", Elemwise)
def crossentropy_softmax(fgraph: FunctionGraph, node: Apply):
    """-sum(t * log_softmax(x), axis) -> SoftmaxCrossentropyWithLogits(axis)(x, t) (sparse if t
    is the one-hot of integer indices)."""
    if not isinstance(node.op.scalar_op, S.Neg):
        return None
    r = node.inputs[0]
    red = _owner_op(r, Reduce)
    if red is None or red.kind != "sum" or len(red.axes) != 1:
        return None
    m = r.owner.inputs[0]
    if not isinstance(scalar_of(m), S.Mul):
        return None
    for t, ls in (m.owner.inputs, reversed(m.owner.inputs)):
        lop = _owner_op(ls, LogSoftmax)
        if lop is None:
            continue
        x = ls.owner.inputs[0]
        ax = red.axes[0]
        if normalize_axis(lop.axis, x.ndim) != ax or t.ndim != x.ndim:
            continue
        out = node.outputs[0]
        idx = _sparse_indices(t, x, ax)
        if idx is not None:
            res = SoftmaxCrossentropyWithLogits(ax, True)(x, idx)
        elif is_float(t.dtype):
            res = SoftmaxCrossentropyWithLogits(ax, False)(x, t)
        else:
            continue
        if res.dtype != out.dtype:
            res = cast(res, out.dtype)
        return [res]
    return None


@local_rewrite("stabilize", Elemwise)
def naive_softmax(fgraph: FunctionGraph, node: Apply):
    """exp(x) / expand_dims(sum(exp(x), axis)) -> softmax(x, axis)."""
    if not isinstance(node.op.scalar_op, S.TrueDiv):
        return None
    e, d = node.inputs
    if not isinstance(scalar_of(e), S.Exp) or _owner_op(d, DimShuffle) is None:
        return None
    r = d.owner.inputs[0]
    red = _owner_op(r, Reduce)
    if red is None or red.kind != "sum" or len(red.axes) != 1 or r.owner.inputs[0] is not e:
        return None
    ax = red.axes[0]
    expect = tuple("x" if i == ax else (i if i < ax else i - 1) for i in range(e.ndim))
    if d.owner.op.pattern != expect:
        return None
    return [Softmax(ax)(e.owner.inputs[0])]


@local_rewrite("stabilize", Elemwise)
def log_sigmoid(fgraph: FunctionGraph, node: Apply):
    """log(sigmoid(x)) -> -softplus(-x); log(1 - sigmoid(x)) -> -softplus(x)."""
    p = _log_arg(node)
    if p is None:
        return None
    neg, softplus = Elemwise(S.neg), Elemwise(S.softplus)
    if isinstance(scalar_of(p), S.SigmoidOp):
        x = p.owner.inputs[0]
        return [neg(softplus(neg(x)))] if x.dtype == p.dtype else None
    if isinstance(scalar_of(p), S.Sub) and is_const(p.owner.inputs[0], 1):
        s = p.owner.inputs[1]
        if isinstance(scalar_of(s), S.SigmoidOp) and s.owner.inputs[0].dtype == p.dtype:
            r = neg(softplus(s.owner.inputs[0]))
            return [r] if r.type.shape == p.type.shape else None
    return None


def _plus_one(v: Variable) -> Variable | None:
    """x if v is x + 1 (either order), else None."""
    if isinstance(scalar_of(v), S.Add):
        a, b = v.owner.inputs
        if is_const(b, 1) and b.ndim <= a.ndim:
            return a
        if is_const(a, 1) and a.ndim <= b.ndim:
            return b
    return None


@local_rewrite("stabilize", Elemwise)
def log1p_softplus(fgraph: FunctionGraph, node: Apply):
    """log(1 + exp(x)) -> softplus(x); log(1 + x) -> log1p(x)."""
    p = _log_arg(node)
    if p is None:
        return None
    x = _plus_one(p)
    if x is None or x.dtype != p.dtype:
        return None
    out = node.outputs[0]
    if isinstance(scalar_of(x), S.Exp) and x.owner.inputs[0].dtype == x.dtype:
        r = Elemwise(S.softplus)(x.owner.inputs[0])
    else:
        r = Elemwise(S.log1p)(x)
    return [r] if r.type.shape == out.type.shape else None


@local_rewrite("stabilize", Elemwise)
def expm1(fgraph: FunctionGraph, node: Apply):
    """exp(x) - 1 (canonically exp(x) + -1) -> expm1(x)."""
    op = node.op.scalar_op
    if len(node.inputs) != 2:
        return None
    a, b = node.inputs
    if not (isinstance(op, S.Add) and is_const(b, -1) or isinstance(op, S.Sub) and is_const(b, 1)):
        return None
    if not isinstance(scalar_of(a), S.Exp) or b.ndim > a.ndim:
        return None
    r = Elemwise(S.expm1)(a.owner.inputs[0])
    return [r] if r.type == node.outputs[0].type or r.type.shape == node.outputs[0].type.shape else None


@local_rewrite("stabilize", Elemwise)
def logsumexp(fgraph: FunctionGraph, node: Apply):
    """log(sum(exp(x), axes)) -> m + log(sum(exp(x - m), axes)) with m = max(x, axes) (0 where
    m is +-inf, as sn.logsumexp)."""
    if node.tag.get("stable_logsumexp"):
        return None
    p = _log_arg(node)
    if p is None:
        return None
    ds = None
    if _owner_op(p, DimShuffle) is not None:
        ds, p = p.owner.op, p.owner.inputs[0]
    red = _owner_op(p, Reduce)
    if red is None or red.kind != "sum" or not isinstance(scalar_of(p.owner.inputs[0]), S.Exp):
        return None
    x = p.owner.inputs[0].owner.inputs[0]
    if x.dtype != node.outputs[0].dtype:
        return None
    from .. import basic as T
    m = T.stop_gradient(T.max(x, red.axes, keepdims=True))
    m = T.switch(T.isinf(m), np.zeros((), x.dtype), m)
    inner_log = T.log(T.sum(T.exp(x - m), red.axes))
    inner_log.owner.tag["stable_logsumexp"] = True
    res = inner_log + T.squeeze(m, red.axes)
    if ds is not None:
        res = DimShuffle(res.ndim, ds.pattern)(res)
    return [res] if res.type.shape == node.outputs[0].type.shape else None


@local_rewrite("canonicalize", Shape)
def shape_through_same_shape_op(fgraph: FunctionGraph, node: Apply):
    """Shape(f(x)) -> Shape(x) for ops whose output has x's shape (softmax, unary elementwise),
    so the shape no longer keeps f(x) alive after f is rewritten away."""
    v = node.inputs[0]
    if v.owner is None:
        return None
    op = v.owner.op
    same = isinstance(op, (Softmax, LogSoftmax, StopGradient)) or (
        isinstance(op, Elemwise) and len(v.owner.inputs) == 1)
    if same and v.owner.inputs[0].ndim == v.ndim:
        return [Shape()(v.owner.inputs[0])]
    return None
