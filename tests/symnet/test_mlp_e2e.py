"""End to end: a 2-layer MLP (tanh hidden layer, softmax + categorical crossentropy) trained with
SGD through sn.grad and sn.function(updates=...) on the reference backend, compared step by step
(loss and every weight) with the same SGD written in plain NumPy from the same initial weights."""
from __future__ import annotations

import numpy as np
import pytest

import symnet as sn

N, D, H, C = 96, 8, 16, 3
LR, STEPS = 0.5, 100


def _data(seed=0):
    """Three Gaussian blobs in D dims: learnable, not trivially separable at the start."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((C, D)) * 1.5
    y = rng.integers(0, C, N)
    X = centers[y] + rng.standard_normal((N, D))
    return X, y, np.eye(C)[y]


def _init(seed=1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((D, H)) * np.sqrt(1.0 / D), np.zeros(H),
            rng.standard_normal((H, C)) * np.sqrt(1.0 / H), np.zeros(C)]


def _numpy_step(params, X, T):
    """Forward, backward and SGD update written by hand; returns the loss before the update."""
    W1, b1, W2, b2 = params
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = np.mean(-np.sum(T * np.log(p), axis=1))
    dz = (p - T) / X.shape[0]
    gW2, gb2 = h.T @ dz, dz.sum(0)
    dh = (dz @ W2.T) * (1 - h ** 2)
    gW1, gb1 = X.T @ dh, dh.sum(0)
    new = [W1 - LR * gW1, b1 - LR * gb1, W2 - LR * gW2, b2 - LR * gb2]
    return loss, new


@pytest.mark.parametrize("sparse", [False, True])
def test_mlp_sgd_matches_numpy_step_by_step(sparse):
    X, y, T = _data()
    init = _init()
    with sn.config.change_flags(floatX="float64"):
        x = sn.matrix("x")
        t = sn.vector("t", dtype="int64") if sparse else sn.matrix("t")
        shared = [sn.shared(p.copy(), name=n) for p, n in zip(init, ["W1", "b1", "W2", "b2"])]
        W1, b1, W2, b2 = shared
        with sn.name_scope("dense_1"):
            h = sn.tanh(x @ W1 + b1)
        with sn.name_scope("dense_2"):
            probs = sn.softmax(h @ W2 + b2)
        loss = sn.mean(sn.categorical_crossentropy(probs, t))
        grads = sn.grad(loss, shared)
        train = sn.function([x, t], loss, updates=[(p, p - LR * g) for p, g in zip(shared, grads)],
                            mode="reference")
    assert loss.dtype == "float64"
    ref = [p.copy() for p in init]
    losses = []
    for step in range(STEPS):
        got = train(X, y if sparse else T)
        want, ref = _numpy_step(ref, X, T)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=f"loss at step {step}")
        for p, r in zip(shared, ref):
            np.testing.assert_allclose(p.get_value(), r, rtol=1e-9, atol=1e-11, err_msg=f"{p.name} at step {step}")
        losses.append(float(got))
    assert losses[-1] < 0.5 * losses[0], f"loss did not fall: {losses[0]:.4f} -> {losses[-1]:.4f}"
    assert all(np.isfinite(losses))


def test_mlp_float32_stays_float32_and_trains():
    X, y, T = _data(2)
    init = [p.astype("float32") for p in _init(3)]
    x, t = sn.matrix("x"), sn.matrix("t")
    shared = [sn.shared(p, name=n) for p, n in zip(init, ["W1", "b1", "W2", "b2"])]
    W1, b1, W2, b2 = shared
    loss = sn.mean(sn.categorical_crossentropy(sn.softmax(sn.tanh(x @ W1 + b1) @ W2 + b2), t))
    grads = sn.grad(loss, shared)
    assert all(g.dtype == "float32" for g in grads)
    train = sn.function([x, t], loss, updates=[(p, p - 0.5 * g) for p, g in zip(shared, grads)], mode="reference")
    Xf, Tf = X.astype("float32"), T.astype("float32")
    first = train(Xf, Tf)
    for _ in range(50):
        last = train(Xf, Tf)
    assert first.dtype == np.float32 and all(p.get_value().dtype == np.float32 for p in shared)
    assert last < 0.5 * first
