"""Shape ops against NumPy: reshape (with -1 and symbolic dims), transpose, dimshuffle, expand_dims,
squeeze, flatten, shape; static shape inference; build-time errors; gradients."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import symnet as sn


def F(inputs, outputs, **kw):
    return sn.function(inputs, outputs, mode="reference", **kw)


@settings(max_examples=30, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5), data=st.data())
def test_reshape_matches_numpy(shape, data):
    v = np.arange(int(np.prod(shape)), dtype="float32").reshape(shape)
    # a random target: a permutation of the factors of the shape, grouped
    dims = list(shape)
    perm = data.draw(st.permutations(dims))
    split = data.draw(st.integers(0, len(perm)))
    target = [int(np.prod(perm[:split])), int(np.prod(perm[split:]))] if 0 < split < len(perm) else list(perm)
    if data.draw(st.booleans()) and int(np.prod(shape)) > 0:
        target[data.draw(st.integers(0, len(target) - 1))] = -1
    static = data.draw(st.booleans())
    x = sn.tensor(shape if static else (None,) * len(shape), name="x")
    y = sn.reshape(x, tuple(target))
    out = F([x], [y, x.reshape(tuple(target))])(v)
    for o in out:
        np.testing.assert_array_equal(o, v.reshape(target))
        assert o.dtype == np.float32
    if static:
        assert y.type.shape == v.reshape(target).shape


def test_reshape_with_symbolic_dims():
    x = sn.tensor3("x")
    y = sn.reshape(x, (x.shape[0], -1))
    z = x.reshape((x.shape[0] * x.shape[1], x.shape[2]))
    w = sn.reshape(x, (x.shape[2], x.shape[0] * x.shape[1]))
    v = np.arange(24, dtype="float32").reshape(2, 3, 4)
    a, b, c = F([x], [y, z, w])(v)
    np.testing.assert_array_equal(a, v.reshape(2, -1))
    np.testing.assert_array_equal(b, v.reshape(6, 4))
    np.testing.assert_array_equal(c, v.reshape(4, 6))
    assert y.ndim == 2 and z.ndim == 2


def test_reshape_to_a_symbolic_shape_vector():
    x = sn.vector("x")
    shp = sn.vector("shp", dtype="int64")
    f = F([x, shp], sn.reshape(x, shp, ndim=2))
    v = np.arange(6, dtype="float32")
    np.testing.assert_array_equal(f(v, np.array([2, 3])), v.reshape(2, 3))
    np.testing.assert_array_equal(f(v, np.array([-1, 2])), v.reshape(-1, 2))
    with pytest.raises(ValueError, match="ndim"):
        sn.reshape(x, shp)


def test_reshape_static_inference_with_known_dims():
    x = sn.tensor((None, 784), name="x")
    assert sn.reshape(x, (-1, 28, 28)).type.shape == (None, 28, 28)
    y = sn.tensor((6, 4), name="y")
    assert sn.reshape(y, (-1, 3)).type.shape == (8, 3)
    assert sn.reshape(y, (3, 8)).type.shape == (3, 8)


def test_bad_reshape_is_a_build_time_error():
    y = sn.tensor((6, 4), name="y")
    with pytest.raises(ValueError) as e:
        sn.reshape(y, (5, 5))
    msg = str(e.value)
    assert "'y'" in msg and "(6, 4)" in msg and "(5, 5)" in msg
    with pytest.raises(ValueError, match="'y'"):
        sn.reshape(y, (-1, 5))
    with pytest.raises(ValueError, match="negative"):
        sn.reshape(y, (-2, 12))


def test_bad_reshape_at_run_time_names_the_input():
    x = sn.matrix("x")
    f = F([x], sn.reshape(x, (5, -1)))
    with pytest.raises(ValueError, match="'x'"):
        f(np.ones((2, 3), "float32"))


@settings(max_examples=30, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4), data=st.data())
def test_transpose_matches_numpy(shape, data):
    v = np.random.default_rng(0).standard_normal(shape).astype("float32")
    axes = data.draw(st.permutations(range(len(shape))))
    neg = [a - len(shape) if data.draw(st.booleans()) else a for a in axes]
    x = sn.tensor((None,) * len(shape), name="x")
    outs = F([x], [sn.transpose(x), sn.transpose(x, neg), x.transpose(*axes) if axes else x.T, x.T])(v)
    np.testing.assert_array_equal(outs[0], v.T)
    np.testing.assert_array_equal(outs[1], np.transpose(v, axes))
    np.testing.assert_array_equal(outs[2], np.transpose(v, axes))
    np.testing.assert_array_equal(outs[3], v.T)


def test_dimshuffle_expand_dims_squeeze():
    v = np.random.default_rng(0).standard_normal((3, 1, 4)).astype("float32")
    x = sn.tensor((None, 1, None), name="x")
    outs = F([x], [x.dimshuffle(2, "x", 0), x.dimshuffle("x", 0, 2, "x"), x.dimshuffle((2, 1, 0)),
                   sn.dimshuffle(x, [0, "x", 2]),
                   sn.expand_dims(x, 0), sn.expand_dims(x, -1), sn.expand_dims(x, (0, 2)),
                   sn.squeeze(x), sn.squeeze(x, 1), sn.squeeze(x, -2), x.squeeze()])(v)
    expected = [v[:, 0, :].T[:, None, :], v[:, 0, :][None, :, :, None], np.transpose(v, (2, 1, 0)),
                v[:, 0, :][:, None, :], np.expand_dims(v, 0), np.expand_dims(v, -1), np.expand_dims(v, (0, 2)),
                np.squeeze(v), np.squeeze(v, 1), np.squeeze(v, -2), np.squeeze(v)]
    for got, want in zip(outs, expected):
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want)


def test_squeeze_of_unknown_dim_is_an_error():
    x = sn.matrix("x")
    with pytest.raises(ValueError, match="'x'"):
        sn.squeeze(x, 0)
    with pytest.raises(ValueError, match="bad dimshuffle|only axes of static size 1"):
        x.dimshuffle(1)


@pytest.mark.parametrize("shape,ndim", [((2, 3, 4), 1), ((2, 3, 4), 2), ((2, 3, 4), 3), ((0, 3, 2), 2),
                                        ((5,), 1), ((2, 1, 3, 1), 3)])
def test_flatten(shape, ndim):
    v = np.arange(int(np.prod(shape)), dtype="float64").reshape(shape)
    for static in (True, False):
        x = sn.tensor(shape if static else (None,) * len(shape), dtype="float64", name="x")
        out = F([x], [sn.flatten(x, ndim), x.flatten(ndim)])(v)
        want = v.reshape(shape[:ndim - 1] + (-1,)) if v.size else v.reshape(shape[:ndim - 1] + (int(np.prod(shape[ndim - 1:])),))
        for o in out:
            assert o.shape == want.shape
            np.testing.assert_array_equal(o, want)


def test_shape_op_and_len_and_iteration():
    x = sn.tensor((None, 3), name="x")
    f = F([x], [x.shape, x.shape[0], sn.shape(x)[-1], x.size])
    v = np.ones((5, 3), "float32")
    s, s0, s1, size = f(v)
    np.testing.assert_array_equal(s, [5, 3])
    assert s0 == 5 and s1 == 3 and size == 15
    assert s.dtype == np.int64
    y = sn.tensor((2, 3), name="y")
    assert len(y) == 2
    rows = list(y)
    assert len(rows) == 2 and rows[0].type.shape == (3,)
    with pytest.raises(TypeError, match="len"):
        len(x)


def test_views_do_not_alias_inputs():
    x = sn.matrix("x")
    v = np.arange(6, dtype="float32").reshape(2, 3)
    outs = F([x], [x.T, sn.reshape(x, (-1,)), sn.expand_dims(x, 0), x.dimshuffle(1, 0)])(v)
    for o in outs:
        assert not np.shares_memory(o, v)
        o[...] = -1
    np.testing.assert_array_equal(v, np.arange(6).reshape(2, 3))


# --------------------------------------------------------------------------------------------
# Gradients
# --------------------------------------------------------------------------------------------
def test_shape_op_grads():
    rng = np.random.default_rng(0)
    v = rng.standard_normal((2, 3, 4))
    sn.verify_grad(lambda x: sn.reshape(x, (4, -1)), [v], rng=rng)
    sn.verify_grad(lambda x: sn.reshape(x, (x.shape[0], -1)) * 2.0, [v], rng=rng)
    sn.verify_grad(lambda x: sn.transpose(x, (2, 0, 1)), [v], rng=rng)
    sn.verify_grad(lambda x: x.dimshuffle(2, "x", 0, 1), [v], rng=rng)
    sn.verify_grad(lambda x: sn.flatten(x, 2), [v], rng=rng)
    sn.verify_grad(lambda x: sn.squeeze(sn.expand_dims(x, 1), 1) * x, [v], rng=rng)
    w = rng.standard_normal((3, 1, 4))
    sn.verify_grad(lambda x: sn.squeeze(x) ** 2, [w], rng=rng)
