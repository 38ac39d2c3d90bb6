"""Simplify: algebraic identities and a bounded sympy pass over elementwise expression trees.

Identities and their nan/inf domain caveats:
  x * 1 -> x, x + 0 -> x, x - 0 -> x, x / 1 -> x, x ** 1 -> x     exact (x + 0 turns -0.0 into 0.0)
  log(exp(x)) -> x                                                 exact for every x, and finite
                                                                   where exp(x) overflows
  sum(fill(x, c)) -> c * n, mean likewise                          c * n rounds once instead of n times
  matmul(A.T, B.T) -> matmul(B, A).T                               same products, same sums
Behind ``config.rewrite_unsafe_math`` (they change results on part of the domain):
  x - x -> 0          wrong for x = +-inf or nan (gives 0, not nan)
  x / x -> 1          wrong for x = 0, +-inf, nan
  x * 0 -> 0          wrong for x = +-inf, nan (zeros_like(x) * y -> zeros)
  exp(log(x)) -> x    wrong for x < 0 (gives x, not nan)

The sympy pass: the scalar body of each elementwise tree (the Elemwise nodes that feed one
result) goes to sympy, through cancel, powsimp and collect (never sympy.simplify), and back;
from_sympy memoises equal subexpressions, which is the cse. It is skipped for expressions over
MAX_SYMPY_OPS operations and once SYMPY_BUDGET_S seconds have been spent in one pipeline run. A
candidate is kept only if it is cheaper and, unless rewrite_unsafe_math is on, agrees with the
original on a probe set in float64 (finite values close, nan exactly where the original is nan),
where leaves computed by softmax/sigmoid/exp are probed with positive values only: so
(g / s) * s -> g is done for s = softmax(x) (never zero in exact arithmetic) but never for a
plain variable s.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np
import sympy

from ..config import config
from ..graph import Apply, Constant, FunctionGraph, Variable, as_variable
from ..ops.blas import MatMul
from ..ops.elemwise import Elemwise, cast
from ..ops.reduce import Reduce
from ..ops.shape import DimShuffle
from ..types import TensorType, is_float
from .core import S, global_rewrite, is_const, local_rewrite, note, scalar_of, uniform_const

MAX_TREE_NODES = 40       # elementwise nodes gathered into one expression
MAX_SYMPY_OPS = 80        # sympy.count_ops above which an expression is left alone
SYMPY_BUDGET_S = 0.12     # sympy time per pipeline run
PROBE_SAMPLES = 2048


# ------------------------------------------------------------------------------------------
# Identities
# ------------------------------------------------------------------------------------------
def _same_as(out: Variable, x: Variable, other: Variable | None = None) -> Variable | None:
    """x standing for `out` (x broadcast by `other` when shapes differ), or None."""
    if x.dtype != out.dtype:
        return None
    if x.type.shape == out.type.shape:
        return x
    if other is not None:
        r = Elemwise(S.second)(other, x)
        if r.type.shape == out.type.shape and r.dtype == out.dtype:
            return r
    return None


@local_rewrite("simplify", Elemwise)
def neutral_element(fgraph: FunctionGraph, node: Apply):
    """x * 1, 1 * x, x + 0, 0 + x, x - 0, x / 1, x ** 1 -> x."""
    op, out = node.op.scalar_op, node.outputs[0]
    if len(node.inputs) != 2 or op.nout != 1:
        return None
    a, b = node.inputs
    if isinstance(op, (S.Mul, S.Add)):
        unit = 1 if isinstance(op, S.Mul) else 0
        if is_const(b, unit):
            return [_same_as(out, a, b)]
        if is_const(a, unit):
            return [_same_as(out, b, a)]
    if isinstance(op, S.Sub) and is_const(b, 0) or isinstance(op, (S.TrueDiv, S.Pow)) and is_const(b, 1):
        return [_same_as(out, a, b)]
    return None


@local_rewrite("simplify", Elemwise)
def log_of_exp(fgraph: FunctionGraph, node: Apply):
    """log(exp(x)) -> x (exact, and right where exp(x) overflows)."""
    if isinstance(node.op.scalar_op, S.Log):
        (x,) = node.inputs
        if isinstance(scalar_of(x), S.Exp):
            return [_same_as(node.outputs[0], x.owner.inputs[0])]
    return None


@local_rewrite("simplify", Elemwise)
def unsafe_identities(fgraph: FunctionGraph, node: Apply):
    """x - x -> 0, x / x -> 1, x * 0 -> 0, exp(log x) -> x; only with config.rewrite_unsafe_math."""
    if not config.rewrite_unsafe_math:
        return None
    op, out = node.op.scalar_op, node.outputs[0]
    ins = node.inputs
    if isinstance(op, S.Exp) and isinstance(scalar_of(ins[0]), S.Log):
        return [_same_as(out, ins[0].owner.inputs[0])]
    if len(ins) != 2:
        return None
    a, b = ins
    fill = None
    if isinstance(op, S.Sub) and a is b:
        fill = 0
    elif isinstance(op, S.TrueDiv) and a is b:
        fill = 1
    elif isinstance(op, S.Mul) and (is_const(a, 0) or is_const(b, 0)):
        fill = 0
    if fill is None:
        return None
    r = Elemwise(S.second)(Elemwise(S.second)(a, b), as_variable(np.asarray(fill, dtype=out.dtype)))
    return [r] if r.type.shape == out.type.shape and r.dtype == out.dtype else None


@local_rewrite("simplify", Reduce)
def sum_of_fill(fgraph: FunctionGraph, node: Apply):
    """sum(fill(x, c), axes) or sum(broadcast_to(c, shape), axes) with a scalar-shaped c ->
    c * (number of summed elements), allocated to the result shape (mean is sum / n, so it
    follows)."""
    from ..ops.creation import Alloc
    if node.op.kind != "sum":
        return None
    (v,) = node.inputs
    if isinstance(scalar_of(v), S.Second):
        shape_src, c = v.owner.inputs
    elif v.owner is not None and isinstance(v.owner.op, Alloc):      # broadcast_to(c, shape)
        c, shape_vec = v.owner.inputs
        shape_src = None
    else:
        return None
    if c.ndim and any(d != 1 for d in c.type.shape) or not is_float(v.dtype):
        return None
    from .. import basic as T
    axes = node.op.axes
    dims = [v.type.shape[a] for a in axes]
    n = as_variable(np.asarray(float(np.prod(dims)), dtype=v.dtype)) if all(d is not None for d in dims) else None
    out = node.outputs[0]
    if shape_src is None:
        shp_of = lambda a: shape_vec[a]                     # noqa: E731
    elif shape_src.ndim == v.ndim:
        shp_of = lambda a: T.shape(shape_src)[a]            # noqa: E731
    else:
        shp_of = None                                       # only static sizes can be used
    if n is None:
        if shp_of is None:
            return None
        n = None
        for a in axes:
            n = shp_of(a) if n is None else n * shp_of(a)
        n = cast(n, v.dtype)
    total = (T.reshape(c, ()) if c.ndim else c) * n
    if out.ndim:
        keep = [a for a in range(v.ndim) if a not in axes]
        if shp_of is None and any(v.type.shape[a] is None for a in keep):
            return None
        dims = [v.type.shape[a] if v.type.shape[a] is not None else shp_of(a) for a in keep]
        total = T.alloc(total, dims)
    if total.dtype != out.dtype:
        total = cast(total, out.dtype)
    return [total] if total.type.ndim == out.ndim else None


@local_rewrite("simplify", MatMul)
def matmul_of_transposes(fgraph: FunctionGraph, node: Apply):
    """matmul(A.T, B.T) -> matmul(B, A).T for matrices."""
    a, b = node.inputs
    if a.ndim != 2 or b.ndim != 2:
        return None

    def untransposed(v):
        if v.owner is not None and isinstance(v.owner.op, DimShuffle) and v.owner.op.pattern == (1, 0):
            return v.owner.inputs[0]
        return None
    at, bt = untransposed(a), untransposed(b)
    if at is None or bt is None:
        return None
    return [DimShuffle(2, (1, 0))(MatMul()(bt, at))]


# ------------------------------------------------------------------------------------------
# Elementwise expression trees <-> Composite programs
# ------------------------------------------------------------------------------------------
def _tree_op(v: Variable) -> Any:
    op = scalar_of(v)
    if op is None or op.nout != 1 or isinstance(op, S.Composite) or len(v.owner.outputs) != 1:
        return None
    return op


class Tree:
    """The elementwise expression computing `root` from non-elementwise leaves, as a program."""

    def __init__(self, root: Variable, max_nodes: int = MAX_TREE_NODES, fgraph: FunctionGraph | None = None) -> None:
        self.root = root
        self.leaves: list[Variable] = []
        self.nodes: list[Apply] = []
        order: list[Variable] = []
        seen: set = set()
        leaf_ids: dict = {}
        consts: list[Constant] = []
        stack = [(root, False)]
        budget = [max_nodes]

        def is_inner(v):
            if _tree_op(v) is None or isinstance(v, Constant):
                return False
            # a value that is also used outside elementwise code stays shared: it is a leaf
            return v is root or fgraph is None or not _is_root(fgraph, v)

        while stack:
            v, done = stack.pop()
            if done:
                order.append(v)
                continue
            if id(v) in seen:
                continue
            seen.add(id(v))
            if is_inner(v) and budget[0] > 0:
                budget[0] -= 1
                stack.append((v, True))
                for i in reversed(v.owner.inputs):
                    if id(i) not in seen:
                        stack.append((i, False))
            elif isinstance(v, Constant) and v.data.size == 1 and v is not root:
                consts.append(v)
            elif id(v) not in leaf_ids:
                leaf_ids[id(v)] = len(self.leaves)
                self.leaves.append(v)
        self.inner = [v for v in order if id(v) not in leaf_ids]
        slot = {id(v): i for i, v in enumerate(self.leaves)}
        program = []
        for v in consts:              # scalar constants go into the body, where sympy sees them
            slot[id(v)] = len(self.leaves) + len(program)
            program.append((S.Const(v.data.reshape(-1)[0], v.dtype), (), v.dtype))
        for v in self.inner:
            slot[id(v)] = len(self.leaves) + len(program)
            program.append((_tree_op(v), tuple(slot[id(i)] for i in v.owner.inputs), v.dtype))
            self.nodes.append(v.owner)
        self.composite = S.Composite([l.dtype for l in self.leaves], program, [slot[id(root)]])


def _leaf_is_positive(v: Variable) -> bool:
    from ..ops.nnet import Softmax
    if v.owner is None:
        return False
    if isinstance(v.owner.op, Softmax):
        return True
    return isinstance(scalar_of(v), (S.Exp, S.SigmoidOp))


def _f64(dtype: str) -> str:
    return "float64" if is_float(dtype) else dtype


def _widen(op: Any) -> Any:
    if isinstance(op, S.CastOp) and is_float(op.dtype):
        return S.CastOp("float64")
    return op


def as_float64(c: S.Composite) -> S.Composite:
    """The same program computed in float64 (for probing)."""
    program = []
    for op, args, dtype in c.program:
        if isinstance(op, S.Const):
            program.append((S.Const(op.value, _f64(op.dtype)), args, _f64(dtype)))
        else:
            program.append((_widen(op), args, _f64(dtype)))
    return S.Composite([_f64(d) for d in c.in_dtypes], program, c.outputs)


_FULL = np.array([0.0, 1.0, -1.0, 0.5, -2.5, 3.0, -7.0, 20.0, np.nan])
_POS = np.array([1e-3, 0.25, 0.5, 1.0])


def probe_agrees(old: S.Composite, new: S.Composite, positive: list[bool]) -> bool:
    """Do the two programs compute the same function on a float64 probe set?"""
    rng = np.random.default_rng(1234)
    n = len(old.in_dtypes)
    sets = [_POS if p else _FULL for p in positive]
    total = int(np.prod([len(s) for s in sets])) if n else 1
    if total <= PROBE_SAMPLES:
        grids = np.meshgrid(*sets, indexing="ij") if n else []
        cols = [g.reshape(-1) for g in grids]
    else:
        cols = [s[rng.integers(0, len(s), PROBE_SAMPLES)] for s in sets]
    args = []
    for col, d in zip(cols, old.in_dtypes):
        if d == "bool":
            col = col > 0
        elif not is_float(d):
            col = np.nan_to_num(np.round(col), nan=2.0).astype(d)
        args.append(col)
    try:
        with np.errstate(all="ignore"):
            a = np.asarray(as_float64(old).impl(*args), dtype=np.float64)
            b = np.asarray(as_float64(new).impl(*args), dtype=np.float64)
    except Exception:
        return False
    a, b = np.broadcast_arrays(a, b)
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return False
    fin = np.isfinite(a)
    if not np.array_equal(a[~fin & ~np.isnan(a)], b[~fin & ~np.isnan(a)]):
        return False
    return bool(np.allclose(a[fin], b[fin], rtol=1e-7, atol=1e-9 * (1 + np.abs(a[fin]).max(initial=0))))


def _cost(c: S.Composite) -> int:
    heavy = (S.TrueDiv, S.Pow, S.Exp, S.Log, S.Tanh, S.SigmoidOp, S.SoftplusOp, S.Sqrt, S.Reciprocal,
             S.Erf, S.Sin, S.Cos, S.Tan, S.Expm1, S.Log1p)
    n = 0
    for op, _, _ in c.program:
        if isinstance(op, S.Const):
            continue
        n += 4 if isinstance(op, heavy) else 1
    return n


def expand(c: S.Composite, inputs: list[Variable]) -> list[Variable]:
    """A Composite's program as separate Elemwise nodes over `inputs` (so phases can match)."""
    slots: list[Any] = list(inputs)
    for op, args, dtype in c.program:
        if isinstance(op, S.Const):
            slots.append(Constant(TensorType(dtype, ()), np.asarray(op.value, dtype=dtype)))
            continue
        v = Elemwise(op)(*[slots[a] for a in args])
        if v.dtype != dtype:
            v = cast(v, dtype)
        slots.append(v)
    return [slots[o] for o in c.outputs]


