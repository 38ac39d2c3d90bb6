"""Stabilize: float32 with |x| ~ 1000 and probabilities of exactly 0 and 1 give finite, correct
values AND gradients after the pipeline (which the raw graphs do not)."""
import numpy as np
import pytest

import symnet as sn
from symnet.ops.fused import SoftmaxCrossentropyWithLogits

from rw_util import before_after, compile_both, same_numbers

rng = np.random.default_rng(2)
BIG = np.array([[1000.0, -1000.0, 0.0, 3.0], [-999.0, 998.0, 1000.0, -2.0]], "float32")


def fn(inputs, outputs, level="fast_run"):
    with sn.config.change_flags(optimizer=level):
        return sn.function(inputs, outputs, mode="reference")


def np_log_softmax(x):
    x = x.astype(np.float64)
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def np_sigmoid(x):
    x = x.astype(np.float64)
    return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


def check(got, want, rtol=1e-5, atol=1e-5):
    got = np.asarray(got)
    assert np.all(np.isfinite(got)), got
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def test_log_softmax_rewrite_and_values():
    x = sn.matrix("x", "float32")
    y = sn.log(sn.softmax(x))
    before, after, fg = before_after([x], [y], "log_softmax")
    assert "LogSoftmax" in after and "Elemwise{log}" not in after
    same_numbers([x], [y], fg, [rng.normal(size=(3, 4)).astype("float32")], rtol=1e-5)
    w = sn.constant(rng.normal(size=(2, 4)).astype("float32"))
    cost = sn.sum(y * w)
    f = fn([x], [y, sn.grad(cost, x)])
    v, g = f(BIG)
    check(v, np_log_softmax(BIG))
    sm = np.exp(np_log_softmax(BIG))
    W = w.data.astype(np.float64)
    check(g, W - sm * W.sum(-1, keepdims=True))
    raw_v, raw_g = fn([x], [y, sn.grad(cost, x)], None)(BIG)
    assert not np.all(np.isfinite(raw_v))           # the raw graph is not stable


@pytest.mark.parametrize("sparse", [False, True])
def test_crossentropy_of_softmax(sparse):
    x = sn.matrix("x", "float32")
    labels = np.array([1, 0])
    if sparse:
        t = sn.vector("t", "int64")
        tv = labels
        loss = sn.sparse_categorical_crossentropy(sn.softmax(x), t)
    else:
        t = sn.matrix("t", "float32")
        tv = np.eye(4, dtype="float32")[labels]
        loss = sn.categorical_crossentropy(sn.softmax(x), t)
    cost = sn.mean(loss)
    f = fn([x, t], [loss, sn.grad(cost, x)])
    assert any(isinstance(n.op, SoftmaxCrossentropyWithLogits) and n.op.sparse == sparse for n in f.fgraph.nodes)
    assert not any(type(n.op).__name__ == "LogSoftmax" for n in f.fgraph.nodes)
    v, g = f(BIG, tv)
    onehot = np.eye(4)[labels]
    check(v, -(onehot * np_log_softmax(BIG)).sum(-1), rtol=1e-6)
    check(g, (np.exp(np_log_softmax(BIG)) - onehot) / 2)
    raw_v, raw_g = fn([x, t], [loss, sn.grad(cost, x)], None)(BIG, tv)
    assert not np.all(np.isfinite(raw_v)) or not np.all(np.isfinite(raw_g))
    X = rng.normal(size=(2, 4)).astype("float32")      # ordinary inputs: same numbers as before
    a, b = compile_both([x, t], [loss, sn.grad(cost, x)], [X, tv])
    for u, w in zip(a, b):
        np.testing.assert_allclose(u, w, rtol=1e-5, atol=1e-6)


def test_crossentropy_probabilities_exactly_zero_and_one():
    x = sn.matrix("x", "float32")
    t = sn.matrix("t", "float32")
    loss = sn.sum(sn.categorical_crossentropy(sn.softmax(x), t))
    f = fn([x, t], [loss, sn.grad(loss, x)])
    xv = np.array([[0.0, 200.0, -200.0]], "float32")           # softmax is exactly [0, 1, 0] in float32
    for tv in ([[0, 1, 0]], [[1, 0, 0]], [[0.5, 0.5, 0]]):
        tv = np.array(tv, "float32")
        v, g = f(xv, tv)
        ls = np_log_softmax(xv)
        check(v, -(tv * ls).sum(), rtol=1e-6)
        check(g, np.exp(ls) * tv.sum() - tv)


