"""Stabilize: rewrite numerically fragile forms into stable ones (float32, |x| ~ 1000, p in {0, 1}).

  log(softmax(x))                       -> log_softmax(x)
  (log(clip(softmax(x), lo, hi)) is left alone: the clip is part of the value Keras computes —
   its crossentropy saturates at -log(epsilon) — and the clipped form is already finite)
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
    """log(softmax(x)) -> log_softmax(x). A clip between them is a different function (Keras's
    clipped crossentropy) and is kept, so evaluation and training report the same numbers."""
    p = _log_arg(node)
    if p is None:
        return None
    sm = _owner_op(p, Softmax)
    if sm is not None:
        return [LogSoftmax(sm.axis)(p.owner.inputs[0])]
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
    """If t is [cast](eq(expand_dims(idx, ax), arange along ax)), the integer indices idx."""
    e = t.owner.inputs[0] if isinstance(scalar_of(t), S.CastOp) else t
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


@local_rewrite("stabilize", Elemwise)
def stable_forms(fgraph: FunctionGraph, node: Apply):
    """The table of symnet.stable_forms (the same one grad() differentiates through):
    log(V(sigmoid(z))) for views V, log(exp(x) + exp(y)), log(sum(exp(x))),
    exp(x)/(1+exp(x)), 1/(1+exp(-x)), exp(a)*exp(b)*c -> their stable equivalents."""
    from ..stable_forms import stable_form
    if len(node.outputs) != 1 or node.tag.get("stable_logsumexp") or node.tag.get("stabilized"):
        return None
    m = stable_form(node.outputs[0])
    return None if m is None else [m.value]


@local_rewrite("canonicalize", Elemwise)
def softmax_over_its_sum(fgraph: FunctionGraph, node: Apply):
    """softmax(x) / sum(softmax(x), axis, keepdims) -> softmax(x) along the softmax's axis (Keras
    normalises its categorical crossentropy's input by the sum)."""
    if not isinstance(node.op.scalar_op, S.TrueDiv):
        return None
    s, d = node.inputs
    sm = _owner_op(s, Softmax)
    es = _expand_dims_of_sum(d)
    if sm is None or es is None or es[0] is not s or es[2]:
        return None
    if tuple(es[1]) != (normalize_axis(sm.axis, s.ndim),) or s.type != node.outputs[0].type:
        return None
    return [s]


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


# ------------------------------------------------------------------------------------------
# The same identities inside elementwise expression trees (reaches gradient graphs)
# ------------------------------------------------------------------------------------------
_STAB_OPS = (S.Exp, S.Log, S.SigmoidOp)


class _Stabilizer:
    """Bottom-up sympy rewriting with the stable identities; `leaf_info` describes leaves that
    are exp(u) or expand_dims(sum(exp(u))), for the softmax-like exp(u) / sum(exp(u))."""

    def __init__(self, leaf_exp: dict, leaf_sum: dict, leaf_recip: dict) -> None:
        self.leaf_exp, self.leaf_sum, self.leaf_recip = leaf_exp, leaf_sum, leaf_recip
        self.fired = 0
        self.lse_needed: dict = {}    # sum-leaf symbol -> (u symbol, lse symbol)

    def __call__(self, e):
        import sympy
        from ..scalar import Sigmoid, Softplus
        if e.is_Atom:
            return e
        e = e.func(*[self(a) for a in e.args])
        if isinstance(e, sympy.log):
            a = e.args[0]
            if isinstance(a, Sigmoid):
                self.fired += 1
                return -Softplus(-a.args[0])
            c, r = a.as_coeff_Add()
            if c == 1 and r != 0:
                if isinstance(r, sympy.exp):
                    self.fired += 1
                    return Softplus(r.args[0])
                if r.could_extract_minus_sign() and isinstance(-r, Sigmoid):
                    self.fired += 1
                    return -Softplus((-r).args[0])
                self.fired += 1
                return S.log1p.sympy(r)
            return e
        if isinstance(e, sympy.Add):
            c, r = e.as_coeff_Add()
            if c == -1 and isinstance(r, sympy.exp):
                self.fired += 1
                return S.expm1.sympy(r.args[0])
            return e
        if isinstance(e, sympy.Mul):
            return self._mul(e)
        return e

    def _mul(self, e):
        import sympy
        from ..scalar import Sigmoid
        factors = list(e.args)
        changed = False
        for k, f in enumerate(factors):
            if not (isinstance(f, sympy.Pow) and f.exp == -1):
                continue
            b = f.base
            c, r = b.as_coeff_Add()
            if c == 1 and isinstance(r, sympy.exp):              # 1 / (1 + exp(a))
                a = r.args[0]
                if r in factors:                                  # exp(a) / (1 + exp(a))
                    factors[factors.index(r)] = sympy.S.One
                    factors[k] = Sigmoid(a)
                else:
                    factors[k] = Sigmoid(-a)
                changed = True
            elif b in self.leaf_sum and self.leaf_sum[b] in factors and not self.leaf_recip.get(b):
                # exp(u) / sum(exp(u))
                e_sym = self.leaf_sum[b]
                u_sym, lse_sym = self.lse_needed.setdefault(
                    b, (self.leaf_exp[e_sym], sympy.Symbol(f"lse_{b.name}", real=True)))
                factors[factors.index(e_sym)] = sympy.S.One
                factors[k] = sympy.exp(u_sym - lse_sym)
                changed = True
        for k, f in enumerate(factors):          # exp(u) * (1 / sum(exp(u))) with the reciprocal a leaf
            if f in self.leaf_sum and self.leaf_recip.get(f) and self.leaf_sum[f] in factors:
                e_sym = self.leaf_sum[f]
                u_sym, lse_sym = self.lse_needed.setdefault(
                    f, (self.leaf_exp[e_sym], sympy.Symbol(f"lse_{f.name}", real=True)))
                factors[factors.index(e_sym)] = sympy.S.One
                factors[k] = sympy.exp(u_sym - lse_sym)
                changed = True
        if changed:
            self.fired += 1
            return sympy.Mul(*factors)
        return e