_sympy_cache: dict = {}


def simplify_composite(c: S.Composite, positive: tuple[bool, ...], budget: list[float]) -> S.Composite | None:
    """A cheaper equivalent of the single-output composite c, or None."""
    key = (c, positive, config.rewrite_unsafe_math)
    if key in _sympy_cache:
        return _sympy_cache[key]
    if budget[0] <= 0:
        return None
    t0 = time.perf_counter()
    try:
        res = _simplify_composite(c, positive)
    except Exception:   # sympy or the translation back gave up: keep the original
        res = None
    budget[0] -= time.perf_counter() - t0
    if len(_sympy_cache) > 4096:
        _sympy_cache.clear()
    _sympy_cache[key] = res
    return res


def _simplify_composite(c: S.Composite, positive: tuple[bool, ...]) -> S.Composite | None:
    syms = [sympy.Symbol(f"x{i}", real=True) for i in range(c.nin)]
    expr = c.sympy_outputs(syms)[0]
    if sympy.count_ops(expr) > MAX_SYMPY_OPS:
        return None
    out_dtype = c.slot_dtypes()[c.outputs[0]]
    candidates = [expr]
    for f in (sympy.cancel, sympy.powsimp, lambda e: sympy.collect(sympy.expand(e), syms)):
        try:
            e2 = f(candidates[-1])
        except Exception:
            continue
        if sympy.count_ops(e2) <= MAX_SYMPY_OPS:
            candidates.append(e2)
    best, best_cost = None, _cost(c)
    for e in candidates:
        b = S.ProgramBuilder(c.in_dtypes, out_dtype)
        try:
            root = S.from_sympy(e, {s: i for i, s in enumerate(syms)}, b)
            new = b.finish([root])
        except NotImplementedError:
            continue
        if new.slot_dtypes()[new.outputs[0]] != out_dtype:
            continue
        cost = _cost(new)
        if cost < best_cost and (config.rewrite_unsafe_math or probe_agrees(c, new, list(positive))):
            best, best_cost = new, cost
    return best


