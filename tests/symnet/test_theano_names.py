"""Theano spellings that real Theano programs use: typed constructors, tensor.nnet names, and the
DeepLearningTutorials pattern (data in shared variables, a minibatch index, givens, updates)."""
import numpy as np
import pytest

import symnet as sn


@pytest.mark.parametrize("name,dtype,shape", [
    ("dscalar", "float64", ()), ("fvector", "float32", (None,)), ("ivector", "int32", (None,)),
    ("lscalar", "int64", ()), ("bmatrix", "int8", (None, None)), ("wvector", "int16", (None,)),
    ("frow", "float32", (1, None)), ("dcol", "float64", (None, 1)), ("ftensor3", "float32", (None,) * 3),
    ("dtensor4", "float64", (None,) * 4), ("itensor5", "int32", (None,) * 5)])
def test_typed_constructors(name, dtype, shape):
    v = getattr(sn, name)("v")
    assert (v.dtype, v.type.shape, v.name) == (dtype, shape, "v")


def test_row_broadcasts_along_rows():
    x, r = sn.dmatrix("x"), sn.drow("r")
    f = sn.function([x, r], x + r, mode="reference")
    np.testing.assert_array_equal(f(np.ones((3, 2)), np.array([[1.0, 2.0]])), [[2, 3]] * 3)


def test_nnet_namespace():
    x = sn.dmatrix("x")
    xv = np.random.default_rng(0).standard_normal((3, 4))
    f = sn.function([x], [sn.nnet.softmax(x), sn.nnet.sigmoid(x), sn.nnet.logsoftmax(x)], mode="reference")
    sm, sg, lsm = f(xv)
    e = np.exp(xv - xv.max(1, keepdims=True))
    np.testing.assert_allclose(sm, e / e.sum(1, keepdims=True))
    np.testing.assert_allclose(sg, 1 / (1 + np.exp(-xv)))
    np.testing.assert_allclose(lsm, np.log(e / e.sum(1, keepdims=True)))


@pytest.mark.parametrize("mode", ["reference", "llvm"])
def test_logistic_regression_tutorial_pattern(mode):
    """Minibatch SGD with the data in shared variables and `givens` slicing by a symbolic index."""
    rng = np.random.default_rng(1)
    n, d, k, batch, lr = 60, 5, 3, 20, 0.13
    X = rng.standard_normal((n, d))
    Y = rng.integers(0, k, n).astype("int32")
    data_x, data_y = sn.shared(X, "data_x"), sn.shared(Y, "data_y")
    W = sn.shared(np.zeros((d, k)), "W")
    b = sn.shared(np.zeros(k), "b")
    index, x, y = sn.lscalar("index"), sn.dmatrix("x"), sn.ivector("y")
    p_y = sn.nnet.softmax(sn.dot(x, W) + b)
    cost = sn.mean(sn.nnet.categorical_crossentropy(p_y, y))
    g_W, g_b = sn.grad(cost=cost, wrt=[W, b])
    train = sn.function([index], cost, updates=[(W, W - lr * g_W), (b, b - lr * g_b)],
                        givens={x: data_x[index * batch:(index + 1) * batch],
                                y: data_y[index * batch:(index + 1) * batch]}, mode=mode)
    Wn, bn = np.zeros((d, k)), np.zeros(k)
    for epoch in range(3):
        for i in range(n // batch):
            xb, yb = X[i * batch:(i + 1) * batch], Y[i * batch:(i + 1) * batch]
            z = xb @ Wn + bn
            pz = np.exp(z - z.max(1, keepdims=True))
            pz /= pz.sum(1, keepdims=True)
            expected = -np.mean(np.log(pz[np.arange(batch), yb]))
            delta = pz.copy()
            delta[np.arange(batch), yb] -= 1
            delta /= batch
            got = train(i)
            np.testing.assert_allclose(got, expected, rtol=1e-10)
            Wn, bn = Wn - lr * xb.T @ delta, bn - lr * delta.sum(0)
    np.testing.assert_allclose(W.get_value(), Wn, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(b.get_value(), bn, rtol=1e-9, atol=1e-12)
