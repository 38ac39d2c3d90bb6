"""Canonicalize: put the graph in one standard form that later phases can match on.

Dead code, merging of equal subexpressions (constants included), constant folding (capped),
shape clean-ups, fill sinking and one form for add/sub/mul/div/neg:
  - commutative binary ops have their constant operand last (``2 * x`` -> ``x * 2``);
  - ``x - c`` becomes ``x + (-c)``; ``x * -1`` and ``-1 * x`` become ``-x``;
  - ``x / c`` becomes ``x * (1/c)`` only where 1/c is exact (c a power of two);
  - ``-(-x)`` is ``x``, ``a - (-b)`` is ``a + b``, ``a + (-b)`` is ``a - b``.
Every rewrite here is value-preserving (bit-identical up to the sign of a zero).
"""
from __future__ import annotations

import math

import numpy as np

from ..graph import Apply, Constant, FunctionGraph, SharedVariable, Variable, as_variable
from ..ops.elemwise import Elemwise
from ..ops.shape import DimShuffle, Reshape, Shape, dimshuffle
from .core import S, const_value, global_rewrite, is_const, local_rewrite, scalar_of, uniform_const

FOLD_MAX_ELEMENTS = 1 << 14   # constant folding never creates a constant bigger than this


# ------------------------------------------------------------------------------------------
# Dead code and merging
# ------------------------------------------------------------------------------------------
@global_rewrite("canonicalize")
def dead_code_elimination(fgraph: FunctionGraph) -> int:
    """Drop nodes that no output depends on (replace() prunes as it goes; this is the sweep)."""
    live = set(fgraph.toposort())
    dead = [n for n in fgraph.nodes if n not in live]
    if dead:
        fgraph._rebuild()
    return 0  # removing dead nodes never enables another rewrite by itself


def _const_key(c: Constant) -> tuple:
    return ("const", c.type.shape, c.signature())


@global_rewrite("canonicalize")
def merge(fgraph: FunctionGraph) -> int:
    """Common-subexpression elimination: equal constants, then nodes with the same op and inputs."""
    changes = 0
    seen_const: dict = {}
    for v in list(fgraph.clients):
        if isinstance(v, Constant) and fgraph.clients.get(v) and v.data.size <= 4096:
            key = _const_key(v)
            keep = seen_const.setdefault(key, v)
            if keep is not v:
                fgraph.replace(v, keep, reason="merge")
                changes += 1
    seen: dict = {}
    for node in fgraph.toposort():
        if node not in fgraph.nodes:
            continue
        try:
            key = (node.op, tuple(map(id, node.inputs)))
            hash(key)
        except TypeError:
            continue
        other = seen.get(key)
        if other is None or other not in fgraph.nodes:
            seen[key] = node
            continue
        if any(a.type != b.type for a, b in zip(node.outputs, other.outputs)):
            continue
        for a, b in zip(node.outputs, other.outputs):
            fgraph.replace(a, b, reason="merge")
        changes += 1
    if changes:
        from .core import note
        note(fgraph, "merge", [], [])
    return changes


# ------------------------------------------------------------------------------------------
# Constant folding
# ------------------------------------------------------------------------------------------
def _foldable(node: Apply) -> bool:
    mod = type(node.op).__module__
    return (mod.startswith("symnet.ops.") and "random" not in mod and not node.op.destroy_map
            and all(isinstance(i, Constant) for i in node.inputs))


@local_rewrite("canonicalize")
def constant_folding(fgraph: FunctionGraph, node: Apply):
    """An op whose inputs are all constants is computed now (results up to FOLD_MAX_ELEMENTS)."""
    if not _foldable(node):
        return None
    for o in node.outputs:
        if any(d is not None and d > FOLD_MAX_ELEMENTS for d in o.type.shape):
            return None
    try:
        with np.errstate(all="ignore"):
            values = node.op.perform(node, [i.data for i in node.inputs])
    except Exception:  # an error here is the user's run-time error: leave the node to raise it then
        return None
    out = []
    for o, v in zip(node.outputs, values):
        v = np.array(v, dtype=o.dtype)
        if v.size > FOLD_MAX_ELEMENTS:
            return None
        c = Constant(o.type.clone(shape=v.shape), v)
        out.append(c)
    return out


@local_rewrite("canonicalize", Shape)
def shape_of_static(fgraph: FunctionGraph, node: Apply):
    """Shape(x) is a constant when x's static shape is fully known."""
    x = node.inputs[0]
    if all(d is not None for d in x.type.shape):
        return [as_variable(np.asarray(x.type.shape, dtype="int64").reshape(x.ndim))]
    return None