def _is_root(fgraph: FunctionGraph, v: Variable) -> bool:
    """A tree root: some client is not float elementwise code (or v is a graph output)."""
    clients = fgraph.clients.get(v, [])
    return not clients or any(c == "output" or _tree_op(c.outputs[0]) is None or not is_float(c.outputs[0].dtype)
                              for c, _ in clients)


@global_rewrite("simplify")
def sympy_simplify(fgraph: FunctionGraph) -> int:
    """Each float elementwise tree -> sympy (cancel, powsimp, collect) -> back, where cheaper."""
    budget = fgraph.__dict__.setdefault("sympy_budget", [SYMPY_BUDGET_S])
    done = fgraph.__dict__.setdefault("sympy_done", set())
    changes = 0
    for node in fgraph.toposort():
        if node not in fgraph.nodes or _tree_op(node.outputs[0]) is None:
            continue
        out = node.outputs[0]
        if not is_float(out.dtype):
            continue
        if not _is_root(fgraph, out) or out in done:
            continue                     # not a root: it is part of its consumers' trees
        tree = Tree(out, fgraph=fgraph)
        if len(tree.inner) < 2:
            continue
        positive = tuple(_leaf_is_positive(l) for l in tree.leaves)
        new = simplify_composite(tree.composite, positive, budget)
        done.add(out)
        if new is None:
            continue
        (res,) = expand(new, tree.leaves)
        used = {a for _, args, _ in new.program for a in args} | set(new.outputs)
        for i, leaf in enumerate(tree.leaves):   # keep the broadcast shape of dropped leaves
            if i not in used and res.type.shape != out.type.shape and leaf.ndim <= out.ndim:
                res = Elemwise(S.second)(leaf, res)
        if res.type.shape != out.type.shape or res.dtype != out.dtype:
            continue
        fgraph.replace(out, res, reason="sympy_simplify")
        done.add(res)
        note(fgraph, "sympy_simplify", [out], [res])
        changes += 1
    return changes