def test_keras_clipped_crossentropy_keeps_its_clip():
    """Keras's clipped crossentropy saturates at -log(eps); the rewrite must not change that
    number (evaluation and training graphs report the same loss), and it stays finite."""
    x = sn.matrix("x", "float32")
    t = sn.matrix("t", "float32")
    eps = 1e-7
    loss = -sn.sum(t * sn.log(sn.clip(sn.softmax(x), eps, 1 - eps)), axis=-1)
    f = fn([x, t], loss)
    assert not any(isinstance(n.op, SoftmaxCrossentropyWithLogits) for n in f.fgraph.nodes)
    tv = np.eye(4, dtype="float32")[[1, 0]]
    p = np.clip(np.exp(np_log_softmax(BIG)), eps, 1 - eps)
    expected = -(tv * np.log(p)).sum(-1)
    check(f(BIG, tv), expected, rtol=1e-5)
    g = sn.grad(sn.sum(loss), x)
    f2 = fn([x, t], [loss, g])
    v, gv = f2(BIG, tv)
    check(v, expected, rtol=1e-5)
    assert np.all(np.isfinite(gv))


def test_binary_crossentropy_of_sigmoid():
    x = sn.matrix("x", "float32")
    t = sn.matrix("t", "float32")
    loss = sn.binary_crossentropy(sn.sigmoid(x), t)
    f = fn([x, t], [loss, sn.grad(sn.sum(loss), x)])
    tv = np.array([[1, 0, 1, 0], [0, 1, 1, 0]], "float32")
    v, g = f(BIG, tv)
    xd = BIG.astype(np.float64)
    sp = lambda z: np.logaddexp(0, z)
    check(v, tv * sp(-xd) + (1 - tv) * sp(xd), rtol=1e-6)
    check(g, np_sigmoid(BIG) - tv, atol=1e-6)
    raw = fn([x, t], [loss, sn.grad(sn.sum(loss), x)], None)(BIG, tv)
    assert not all(np.all(np.isfinite(r)) for r in raw)


def test_log_sigmoid_to_softplus():
    x = sn.matrix("x", "float32")
    y = sn.log(sn.sigmoid(x))
    before, after, fg = before_after([x], [y], "log_sigmoid")
    assert "softplus" in after and "sigmoid" not in after
    same_numbers([x], [y], fg, [rng.normal(size=(3, 4)).astype("float32")], rtol=1e-5)
    f = fn([x], [y, sn.grad(sn.sum(y), x)])
    v, g = f(BIG)
    check(v, -np.logaddexp(0, -BIG.astype(np.float64)), rtol=1e-6)
    check(g, 1 - np_sigmoid(BIG), atol=1e-6)


def test_softplus_log1p_expm1():
    x = sn.matrix("x", "float32")
    y = sn.log(1 + sn.exp(x))
    before, after, fg = before_after([x], [y], "log1p_softplus")
    assert "softplus" in after
    f = fn([x], [y, sn.grad(sn.sum(y), x)])
    v, g = f(BIG)
    check(v, np.logaddexp(0, BIG.astype(np.float64)), rtol=1e-6)
    check(g, np_sigmoid(BIG), atol=1e-6)
    small = np.array([[1e-10, -1e-9, 3e-8, 1e-30]], "float32")
    y1 = sn.log(1 + x)
    before, after, fg = before_after([x], [y1], "log1p_softplus")
    assert "log1p" in after
    f1 = fn([x], [y1, sn.grad(sn.sum(y1), x)])
    v, g = f1(small)
    check(v, np.log1p(small.astype(np.float64)), rtol=1e-6, atol=0)
    check(g, 1 / (1 + small.astype(np.float64)))
    y2 = sn.exp(x) - 1
    before, after, fg = before_after([x], [y2], "expm1")
    assert "expm1" in after
    f2 = fn([x], [y2, sn.grad(sn.sum(y2), x)])
    v, g = f2(small)
    check(v, np.expm1(small.astype(np.float64)), rtol=1e-6, atol=0)
    check(g, np.exp(small.astype(np.float64)))


def test_logsumexp_max_subtracted():
    x = sn.matrix("x", "float32")
    y = sn.log(sn.sum(sn.exp(x), axis=1))
    before, after, fg = before_after([x], [y], "logsumexp")
    assert "Reduce{kind=max" in after
    same_numbers([x], [y], fg, [rng.normal(size=(3, 4)).astype("float32")], rtol=1e-5)
    f = fn([x], [y, sn.grad(sn.sum(y), x)])
    v, g = f(BIG)
    ls = np_log_softmax(BIG)
    check(v, (BIG.astype(np.float64) - ls)[:, 0], rtol=1e-6)
    check(g, np.exp(ls), atol=1e-4)      # x - lse with lse ~ 1000: float32 spacing there is 6e-5


def test_naive_softmax_becomes_softmax():
    x = sn.matrix("x", "float32")
    e = sn.exp(x)
    y = e / sn.sum(e, axis=1, keepdims=True)
    before, after, fg = before_after([x], [y], "naive_softmax")
    assert "Softmax" in after
    f = fn([x], y)
    check(f(BIG), np.exp(np_log_softmax(BIG)))
