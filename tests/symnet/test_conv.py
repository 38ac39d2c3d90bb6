"""Convolution ops against a direct-loop NumPy oracle (every border mode, strides, dilation, groups,
odd sizes, 1x1 and large kernels, batch 1, channels 1 and 3), on the reference and LLVM backends,
and every gradient (first and second order) by finite differences."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import symnet as sn
from symnet.ops.conv import AbstractConv2d, AbstractConv2d_gradInputs, AbstractConv2d_gradWeights, pads_for

MODES = ["reference", None]   # None: the default (LLVM) backend


def naive_corr(x, w, pads, stride, dil, groups):
    """Direct N-d loop over every output pixel (independent of the im2col code)."""
    n, c = x.shape[:2]
    o, cg = w.shape[:2]
    k = w.shape[2:]
    nd = len(k)
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple(pads))
    out = [(xp.shape[2 + i] - (dil[i] * (k[i] - 1) + 1)) // stride[i] + 1 for i in range(nd)]
    y = np.zeros((n, o) + tuple(out))
    og = o // groups
    for b, f in itertools.product(range(n), range(o)):
        g = f // og
        for p in itertools.product(*[range(s) for s in out]):
            sl = tuple(slice(p[i] * stride[i], p[i] * stride[i] + dil[i] * (k[i] - 1) + 1, dil[i]) for i in range(nd))
            y[(b, f) + p] = np.sum(xp[(b, slice(g * cg, (g + 1) * cg)) + sl] * w[f])
    return y


def flip(w):
    return w[(slice(None), slice(None)) + (slice(None, None, -1),) * (w.ndim - 2)]


CASES_2D = [
    # (x shape, w shape, border_mode, subsample, dilation, groups)
    ((2, 3, 7, 6), (4, 3, 3, 3), "valid", (1, 1), (1, 1), 1),
    ((1, 1, 5, 5), (2, 1, 1, 1), "valid", (1, 1), (1, 1), 1),
    ((2, 3, 9, 8), (5, 3, 3, 2), "full", (2, 1), (1, 1), 1),
    ((2, 4, 7, 9), (6, 2, 3, 3), "half", (1, 2), (2, 1), 2),
    ((1, 3, 11, 10), (3, 1, 5, 5), (2, 1), (3, 2), (1, 1), 3),
    ((2, 2, 6, 7), (2, 2, 6, 7), "valid", (1, 1), (1, 1), 1),   # kernel as large as the image
    ((2, 3, 8, 8), (4, 3, 2, 3), ((1, 0), (2, 1)), (2, 2), (1, 2), 1),
    ((3, 1, 5, 6), (1, 1, 3, 3), "full", (1, 1), (2, 2), 1),
]


@pytest.mark.parametrize("case", CASES_2D)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("flip_filters", [True, False])
def test_conv2d_matches_loops(case, mode, flip_filters):
    xs, ws, bm, sub, dil, groups = case
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=xs), rng.normal(size=ws)
    X, W = sn.tensor4("x", dtype="float64"), sn.tensor4("w", dtype="float64")
    y = sn.nnet.conv2d(X, W, border_mode=bm, subsample=sub, filter_flip=flip_filters, filter_dilation=dil,
                       num_groups=groups)
    got = sn.function([X, W], y, mode=mode)(x, w)
    pads = pads_for(AbstractConv2d(2, bm)._props()[1], ws[2:], dil)
    ref = naive_corr(x, flip(w) if flip_filters else w, pads, sub, dil, groups)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv2d_static_shape_and_dtype(dtype):
    X = sn.tensor((None, 3, 28, 28), dtype=dtype)
    W = sn.tensor((8, 3, 3, 3), dtype=dtype)
    y = sn.nnet.conv2d(X, W, border_mode="half", subsample=(2, 2))
    assert y.type.shape == (None, 8, 14, 14) and y.dtype == dtype
    rng = np.random.default_rng(0)
    out = sn.function([X, W], y)(rng.normal(size=(2, 3, 28, 28)).astype(dtype),
                                 rng.normal(size=(8, 3, 3, 3)).astype(dtype))
    assert out.dtype == dtype and out.shape == (2, 8, 14, 14)


@pytest.mark.parametrize("case", CASES_2D[:5] + CASES_2D[6:])
@pytest.mark.parametrize("mode", MODES)
def test_conv2d_gradients(case, mode):
    xs, ws, bm, sub, dil, groups = case
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=xs), rng.normal(size=ws)
    sn.verify_grad(lambda a, b: sn.nnet.conv2d(a, b, border_mode=bm, subsample=sub, filter_dilation=dil,
                                               num_groups=groups), [x, w], mode=mode, n_tests=1)


def test_conv2d_float32_gradient():
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(2, 3, 6, 5)).astype("float32"), rng.normal(size=(4, 3, 3, 3)).astype("float32")
    sn.verify_grad(lambda a, b: sn.nnet.conv2d(a, b, border_mode="half", subsample=(2, 1)), [x, w], n_tests=1)


@pytest.mark.parametrize("mode", MODES)
def test_grad_ops_are_ops_and_have_gradients(mode):
    """gradInputs / gradWeights appear in the gradient graph, and their own gradients check out."""
    rng = np.random.default_rng(4)
    X, W = sn.tensor4("x", dtype="float64", shape=(2, 4, 7, 6)), sn.tensor4("w", dtype="float64", shape=(6, 2, 3, 3))
    cost = sn.sum(sn.nnet.conv2d(X, W, border_mode="half", subsample=(2, 1), num_groups=2) ** 2)
    gx, gw = sn.grad(cost, [X, W])
    ops = {type(n.op).__name__ for n in sn.graph.toposort([gx, gw])}
    assert {"AbstractConv2d_gradInputs", "AbstractConv2d_gradWeights"} <= ops
    x, w = rng.normal(size=(2, 4, 7, 6)), rng.normal(size=(6, 2, 3, 3))
    gy = rng.normal(size=(2, 6, 4, 6))
    kw = dict(border_mode="half", subsample=(2, 1), num_groups=2)
    sn.verify_grad(lambda b, g: AbstractConv2d_gradInputs(2, **kw)(b, g, (7, 6)), [w, gy], mode=mode, n_tests=1)
    sn.verify_grad(lambda a, g: AbstractConv2d_gradWeights(2, **kw)(a, g, (3, 3)), [x, gy], mode=mode, n_tests=1)
    # second order through the whole chain
    sn.verify_grad(lambda a, b: sn.grad(sn.sum(sn.nnet.conv2d(a, b, **kw) ** 2), b), [x, w], mode=mode, n_tests=1)


@pytest.mark.parametrize("mode", MODES)
def test_conv1d_and_conv3d(mode):
    rng = np.random.default_rng(5)
    x1, w1 = rng.normal(size=(2, 3, 11)), rng.normal(size=(4, 3, 3))
    X1, W1 = sn.tensor3("x", dtype="float64"), sn.tensor3("w", dtype="float64")
    got = sn.function([X1, W1], sn.nnet.conv1d(X1, W1, border_mode=1, subsample=(2,), filter_dilation=(2,)),
                      mode=mode)(x1, w1)
    np.testing.assert_allclose(got, naive_corr(x1, flip(w1), ((1, 1),), (2,), (2,), 1), atol=1e-10)
    x3, w3 = rng.normal(size=(1, 2, 5, 4, 6)), rng.normal(size=(4, 1, 2, 3, 2))
    X3, W3 = sn.tensor5("x", dtype="float64"), sn.tensor5("w", dtype="float64")
    got = sn.function([X3, W3], sn.nnet.conv3d(X3, W3, border_mode="half", subsample=(1, 2, 1), num_groups=2,
                                               filter_flip=False), mode=mode)(x3, w3)
    pads = pads_for("half", (2, 3, 2), (1, 1, 1))
    np.testing.assert_allclose(got, naive_corr(x3, w3, pads, (1, 2, 1), (1, 1, 1), 2), atol=1e-10)
    sn.verify_grad(lambda a, b: sn.nnet.conv3d(a, b, border_mode="full", subsample=(2, 1, 1)),
                   [x3[:, :1], w3[:2]], mode=mode, n_tests=1)


@pytest.mark.parametrize("mode", MODES)
def test_conv2d_transpose_is_the_adjoint(mode):
    """<conv(x, w), y> == <x, conv2d_transpose(y, w)> for every stride/padding."""
    rng = np.random.default_rng(6)
    for bm, sub in [("valid", (2, 2)), ("half", (2, 3)), ((1, 2), (1, 2)), ("full", (1, 1))]:
        x, w = rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(5, 3, 3, 3))
        X, W, Y = (sn.tensor4(n, dtype="float64") for n in "xwy")
        fwd = sn.function([X, W], sn.nnet.conv2d(X, W, border_mode=bm, subsample=sub), mode=mode)
        y = rng.normal(size=fwd(x, w).shape)
        tr = sn.function([Y, W], sn.nnet.conv2d_transpose(Y, W, output_shape=(2, 3, 9, 8), border_mode=bm,
                                                          input_dilation=sub), mode=mode)
        assert np.isclose(np.sum(fwd(x, w) * y), np.sum(x * tr(y, w)))
        gi = sn.function([Y, W], sn.nnet.conv2d_grad_wrt_inputs(Y, W, (2, 3, 9, 8), border_mode=bm, subsample=sub),
                         mode=mode)
        np.testing.assert_allclose(gi(y, w), tr(y, w))


def test_zero_batch_and_symbolic_shapes():
    X, W = sn.tensor4("x", dtype="float64"), sn.tensor4("w", dtype="float64")
    cost = sn.sum(sn.nnet.conv2d(X, W, border_mode="half") ** 2)
    f = sn.function([X, W], [cost] + sn.grad(cost, [X, W]))
    c, gx, gw = f(np.zeros((0, 2, 5, 5)), np.ones((3, 2, 3, 3)))
    assert c == 0 and gx.shape == (0, 2, 5, 5) and gw.shape == (3, 2, 3, 3) and not gw.any()
    rng = np.random.default_rng(7)
    x, w = rng.normal(size=(2, 2, 5, 4)), rng.normal(size=(3, 2, 3, 3))
    ref = sn.function([X, W], sn.grad(cost, [X, W]), mode="reference")(x, w)
    for a, b in zip(f(x, w)[1:], ref):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_errors_name_the_problem():
    X = sn.tensor((None, 3, 5, 5), dtype="float32")
    with pytest.raises(ValueError, match="channels"):
        sn.nnet.conv2d(X, sn.tensor((4, 2, 3, 3), dtype="float32"))
    with pytest.raises(ValueError, match="divisible"):
        sn.nnet.conv2d(sn.tensor((None, 4, 5, 5)), sn.tensor((3, 2, 3, 3)), num_groups=2)
    with pytest.raises(ValueError, match="smaller"):
        sn.nnet.conv2d(X, sn.tensor((4, 3, 7, 7), dtype="float32"))
    with pytest.raises(ValueError, match="border_mode"):
        sn.nnet.conv2d(X, sn.tensor((4, 3, 3, 3), dtype="float32"), border_mode="same")
    with pytest.raises(ValueError, match="4 dims"):
        sn.nnet.conv2d(sn.matrix(), sn.tensor((4, 3, 3, 3)))
    with pytest.raises(ValueError, match="input_shape"):
        sn.nnet.conv2d(X, sn.tensor((4, 3, 3, 3), dtype="float32"), input_shape=(None, 3, 6, 5))
    f = sn.function([Xs := sn.tensor4("x"), Ws := sn.tensor4("w")], sn.nnet.conv2d(Xs, Ws), mode="reference")
    with pytest.raises(ValueError, match="smaller|match"):
        f(np.zeros((1, 1, 2, 2), Xs.dtype), np.zeros((1, 1, 3, 3), Ws.dtype))


hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies


@hypothesis.given(data=st.data())
def test_conv2d_property_random_configurations(data):
    """Random batch/channels/groups/kernel/stride/dilation/border mode: the op equals the loop oracle,
    and its two gradient ops equal the adjoint identities <conv(x,w), g> = <x, gI(w,g)> = <w, gW(x,g)>."""
    groups = data.draw(st.sampled_from([1, 2, 3]))
    cg = data.draw(st.integers(1, 2))
    og = data.draw(st.integers(1, 2))
    kh, kw = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    dil = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2)))
    sub = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))
    bm = data.draw(st.sampled_from(["valid", "full", "half", 1, (0, 2), ((1, 0), (0, 1))]))
    pads = pads_for(AbstractConv2d(2, bm).border_mode, (kh, kw), dil)
    min_h = max(dil[0] * (kh - 1) + 1 - sum(pads[0]), 1)
    min_w = max(dil[1] * (kw - 1) + 1 - sum(pads[1]), 1)
    h, w_ = data.draw(st.integers(min_h, min_h + 5)), data.draw(st.integers(min_w, min_w + 5))
    n = data.draw(st.integers(1, 2))
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    x = rng.standard_normal((n, groups * cg, h, w_))
    w = rng.standard_normal((groups * og, cg, kh, kw))
    X, W = sn.tensor4("x", dtype="float64"), sn.tensor4("w", dtype="float64")
    kw_ = dict(border_mode=bm, subsample=sub, filter_dilation=dil, num_groups=groups)
    y = sn.function([X, W], sn.nnet.conv2d(X, W, **kw_), mode="reference")(x, w)
    np.testing.assert_allclose(y, naive_corr(x, flip(w), pads, sub, dil, groups), atol=1e-10)
    g = rng.standard_normal(y.shape)
    gi = AbstractConv2d_gradInputs(2, **kw_)(W, sn.constant(g), (h, w_))
    gw = AbstractConv2d_gradWeights(2, **kw_)(X, sn.constant(g), (kh, kw))
    vi, vw = sn.function([X, W], [gi, gw], mode="reference", on_unused_input="ignore")(x, w)
    assert np.isclose(np.sum(y * g), np.sum(x * vi)) and np.isclose(np.sum(y * g), np.sum(w * vw))
