"""Gradients stay finite and right wherever the value is finite (issue 8): log(sigmoid(z)),
log(1 - sigmoid(z)), softplus, binary/categorical crossentropy of a sigmoid/softmax and the
hand-written forms, for logits from a bias add, a Gemm, a reshape, an indexing or a hidden layer,
float32 and float64, with the rewrite pipeline and without it (optimizer=None), on both backends.

The reference is the float64 gradient of the stable form of the same loss (-softplus(-z) for
log(sigmoid(z)), ...) on the reference backend."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import symnet as sn

E = sn.exp


def _onehot(z):
    n = z.static_shape[-1]
    return sn.constant(np.eye(n)[np.arange(3) % n].astype(z.dtype))


def _target(z):
    return sn.constant(np.array([0.0, 1.0, 1.0], z.dtype).reshape((3,) + (1,) * (z.ndim - 1)))


# name -> (fragile form, stable form), both of the logits z (shape (3, k))
HEADS = {
    "log_sigmoid": (lambda z: sn.log(sn.sigmoid(z)), lambda z: -sn.softplus(-z)),
    "log1m_sigmoid": (lambda z: sn.log(1 - sn.sigmoid(z)), lambda z: -sn.softplus(z)),
    "softplus_by_hand": (lambda z: sn.log(1 + E(z)), lambda z: sn.softplus(z)),
    "theano_bce": (lambda z: sn.nnet.binary_crossentropy(sn.sigmoid(z), _target(z)),
                   lambda z: _target(z) * sn.softplus(-z) + (1 - _target(z)) * sn.softplus(z)),
    "tutorial_bce": (lambda z: -_target(z) * sn.log(sn.sigmoid(z)) - (1 - _target(z)) * sn.log(1 - sn.sigmoid(z)),
                     lambda z: _target(z) * sn.softplus(-z) + (1 - _target(z)) * sn.softplus(z)),
    "cce_softmax": (lambda z: sn.nnet.categorical_crossentropy(sn.softmax(z), _onehot(z)),
                    lambda z: -sn.sum(_onehot(z) * sn.log_softmax(z), axis=-1)),
    "sigmoid_by_hand": (lambda z: E(z) / (1 + E(z)), lambda z: sn.sigmoid(z)),
    "sigmoid_by_hand_recip": (lambda z: 1 / (1 + E(-z)), lambda z: sn.sigmoid(z)),
    "log_sigmoid_by_hand": (lambda z: sn.log(1 / (1 + E(-z))), lambda z: -sn.softplus(-z)),
    "logaddexp": (lambda z: sn.log(E(z) + E(2 * z - 3)), lambda z: sn.maximum(z, 2 * z - 3)
                  + sn.softplus(-abs(z - (2 * z - 3)))),
    "exp_product": (lambda z: E(z) * E(-z) * z, lambda z: z),
    "log_sigmoid_reshaped": (lambda z: sn.log(sn.reshape(sn.sigmoid(z), (-1,))), lambda z: -sn.softplus(-z)),
    "log_sigmoid_indexed": (lambda z: sn.log(sn.sigmoid(z)[1:]), lambda z: -sn.softplus(-z[1:])),
}

K = 2


def _logits(kind, x, params):
    w, b, W1, b1 = params
    if kind == "bias_add":
        return sn.dot(x, w) + b
    if kind == "gemm":
        return sn.dot(x, W1) + b1
    if kind == "reshape":
        return sn.reshape(sn.dot(x, w), (K, 3)).T + b
    if kind == "indexing":
        return (sn.dot(x, W1) + b1)[:, :K]
    if kind == "hidden":
        return sn.dot(sn.tanh(sn.dot(x, W1) + b1), sn.constant(np.array([[30.0, -60.0], [15.0, 90.0], [-45.0, 20.0]], x.dtype))) + b
    raise ValueError(kind)


LOGITS = ["bias_add", "gemm", "reshape", "indexing", "hidden"]


def _build(head, kind, dtype, scale, stable):
    rng = np.random.default_rng(0)
    xv = (np.array([[1.0, 0.2], [-1.0, 0.1], [0.0, -0.3]]) * scale).astype(dtype)
    x = sn.matrix("x", dtype, shape=(3, 2))
    values = [np.array([[1.0, 0.5], [0.3, -1.0]], dtype), np.array(0.25, dtype),
              (rng.standard_normal((2, 3)) * 0.7).astype(dtype), np.array([0.1, -0.2, 0.3], dtype)]
    params = [sn.shared(v, n, shape=v.shape) for v, n in zip(values, ["w", "b", "W1", "b1"])]
    z = _logits(kind, x, params)
    out = HEADS[head][1 if stable else 0](z)
    cost = sn.sum(out)
    used = [p for p in params if any(v is p for v in sn.graph.ancestors([cost]))]
    return x, xv, cost, used


def _reference(head, kind, scale):
    x, xv, cost, used = _build(head, kind, "float64", scale, stable=True)
    f = sn.function([x], [cost] + sn.grad(cost, used), mode="reference")
    return f(xv)


def _check(head, kind, dtype, scale, optimizer, mode):
    ref = _reference(head, kind, scale)
    with sn.config.change_flags(optimizer=optimizer):
        x, xv, cost, used = _build(head, kind, dtype, scale, stable=False)
        f = sn.function([x], [cost] + sn.grad(cost, used), mode=mode)
        got = f(xv)
    tol = 1e-3 if dtype == "float32" else 1e-7
    for k, (g, r) in enumerate(zip(got[1:], ref[1:])):
        finite = np.isfinite(r)
        assert np.all(np.isfinite(g[finite])), f"{head}/{kind}: nan/inf gradient {g} where the reference is {r}"
        np.testing.assert_allclose(g[finite], r[finite], rtol=tol, atol=tol * max(1.0, np.abs(r[finite]).max()))
    if optimizer is not None and np.isfinite(ref[0]):
        assert np.isfinite(got[0]), f"{head}/{kind}: value {got[0]}, reference {ref[0]}"
        np.testing.assert_allclose(got[0], ref[0], rtol=tol, atol=tol)


@pytest.mark.parametrize("head", sorted(HEADS))
@pytest.mark.parametrize("optimizer", ["fast_run", None])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_head_on_reference_backend(head, optimizer, dtype):
    for kind in LOGITS:
        _check(head, kind, dtype, 100.0, optimizer, "reference")


@pytest.mark.parametrize("head", ["tutorial_bce", "cce_softmax", "logaddexp", "exp_product", "log_sigmoid_indexed"])
@pytest.mark.parametrize("optimizer", ["fast_run", None])
def test_heads_on_llvm(head, optimizer):
    _check(head, "bias_add", "float32", 1000.0, optimizer, "llvm")


def test_issue_example_exact_numbers():
    for dtype in ("float32", "float64"):
        for optimizer in ("fast_run", None):
            for mode in ("llvm", "reference"):
                with sn.config.change_flags(optimizer=optimizer):
                    x, y = sn.matrix("x", dtype), sn.vector("y", dtype)
                    w, b = sn.shared(np.array([1.0], dtype), "w"), sn.shared(np.array(0.0, dtype), "b")
                    p = sn.sigmoid(sn.dot(x, w) + b)
                    cost = sn.mean(-y * sn.log(p) - (1 - y) * sn.log(1 - p))
                    f = sn.function([x, y], [cost] + sn.grad(cost, [w, b]), mode=mode)
                    c, gw, gb = f(np.array([[100], [-100], [0]], dtype), np.array([0, 1, 1], dtype))
                np.testing.assert_allclose(gw, [200 / 3], rtol=1e-6)
                np.testing.assert_allclose(gb, -0.5 / 3, rtol=1e-6)
                if optimizer:
                    np.testing.assert_allclose(c, (200 + np.log(2)) / 3, rtol=1e-6)


def test_exp_times_exp_is_one_where_each_overflows():
    x = sn.vector("x")
    f = sn.function([x], [E(x) * E(-x), sn.grad(sn.sum(E(x) * E(-x)), x)], mode="reference")
    v, g = f(np.array([1000.0, -1000.0, 0.5], "float32"))
    np.testing.assert_allclose(v, 1.0, rtol=1e-6)
    np.testing.assert_allclose(g, 0.0, atol=1e-6)


def test_wrt_an_intermediate_still_gets_its_gradient():
    z = sn.vector("z", "float64")
    p = sn.sigmoid(z)
    cost = sn.sum(sn.log(p))
    gp, gz = sn.grad(cost, [p, z])
    f = sn.function([z], [gp, gz], mode="reference")
    vp, vz = f(np.array([0.5, -2.0]))
    s = 1 / (1 + np.exp(-np.array([0.5, -2.0])))
    np.testing.assert_allclose(vp, 1 / s)
    np.testing.assert_allclose(vz, 1 - s)


def test_consider_constant_on_an_intermediate_blocks_it():
    z = sn.vector("z", "float64")
    p = sn.sigmoid(z)
    cost = sn.sum(sn.log(p)) + sn.sum(z)
    g = sn.grad(cost, z, consider_constant=[p])
    np.testing.assert_allclose(sn.function([z], g, mode="reference")(np.array([0.5, 100.0])), [1.0, 1.0])


@settings(max_examples=40, deadline=None)
@given(head=st.sampled_from(sorted(HEADS)), kind=st.sampled_from(LOGITS),
       dtype=st.sampled_from(["float32", "float64"]), scale=st.sampled_from([0.5, 30.0, 90.0, 1000.0, 1e5]),
       optimizer=st.sampled_from(["fast_run", None]))
def test_property_no_nan_gradient_where_the_reference_is_finite(head, kind, dtype, scale, optimizer):
    _check(head, kind, dtype, scale, optimizer, "reference")
