"""Differential fuzzing: random graphs on the LLVM backend against the reference backend (NumPy).

What it covers (hypothesis draws every choice, so failures shrink to a small reproducer):
- dtypes: bool, int8..int64, uint8..uint64, float32, float64, mixed in one graph through casts
  and NumPy's type promotion;
- shapes: 0-d to 3-d, dims from {0, 1, 2, 3, 5, 7};
- input memory layouts: contiguous, transposed (Fortran order), negative strides, broadcast (stride
  0, read-only), every-other-element slices of a bigger array;
- values: random ones plus the special values of each dtype (nan, +-inf, -0.0, denormals, 1e30,
  integer min/max, 0, -1);
- ops: elementwise unary/binary (arithmetic, comparisons, logic, min/max, floor_div/mod, pow,
  transcendentals), casts between all dtypes, reductions (sum/prod/max/min/any/all over an axis or
  all, keepdims), reversed/sliced/transposed views;
- forward outputs, and gradients (sn.grad of a float cost w.r.t. float inputs);
- run-time errors: when one backend raises, the other must raise the same exception type.

Comparison: integers and bools exactly; floats NaN-aware (nan where nan, the same infinities) and,
for finite values, within a bound propagated through the graph: 0 for the ops whose IEEE result
is unique (add, sub, mul, div, sqrt, floor, min/max, casts, comparisons, ...), ULP_TOL ulp of the
value for the transcendental ops, and the sum of the operands' bounds (scaled by magnitudes from
the reference's intermediate values) for the ops allowed on inexact operands.  Ops that are
discontinuous or have unbounded derivatives (floor, comparisons, casts to int, exp, log, division,
...) are only applied to exact operands, so a 1-ulp difference upstream can never turn into a
legitimate large one.

Bounded time: SYMNET_FUZZ_EXAMPLES examples per test (default 5: a few seconds); a long run:
``SYMNET_FUZZ_EXAMPLES=5000 pytest tests/codegen/test_fuzz.py``.
"""
from __future__ import annotations

import os
import sys
import warnings

import numpy as np
import pytest

hyp = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import symnet as sn  # noqa: E402
from symnet.types import TensorType  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from llvm_util import ensure_llvm  # noqa: E402

ensure_llvm()

