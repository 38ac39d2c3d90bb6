"""Elementwise ops through the reference backend against direct NumPy, with hypothesis choosing
broadcastable shapes (0, 1, odd sizes); dtype rules (float32 stays float32, weak Python scalars);
and finite-difference gradients of every differentiable elementwise op in float64."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import symnet as sn


def F(inputs, outputs, **kw):
    return sn.function(inputs, outputs, mode="reference", **kw)


_erf = np.vectorize(math.erf, otypes=[np.float64])
SELU_A, SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _np_gelu(x):
    return 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0)))


def _np_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


# name -> (symnet function, numpy reference on float64, domain transform of a N(0,1) sample)
UNARY = {
    "exp": (sn.exp, np.exp, None),
    "expm1": (sn.expm1, np.expm1, None),
    "log": (sn.log, np.log, lambda v: np.abs(v) + 0.1),
    "log1p": (sn.log1p, np.log1p, lambda v: np.abs(v) - 0.5),
    "sqrt": (sn.sqrt, np.sqrt, lambda v: np.abs(v) + 0.01),
    "square": (sn.square, np.square, None),
    "sqr": (sn.sqr, np.square, None),
    "abs": (sn.abs, np.abs, None),
    "sign": (sn.sign, np.sign, None),
    "neg": (sn.neg, np.negative, None),
    "sin": (sn.sin, np.sin, None),
    "cos": (sn.cos, np.cos, None),
    "tan": (sn.tan, np.tan, lambda v: np.clip(v, -1.2, 1.2)),
    "tanh": (sn.tanh, np.tanh, None),
    "sigmoid": (sn.sigmoid, _np_sigmoid, None),
    "softplus": (sn.softplus, lambda v: np.log1p(np.exp(v)), None),
    "relu": (sn.relu, lambda v: np.maximum(v, 0), None),
    "elu": (sn.elu, _np_elu, None),
    "selu": (sn.selu, lambda v: SELU_S * _np_elu(v, SELU_A), None),
    "gelu": (sn.gelu, _np_gelu, None),
    "gelu_tanh": (lambda v: sn.gelu(v, approximate=True),
                  lambda v: 0.5 * v * (1 + np.tanh(np.sqrt(2 / np.pi) * (v + 0.044715 * v ** 3))), None),
    "erf": (sn.erf, _erf, None),
    "floor": (sn.floor, np.floor, None),
    "ceil": (sn.ceil, np.ceil, None),
    "round": (sn.round, np.round, lambda v: np.round(v * 4) / 4),  # exercise half-to-even ties
    "reciprocal": (sn.reciprocal, np.reciprocal, lambda v: np.abs(v) + 0.1),
    "identity": (sn.identity, lambda v: v, None),
}

BINARY = {
    "add": (sn.add, np.add, None),
    "sub": (sn.sub, np.subtract, None),
    "mul": (sn.mul, np.multiply, None),
    "true_div": (sn.true_div, np.true_divide, "nonzero"),
    "floor_div": (sn.floor_div, np.floor_divide, "nonzero"),
    "mod": (sn.mod, np.mod, "nonzero"),
    "pow": (sn.pow, np.power, "posbase"),
    "maximum": (sn.maximum, np.maximum, None),
    "minimum": (sn.minimum, np.minimum, None),
    "eq": (sn.eq, np.equal, "ties"),
    "neq": (sn.neq, np.not_equal, "ties"),
    "lt": (sn.lt, np.less, "ties"),
    "le": (sn.le, np.less_equal, "ties"),
    "gt": (sn.gt, np.greater, "ties"),
    "ge": (sn.ge, np.greater_equal, "ties"),
}

OPERATORS = {
    "+": (lambda a, b: a + b), "-": (lambda a, b: a - b), "*": (lambda a, b: a * b),
    "/": (lambda a, b: a / b), "//": (lambda a, b: a // b), "%": (lambda a, b: a % b),
    "**": (lambda a, b: a ** b), "<": (lambda a, b: a < b), "<=": (lambda a, b: a <= b),
    ">": (lambda a, b: a > b), ">=": (lambda a, b: a >= b),
}


def _sym_shape(shape, static: bool):
    """Static shape for a variable: fully known, or only the size-1 dims known (the rule that
    lets a dim broadcast)."""
    return tuple(shape) if static else tuple(1 if d == 1 else None for d in shape)


def _tol(dtype):
    return dict(rtol=2e-5, atol=2e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------------------------
# Unary ops
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=12, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5),
       dtype=st.sampled_from(["float32", "float64"]), static=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_unary_matches_numpy(name, shape, dtype, static, seed):
    fn, ref, dom = UNARY[name]
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(shape) * 2
    if dom is not None:
        v = dom(v)
    v = np.asarray(v, dtype=dtype)
    x = sn.tensor(_sym_shape(shape, static), dtype=dtype, name="x")
    out = F([x], fn(x))(v)
    assert out.dtype == dtype, f"{name} turned {dtype} into {out.dtype}"
    assert out.shape == v.shape
    expected = ref(v.astype("float64"))
    np.testing.assert_allclose(out, expected, **(dict(rtol=3e-6, atol=3e-6) if dtype == "float32"
                                                  else dict(rtol=1e-12, atol=1e-13)))


@pytest.mark.parametrize("fn,ref", [(sn.not_, np.logical_not), (sn.isnan, np.isnan), (sn.isinf, np.isinf)])
def test_boolean_unary(fn, ref):
    v = np.array([0.0, 1.5, np.nan, np.inf, -np.inf, -2.0], dtype="float32")
    x = sn.vector("x")
    out = F([x], fn(x))(v)
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out, ref(v))


@pytest.mark.parametrize("dtype,expected", [("int8", "float32"), ("uint8", "float32"), ("int16", "float32"),
                                            ("int32", "float64"), ("int64", "float64"), ("bool", "float32")])
def test_float_ops_upgrade_integers_theano_rule(dtype, expected):
    x = sn.vector("x", dtype=dtype)
    f = F([x], [sn.exp(x), sn.sqrt(x), sn.sigmoid(x)])   # x / x is floatX: test_theano_dtypes.py
    v = np.array([1, 1, 1], dtype=dtype)
    for out in f(v):
        assert out.dtype == expected
    # computed in the output dtype, not in NumPy's float16 for small ints
    np.testing.assert_allclose(f(v)[0], np.exp(v.astype("float64")), rtol=1e-6)


# --------------------------------------------------------------------------------------------
# Binary ops with broadcasting
# --------------------------------------------------------------------------------------------
def _binary_values(kind, shapes, dtype, rng):
    a = rng.standard_normal(shapes[0]) * 3
    b = rng.standard_normal(shapes[1]) * 3
    if kind == "nonzero":
        b = np.where(np.abs(b) < 0.25, 0.5, b)
    elif kind == "posbase":
        a = np.abs(a) + 0.1
        b = np.clip(b, -2.0, 2.0)
    elif kind == "ties":
        a, b = np.round(a), np.round(b)
    return np.asarray(a, dtype=dtype), np.asarray(b, dtype=dtype)


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=12, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=0, max_side=5),
       dtype=st.sampled_from(["float32", "float64"]), static=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_binary_matches_numpy_with_broadcasting(name, shapes, dtype, static, seed):
    fn, ref, kind = BINARY[name]
    in_shapes, out_shape = shapes
    rng = np.random.default_rng(seed)
    a, b = _binary_values(kind, in_shapes, dtype, rng)
    x = sn.tensor(_sym_shape(in_shapes[0], static), dtype=dtype, name="x")
    y = sn.tensor(_sym_shape(in_shapes[1], static), dtype=dtype, name="y")
    out = F([x, y], fn(x, y))(a, b)
    expected = ref(a, b)
    assert out.shape == out_shape == expected.shape
    assert out.dtype == expected.dtype, f"{name}: {out.dtype} != numpy's {expected.dtype}"
    if out.dtype == np.bool_:
        np.testing.assert_array_equal(out, expected)
    else:
        np.testing.assert_allclose(out, expected, **_tol(dtype))


@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_python_operators(op):
    rng = np.random.default_rng(1)
    a = rng.uniform(0.5, 2.0, (3, 4)).astype("float32")
    b = rng.uniform(0.5, 2.0, (4,)).astype("float32")
    x, y = sn.matrix("x"), sn.vector("y", shape=(4,))
    f = F([x, y], [OPERATORS[op](x, y), OPERATORS[op](y, x), OPERATORS[op](x, 2.0), OPERATORS[op](3.0, x)])
    outs = f(a, b)
    for got, want in zip(outs, [OPERATORS[op](a, b), OPERATORS[op](b, a), OPERATORS[op](a, 2.0),
                                OPERATORS[op](3.0, a)]):
        assert got.dtype == want.dtype, op
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_unary_operators_and_logical():
    x = sn.vector("x")
    b1, b2 = sn.vector("b1", dtype="bool"), sn.vector("b2", dtype="bool")
    f = F([x, b1, b2], [-x, abs(x), +x, b1 & b2, b1 | b2, b1 ^ b2, ~b1,
                        sn.and_(b1, b2), sn.or_(b1, b2), sn.xor(b1, b2), sn.not_(b1)])
    v = np.array([-1.5, 0.0, 2.0], "float32")
    p, q = np.array([True, False, True]), np.array([True, True, False])
    outs = f(v, p, q)
    expected = [-v, np.abs(v), v, p & q, p | q, p ^ q, ~p, p & q, p | q, p ^ q, ~p]
    for got, want in zip(outs, expected):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype


def test_integer_arithmetic_keeps_numpy_dtypes():
    a = sn.vector("a", dtype="int32")
    b = sn.vector("b", dtype="int64")
    f = F([a, b], [a + b, a * 3, a // 2, a % 3, -a, a + a, a * 0.5, abs(a)])
    va, vb = np.array([-7, 0, 5], "int32"), np.array([2, 3, -4], "int64")
    outs = f(va, vb)
    expected = [va + vb, va * 3, va // 2, va % 3, -va, va + va, va * 0.5, np.abs(va)]
    for got, want in zip(outs, expected):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


# --------------------------------------------------------------------------------------------
# switch / clip / cast
# --------------------------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, min_side=0, max_side=4),
       seed=st.integers(0, 2 ** 16))
def test_switch_and_clip_broadcast(shapes, seed):
    (sc, sa, sb), out_shape = shapes
    rng = np.random.default_rng(seed)
    c = rng.standard_normal(sc) > 0
    a = rng.standard_normal(sa).astype("float32")
    b = rng.standard_normal(sb).astype("float32")
    vc = sn.tensor(_sym_shape(sc, False), dtype="bool", name="c")
    va = sn.tensor(_sym_shape(sa, False), dtype="float32", name="a")
    vb = sn.tensor(_sym_shape(sb, False), dtype="float32", name="b")
    f = F([vc, va, vb], [sn.switch(vc, va, vb), sn.where(vc, va, vb), sn.clip(va, -0.5, 0.5),
                         sn.clip(va, vb, vb + 1.0), va.clip(-0.1, 0.2)])
    s1, s2, c1, c2, c3 = f(c, a, b)
    np.testing.assert_array_equal(s1, np.where(c, a, b))
    np.testing.assert_array_equal(s2, np.where(c, a, b))
    assert s1.shape == out_shape and s1.dtype == np.float32
    np.testing.assert_array_equal(c1, np.clip(a, -0.5, 0.5))
    assert c1.dtype == np.float32
    np.testing.assert_allclose(c2, np.minimum(np.maximum(a, b), b + np.float32(1.0)))
    np.testing.assert_array_equal(c3, np.clip(a, np.float32(-0.1), np.float32(0.2)))


def test_switch_with_nonbool_condition_and_scalars():
    x = sn.vector("x")
    f = F([x], [sn.switch(x, 1.0, 0.0), sn.switch(x > 0, x, 0.0)])
    v = np.array([0.0, -2.0, 3.0], "float32")
    a, b = f(v)
    np.testing.assert_array_equal(a, [0, 1, 1])
    np.testing.assert_array_equal(b, [0, 0, 3])
    assert b.dtype == np.float32


@pytest.mark.parametrize("src,dst", [("float32", "int32"), ("float64", "float32"), ("int64", "float32"),
                                     ("bool", "float64"), ("float32", "bool"), ("int32", "uint8"),
                                     ("float32", "floatX")])
def test_cast(src, dst):
    v = np.array([-2.7, 0.0, 1.5, 3.2, 255.0], dtype="float64").astype(src)
    x = sn.vector("x", dtype=src)
    y = sn.cast(x, dst)
    want_dtype = sn.config.floatX if dst == "floatX" else dst
    assert y.dtype == want_dtype
    out = F([x], [y, x.astype(dst)])(v)
    for o in out:
        assert o.dtype == want_dtype
        np.testing.assert_array_equal(o, v.astype(want_dtype))


def test_cast_to_same_dtype_is_identity():
    x = sn.vector("x")
    assert sn.cast(x, x.dtype) is x


# --------------------------------------------------------------------------------------------
# dtype promotion and weak Python scalars (NEP 50-like)
# --------------------------------------------------------------------------------------------
def test_float32_stays_float32_with_python_scalars():
    x = sn.matrix("x", dtype="float32")
    exprs = [x * 2.0, 2.0 * x, x + 1, x - 0.5, x / 3, 3 / x, x ** 2, x ** 0.5, sn.maximum(x, 0.0),
             sn.clip(x, 0, 1), sn.switch(x > 0, x, 0.0), -x, abs(x), sn.exp(x) * 1e-3]
    for e in exprs:
        assert e.dtype == "float32", e
    v = np.full((2, 2), 2.0, "float32")
    for o in F([x], exprs)(v):
        assert o.dtype == np.float32


def test_weak_scalars_follow_numpy2():
    xi = sn.vector("xi", dtype="int32")
    xf16 = sn.vector("h", dtype="float16")
    assert (xi + 1).dtype == "int32"
    assert (xi * 0.5).dtype == "float64"
    assert (xf16 * 2.0).dtype == "float16"
    assert (xi + 2 ** 40).dtype == "int64"        # does not fit: widened, never wrapped
    v = np.array([1, 2, 3], "int32")
    f = F([xi], [xi + 1, xi * 0.5, xi + 2 ** 40])
    for got, want in zip(f(v), [v + 1, v * 0.5, v.astype("int64") + 2 ** 40]):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_array_promotion_matches_numpy():
    pairs = [("float32", "float64"), ("float32", "int8"), ("float32", "int64"), ("int8", "uint8"),
             ("int32", "int64"), ("bool", "int8"), ("float16", "float32")]
    for da, db in pairs:
        a, b = sn.vector("a", dtype=da), sn.vector("b", dtype=db)
        va, vb = np.ones(2, da), np.ones(2, db)
        out = F([a, b], a + b)(va, vb)
        assert out.dtype == (va + vb).dtype, (da, db)
        # a NumPy array constant is a strong type, as in NumPy
        assert (a + np.ones(2, db)).dtype == str((va + vb).dtype)


def test_floatX_for_new_variables_and_python_float_constants():
    with sn.config.change_flags(floatX="float64"):
        assert sn.matrix("m").dtype == "float64"
        assert sn.constant(1.5).dtype == "float64"
    assert sn.matrix("m").dtype == sn.config.floatX == "float32"
    assert sn.constant(1.5).dtype == "float32"
    assert sn.constant(3).dtype == "int64"


def test_runtime_broadcast_of_unknown_size_one_dim_is_an_error():
    x = sn.matrix("x")
    y = sn.matrix("y")
    f = F([x, y], x + y)
    with pytest.raises(ValueError, match="'x'.*'y'|sizes"):
        f(np.ones((2, 3), "float32"), np.ones((1, 3), "float32"))


def test_build_time_broadcast_mismatch_names_shapes():
    x = sn.tensor((None, 3), name="x")
    y = sn.tensor((4,), name="y")
    with pytest.raises(ValueError) as e:
        x + y
    assert "(None, 3)" in str(e.value) and "(4,)" in str(e.value) and "'x'" in str(e.value)


def test_empty_and_size_one_arrays():
    x = sn.tensor((0, 3), name="x")
    y = sn.tensor((1, 3), name="y")
    out = F([x, y], sn.exp(x) * y)(np.ones((0, 3), "float32"), np.ones((1, 3), "float32"))
    assert out.shape == (0, 3) and out.dtype == np.float32


# --------------------------------------------------------------------------------------------
# Gradients, float64 finite differences
# --------------------------------------------------------------------------------------------
GRAD_UNARY = ["exp", "expm1", "log", "log1p", "sqrt", "square", "abs", "neg", "sin", "cos", "tan", "tanh",
              "sigmoid", "softplus", "relu", "elu", "selu", "gelu", "gelu_tanh", "erf", "reciprocal",
              "identity"]


@pytest.mark.parametrize("name", GRAD_UNARY)
def test_unary_grad(name):
    fn, _, dom = UNARY[name]
    rng = np.random.default_rng(3)
    v = rng.standard_normal((3, 4))
    if dom is not None:
        v = dom(v)
    if name in ("abs", "relu", "elu", "selu"):
        v = np.where(np.abs(v) < 0.05, 0.3, v)     # keep away from the kink
    sn.verify_grad(fn, [v], rng=rng)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "true_div", "pow", "maximum", "minimum"])
def test_binary_grad_with_broadcasting(name):
    fn, _, kind = BINARY[name]
    rng = np.random.default_rng(4)
    a = rng.standard_normal((3, 4))
    b = rng.standard_normal((4,))
    if kind == "nonzero":
        b = np.where(np.abs(b) < 0.3, 0.7, b)
    if kind == "posbase":
        a = np.abs(a) + 0.5
    if name in ("maximum", "minimum"):
        b = b + 0.05   # no ties
    sn.verify_grad(fn, [a, b], rng=rng)
    # a statically size-1 axis broadcast inside the graph
    sn.verify_grad(lambda x, y: fn(x, sn.expand_dims(y, 0)), [a, b], rng=rng)


def test_grad_of_mod_floor_div_and_rounding():
    rng = np.random.default_rng(5)
    a = rng.uniform(0.1, 0.9, (5,)) + np.arange(5)
    b = np.full((5,), 2.3)
    sn.verify_grad(lambda x, y: sn.mod(x, y), [a, b], rng=rng)
    sn.verify_grad(lambda x: sn.floor(x) + sn.ceil(x) + sn.round(x) + sn.sign(x) * x, [a], rng=rng)


def test_switch_clip_cast_grads():
    rng = np.random.default_rng(6)
    a = rng.standard_normal((4, 3))
    b = rng.standard_normal((4, 3))
    a = np.where(np.abs(np.abs(a) - 0.5) < 0.05, 0.2, a)
    sn.verify_grad(lambda x, y: sn.switch(x > y, x * y, sn.exp(y)), [a, b], rng=rng)
    sn.verify_grad(lambda x: sn.clip(x, -0.5, 0.5), [a], rng=rng)
    sn.verify_grad(lambda x, lo: sn.clip(x, lo, 10.0), [a, b], rng=rng)
    sn.verify_grad(lambda x: sn.cast(sn.cast(x, "float32"), "float64") * 2.0, [a], rng=rng, eps=1e-3,
                   abs_tol=1e-3, rel_tol=1e-3)


def test_non_differentiable_paths_give_zero_gradient():
    x = sn.vector("x", dtype="float64")
    cost = sn.sum(sn.cast(x > 0, "float64") * 3.0 + sn.floor(x))
    with pytest.raises(sn.DisconnectedInputError, match="'x'"):
        sn.grad(cost, x)
    g = sn.grad(cost, x, disconnected_inputs="ignore")
    out = F([x], g)(np.array([1.2, -0.7]))
    np.testing.assert_array_equal(out, [0.0, 0.0])


def test_float32_grad_is_float32():
    x = sn.matrix("x", dtype="float32")
    g = sn.grad(sn.sum(sn.tanh(x) * 2.0), x)
    assert g.dtype == "float32"
    out = F([x], g)(np.zeros((2, 2), "float32"))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, 2.0)


def _float64_nodes(v):
    from symnet.graph import ancestors
    return sorted({str(a.owner.op) for a in ancestors([v]) if a.dtype == "float64" and a.owner is not None})


@pytest.mark.parametrize("name", GRAD_UNARY + ["floor", "sign"])
def test_float32_gradient_graph_has_no_float64_node(name):
    x = sn.matrix("x")
    g = sn.grad(sn.sum(UNARY[name][0](x)), x, disconnected_inputs="ignore")
    assert g.dtype == "float32" and _float64_nodes(g) == []


@pytest.mark.parametrize("name", sorted(n for n in BINARY if BINARY[n][2] != "ties"))
def test_float32_binary_gradient_graph_has_no_float64_node(name):
    x, y = sn.matrix("x"), sn.matrix("y")
    gx, gy = sn.grad(sn.sum(BINARY[name][0](x, y)), [x, y], disconnected_inputs="ignore")
    assert _float64_nodes(gx) == [] and _float64_nodes(gy) == []
    assert gx.dtype == gy.dtype == "float32"


def test_numpy_arrays_on_the_left_defer_to_variables():
    x = sn.matrix("x")
    a = np.arange(6, dtype="float32").reshape(2, 3)
    exprs = [a + x, a * x, a - x, a > x, a.T @ x, np.float32(2) * x]
    assert all(isinstance(e, sn.Variable) for e in exprs)
    v = np.ones((2, 3), "float32")
    outs = F([x], exprs[:4] + [exprs[5]])(v)
    for got, want in zip(outs, [a + v, a * v, a - v, a > v, 2 * v]):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
