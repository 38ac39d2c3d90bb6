"""concatenate / stack / split, repeat / tile / pad, eye / one_hot against NumPy: hypothesis
shapes with 0, 1 and odd sizes, negative axes, float32 and float64, static and unknown shapes;
build-time and run-time errors; infer_shape; finite-difference gradients."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import symnet as sn
from symnet.ops.join import Join, Split

DTYPES = st.sampled_from(["float32", "float64"])


def F(inputs, outputs, **kw):
    return sn.function(inputs, outputs, mode="reference", **kw)


def rand(shape, dtype="float64", seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def var(shape, dtype, static, name):
    return sn.tensor(shape if static else (None,) * len(shape), dtype=dtype, name=name)


# ------------------------------------------------------------------------------------------
# concatenate / stack / split
# ------------------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5), data=st.data())
def test_concatenate_matches_numpy(shape, data):
    ndim = len(shape)
    axis = data.draw(st.integers(-ndim, ndim - 1))
    n = data.draw(st.integers(1, 3))
    dtypes = [data.draw(DTYPES) for _ in range(n)]
    static = data.draw(st.booleans())
    values, xs = [], []
    for i in range(n):
        shp = list(shape)
        shp[axis] = data.draw(st.sampled_from([0, 1, 2, 3]))
        values.append(rand(shp, dtypes[i], seed=i))
        xs.append(var(shp, dtypes[i], static, f"x{i}"))
    y = sn.concatenate(xs, axis=axis)
    expected = np.concatenate(values, axis=axis)
    out = F(xs, y)(*values)
    assert out.dtype == expected.dtype and y.dtype == str(expected.dtype)
    np.testing.assert_array_equal(out, expected)
    if static:
        assert y.type.shape == expected.shape


def test_concatenate_promotes_dtypes_as_numpy():
    for a, b in [("float32", "int8"), ("float32", "int64"), ("int32", "int64"), ("float32", "float32"),
                 ("uint8", "int8"), ("bool", "int16")]:
        x, y = sn.vector("x", dtype=a), sn.vector("y", dtype=b)
        z = sn.concatenate([x, y])
        va, vb = np.ones(2, a), np.zeros(3, b)
        out = F([x, y], z)(va, vb)
        assert out.dtype == np.concatenate([va, vb]).dtype == z.dtype, (a, b)


def test_concatenate_axis_none_flattens_and_constants_take_partner_dtype():
    x = sn.matrix("x")
    v = rand((2, 3), "float32")
    out = F([x], sn.concatenate([x, x], axis=None))(v)
    np.testing.assert_array_equal(out, np.concatenate([v, v], axis=None))
    np.testing.assert_array_equal(F([x], sn.join(1, x, x, x))(v), np.concatenate([v, v, v], axis=1))
    y = sn.concatenate([x, [[1.5, 2.5, 3.5]]], axis=0)
    assert y.dtype == "float32"
    np.testing.assert_array_equal(F([x], y)(v), np.concatenate([v, [[1.5, 2.5, 3.5]]]).astype("float32"))


@settings(max_examples=25, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4), data=st.data())
def test_stack_matches_numpy(shape, data):
    ndim = len(shape)
    axis = data.draw(st.integers(-ndim - 1, ndim))
    n = data.draw(st.integers(1, 3))
    dtype = data.draw(DTYPES)
    static = data.draw(st.booleans())
    values = [rand(shape, dtype, seed=i) for i in range(n)]
    xs = [var(shape, dtype, static, f"x{i}") for i in range(n)]
    y = sn.stack(xs, axis=axis)
    expected = np.stack(values, axis=axis)
    out = F(xs, y)(*values)
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out, expected)
    if static:
        assert y.type.shape == expected.shape


def test_stack_of_scalars_and_symbolic_shapes():
    x = sn.matrix("x")
    s = sn.stack([x.shape[1], x.shape[0] * 2])
    assert s.dtype == "int64" and s.type.shape == (2,)
    np.testing.assert_array_equal(F([x], s)(np.zeros((3, 5), "float32")), [5, 6])


@settings(max_examples=30, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6), data=st.data())
def test_split_matches_numpy(shape, data):
    ndim = len(shape)
    axis = data.draw(st.integers(-ndim, ndim - 1))
    dtype = data.draw(DTYPES)
    static = data.draw(st.booleans())
    v = rand(shape, dtype)
    x = var(shape, dtype, static, "x")
    d = shape[axis]
    if data.draw(st.booleans()):
        n = data.draw(st.sampled_from([k for k in range(1, 7) if d % k == 0]))
        parts = sn.split(x, n, axis=axis)
        expected = np.split(v, n, axis=axis)
    else:
        cuts = sorted(data.draw(st.lists(st.integers(0, d), min_size=0, max_size=3)))
        sizes = list(np.diff([0] + cuts + [d]))
        parts = sn.split(x, [int(s) for s in sizes], axis=axis)
        expected = np.split(v, cuts, axis=axis)
    out = F([x], parts)(v)
    assert len(out) == len(expected)
    for o, e, p in zip(out, expected, parts):
        assert o.dtype == v.dtype
        np.testing.assert_array_equal(o, e)
        if static:
            assert p.type.shape == e.shape


def test_split_with_symbolic_sizes_and_unknown_dim():
    x = sn.matrix("x")
    k = sn.scalar("k", dtype="int64")
    a, b = sn.split(x, [k, x.shape[1] - k], axis=1)
    v = rand((2, 5))
    oa, ob = F([x, k], [a, b])(v.astype("float32"), 2)
    np.testing.assert_array_equal(oa, v[:, :2].astype("float32"))
    np.testing.assert_array_equal(ob, v[:, 2:].astype("float32"))
    parts = sn.split(x, 3, axis=0)            # the size is checked when the function runs
    f = F([x], parts)
    assert [p.shape for p in f(np.zeros((6, 2), "float32"))] == [(2, 2)] * 3
    with pytest.raises(ValueError, match="'x'"):
        f(np.zeros((7, 2), "float32"))
    sizes = sn.vector("sizes", dtype="int64")
    with pytest.raises(ValueError, match="n_splits"):
        sn.split(x, sizes)
    p, q = sn.split(x, sizes, axis=1, n_splits=2)
    op, oq = F([x, sizes], [p, q])(v.astype("float32"), [4, 1])
    assert op.shape == (2, 4) and oq.shape == (2, 1)


def test_join_and_split_errors_name_the_variables_and_shapes():
    x = sn.tensor((2, 3), name="x")
    y = sn.tensor((4, 5), name="y")
    with pytest.raises(ValueError, match=r"'x' of shape \(2, 3\).*'y' of shape \(4, 5\)"):
        sn.concatenate([x, y], axis=0)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        sn.concatenate([x, x], axis=2)
    with pytest.raises(ValueError, match="axis -3 is out of range"):
        sn.concatenate([x, x], axis=-3)
    with pytest.raises(ValueError, match="same number of dimensions.*'x'.*'v'"):
        sn.concatenate([x, sn.vector("v")])
    with pytest.raises(ValueError, match="zero-dimensional"):
        sn.concatenate([sn.scalar("s"), sn.scalar("t")])
    with pytest.raises(ValueError, match="at least one"):
        sn.concatenate([])
    with pytest.raises(ValueError, match=r"stack.*'x' has shape \(2, 3\) and 'y' has shape \(4, 5\)"):
        sn.stack([x, y])
    with pytest.raises(ValueError, match="stack axis 3"):
        sn.stack([x, x], axis=3)
    with pytest.raises(ValueError, match=r"add up to 4.*'x'.*size 3"):
        sn.split(x, [1, 3], axis=1)
    with pytest.raises(ValueError, match=r"'x'.*size 3.*2 equal pieces"):
        sn.split(x, 2, axis=1)
    with pytest.raises(ValueError, match="negative"):
        sn.split(x, [4, -1], axis=1)
    with pytest.raises(ValueError, match="split axis 2"):
        sn.split(x, 1, axis=2)
    # shapes known only at run time: the error names both inputs and their shapes
    a, b = sn.matrix("a"), sn.matrix("b")
    f = F([a, b], sn.concatenate([a, b], axis=1))
    with pytest.raises(ValueError, match=r"'a' \(2, 3\), 'b' \(4, 3\)"):
        f(np.zeros((2, 3), "float32"), np.zeros((4, 3), "float32"))


def test_join_and_split_infer_shape():
    a, b = sn.matrix("a"), sn.matrix("b")
    node = sn.concatenate([a, b], axis=-1).owner
    assert isinstance(node.op, Join)
    assert node.op.infer_shape(node, [(2, 3), (2, 0)], [None, None]) == [(2, 3)]
    with pytest.raises(ValueError):
        node.op.infer_shape(node, [(2, 3), (3, 1)], [None, None])
    parts = sn.split(a, [1, 2, 0], axis=0)
    node = parts[0].owner
    assert isinstance(node.op, Split)
    assert node.op.infer_shape(node, [(3, 4), (3,)], [None, np.array([1, 2, 0])]) == [(1, 4), (2, 4), (0, 4)]


def test_join_split_stack_gradients():
    sn.verify_grad(lambda a, b, c: sn.concatenate([a, b, c], axis=-1),
                   [rand((2, 3)), rand((2, 1), seed=1), rand((2, 0), seed=2)])
    sn.verify_grad(lambda a, b: sn.stack([a, b], axis=1), [rand((3, 2)), rand((3, 2), seed=1)])
    sn.verify_grad(lambda a: sn.split(a, [1, 3, 1], axis=0)[1] * 3.0, [rand((5, 2))])   # unused pieces
    sn.verify_grad(lambda a: sum(p * (i + 1.0) for i, p in enumerate(sn.split(a, 3, axis=-1))).sum(),
                   [rand((2, 6))])


def test_concatenate_gradient_with_unknown_shapes():
    a, b = sn.matrix("a", dtype="float64"), sn.matrix("b", dtype="float64")
    w = sn.matrix("w", dtype="float64")
    cost = sn.sum(sn.concatenate([a, b], axis=0) * w)
    ga, gb = F([a, b, w], sn.grad(cost, [a, b]))(rand((2, 3)), rand((1, 3)), rand((3, 3), seed=7))
    wv = rand((3, 3), seed=7)
    np.testing.assert_array_equal(ga, wv[:2])
    np.testing.assert_array_equal(gb, wv[2:])


def test_integer_inputs_of_join_get_no_gradient():
    x = sn.vector("x", dtype="float64")
    i = sn.vector("i", dtype="int64")
    g = sn.grad(sn.sum(sn.concatenate([x, i]) ** 2), x)
    np.testing.assert_allclose(F([x, i], g)(np.array([1.0, 2.0]), np.array([3])), [2.0, 4.0])


# ------------------------------------------------------------------------------------------
# repeat / tile
# ------------------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4), data=st.data())
def test_repeat_matches_numpy(shape, data):
    ndim = len(shape)
    axis = data.draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1))) if ndim else None
    r = data.draw(st.integers(0, 3))
    dtype = data.draw(DTYPES)
    static = data.draw(st.booleans())
    v = rand(shape, dtype)
    x = var(shape, dtype, static, "x")
    y = sn.repeat(x, r, axis=axis)
    expected = np.repeat(v, r, axis=axis)
    out = F([x], y)(v)
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out, expected)
    if static:
        assert y.type.shape == expected.shape


def test_repeat_with_counts_per_element_and_symbolic_repeats():
    x = sn.tensor((3, 2), name="x")
    v = rand((3, 2), "float32")
    np.testing.assert_array_equal(F([x], sn.repeat(x, [2, 0, 1], axis=0))(v), np.repeat(v, [2, 0, 1], axis=0))
    np.testing.assert_array_equal(F([x], sn.repeat(x, [3], axis=-1))(v), np.repeat(v, [3], axis=-1))
    r = sn.scalar("r", dtype="int64")
    np.testing.assert_array_equal(F([x, r], sn.repeat(x, r, axis=1))(v, 4), np.repeat(v, 4, axis=1))
    with pytest.raises(ValueError, match=r"3 counts given for axis 1 of 'x'.*\(3, 2\)"):
        sn.repeat(x, [1, 2, 3], axis=1)
    with pytest.raises(ValueError, match="non-negative"):
        sn.repeat(x, -1, axis=0)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        sn.repeat(x, 2, axis=2)
    with pytest.raises(TypeError, match="integer"):
        sn.repeat(x, 1.5, axis=0)
    with pytest.raises(NotImplementedError, match="static size"):
        sn.repeat(sn.matrix("m"), [1, 2], axis=0)


@settings(max_examples=30, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
       reps=st.one_of(st.integers(0, 3), st.lists(st.integers(0, 3), min_size=1, max_size=4)), data=st.data())
def test_tile_matches_numpy(shape, reps, data):
    dtype = data.draw(DTYPES)
    static = data.draw(st.booleans())
    v = rand(shape, dtype)
    x = var(shape, dtype, static, "x")
    y = sn.tile(x, reps if isinstance(reps, int) else tuple(reps))
    expected = np.tile(v, reps)
    out = F([x], y)(v)
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out, expected)
    if static:
        assert y.type.shape == expected.shape


def test_tile_errors():
    x = sn.matrix("x")
    with pytest.raises(ValueError, match="non-negative"):
        sn.tile(x, (2, -1))
    with pytest.raises(TypeError, match="integer"):
        sn.tile(x, (2.0, 1))


def test_repeat_and_tile_gradients():
    sn.verify_grad(lambda a: sn.repeat(a, 3, axis=-1), [rand((2, 3))])
    sn.verify_grad(lambda a: sn.repeat(a, 2), [rand((2, 3))])
    sn.verify_grad(lambda a: sn.repeat(a, [0, 2, 1], axis=1), [rand((2, 3))])
    sn.verify_grad(lambda a: sn.tile(a, (2, 1, 3)), [rand((1, 3))])
    sn.verify_grad(lambda a: sn.tile(a, 2), [rand((3,))])


# ------------------------------------------------------------------------------------------
# pad
# ------------------------------------------------------------------------------------------
MODES = ["constant", "edge", "reflect", "symmetric", "wrap"]


@settings(max_examples=30, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4), data=st.data())
def test_pad_matches_numpy(shape, data):
    ndim = len(shape)
    mode = data.draw(st.sampled_from(MODES))
    form = data.draw(st.sampled_from(["int", "pair", "per_axis"]))
    w = st.integers(0, 6)                      # widths may exceed the axis size
    if form == "int":
        pw = data.draw(w)
    elif form == "pair":
        pw = (data.draw(w), data.draw(w))
    else:
        pw = tuple((data.draw(w), data.draw(w)) for _ in range(ndim))
    pairs = np.broadcast_to(np.asarray(pw), (ndim, 2))
    if mode != "constant":
        assume(all(d > 0 or (b == 0 and a == 0) for d, (b, a) in zip(shape, pairs)))
    dtype = data.draw(DTYPES)
    static = data.draw(st.booleans())
    v = rand(shape, dtype)
    x = var(shape, dtype, static, "x")
    kw = {"constant_values": data.draw(st.sampled_from([0, 1.5, -2]))} if mode == "constant" else {}
    y = sn.pad(x, pw, mode=mode, **kw)
    expected = np.pad(v, pw, mode=mode, **kw)
    out = F([x], y)(v)
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out, expected)
    if static:
        assert y.type.shape == expected.shape


def test_pad_constant_values_per_axis_symbolic_and_int():
    x = sn.tensor((2, 3), name="x")
    v = rand((2, 3), "float32")
    cv = ((1, 2), (3, 4))
    np.testing.assert_array_equal(F([x], sn.pad(x, ((1, 2), (2, 1)), constant_values=cv))(v),
                                  np.pad(v, ((1, 2), (2, 1)), constant_values=cv))
    c = sn.scalar("c")
    np.testing.assert_array_equal(F([x, c], sn.pad(x, 1, constant_values=c))(v, 7.0),
                                  np.pad(v, 1, constant_values=7.0))
    i = sn.matrix("i", dtype="int32")
    iv = np.arange(6, dtype="int32").reshape(2, 3)
    out = F([i], sn.pad(i, (1, 0), constant_values=-1))(iv)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, np.pad(iv, (1, 0), constant_values=-1))


def test_pad_errors():
    x = sn.tensor((0, 3), name="x")
    with pytest.raises(ValueError, match=r"empty axis 0 of 'x'.*'reflect'"):
        sn.pad(x, 1, mode="reflect")
    with pytest.raises(ValueError, match="negative"):
        sn.pad(x, ((1, -1), (0, 0)))
    with pytest.raises(ValueError, match="cannot be broadcast"):
        sn.pad(x, ((1, 1), (0, 0), (2, 2)))
    with pytest.raises(NotImplementedError, match="'mean'"):
        sn.pad(x, 1, mode="mean")
    with pytest.raises(NotImplementedError, match="reflect_type"):
        sn.pad(sn.matrix("m"), 1, mode="reflect", reflect_type="odd")
    with pytest.raises(TypeError, match="integers"):
        sn.pad(x, 1.5)


@pytest.mark.parametrize("mode", MODES)
def test_pad_gradients(mode):
    sn.verify_grad(lambda a: sn.pad(a, ((2, 5), (1, 0)), mode=mode), [rand((2, 3))])


def test_pad_gradient_with_unknown_shape_and_symbolic_constant():
    x = sn.matrix("x", dtype="float64")
    c = sn.scalar("c", dtype="float64")
    w = rand((6, 7), seed=3)
    cost = sn.sum(sn.pad(x, ((1, 2), (3, 1)), constant_values=c) * w)
    gx, gc = F([x, c], sn.grad(cost, [x, c]))(rand((3, 3)), 0.5)
    np.testing.assert_allclose(gx, w[1:4, 3:6])
    np.testing.assert_allclose(gc, w.sum() - w[1:4, 3:6].sum())
    w9 = rand((9, 9), seed=4)
    cost = sn.sum(sn.pad(x, 4, mode="reflect") * w9)
    g = F([x], sn.grad(cost, x))(rand((1, 1)))
    np.testing.assert_allclose(g, [[w9.sum()]])


# ------------------------------------------------------------------------------------------
# eye / one_hot
# ------------------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 5), m=st.one_of(st.none(), st.integers(0, 5)), k=st.integers(-6, 6),
       dtype=st.sampled_from([None, "float64", "int32", "bool"]), symbolic=st.booleans())
def test_eye_matches_numpy(n, m, k, dtype, symbolic):
    expected = np.eye(n, m, k, dtype=dtype or sn.config.floatX)
    if symbolic:
        ns, ks = sn.scalar("n", dtype="int64"), sn.scalar("k", dtype="int32")
        y = sn.eye(ns, m, ks, dtype=dtype)
        out = F([ns, ks], y)(n, k)
    else:
        y = sn.eye(n, m, k, dtype=dtype)
        out = F([], y)()
        assert y.type.shape == expected.shape
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out, expected)


def test_eye_errors():
    with pytest.raises(ValueError, match="non-negative"):
        sn.eye(-1)
    with pytest.raises(TypeError, match="integer"):
        sn.eye(2.5)
    with pytest.raises(TypeError, match="integer"):
        sn.eye(2, k=sn.scalar("k"))


@settings(max_examples=25, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4), depth=st.integers(0, 5),
       data=st.data())
def test_one_hot_matches_keras_semantics(shape, depth, data):
    idt = data.draw(st.sampled_from(["int32", "int64", "uint8"]))
    lo = 0 if idt == "uint8" else -2
    v = np.random.default_rng(1).integers(lo, depth + 2, size=shape).astype(idt)
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    x = sn.tensor(shape, dtype=idt, name="i")
    y = sn.one_hot(x, depth, axis=axis)
    expected = np.moveaxis((v[..., None] == np.arange(depth)).astype(sn.config.floatX), -1, axis)
    out = F([x], y)(v)
    assert out.dtype == np.dtype(sn.config.floatX) == np.dtype("float32")
    np.testing.assert_array_equal(out, expected)
    assert y.type.shape == expected.shape


def test_one_hot_dtype_symbolic_depth_and_errors():
    i = sn.vector("i", dtype="int64")
    d = sn.scalar("d", dtype="int64")
    out = F([i, d], sn.one_hot(i, d, dtype="float64"))(np.array([2, 0, 5, -1]), 3)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 0, 0], [0, 0, 0]])
    with pytest.raises(TypeError, match=r"'f'.*float32"):
        sn.one_hot(sn.vector("f"), 3)
    with pytest.raises(ValueError, match="one_hot axis 3"):
        sn.one_hot(i, 3, axis=3)


def test_new_functions_are_in_the_public_namespace():
    for name in ("concatenate", "join", "stack", "split", "repeat", "tile", "pad", "eye", "one_hot"):
        assert callable(getattr(sn, name)), name