# ------------------------------------------------------------------------------------------
# Shape clean-ups
# ------------------------------------------------------------------------------------------
@local_rewrite("canonicalize", DimShuffle)
def dimshuffle_merge(fgraph: FunctionGraph, node: Apply):
    """DimShuffle(DimShuffle(x)) -> one DimShuffle (transpose of transpose included); an
    identity DimShuffle -> x."""
    op = node.op
    x = node.inputs[0]
    if op.pattern == tuple(range(op.in_ndim)):
        return [x]
    if x.owner is None or not isinstance(x.owner.op, DimShuffle):
        return None
    inner = x.owner.op
    pattern = tuple("x" if p == "x" else inner.pattern[p] for p in op.pattern)
    base = x.owner.inputs[0]
    if pattern == tuple(range(base.ndim)):
        return [base]
    return [DimShuffle(base.ndim, pattern)(base)]


@local_rewrite("canonicalize", Reshape)
def reshape_merge(fgraph: FunctionGraph, node: Apply):
    """Reshape(Reshape(x, s1), s2) -> Reshape(x, s2); a reshape to x's own static shape -> x."""
    x, shp = node.inputs
    if x.owner is not None and isinstance(x.owner.op, Reshape):
        return [Reshape(node.op.ndim)(x.owner.inputs[0], shp)]
    vals = const_value(shp)
    if vals is not None and x.ndim == node.op.ndim and all(d is not None for d in x.type.shape):
        if tuple(int(v) for v in vals) == x.type.shape:
            return [x]
    return None


@local_rewrite("canonicalize", Elemwise)
def useless_cast(fgraph: FunctionGraph, node: Apply):
    """cast(x, dtype) where x already has that dtype -> x; identity(x) -> x."""
    op = node.op.scalar_op
    x = node.inputs[0] if node.inputs else None
    if isinstance(op, S.CastOp) and x.dtype == op.dtype and x.type.shape == node.outputs[0].type.shape:
        return [x]
    if isinstance(op, S.Identity) and x.type == node.outputs[0].type:
        return [x]
    return None


# ------------------------------------------------------------------------------------------
# Fill sinking
# ------------------------------------------------------------------------------------------
@local_rewrite("canonicalize", Elemwise)
def fill_sink(fgraph: FunctionGraph, node: Apply):
    """op(.., fill(a, b), ..) -> fill(a, op(.., b, ..)): the shape-giving fill moves outward, so
    the scalar b meets the other operands (zeros_like(x) * y becomes fill(x, 0 * y); with
    constants it folds, and ``rewrite_unsafe_math`` then makes it a fill with zeros)."""
    op = node.op.scalar_op
    if isinstance(op, (S.Second, S.Composite)) or op.nout != 1 or len(node.inputs) < 2:
        return None
    for k, inp in enumerate(node.inputs):
        if isinstance(scalar_of(inp), S.Second) and len(fgraph.clients.get(inp, ())) == 1:
            a, b = inp.owner.inputs
            ins = list(node.inputs)
            ins[k] = b
            inner = Elemwise(op)(*ins)
            out = Elemwise(S.second)(a, inner)
            if out.type.shape != node.outputs[0].type.shape or out.dtype != node.outputs[0].dtype:
                return None
            return [out]
    return None


@local_rewrite("canonicalize", Elemwise)
def useless_fill(fgraph: FunctionGraph, node: Apply):
    """fill(a, b) where b already has the (fully static) shape and dtype of the result -> b."""
    if not isinstance(node.op.scalar_op, S.Second):
        return None
    a, b = node.inputs
    if b.type.shape == node.outputs[0].type.shape and b.dtype == node.outputs[0].dtype and \
            all(d is not None for d in b.type.shape) and a.type.shape == b.type.shape:
        return [b]
    return None


# ------------------------------------------------------------------------------------------
# One form for add / sub / mul / div / neg
# ------------------------------------------------------------------------------------------
def _scalar_const(value: float, like: Variable) -> Constant:
    return as_variable(np.asarray(value, dtype=like.dtype))


@local_rewrite("canonicalize", Elemwise)
def canonical_arith(fgraph: FunctionGraph, node: Apply):
    """The canonical add/sub/mul/div/neg form described in the module docstring."""
    op = node.op.scalar_op
    ins = node.inputs
    out = node.outputs[0] if len(node.outputs) == 1 else None
    if out is None:
        return None
    if isinstance(op, S.Neg):
        (x,) = ins
        if isinstance(scalar_of(x), S.Neg):
            return [x.owner.inputs[0]]
        return None
    if len(ins) != 2:
        return None
    a, b = ins
    if op.commutative and const_value(a) is not None and const_value(b) is None:
        return [Elemwise(op)(b, a)]
    if isinstance(op, S.Sub):
        if isinstance(b, Constant) and b.dtype == out.dtype and out.dtype.startswith("float"):
            return [Elemwise(S.add)(a, Constant(b.type, np.negative(b.data)))]
        if isinstance(scalar_of(b), S.Neg):
            return [Elemwise(S.add)(a, b.owner.inputs[0])]
    if isinstance(op, S.Add) and isinstance(scalar_of(b), S.Neg):
        return [Elemwise(S.sub)(a, b.owner.inputs[0])]
    if isinstance(op, S.Mul) and is_const(b, -1) and b.ndim <= a.ndim and a.dtype == out.dtype:
        r = Elemwise(S.neg)(a)
        return [r] if r.type.shape == out.type.shape else None
    if isinstance(op, S.TrueDiv):
        c = uniform_const(b) if isinstance(b, Constant) else None
        if c is not None and out.dtype.startswith("float") and a.dtype == b.dtype == out.dtype and c != 0 \
                and math.isfinite(c) and math.frexp(abs(c))[0] == 0.5:
            return [Elemwise(S.mul)(a, Constant(b.type, np.asarray(1.0 / b.data, dtype=b.dtype)))]
    return None


