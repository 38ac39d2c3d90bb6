"""Reductions (sum, mean, prod, max, min, argmax, argmin, var, std, logsumexp, any, all) against
NumPy for axis None | int | negative int | tuple and keepdims, on shapes with 0, 1 and odd sizes;
their dtypes; and their gradients in float64."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import symnet as sn


def F(inputs, outputs, **kw):
    return sn.function(inputs, outputs, mode="reference", **kw)


def _np_logsumexp(a, axis=None, keepdims=False):
    m = np.max(a, axis=axis, keepdims=True) if a.size else np.zeros([1] * a.ndim, a.dtype)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis if axis is not None else tuple(range(a.ndim)))


REDUCTIONS = {
    "sum": (sn.sum, np.sum),
    "mean": (sn.mean, np.mean),
    "prod": (sn.prod, np.prod),
    "max": (sn.max, np.max),
    "min": (sn.min, np.min),
    "var": (sn.var, np.var),
    "std": (sn.std, np.std),
    "logsumexp": (sn.logsumexp, _np_logsumexp),
    "any": (sn.any, np.any),
    "all": (sn.all, np.all),
}


@st.composite
def shape_and_axis(draw, allow_tuple=True):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))
    nd = len(shape)
    kinds = ["none", "int"] + (["tuple"] if allow_tuple else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "none" or nd == 0:
        return shape, None
    if kind == "int":
        return shape, draw(st.integers(-nd, nd - 1))
    axes = draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
    # mix negative spellings in
    axes = tuple(a - nd if draw(st.booleans()) else a for a in axes)
    return shape, axes


def _reduced_axes(shape, axis):
    if axis is None:
        return tuple(range(len(shape)))
    axis = (axis,) if isinstance(axis, int) else axis
    return tuple(a % len(shape) for a in axis)


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:Degrees of freedom",
                            "ignore:invalid value encountered")
@settings(max_examples=20, deadline=None)
@given(sa=shape_and_axis(), keepdims=st.booleans(), dtype=st.sampled_from(["float32", "float64"]),
       static=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_reduction_matches_numpy(name, sa, keepdims, dtype, static, seed):
    shape, axis = sa
    fn, ref = REDUCTIONS[name]
    red = _reduced_axes(shape, axis)
    if name in ("max", "min", "logsumexp"):
        # max/min have no identity (numpy raises too); logsumexp subtracts the max first
        assume(all(shape[a] > 0 for a in red))
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(shape)
    if name == "prod":
        v = rng.uniform(0.5, 1.5, shape)
    if name in ("any", "all"):
        v = np.round(v)                                   # some zeros
    v = v.astype(dtype)
    x = sn.tensor(shape if static else (None,) * len(shape), dtype=dtype, name="x")
    with np.errstate(all="ignore"):
        expected = np.asarray(ref(v, axis=axis, keepdims=keepdims))
    y = fn(x, axis=axis, keepdims=keepdims)
    assert y.ndim == expected.ndim
    out = F([x], y)(v)
    assert out.shape == expected.shape
    assert out.dtype == expected.dtype, f"{name}: {out.dtype} vs numpy {expected.dtype}"
    if static:
        assert all(d is None or d == e for d, e in zip(y.type.shape, expected.shape))
    tol = dict(rtol=3e-5, atol=3e-6) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out, expected, **tol)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@settings(max_examples=25, deadline=None)
@given(sa=shape_and_axis(allow_tuple=False), keepdims=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_argmax_argmin(name, sa, keepdims, seed):
    shape, axis = sa
    red = _reduced_axes(shape, axis)
    assume(all(shape[a] > 0 for a in red) and (axis is not None or int(np.prod(shape)) > 0))
    v = np.round(np.random.default_rng(seed).standard_normal(shape), 1).astype("float32")  # ties: first wins
    x = sn.tensor((None,) * len(shape), name="x")
    out = F([x], getattr(sn, name)(x, axis=axis, keepdims=keepdims))(v)
    expected = getattr(np, name)(v, axis=axis, keepdims=keepdims)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, expected)
    assert out.shape == np.shape(expected)


def test_methods_match_functions():
    v = np.random.default_rng(0).standard_normal((3, 4, 5)).astype("float32")
    x = sn.tensor3("x")
    f = F([x], [x.sum(1), x.mean(-1, keepdims=True), x.max((0, 2)), x.min(), x.prod(0), x.var(1), x.std(2),
                x.argmax(1), x.argmin(-1), x.any(0), x.all(2)])
    expected = [v.sum(1), v.mean(-1, keepdims=True), v.max((0, 2)), v.min(), v.prod(0), v.var(1), v.std(2),
                v.argmax(1), v.argmin(-1), v.any(0), v.all(2)]
    for got, want in zip(f(v), expected):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", ["bool", "int8", "int32", "int64", "uint8"])
def test_integer_sum_prod_accumulator_dtypes(dtype):
    v = np.array([[1, 1, 0], [1, 1, 1]], dtype=dtype)
    x = sn.matrix("x", dtype=dtype)
    f = F([x], [sn.sum(x), sn.sum(x, 0), sn.prod(x, 1), sn.max(x, 1), sn.mean(x), x.sum(dtype="float32")])
    outs = f(v)
    expected = [v.sum(), v.sum(0), v.prod(1), v.max(1)]
    for got, want in zip(outs, expected):
        assert got.dtype == want.dtype, (dtype, got.dtype, want.dtype)
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(outs[4], v.mean())
    assert outs[5].dtype == np.float32


def test_mean_of_unknown_shape_uses_runtime_count():
    x = sn.matrix("x")
    f = F([x], [sn.mean(x, 0), sn.var(x), sn.std(x, 1)])
    for shape in [(3, 4), (1, 7), (5, 1)]:
        v = np.random.default_rng(1).standard_normal(shape).astype("float32")
        a, b, c = f(v)
        np.testing.assert_allclose(a, v.mean(0), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(b, v.var(), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(c, v.std(1), rtol=1e-5, atol=1e-7)


def test_var_ddof():
    v = np.random.default_rng(2).standard_normal((4, 6))
    x = sn.matrix("x", dtype="float64")
    y = sn.tensor((4, 6), dtype="float64", name="y")
    np.testing.assert_allclose(F([x], sn.var(x, 1, ddof=1))(v), v.var(1, ddof=1))
    np.testing.assert_allclose(F([y], sn.var(y, 0, ddof=1))(v), v.var(0, ddof=1))


def test_logsumexp_is_stable_with_large_and_infinite_values():
    v = np.array([[1000.0, 1000.0, -1000.0], [-np.inf, -np.inf, -np.inf], [np.inf, 0.0, 1.0]], "float32")
    x = sn.matrix("x")
    out = F([x], sn.logsumexp(x, axis=1))(v)
    np.testing.assert_allclose(out[0], 1000.0 + np.log(2.0), rtol=1e-6)
    assert out[1] == -np.inf and out[2] == np.inf
    assert out.dtype == np.float32


def test_max_of_empty_axis_raises():
    x = sn.matrix("x")
    f = F([x], sn.max(x, 0))
    with pytest.raises(ValueError, match="empty"):
        f(np.zeros((0, 3), "float32"))


def test_bad_axes_raise_at_build_time():
    x = sn.matrix("x")
    with pytest.raises(ValueError, match="out of range"):
        sn.sum(x, axis=2)
    with pytest.raises(ValueError, match="out of range"):
        sn.mean(x, axis=-3)
    with pytest.raises(ValueError, match="repeated"):
        sn.max(x, axis=(0, -2))


# --------------------------------------------------------------------------------------------
# Gradients
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sum", "mean", "prod", "max", "min", "var", "std", "logsumexp"])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (1, False), (-1, True), ((0, 2), False),
                                           ((0, 1, 2), True)])
def test_reduction_grads(name, axis, keepdims):
    fn, _ = REDUCTIONS[name]
    rng = np.random.default_rng(7)
    v = rng.standard_normal((2, 3, 4))
    if name == "prod":
        v = rng.uniform(0.5, 1.5, (2, 3, 4)) * rng.choice([-1, 1], (2, 3, 4))
    sn.verify_grad(lambda x: fn(x, axis=axis, keepdims=keepdims), [v], rng=rng)


def test_max_grad_splits_ties():
    x = sn.vector("x", dtype="float64")
    g = F([x], sn.grad(sn.max(x), x))(np.array([1.0, 3.0, 3.0, 2.0]))
    np.testing.assert_allclose(g, [0, 0.5, 0.5, 0])


def test_grad_through_mean_of_unknown_shape():
    sn.verify_grad(lambda x: sn.mean(sn.reshape(x, (-1,)) ** 2), [np.random.default_rng(0).standard_normal((3, 5))])


@pytest.mark.parametrize("v", [[0.0, 2.0, 3.0], [0.0, 0.0, 2.0], [-1.0, 0.5, 4.0]])
def test_prod_grad_with_zeros(v):
    sn.verify_grad(sn.prod, [np.array(v)])
    x = sn.vector("x", dtype="float64")
    out = F([x], sn.grad(sn.prod(x), x))(np.array(v))
    a = np.array(v)
    want = [np.prod(np.delete(a, i)) for i in range(a.size)]
    np.testing.assert_allclose(out, want)


def test_prod_grad_with_zeros_along_an_axis():
    m = np.array([[0.0, 2.0, 3.0], [1.0, 0.0, 0.0], [1.0, 2.0, 3.0]])
    sn.verify_grad(lambda a: sn.prod(a, axis=1, keepdims=True), [m])
    sn.verify_grad(lambda a: sn.prod(a, axis=0), [m])


def test_float32_stays_float32_in_var_std_with_unknown_shape():
    x = sn.matrix("x")
    for y in (sn.var(x, 0, ddof=1), sn.std(x, ddof=1), sn.mean(x, 1), sn.logsumexp(x, 0)):
        assert y.dtype == "float32"
    v = np.random.default_rng(0).standard_normal((5, 3)).astype("float32")
    out = F([x], sn.var(x, 0, ddof=1))(v)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, v.var(0, ddof=1), rtol=1e-5)
