"""Indexing against NumPy: ints, slices with steps and negative bounds, None, Ellipsis, symbolic
scalar bounds, integer arrays on axis 0 (embeddings), set_subtensor / inc_subtensor; errors; and
gradients."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import symnet as sn


def F(inputs, outputs, **kw):
    return sn.function(inputs, outputs, mode="reference", **kw)


@settings(max_examples=30, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=6), data=st.data())
def test_basic_indexing_matches_numpy(shape, data):
    idx = data.draw(hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True))
    v = np.arange(int(np.prod(shape)), dtype="float32").reshape(shape)
    expected = v[idx]
    static = data.draw(st.booleans())
    x = sn.tensor(shape if static else (None,) * len(shape), name="x")
    try:
        y = x[idx]
    except IndexError:
        # an int index out of range of a static dim is caught when the graph is built
        assert static
        raise
    out = F([x], y)(v)
    assert out.shape == expected.shape
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, expected)
    if static:
        assert y.type.shape == expected.shape


@settings(max_examples=30, deadline=None)
@given(n=st.integers(0, 8), start=st.integers(-10, 10), stop=st.integers(-10, 10),
       step=st.sampled_from([1, 2, 3, -1, -2]), i=st.integers(-3, 2), static=st.booleans())
def test_symbolic_scalar_bounds(n, start, stop, step, i, static):
    v = np.arange(n * 3, dtype="float64").reshape(n, 3)
    x = sn.tensor((n, 3) if static else (None, None), dtype="float64", name="x")
    a, b, s = sn.scalar("a", dtype="int64"), sn.scalar("b", dtype="int64"), sn.scalar("s", dtype="int64")
    j = sn.scalar("j", dtype="int32")
    f = F([x, a, b, s, j], [x[a:b:s], x[a:], x[:b, j], x[::s, 1:], x[a::2], x[:b:-1], x[0:, j]])
    outs = f(v, start, stop, step, i)
    expected = [v[start:stop:step], v[start:], v[:stop, i], v[::step, 1:], v[start::2], v[:stop:-1], v[0:, i]]
    for got, want in zip(outs, expected):
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want)


def test_symbolic_index_out_of_range_raises_with_name():
    x = sn.vector("x")
    i = sn.scalar("i", dtype="int64")
    f = F([x, i], x[i])
    assert f(np.arange(3, dtype="float32"), -1) == 2
    with pytest.raises(IndexError, match="'x'"):
        f(np.arange(3, dtype="float32"), 3)


def test_static_index_errors_at_build_time():
    x = sn.tensor((3, 4), name="x")
    with pytest.raises(IndexError, match="'x'"):
        x[3]
    with pytest.raises(IndexError, match="too many"):
        x[0, 0, 0]
    with pytest.raises(IndexError):
        x[1.5]
    with pytest.raises(IndexError, match="ellipsis"):
        x[..., 0, ...]
    with pytest.raises(ValueError, match="step"):
        x[::0]


@settings(max_examples=25, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5),
       idx_shape=hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=4), seed=st.integers(0, 2 ** 16))
def test_integer_array_indexing_axis0(shape, idx_shape, seed):
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(shape).astype("float32")
    idx = rng.integers(-shape[0], shape[0], idx_shape)
    x = sn.tensor((None,) * len(shape), name="x")
    i = sn.tensor((None,) * len(idx_shape), dtype="int64", name="i")
    outs = F([x, i], [x[i], x[i, ...]])(v, idx)
    for o in outs:
        np.testing.assert_array_equal(o, v[idx])
        assert o.shape == v[idx].shape
    # a constant index list, and basic indices after the array
    if len(shape) >= 2:
        out = F([x], x[[0, -1, 0], 1:])(v)
        np.testing.assert_array_equal(out, v[[0, -1, 0], 1:])


def test_embedding_lookup_out_of_range_and_float_indices():
    W = sn.shared(np.arange(12, dtype="float32").reshape(4, 3), name="W")
    i = sn.vector("i", dtype="int32")
    f = F([i], W[i])
    np.testing.assert_array_equal(f(np.array([3, 0, -4], "int32")), W.get_value()[[3, 0, -4]])
    with pytest.raises(IndexError, match="'W'"):
        f(np.array([4], "int32"))
    with pytest.raises(TypeError, match="integer"):
        W[sn.vector("fi")]
    np.testing.assert_array_equal(F([i], W[:, i])(np.array([2, 0], "int32")), W.get_value()[:, [2, 0]])


@settings(max_examples=25, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5), data=st.data())
def test_set_and_inc_subtensor_basic(shape, data):
    idx = data.draw(hnp.basic_indices(shape, min_dims=0, allow_newaxis=False, allow_ellipsis=True))
    assume(idx != ())            # x[()] is x itself, not an indexed variable
    v = np.arange(int(np.prod(shape)), dtype="float64").reshape(shape)
    target_shape = v[idx].shape
    # a value of the target's shape with some broadcast axes
    y_shape = tuple(1 if data.draw(st.booleans()) else d for d in target_shape)
    y_shape = y_shape[data.draw(st.integers(0, len(y_shape))):]
    yv = np.random.default_rng(0).standard_normal(y_shape)
    x = sn.tensor(shape, dtype="float64", name="x")
    y = sn.tensor(y_shape, dtype="float64", name="y")
    f = F([x, y], [sn.set_subtensor(x[idx], y), sn.inc_subtensor(x[idx], y)])
    s, a = f(v, yv)
    es, ea = v.copy(), v.copy()
    es[idx] = yv
    ea[idx] += yv
    np.testing.assert_array_equal(s, es)
    np.testing.assert_array_equal(a, ea)
    np.testing.assert_array_equal(v, np.arange(v.size).reshape(shape))   # input untouched


def test_set_inc_subtensor_with_array_indices_accumulate():
    x = sn.matrix("x", dtype="float64")
    i = sn.vector("i", dtype="int64")
    y = sn.matrix("y", dtype="float64")
    f = F([x, i, y], [sn.inc_subtensor(x[i], y), sn.set_subtensor(x[i], y), sn.inc_subtensor(x[i], 1.0)])
    v = np.zeros((4, 2))
    idx = np.array([1, 1, 3, -1])
    yv = np.arange(8, dtype="float64").reshape(4, 2)
    inc, st_, inc1 = f(v, idx, yv)
    want = v.copy()
    np.add.at(want, idx, yv)
    np.testing.assert_array_equal(inc, want)
    want_set = v.copy()
    want_set[idx] = yv
    np.testing.assert_array_equal(st_, want_set)
    want1 = v.copy()
    np.add.at(want1, idx, 1.0)
    np.testing.assert_array_equal(inc1, want1)


def test_set_subtensor_errors():
    x = sn.tensor((4, 3), name="x")
    with pytest.raises(TypeError, match="indexed variable"):
        sn.set_subtensor(x, 1.0)
    with pytest.raises(ValueError):
        sn.set_subtensor(x[1:3], sn.tensor((3, 3), name="y"))


# --------------------------------------------------------------------------------------------
# Gradients
# --------------------------------------------------------------------------------------------
def test_indexing_grads():
    rng = np.random.default_rng(0)
    v = rng.standard_normal((5, 3))
    kw = dict(rng=rng, n_tests=1)
    sn.verify_grad(lambda x: x[1:4:2, ::-1], [v], **kw)
    sn.verify_grad(lambda x: x[-1], [v], **kw)
    sn.verify_grad(lambda x: x[None, ..., 2], [v], **kw)
    sn.verify_grad(lambda x: x[np.array([0, 2, 2, -1])] * 3.0, [v], **kw)   # repeated rows accumulate
    y = rng.standard_normal((2, 3))
    sn.verify_grad(lambda x, z: sn.set_subtensor(x[1:3], z) ** 2, [v, y], **kw)
    sn.verify_grad(lambda x, z: sn.inc_subtensor(x[1:3], z) ** 2, [v, y], **kw)
    sn.verify_grad(lambda x, z: sn.inc_subtensor(x[np.array([0, 0])], z) ** 2, [v, y], **kw)
    sn.verify_grad(lambda x, z: sn.set_subtensor(x[np.array([4, 1])], z) ** 2, [v, y], **kw)
    r = rng.standard_normal((3,))
    sn.verify_grad(lambda x, z: sn.inc_subtensor(x[2:], z) * x, [v, r], **kw)   # broadcast value


def test_grad_with_symbolic_index():
    x = sn.vector("x", dtype="float64")
    i = sn.scalar("i", dtype="int64")
    g = sn.grad(sn.sum(x[i:] ** 2), x)
    out = F([x, i], g)(np.array([1.0, 2.0, 3.0]), 1)
    np.testing.assert_allclose(out, [0.0, 4.0, 6.0])


def test_assigning_floats_into_integers_is_refused():
    m = sn.matrix("m", dtype="int32")
    with pytest.raises(TypeError, match="'m'.*int32"):
        sn.inc_subtensor(m[0], 1.5)
    with pytest.raises(TypeError, match="'f'"):
        sn.set_subtensor(m[np.array([0])], sn.matrix("f"))
    out = F([m], sn.inc_subtensor(m[0], 2))(np.zeros((2, 2), "int32"))
    np.testing.assert_array_equal(out, [[2, 2], [0, 0]])
    assert out.dtype == np.int32