# ------------------------------------------------------------------------------------------
# Shapes from the inputs (so a shape never keeps a rewritten-away value alive)
# ------------------------------------------------------------------------------------------
def _dim_source(v: Variable, k: int) -> tuple[Variable, int] | int | None:
    """(variable, axis) whose size equals dim k of v, or the static size, or None."""
    from ..ops.blas import MatMul
    from ..ops.fused import FusedReduce, Gemm, SoftmaxCrossentropyWithLogits
    from ..ops.nnet import LogSoftmax, Softmax
    from ..ops.reduce import Reduce
    from ..ops.shape import StopGradient
    from ..types import normalize_axis
    if v.type.shape[k] is not None:
        return v.type.shape[k]
    node = v.owner
    if node is None:
        return None
    op = node.op

    def broadcast_input(ins, axis, ndim):
        for i in ins:
            a = axis - (ndim - i.ndim)
            if a >= 0 and i.type.shape[a] != 1:
                return i, a
        return None

    if isinstance(op, Elemwise):
        return broadcast_input(node.inputs, k, v.ndim)
    if isinstance(op, (Softmax, LogSoftmax, StopGradient)):
        return node.inputs[0], k
    if isinstance(op, DimShuffle):
        p = op.pattern[k]
        return None if p == "x" else (node.inputs[0], p)
    if isinstance(op, (Reduce, FusedReduce)):
        kept = [a for a in range(v.ndim + len(op.axes)) if a not in op.axes]
        full = kept[k]
        if isinstance(op, Reduce):
            return node.inputs[0], full
        return broadcast_input(node.inputs, full, v.ndim + len(op.axes))
    if isinstance(op, SoftmaxCrossentropyWithLogits):
        x = node.inputs[0]
        ax = normalize_axis(op.axis, x.ndim)
        full = [a for a in range(x.ndim) if a != ax][k]
        return broadcast_input(node.inputs[:1] if op.sparse else node.inputs[:2], full, x.ndim)
    if isinstance(op, Gemm) and v.ndim == 2:
        a, b = node.inputs[0], node.inputs[1]
        return (a, 1 if op.trans_a else 0) if k == 0 else (b, 0 if op.trans_b else 1)
    if isinstance(op, MatMul) and all(i.ndim == 2 for i in node.inputs):
        return (node.inputs[0], 0) if k == 0 else (node.inputs[1], 1)
    return None


def _shape_i(fgraph: FunctionGraph, node: Apply):
    from ..ops.subtensor import Subtensor
    if not isinstance(node.op, Subtensor) or len(node.op.idx_list) != 1 or not isinstance(node.op.idx_list[0], int):
        return None
    shp = node.inputs[0]
    if shp.owner is None or not isinstance(shp.owner.op, Shape):
        return None
    v = shp.owner.inputs[0]
    k = node.op.idx_list[0] % max(v.ndim, 1)
    src = _dim_source(v, k)
    if src is None:
        return None
    if isinstance(src, int):
        return [as_variable(np.asarray(src, dtype=node.outputs[0].dtype))]
    u, a = src
    while True:                          # walk up as far as the size is known to come from
        nxt = _dim_source(u, a)
        if nxt is None or isinstance(nxt, int):
            if isinstance(nxt, int):
                return [as_variable(np.asarray(nxt, dtype=node.outputs[0].dtype))]
            break
        u, a = nxt
    if u is v:
        return None
    from ..ops.subtensor import Subtensor as _Sub
    return [_Sub((a,))(Shape()(u))]


@local_rewrite("canonicalize")
def shape_i_lift(fgraph: FunctionGraph, node: Apply):
    """shape(f(..))[k] -> shape(x)[j] for the input x and axis j that fix that size (or a
    constant when it is static), through elementwise, reductions, softmax, dimshuffles, GEMM."""
    return _shape_i(fgraph, node)


@local_rewrite("specialize")
def shape_i_lift_late(fgraph: FunctionGraph, node: Apply):
    """shape_i_lift again, after stabilize created new ops (crossentropy)."""
    return _shape_i(fgraph, node)