EXAMPLES = int(os.environ.get("SYMNET_FUZZ_EXAMPLES", "5"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 5,
                    suppress_health_check=list(HealthCheck), print_blob=True)

INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOATS = ["float32", "float64"]
DTYPES = ["bool"] + INTS + FLOATS
DIMS = [0, 1, 2, 3, 5, 7]
# max relative error of one transcendental op (vmath's bounds are <= 3 ulp; NumPy's own up to ~1)
ULP_TOL = 8.0

# -- op tables: name -> (constructor, exactness) -----------------------------------------------
# exact: the IEEE/integer result is unique, so both backends give the same bits on equal inputs
EXACT_UNARY = {"neg": sn.neg, "abs": sn.abs, "floor": sn.floor, "ceil": sn.ceil, "round": sn.round,
               "sqrt": sn.sqrt, "sign": sn.sign, "sqr": sn.sqr, "relu": sn.relu}
EXACT_UNARY_INT = {"neg": sn.neg, "abs": sn.abs, "sign": sn.sign, "sqr": sn.sqr}
BOOL_OUT_UNARY = {"isnan": sn.isnan, "isinf": sn.isinf}
# transcendental, applied to exact float operands only (unbounded derivative or poles)
TRANSCENDENTAL = {"exp": sn.exp, "log": sn.log, "expm1": sn.expm1, "log1p": sn.log1p, "tan": sn.tan,
                  "tanh": sn.tanh, "sigmoid": sn.sigmoid, "sin": sn.sin, "cos": sn.cos, "erf": sn.erf,
                  "softplus": sn.softplus}
# |f'| <= 1: allowed on inexact operands (the error bound adds up)
LIPSCHITZ = {"tanh": sn.tanh, "sigmoid": sn.sigmoid, "sin": sn.sin, "cos": sn.cos, "softplus": sn.softplus,
             "neg": sn.neg, "abs": sn.abs, "relu": sn.relu}
EXACT_BINARY = {"add": sn.add, "sub": sn.sub, "mul": sn.mul, "maximum": sn.maximum, "minimum": sn.minimum,
                "true_div": sn.true_div, "floor_div": sn.floor_div, "mod": sn.mod}
INT_BINARY = {"add": sn.add, "sub": sn.sub, "mul": sn.mul, "maximum": sn.maximum, "minimum": sn.minimum,
              "floor_div": sn.floor_div, "mod": sn.mod, "pow": sn.pow}
COMPARE = {"eq": sn.eq, "neq": sn.neq, "lt": sn.lt, "le": sn.le, "gt": sn.gt, "ge": sn.ge}
LOGIC = {"and": sn.and_, "or": sn.or_, "xor": sn.xor}
INEXACT_BINARY = {"add": sn.add, "sub": sn.sub, "maximum": sn.maximum, "minimum": sn.minimum}
REDUCE = ["sum", "prod", "max", "min", "any", "all"]


def _kind(dtype: str) -> str:
    return "b" if dtype == "bool" else ("f" if dtype.startswith("float") else "i")


class Node:
    """A graph value with its error bound (max abs difference allowed between the backends)."""

    def __init__(self, var, err_of=None) -> None:
        self.var = var
        self.err_of = err_of          # mags -> error bound (None: exact)

    @property
    def dtype(self) -> str:
        return self.var.dtype

    def __repr__(self) -> str:         # the reproducer hypothesis prints
        from symnet.printing import pprint
        return f"<{pprint(self.var)} : {self.var.type}{'' if self.err_of is None else ' inexact'}>"


# -- values ------------------------------------------------------------------------------------
def _values(dtype: str, shape: tuple, rng: np.random.Generator, special: bool) -> np.ndarray:
    n = int(np.prod(shape))
    if dtype == "bool":
        return rng.integers(0, 2, n).astype(bool).reshape(shape)
    if _kind(dtype) == "i":
        info = np.iinfo(dtype)
        pool = np.array([0, 1, 2, 3, 7, info.max, info.min, info.max - 1, info.min + 1]
                        + ([-1, -2, -7] if info.min < 0 else []), dtype=object)
        small = rng.integers(max(info.min, -20), min(info.max, 20), n, endpoint=True)
        full = rng.integers(info.min, info.max, n, endpoint=True, dtype=dtype)
        pick = rng.integers(0, 3 if special else 2, n)
        out = np.where(pick == 0, small.astype(dtype), full)
        if special:
            sp = np.array([int(pool[i]) for i in rng.integers(0, len(pool), n)], dtype=object).astype(dtype)
            out = np.where(pick == 2, sp, out)
        return out.astype(dtype).reshape(shape)
    vals = rng.standard_normal(n) * rng.choice([1.0, 10.0, 1e-3], n)
    if special:
        tiny = float(np.finfo(dtype).smallest_subnormal) * 3
        pool = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, tiny, -tiny, 1e30, -1e30, np.inf, -np.inf,
                         np.nan, 100.0, -100.0, 7.25])
        mask = rng.random(n) < 0.4
        vals = np.where(mask, pool[rng.integers(0, len(pool), n)], vals)
    return vals.astype(dtype).reshape(shape)


def _layout(arr: np.ndarray, how: str) -> np.ndarray:
    """The same values in another memory layout."""
    if how == "contiguous" or arr.ndim == 0:
        return arr
    if how == "transposed":
        return np.asfortranarray(arr)
    if how == "negative":
        rev = np.ascontiguousarray(arr[(slice(None, None, -1),) * arr.ndim])
        return rev[(slice(None, None, -1),) * arr.ndim]
    if how == "strided":
        big = np.empty(tuple(2 * d for d in arr.shape), arr.dtype)
        view = big[(slice(None, None, 2),) * arr.ndim]
        view[...] = arr
        return view
    if how == "broadcast" and all(d > 0 for d in arr.shape):
        first = arr[(slice(0, 1),) * arr.ndim]
        return np.broadcast_to(first, arr.shape)      # stride 0, read-only (values: all equal)
    return arr


