"""Matrix products against NumPy: matmul (vectors, matrices, broadcast batches), dot, tensordot,
outer; dtypes; the build-time shape error naming both shapes; and gradients in float64."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import symnet as sn


def F(inputs, outputs, **kw):
    return sn.function(inputs, outputs, mode="reference", **kw)


@st.composite
def matmul_shapes(draw):
    """Shapes (a, b) valid for np.matmul: 1-d or n-d on each side with broadcast batch dims."""
    m, k, n = (draw(st.integers(0, 5)) for _ in range(3))
    nda, ndb = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch = [draw(st.integers(1, 3)) for _ in range(2)]
    a = (k,) if nda == 1 else tuple(1 if draw(st.booleans()) else b for b in batch[2 - (nda - 2):]) + (m, k)
    b = (k,) if ndb == 1 else tuple(1 if draw(st.booleans()) else b for b in batch[2 - (ndb - 2):]) + (k, n)
    return a, b


def _sym(shape, static):
    return tuple(shape) if static else tuple(1 if d == 1 else None for d in shape)


@settings(max_examples=30, deadline=None)
@given(shapes=matmul_shapes(), dtype=st.sampled_from(["float32", "float64"]), static=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_matmul_matches_numpy(shapes, dtype, static, seed):
    sa, sb = shapes
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(sa).astype(dtype), rng.standard_normal(sb).astype(dtype)
    x = sn.tensor(_sym(sa, static), dtype=dtype, name="x")
    y = sn.tensor(_sym(sb, static), dtype=dtype, name="y")
    z = x @ y
    outs = F([x, y], [z, sn.matmul(x, y)])(a, b)
    want = np.matmul(a, b)
    for o in outs:
        assert o.shape == want.shape and o.dtype == want.dtype
        np.testing.assert_allclose(o, want, rtol=1e-5 if dtype == "float32" else 1e-12, atol=1e-5)
    assert z.ndim == want.ndim
    if static:
        assert z.type.shape == want.shape


@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                                   ((2, 5, 3), (3, 4)), ((2, 5, 3), (3,)), ((4, 2, 3), (2, 3, 4)),
                                   ((2, 3, 4), (5, 4, 6)), ((), (2, 3)), ((2, 3), ())])
def test_dot_matches_numpy(sa, sb):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    x = sn.tensor((None,) * len(sa), dtype="float64", name="x")
    y = sn.tensor((None,) * len(sb), dtype="float64", name="y")
    outs = F([x, y], [sn.dot(x, y), x.dot(y)])(a, b)
    for o in outs:
        np.testing.assert_allclose(o, np.dot(a, b), rtol=1e-12, atol=1e-12)
        assert o.shape == np.dot(a, b).shape


@pytest.mark.parametrize("sa,sb,axes", [((2, 3, 4), (3, 4, 5), 2), ((2, 3, 4), (4, 5), 1), ((3, 4), (3, 4), 2),
                                        ((2, 3), (4, 5), 0), ((2, 3, 4), (4, 3, 5), [[1, 2], [1, 0]]),
                                        ((2, 3, 4), (5, 2), [[0], [1]]), ((3, 4), (4, 3), [-1, 0]),
                                        ((0, 3), (3, 2), 1)])
@pytest.mark.parametrize("static", [True, False])
def test_tensordot_matches_numpy(sa, sb, axes, static):
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal(sa).astype("float32"), rng.standard_normal(sb).astype("float32")
    x = sn.tensor(sa if static else (None,) * len(sa), name="x")
    y = sn.tensor(sb if static else (None,) * len(sb), name="y")
    z = sn.tensordot(x, y, axes)
    out = F([x, y], z)(a, b)
    want = np.tensordot(a, b, axes)
    assert out.shape == want.shape and out.dtype == np.float32
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)
    if static:
        assert z.type.shape == want.shape


@pytest.mark.parametrize("sa,sb", [((3,), (4,)), ((2, 2), (3,)), ((0,), (2,))])
def test_outer(sa, sb):
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(sa).astype("float32"), rng.standard_normal(sb).astype("float32")
    x = sn.tensor((None,) * len(sa), name="x")
    y = sn.tensor((None,) * len(sb), name="y")
    out = F([x, y], sn.outer(x, y))(a, b)
    np.testing.assert_allclose(out, np.outer(a, b), rtol=1e-6)
    assert out.dtype == np.float32


def test_matmul_dtypes_follow_numpy():
    for da, db in [("float32", "float64"), ("int32", "float32"), ("int64", "int64"), ("float32", "int8")]:
        x, y = sn.matrix("x", dtype=da), sn.matrix("y", dtype=db)
        a, b = np.ones((2, 3), da), np.ones((3, 2), db)
        out = F([x, y], x @ y)(a, b)
        assert out.dtype == (a @ b).dtype
        np.testing.assert_array_equal(out, a @ b)


def test_matmul_shape_error_names_both_shapes():
    x = sn.tensor((None, 784), name="x")
    W = sn.tensor((100, 10), name="W")
    with pytest.raises(ValueError) as e:
        x @ W
    msg = str(e.value)
    assert "(None, 784)" in msg and "(100, 10)" in msg and "'x'" in msg and "'W'" in msg
    with pytest.raises(ValueError, match="scalar"):
        sn.scalar("s") @ W
    with pytest.raises(ValueError, match="batch"):
        sn.tensor((2, 3, 4)) @ sn.tensor((5, 4, 6))


def test_matmul_runtime_mismatch_is_a_clean_error():
    x, y = sn.matrix("x"), sn.matrix("y")
    f = F([x, y], x @ y)
    with pytest.raises(ValueError, match="matmul"):
        f(np.ones((2, 3), "float32"), np.ones((4, 2), "float32"))


# --------------------------------------------------------------------------------------------
# Gradients
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                                   ((2, 5, 3), (3, 4)), ((2, 5, 3), (3,)), ((4, 2, 3), (4, 3, 2)),
                                   ((4, 2, 3), (1, 3, 2)), ((3,), (2, 3, 4)), ((2, 1, 2, 3), (3, 3, 2))])
def test_matmul_grad(sa, sb):
    rng = np.random.default_rng(4)
    sn.verify_grad(sn.matmul, [rng.standard_normal(sa), rng.standard_normal(sb)], rng=rng)


def test_dot_tensordot_outer_grads():
    rng = np.random.default_rng(5)
    sn.verify_grad(sn.dot, [rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 4, 2))], rng=rng)
    sn.verify_grad(lambda a, b: sn.tensordot(a, b, [[1, 2], [1, 0]]),
                   [rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 3, 5))], rng=rng)
    sn.verify_grad(sn.outer, [rng.standard_normal(3), rng.standard_normal(4)], rng=rng)


def test_grad_of_batched_matmul_with_unknown_batch():
    x = sn.tensor3("x", dtype="float64")
    W = sn.matrix("W", dtype="float64")
    gx, gW = sn.grad(sn.sum(sn.tanh(x @ W)), [x, W])
    rng = np.random.default_rng(6)
    a, w = rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 5))
    ox, oW = F([x, W], [gx, gW])(a, w)
    d = 1 - np.tanh(a @ w) ** 2
    np.testing.assert_allclose(ox, d @ w.T, rtol=1e-12)
    np.testing.assert_allclose(oW, np.einsum("bmk,bmn->kn", a, d), rtol=1e-12)