def _expand_dims_of_sum(v: Variable):
    """(e, axes, reciprocal) if v is expand_dims([1 /] sum(e, axes), axes) (keepdims), else None."""
    if _owner_op(v, DimShuffle) is None:
        return None
    r = v.owner.inputs[0]
    recip = isinstance(scalar_of(r), S.Reciprocal)
    if recip:
        r = r.owner.inputs[0]
    red = _owner_op(r, Reduce)
    if red is None or red.kind != "sum":
        return None
    e = r.owner.inputs[0]
    expect = []
    it = iter(range(r.ndim))
    for a in range(e.ndim):
        expect.append("x" if a in red.axes else next(it))
    return (e, red.axes, recip) if tuple(v.owner.op.pattern) == tuple(expect) else None


@local_rewrite("stabilize", Elemwise)
def stabilize_elementwise_tree(fgraph: FunctionGraph, node: Apply):
    """The identities above applied inside whole elementwise trees through sympy, so that
    gradient graphs get them too: g * exp(x) / (1 + exp(x)) -> g * sigmoid(x) (softplus'),
    exp(u) / sum(exp(u)) -> exp(u - logsumexp(u)) (logsumexp'), log(1 - sigmoid) -> -softplus."""
    import sympy
    from .simplify import Tree, _is_root, _tree_op, expand
    out = node.outputs[0]
    if _tree_op(out) is None or not is_float(out.dtype) or not _is_root(fgraph, out):
        return None
    if node.tag.get("stabilized"):
        return None
    node.tag["stabilized"] = True
    tree = Tree(out, fgraph=fgraph)
    leaf_ids = {id(l): i for i, l in enumerate(tree.leaves)}
    syms = [sympy.Symbol(f"x{i}", real=True) for i in range(len(tree.leaves))]
    leaf_exp, leaf_sum, leaf_recip, u_vars = {}, {}, {}, {}
    for i, l in enumerate(tree.leaves):
        if isinstance(scalar_of(l), S.Exp):          # leaf x_i = exp(u): u gets a symbol of its own
            u_sym = sympy.Symbol(f"u{i}", real=True)
            leaf_exp[syms[i]] = u_sym
            u_vars[u_sym] = l.owner.inputs[0]
    for i, l in enumerate(tree.leaves):
        es = _expand_dims_of_sum(l)
        if es is not None and id(es[0]) in leaf_ids and syms[leaf_ids[id(es[0])]] in leaf_exp:
            leaf_sum[syms[i]] = syms[leaf_ids[id(es[0])]]
            leaf_recip[syms[i]] = es[2]
    has_ops = any(isinstance(op, _STAB_OPS) for op, _, _ in tree.composite.program)
    if not has_ops and not leaf_sum:
        return None
    try:
        expr = tree.composite.sympy_outputs(syms)[0]
        st = _Stabilizer(leaf_exp, leaf_sum, leaf_recip)
        new_expr = st(expr)
    except Exception:
        return None
    if not st.fired:
        return None
    from .. import basic as T
    leaves = list(tree.leaves)
    symbols = {s: i for i, s in enumerate(syms)}
    for b_sym, (u_sym, lse_sym) in st.lse_needed.items():
        u_var = u_vars[u_sym]
        _, axes, _ = _expand_dims_of_sum(tree.leaves[symbols[b_sym]])
        m = T.stop_gradient(T.max(u_var, axes, keepdims=True))
        m = T.switch(T.isinf(m), np.zeros((), u_var.dtype), m)
        lse = T.log(T.sum(T.exp(u_var - m), axes, keepdims=True)) + m
        lse.owner.tag["stabilized"] = True
        if u_sym not in symbols:
            symbols[u_sym] = len(leaves)
            leaves.append(u_var)
        symbols[lse_sym] = len(leaves)
        leaves.append(lse)
    b = S.ProgramBuilder([l.dtype for l in leaves], out.dtype)
    try:
        root = S.from_sympy(new_expr, {s: i for s, i in symbols.items()}, b)
        comp = b.finish([root])
    except (NotImplementedError, TypeError, ValueError):
        return None
    if comp.slot_dtypes()[comp.outputs[0]] != out.dtype:
        return None
    (res,) = expand(comp, leaves)
    if res.type.shape != out.type.shape:
        for l in tree.leaves:
            if l.ndim <= out.ndim:
                res = Elemwise(S.second)(l, res)
            if res.type.shape == out.type.shape:
                break
    if res.type.shape != out.type.shape:
        return None
    res.owner.tag["stabilized"] = True
    return [res]