LAYOUTS = ["contiguous", "transposed", "negative", "strided", "broadcast"]


# -- graph construction ------------------------------------------------------------------------
def _ulp_err(tol: float, dtype: str):
    eps = float(np.finfo(dtype).eps)
    return lambda mags, v: tol * eps * mags[v]


def _sum_err(nodes: list, extra=None):
    def f(mags, v):
        e = sum(n.err_of(mags, n.var) for n in nodes if n.err_of is not None)
        if extra is not None:
            e += extra(mags, v)
        return e
    return f


def _pick(draw, items):
    return draw(st.sampled_from(sorted(items)))


def build_graph(draw, dtype: str, ndim: int, allow_error_ops: bool = True, special: bool = True):
    """(inputs, outputs) of a random graph whose leaves have dtype and ndim.

    No float -> uint32 cast (it becomes float -> uint64): for nan, inf and values outside
    (-2^31, 2^32) NumPy's own answer depends on the layout and length of the array, and nan/inf
    also come from exact ops (0/0, sqrt(-1)); see codegen/llvm/casts.py.  They are checked
    element-wise in tests/codegen/test_llvm_safety.py."""
    nin = draw(st.integers(1, 3))
    leaves = [TensorType(dtype, (None,) * ndim)(f"x{i}") for i in range(nin)]
    pool = [Node(v) for v in leaves]
    outputs: list[Node] = []
    for _ in range(draw(st.integers(1, 6))):
        a = pool[draw(st.integers(0, len(pool) - 1))]
        b = pool[draw(st.integers(0, len(pool) - 1))]
        ka, kb = _kind(a.dtype), _kind(b.dtype)
        exact = a.err_of is None and b.err_of is None
        choice = draw(st.sampled_from(["unary", "binary", "cast", "cast", "compare", "transcendental"]))
        node = None
        if choice == "cast":
            if a.err_of is None or _kind(a.dtype) == "f":
                to = draw(st.sampled_from(DTYPES))
                if to == "uint32" and _kind(a.dtype) == "f":
                    to = "uint64"
                if a.err_of is None or _kind(to) == "f":
                    node = Node(sn.cast(a.var, to), None if a.err_of is None else
                                _sum_err([a], _ulp_err(1.0, to) if to == "float32" else None))
        elif choice == "compare" and exact:
            node = Node(COMPARE[_pick(draw, COMPARE)](a.var, b.var))
        elif choice == "unary":
            if ka == "f" and a.err_of is None:
                name = _pick(draw, list(EXACT_UNARY) + list(BOOL_OUT_UNARY))
                fn = EXACT_UNARY.get(name) or BOOL_OUT_UNARY[name]
                node = Node(fn(a.var))
            elif ka == "f":
                node = Node(LIPSCHITZ[_pick(draw, LIPSCHITZ)](a.var), _sum_err([a], _ulp_err(ULP_TOL, a.dtype)))
            elif ka == "i":
                node = Node(EXACT_UNARY_INT[_pick(draw, EXACT_UNARY_INT)](a.var))
            else:
                node = Node(sn.not_(a.var))
        elif choice == "transcendental" and ka == "f" and a.err_of is None:
            node = Node(TRANSCENDENTAL[_pick(draw, TRANSCENDENTAL)](a.var), _ulp_err(ULP_TOL, a.dtype))
        elif choice == "binary":
            if ka == "b" and kb == "b":
                node = Node(LOGIC[_pick(draw, LOGIC)](a.var, b.var))
            elif exact and "f" not in (ka, kb):
                ops = INT_BINARY if allow_error_ops else {k: v for k, v in INT_BINARY.items() if k != "pow"}
                node = Node(ops[_pick(draw, ops)](a.var, b.var))
            elif exact:
                node = Node(EXACT_BINARY[_pick(draw, EXACT_BINARY)](a.var, b.var))
            elif "b" not in (ka, kb):
                name = _pick(draw, list(INEXACT_BINARY) + ["mul"])
                out = (INEXACT_BINARY.get(name) or sn.mul)(a.var, b.var)
                if _kind(out.dtype) == "f":
                    if name == "mul":
                        def err(mags, v, a=a, b=b):
                            ea = a.err_of(mags, a.var) if a.err_of else 0.0
                            eb = b.err_of(mags, b.var) if b.err_of else 0.0
                            return mags[a.var] * eb + mags[b.var] * ea + ea * eb + 2 * float(
                                np.finfo(v.dtype).eps) * mags[v]
                        node = Node(out, err)
                    else:
                        node = Node(out, _sum_err([a, b], _ulp_err(2.0, out.dtype)))
        if node is None:
            continue
        pool.append(node)
    last = pool[-1]
    outputs.append(last)
    # views and reductions end a branch (they change the shape)
    for node in pool[nin:] + pool[:1]:
        what = draw(st.sampled_from(["none", "none", "reduce", "view"]))
        if what == "reduce":
            outputs.append(_reduce(draw, node))
        elif what == "view" and node.var.ndim:
            outputs.append(_view(draw, node))
    return leaves, outputs


