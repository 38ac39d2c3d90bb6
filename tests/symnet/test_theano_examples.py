"""The Theano-tutorial examples (examples/theano_*.py) train to what a NumPy implementation of
the same model reaches (same data, initialisation and minibatch order; issue 8)."""
import os
import sys

import numpy as np
import pytest

import symnet as sn

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "examples")
if EXAMPLES not in sys.path:
    sys.path.insert(0, EXAMPLES)

import theano_logistic_sgd  # noqa: E402
import theano_mlp  # noqa: E402
import theano_dA  # noqa: E402


def _splits():
    (tx, ty), (vx, vy), (sx, sy) = theano_logistic_sgd.load_data()
    f = sn.function([], [tx, ty, vx, vy, sx, sy])
    return [np.asarray(a, dtype="float64") if a.dtype.kind == "f" else a for a in f()]


def _softmax(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def _error(p, y, batch):
    n = len(y) // batch
    return np.mean([np.mean(p[i * batch:(i + 1) * batch].argmax(1) != y[i * batch:(i + 1) * batch])
                    for i in range(n)])


def _numpy_logreg(lr, n_epochs, batch):
    tx, ty, vx, vy, sx, sy = _splits()
    W, b = np.zeros((64, 10)), np.zeros(10)
    for _ in range(n_epochs):
        for i in range(len(ty) // batch):
            x, y = tx[i * batch:(i + 1) * batch], ty[i * batch:(i + 1) * batch]
            d = (_softmax(x @ W + b) - np.eye(10)[y]) / len(y)
            W, b = W - lr * x.T @ d, b - lr * d.sum(0)
    return _error(_softmax(sx @ W + b), sy, batch)


def _numpy_mlp(lr, l2, n_epochs, batch, n_hidden):
    tx, ty, vx, vy, sx, sy = _splits()
    rng = np.random.RandomState(1234)
    bound = np.sqrt(6. / (64 + n_hidden))
    W1 = rng.uniform(-bound, bound, (64, n_hidden)).astype(sn.config.floatX).astype(float)
    b1, W2, b2 = np.zeros(n_hidden), np.zeros((n_hidden, 10)), np.zeros(10)
    for _ in range(n_epochs):
        for i in range(len(ty) // batch):
            x, y = tx[i * batch:(i + 1) * batch], ty[i * batch:(i + 1) * batch]
            h = np.tanh(x @ W1 + b1)
            d2 = (_softmax(h @ W2 + b2) - np.eye(10)[y]) / len(y)
            d1 = (d2 @ W2.T) * (1 - h ** 2)
            gW2, gb2 = h.T @ d2 + 2 * l2 * W2, d2.sum(0)
            gW1, gb1 = x.T @ d1 + 2 * l2 * W1, d1.sum(0)
            W1, b1, W2, b2 = W1 - lr * gW1, b1 - lr * gb1, W2 - lr * gW2, b2 - lr * gb2
    return _error(_softmax(np.tanh(sx @ W1 + b1) @ W2 + b2), sy, batch)


def _numpy_dA(lr, epochs, batch, n_hidden, corruption):
    tx = _splits()[0]
    rng = np.random.RandomState(123)
    rng.randint(2 ** 30)                               # the seed the example gives RandomStreams
    bound = 4 * np.sqrt(6. / (n_hidden + 64))
    W = rng.uniform(-bound, bound, (64, n_hidden)).astype(sn.config.floatX).astype(float)
    bh, bv = np.zeros(n_hidden), np.zeros(64)
    noise = np.random.RandomState(7)
    sig = lambda a: 1 / (1 + np.exp(-a))              # noqa: E731
    costs = []
    for _ in range(epochs):
        c = []
        for i in range(len(tx) // batch):
            x = tx[i * batch:(i + 1) * batch]
            xt = (noise.uniform(size=x.shape) < 1 - corruption) * x
            h = sig(xt @ W + bh)
            z = sig(h @ W.T + bv)
            c.append(np.mean(-np.sum(x * np.log(z) + (1 - x) * np.log(1 - z), axis=1)))
            dz = (z - x) / len(x)
            dh = (dz @ W) * h * (1 - h)
            gW = xt.T @ dh + dz.T @ h
            W, bh, bv = W - lr * gW, bh - lr * dh.sum(0), bv - lr * dz.sum(0)
        costs.append(np.mean(c))
    return costs


def test_logistic_regression_reaches_the_numpy_accuracy():
    _, _, final = theano_logistic_sgd.sgd_optimization(learning_rate=0.13, n_epochs=10, batch_size=50, verbose=False)
    want = _numpy_logreg(0.13, 10, 50)
    assert final <= want + 0.01, (final, want)
    assert final < 0.1


def test_mlp_reaches_the_numpy_accuracy():
    _, _, final = theano_mlp.test_mlp(learning_rate=0.05, L2_reg=0.0001, n_epochs=8, batch_size=20, n_hidden=64,
                                      verbose=False)
    want = _numpy_mlp(0.05, 0.0001, 8, 20, 64)
    assert final <= want + 0.015, (final, want)
    assert final < 0.08


def test_denoising_autoencoder_reaches_the_numpy_cost():
    costs = theano_dA.test_dA(learning_rate=0.1, training_epochs=6, batch_size=20, n_hidden=32,
                              corruption_level=0.3, verbose=False)
    want = _numpy_dA(0.1, 6, 20, 32, 0.3)
    assert costs[-1] < costs[0]
    assert costs[-1] == pytest.approx(want[-1], rel=0.03), (costs, want)
