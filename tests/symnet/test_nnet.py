"""softmax, log_softmax and the crossentropies against NumPy (any axis, stable for large logits),
the creation ops (zeros, ones, full, arange, zeros_like, ones_like, broadcast_to), and their
gradients in float64."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import symnet as sn


def F(inputs, outputs, **kw):
    return sn.function(inputs, outputs, mode="reference", **kw)


def np_softmax(a, axis=-1):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(a, axis=-1):
    s = a - a.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


@settings(max_examples=25, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), data=st.data(),
       dtype=st.sampled_from(["float32", "float64"]))
def test_softmax_log_softmax_match_numpy(shape, data, dtype):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    v = (np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal(shape) * 5).astype(dtype)
    x = sn.tensor((None,) * len(shape), dtype=dtype, name="x")
    sm, lsm = F([x], [sn.softmax(x, axis=axis), sn.log_softmax(x, axis=axis)])(v)
    assert sm.dtype == dtype and lsm.dtype == dtype
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(sm, np_softmax(v.astype("float64"), axis), **tol)
    np.testing.assert_allclose(lsm, np_log_softmax(v.astype("float64"), axis), **tol)


def test_softmax_is_stable_for_large_logits():
    v = np.array([[1000.0, 0.0, -1000.0], [-1e4, -1e4, -1e4]], "float32")
    x = sn.matrix("x")
    sm, lsm = F([x], [sn.softmax(x), sn.log_softmax(x)])(v)
    assert np.all(np.isfinite(sm)) and np.all(np.isfinite(lsm))
    np.testing.assert_allclose(sm, np_softmax(v.astype("float64")), atol=1e-7)
    np.testing.assert_allclose(lsm[0], [0.0, -1000.0, -2000.0], rtol=1e-6)


def test_softmax_of_zero_rows_and_integers():
    x = sn.matrix("x")
    assert F([x], sn.softmax(x))(np.zeros((0, 3), "float32")).shape == (0, 3)
    xi = sn.matrix("xi", dtype="int32")
    out = F([xi], sn.softmax(xi))(np.array([[0, 1]], "int32"))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, np_softmax(np.array([[0.0, 1.0]])))
    with pytest.raises(ValueError, match="scalar"):
        sn.softmax(sn.scalar("s"))


def test_categorical_crossentropy_dense_and_sparse():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((6, 4)).astype("float32")
    p = np_softmax(logits.astype("float64")).astype("float32")
    labels = rng.integers(0, 4, 6)
    onehot = np.eye(4, dtype="float32")[labels]
    P, T = sn.matrix("P"), sn.matrix("T")
    L = sn.vector("L", dtype="int64")
    f = F([P, T, L], [sn.categorical_crossentropy(P, T), sn.categorical_crossentropy(P, L),
                      sn.sparse_categorical_crossentropy(P, L)])
    dense, via_int, sparse = f(p, onehot, labels)
    want = -np.sum(onehot * np.log(p), axis=-1)
    for o in (dense, via_int, sparse):
        assert o.dtype == np.float32 and o.shape == (6,)
        np.testing.assert_allclose(o, want, rtol=1e-5)


def test_crossentropy_along_other_axis_and_errors():
    rng = np.random.default_rng(1)
    p = np_softmax(rng.standard_normal((3, 5)), axis=0)
    labels = rng.integers(0, 3, 5)
    P = sn.matrix("P", dtype="float64")
    L = sn.vector("L", dtype="int32")
    out = F([P, L], sn.sparse_categorical_crossentropy(P, L, axis=0))(p, labels.astype("int32"))
    np.testing.assert_allclose(out, -np.log(p[labels, np.arange(5)]), rtol=1e-12)
    with pytest.raises(ValueError, match="'P'"):
        sn.categorical_crossentropy(P, sn.vector("T", dtype="float64"))
    with pytest.raises(TypeError, match="integer"):
        sn.sparse_categorical_crossentropy(P, sn.vector("T", dtype="float64"))
    with pytest.raises(ValueError, match="one dim fewer"):
        sn.sparse_categorical_crossentropy(P, sn.matrix("M", dtype="int64"))


def test_binary_crossentropies():
    rng = np.random.default_rng(2)
    z = rng.standard_normal((4, 3)) * 3
    o = 1 / (1 + np.exp(-z))
    t = rng.integers(0, 2, (4, 3)).astype("float64")
    O, T, Z = sn.matrix("O", dtype="float64"), sn.matrix("T", dtype="float64"), sn.matrix("Z", dtype="float64")
    bce, sbce = F([O, T, Z], [sn.binary_crossentropy(O, T), sn.sigmoid_binary_crossentropy(Z, T)])(o, t, z)
    want = -(t * np.log(o) + (1 - t) * np.log(1 - o))
    np.testing.assert_allclose(bce, want, rtol=1e-12)
    np.testing.assert_allclose(sbce, want, rtol=1e-9)
    # stable form at large logits
    big = F([Z, T], sn.sigmoid_binary_crossentropy(Z, T))(np.array([[800.0, -800.0]]), np.array([[0.0, 1.0]]))
    np.testing.assert_allclose(big, [[800.0, 800.0]])


def test_nnet_grads():
    rng = np.random.default_rng(3)
    v = rng.standard_normal((3, 5))
    sn.verify_grad(sn.softmax, [v], rng=rng)
    sn.verify_grad(lambda x: sn.softmax(x, axis=0), [v], rng=rng)
    sn.verify_grad(sn.log_softmax, [v], rng=rng)
    sn.verify_grad(lambda x: sn.log_softmax(x, axis=0), [v], rng=rng)
    t = np.eye(5)[rng.integers(0, 5, 3)]
    sn.verify_grad(lambda x: sn.categorical_crossentropy(sn.softmax(x), t), [v], rng=rng)
    labels = rng.integers(0, 5, 3)
    sn.verify_grad(lambda x: sn.sparse_categorical_crossentropy(sn.softmax(x), labels), [v], rng=rng)
    o = rng.uniform(0.1, 0.9, (3, 5))
    tb = rng.integers(0, 2, (3, 5)).astype("float64")
    sn.verify_grad(lambda x: sn.binary_crossentropy(x, tb), [o], rng=rng)
    sn.verify_grad(lambda x, y: sn.sigmoid_binary_crossentropy(x, y), [v, rng.uniform(0, 1, (3, 5))], rng=rng)


# --------------------------------------------------------------------------------------------
# Creation ops
# --------------------------------------------------------------------------------------------
def test_zeros_ones_full():
    n = sn.scalar("n", dtype="int64")
    f = F([n], [sn.zeros((2, 3)), sn.ones((n, 2), dtype="int32"), sn.full((n,), 7.5), sn.full((2,), 3),
                sn.zeros(n, dtype="float64"), sn.full((1, n), True)], on_unused_input="ignore")
    z, o, fl, fi, z64, fb = f(4)
    assert z.dtype == np.float32 and z.shape == (2, 3) and not z.any()
    assert o.dtype == np.int32 and o.shape == (4, 2) and (o == 1).all()
    assert fl.dtype == np.float32 and fl.shape == (4,) and (fl == 7.5).all()
    assert fi.dtype == np.int64 and (fi == 3).all()
    assert z64.dtype == np.float64 and z64.shape == (4,)
    assert fb.dtype == np.bool_ and fb.shape == (1, 4) and fb.all()
    assert sn.zeros((2, 3)).type.shape == (2, 3)
    assert sn.ones((n, 2)).type.shape == (None, 2)
    with pytest.raises(ValueError, match="negative"):
        sn.zeros((-1, 2))
    with sn.config.change_flags(floatX="float64"):
        assert sn.zeros((2,)).dtype == "float64"


@pytest.mark.parametrize("args,kw", [((5,), {}), ((2, 9, 3), {}), ((0,), {}), ((5, 1, -2), {}),
                                     ((0.0, 1.0, 0.25), {}), ((3,), {"dtype": "float64"}),
                                     ((1, 4), {"dtype": "int32"})])
def test_arange(args, kw):
    out = F([], sn.arange(*args, **kw))()
    want = np.arange(*args, **kw)
    np.testing.assert_array_equal(out, want)
    if "dtype" not in kw:
        want_dtype = "int64" if all(isinstance(a, int) for a in args) else sn.config.floatX
        assert out.dtype == want_dtype


def test_arange_with_symbolic_bounds():
    n = sn.scalar("n", dtype="int64")
    out = F([n], sn.arange(n))(4)
    np.testing.assert_array_equal(out, np.arange(4))
    out = F([n], sn.arange(1, n, 2))(8)
    np.testing.assert_array_equal(out, np.arange(1, 8, 2))


def test_zeros_like_ones_like_broadcast_to():
    x = sn.tensor((None, 3), name="x")
    xi = sn.vector("xi", dtype="int32")
    v = np.random.default_rng(0).standard_normal((2, 3)).astype("float32")
    f = F([x, xi], [sn.zeros_like(x), sn.ones_like(x), sn.zeros_like(x, dtype="int64"), sn.ones_like(xi),
                    sn.broadcast_to(x[0], (4, 3)),
                    sn.broadcast_to(x, (5, 2, 3)), sn.broadcast_to(2.0, (x.shape[0], 2))])
    zl, ol, zl64, oli, b1, b2, b3 = f(v, np.array([1, 2], "int32"))
    assert zl.dtype == np.float32 and zl.shape == (2, 3) and not zl.any()
    assert ol.dtype == np.float32 and (ol == 1).all()
    assert zl64.dtype == np.int64
    assert oli.dtype == np.int32 and oli.shape == (2,)
    np.testing.assert_array_equal(b1, np.broadcast_to(v[0], (4, 3)))
    np.testing.assert_array_equal(b2, np.broadcast_to(v, (5, 2, 3)))
    np.testing.assert_array_equal(b3, np.full((2, 2), 2.0))
    with pytest.raises(ValueError, match="broadcast"):
        sn.broadcast_to(sn.tensor((3,), name="t"), (4, 2))


def test_creation_grads():
    rng = np.random.default_rng(4)
    v = rng.standard_normal((1, 3))
    sn.verify_grad(lambda x: sn.broadcast_to(x, (4, 2, 3)), [v], rng=rng)
    sn.verify_grad(lambda x: sn.zeros_like(x) + sn.ones_like(x) * x, [v], rng=rng)
    sn.verify_grad(lambda x: sn.full((2, 3), 1.0, dtype="float64") * x, [v], rng=rng)