def _reduce(draw, node: Node) -> Node:
    kind = draw(st.sampled_from(REDUCE))
    v = node.var
    axis = draw(st.sampled_from([None] + list(range(v.ndim)))) if v.ndim else None
    keep = draw(st.booleans())
    if kind in ("any", "all"):
        return Node(getattr(sn, kind)(sn.neq(v, 0) if v.dtype != "bool" else v, axis=axis, keepdims=keep))
    out = getattr(sn, kind)(v, axis=axis, keepdims=keep)
    if kind in ("max", "min"):
        return Node(out, node.err_of)
    if _kind(out.dtype) != "f":
        return Node(out)
    # float sum/prod: summation order differs (pairwise vs vector lanes); prod only of exact inputs
    if kind == "prod" and node.err_of is not None:
        return Node(sn.max(v, axis=axis, keepdims=keep), node.err_of)

    def err(mags, out_v, node=node, kind=kind):
        n = max(1, mags[("size", node.var)])
        base = node.err_of(mags, node.var) if node.err_of else 0.0
        scale = mags[("abs_sum", node.var)] if kind == "sum" else mags[out_v]
        return n * base + 2 * n * float(np.finfo(out_v.dtype).eps) * scale
    return Node(out, err)


def _view(draw, node: Node) -> Node:
    v = node.var
    how = draw(st.sampled_from(["reverse", "slice", "transpose"]))
    if how == "transpose" and v.ndim >= 2:
        return Node(v.T, node.err_of)
    axis = draw(st.integers(0, v.ndim - 1))
    idx = [slice(None)] * v.ndim
    idx[axis] = slice(None, None, -1) if how == "reverse" else slice(1, None, 2)
    return Node(v[tuple(idx)], node.err_of)


# -- comparison --------------------------------------------------------------------------------
def _mags(ref_vals: dict) -> dict:
    out = {}
    for v, a in ref_vals.items():
        a = np.asarray(a)
        if a.dtype.kind == "f":
            fin = np.abs(a[np.isfinite(a)])
            out[v] = float(fin.max()) if fin.size else 0.0
            out[("abs_sum", v)] = float(np.sum(fin, dtype=np.float64)) if fin.size else 0.0
        else:
            out[v] = float(np.abs(a.astype(np.float64)).max()) if a.size else 0.0
            out[("abs_sum", v)] = out[v] * a.size
        out[("size", v)] = int(a.size)
    return out


def assert_match(a, b, bound: float, what: str) -> None:
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} != {b.dtype}"
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    if a.dtype.kind != "f":
        np.testing.assert_array_equal(a, b, err_msg=what)
        return
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=f"{what}: nan positions")
    inf = np.isinf(b)
    np.testing.assert_array_equal(a[inf], b[inf], err_msg=f"{what}: infinities")
    fin = np.isfinite(b)
    assert np.isfinite(a[fin]).all(), f"{what}: inf where the reference is finite"
    if bound == 0:
        np.testing.assert_array_equal(a, b, err_msg=f"{what} (exact op chain)")
        return
    diff = np.abs(a[fin].astype(np.float64) - b[fin].astype(np.float64))
    tiny = float(np.finfo(a.dtype).tiny) * 4
    assert diff.size == 0 or diff.max() <= bound * 1.0001 + tiny, (
        f"{what}: max difference {diff.max()} > bound {bound}")


def _call(fn, args):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args), None
        except Exception as e:      # noqa: BLE001 - compared between the backends
            return None, e


def run_case(inputs, outputs: list[Node], args: list) -> None:
    out_vars = [n.var for n in outputs]
    f = sn.function(inputs, out_vars, mode="llvm", on_unused_input="ignore")
    # the reference also returns every intermediate value (for the error bounds' magnitudes)
    inter = []
    for n in outputs:
        for v in _ancestors(n.var):
            if v not in inter and v not in inputs:
                inter.append(v)
    g = sn.function(inputs, out_vars + inter, mode="reference", on_unused_input="ignore")
    got, err_f = _call(f, args)
    ref, err_g = _call(g, args)
    if err_g is not None or err_f is not None:
        assert type(err_f) is type(err_g), f"llvm raised {err_f!r}, reference raised {err_g!r}"
        return
    ref_vals = dict(zip(out_vars + inter, ref))
    ref_vals.update(zip(inputs, args))
    mags = _mags(ref_vals)
    for i, (n, a) in enumerate(zip(outputs, got)):
        bound = n.err_of(mags, n.var) if n.err_of is not None else 0.0
        assert_match(a, ref_vals[n.var], bound, f"output {i} ({n.var.dtype})")


def _ancestors(v) -> list:
    seen, stack, out = set(), [v], []
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        out.append(x)
        if x.owner is not None:
            stack.extend(x.owner.inputs)
    from symnet.graph import Constant
    return [x for x in out if not isinstance(x, Constant)]


@st.composite
def cases(draw, dtypes=DTYPES, special=True, allow_error_ops=True):
    # floats weighted up: they have the most special values and the most op kinds
    dtype = draw(st.sampled_from(list(dtypes) + [d for d in dtypes if d in FLOATS] * 4))
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.sampled_from(DIMS)) for _ in range(ndim))
    use_special = special and draw(st.booleans())
    inputs, outputs = build_graph(draw, dtype, ndim, allow_error_ops, use_special)
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    layouts = [draw(st.sampled_from(LAYOUTS)) for _ in inputs]
    args = [_layout(_values(dtype, shape, rng, use_special), how) for how in layouts]
    return inputs, outputs, args


@SETTINGS
@given(cases())
def test_fuzz_forward(case):
    inputs, outputs, args = case
    run_case(inputs, outputs, args)


@SETTINGS
@given(cases(dtypes=FLOATS, special=False, allow_error_ops=False), st.data())
def test_fuzz_gradient(case, data):
    """Gradients of a float cost w.r.t. every input: the same graph of derivative ops on both
    backends.  Values without specials (inf - inf in a derivative is legitimately nan on one
    side only when the forward values differ by an ulp)."""
    inputs, outputs, args = case
    float_outs = [n.var for n in outputs if _kind(n.dtype) == "f"]
    if not float_outs:
        return
    cost = sum(sn.sum(sn.tanh(v)) for v in float_outs)        # bounded: no overflow in the seed
    grads = sn.grad(cost, inputs, disconnected_inputs="ignore")
    f = sn.function(inputs, grads, mode="llvm", on_unused_input="ignore")
    g = sn.function(inputs, grads, mode="reference", on_unused_input="ignore")
    got, err_f = _call(f, args)
    ref, err_g = _call(g, args)
    if err_g is not None or err_f is not None:
        assert type(err_f) is type(err_g), f"llvm raised {err_f!r}, reference raised {err_g!r}"
        return
    # float32 anywhere in the graph (a cast) limits the gradient's precision whatever its dtype
    single = any(v.dtype == "float32" for g_ in grads for v in _ancestors(g_))
    for i, (a, b) in enumerate(zip(got, ref)):
        b = np.asarray(b)
        # derivative chains of transcendental ops: a relative bound on the largest gradient entry
        rtol = 2e-3 if single else 1e-9
        fin = np.abs(b[np.isfinite(b)])
        scale = float(fin.max()) if fin.size else 0.0
        assert_match(a, b, rtol * (1.0 + scale), f"gradient {i}")
