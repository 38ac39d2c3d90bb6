"""Pooling (Theano's signal.pool) against a direct-loop oracle of Theano's rules, on both backends;
gradients (first max of each window) and second derivatives by finite differences."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import symnet as sn
from symnet.signal import pool
from symnet.signal.pool import pool_out_size

MODES = ["reference", None]
POOL_MODES = ["max", "sum", "average_inc_pad", "average_exc_pad"]


def naive_pool(x, ws, st, pad, ignore_border, mode):
    h, w = x.shape[-2:]
    oh = pool_out_size(h, ws[0], st[0], pad[0], ignore_border)
    ow = pool_out_size(w, ws[1], st[1], pad[1], ignore_border)
    y = np.zeros(x.shape[:-2] + (oh, ow))
    for i, j in itertools.product(range(oh), range(ow)):
        r0, c0 = i * st[0], j * st[1]
        r1, c1 = min(r0 + ws[0], h + 2 * pad[0]), min(c0 + ws[1], w + 2 * pad[1])
        reg = x[..., max(r0, pad[0]) - pad[0]:min(r1, h + pad[0]) - pad[0],
                max(c0, pad[1]) - pad[1]:min(c1, w + pad[1]) - pad[1]]
        if mode == "max":
            y[..., i, j] = reg.max(axis=(-2, -1))
        elif mode == "sum":
            y[..., i, j] = reg.sum(axis=(-2, -1))
        elif mode == "average_exc_pad":
            y[..., i, j] = reg.mean(axis=(-2, -1))
        else:
            y[..., i, j] = reg.sum(axis=(-2, -1)) / ((r1 - r0) * (c1 - c0))
    return y


CASES = [((2, 2), None, (0, 0), True), ((3, 2), (2, 1), (1, 1), True), ((3, 3), (2, 2), (0, 0), False),
         ((2, 3), (3, 3), (0, 0), False), ((1, 1), None, (0, 0), True), ((7, 6), None, (0, 0), True),
         ((2, 2), (1, 1), (1, 0), True)]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("pmode", POOL_MODES)
@pytest.mark.parametrize("mode", MODES)
def test_pool_2d_matches_loops_and_gradients(case, pmode, mode):
    ws, st, pad, ib = case
    x = np.random.default_rng(0).normal(size=(2, 3, 7, 6))
    X = sn.tensor4("x", dtype="float64")
    got = sn.function([X], pool.pool_2d(X, ws, ignore_border=ib, stride=st, pad=pad, mode=pmode), mode=mode)(x)
    np.testing.assert_allclose(got, naive_pool(x, ws, st or ws, pad, ib, pmode), rtol=1e-12)
    sn.verify_grad(lambda a: pool.pool_2d(a, ws, ignore_border=ib, stride=st, pad=pad, mode=pmode), [x],
                   mode=mode, n_tests=1)
    sn.verify_grad(lambda a: sn.grad(sn.sum(pool.pool_2d(a, ws, ignore_border=ib, stride=st, pad=pad,
                                                         mode=pmode) ** 2), a), [x], mode=mode, n_tests=1)


@pytest.mark.parametrize("mode", MODES)
def test_max_gradient_goes_to_the_first_max(mode):
    x = np.array([[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 0.0, 0.0]]]])
    X = sn.tensor4("x", dtype="float64")
    g = sn.function([X], sn.grad(sn.sum(pool.pool_2d(X, (2, 2))), X), mode=mode)(x)
    np.testing.assert_array_equal(g, [[[[0, 1, 1, 0], [0, 0, 0, 0]]]])
    # ties across overlapping windows: each window routes to its own first max
    g = sn.function([X], sn.grad(sn.sum(pool.pool_2d(X, (1, 2), stride=(1, 1))), X), mode=mode)(x)
    np.testing.assert_array_equal(g, [[[[0, 2, 1, 0], [1, 1, 1, 0]]]])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pool_shapes_dtypes_ranks(dtype):
    X = sn.tensor((None, 5, 9, 8), dtype=dtype)
    assert pool.pool_2d(X, (2, 2)).type.shape == (None, 5, 4, 4)
    assert pool.pool_2d(X, (2, 2), ignore_border=False).type.shape == (None, 5, 5, 4)
    assert sn.nnet.pool2d(X, (3, 3), stride=(2, 2), pad=(1, 1)).type.shape == (None, 5, 5, 4)
    x = np.random.default_rng(1).normal(size=(2, 5, 9, 8)).astype(dtype)
    out = sn.function([X], pool.pool_2d(X, (2, 2), mode="average_exc_pad"))(x)
    assert out.dtype == dtype
    M = sn.matrix("m", dtype=dtype)   # rank 2: pools the whole matrix
    m = x[0, 0]
    np.testing.assert_allclose(sn.function([M], pool.pool_2d(M, (3, 2)))(m), naive_pool(m, (3, 2), (3, 2), (0, 0), True, "max"))


@pytest.mark.parametrize("mode", MODES)
def test_pool_3d(mode):
    x = np.random.default_rng(2).normal(size=(2, 2, 5, 4, 6))
    X = sn.tensor5("x", dtype="float64")
    got = sn.function([X], pool.pool_3d(X, (2, 2, 3), mode="average_inc_pad"), mode=mode)(x)
    ref = x[:, :, :4, :4, :6].reshape(2, 2, 2, 2, 2, 2, 2, 3).mean(axis=(3, 5, 7))
    np.testing.assert_allclose(got, ref)
    sn.verify_grad(lambda a: pool.pool_3d(a, (2, 2, 2), stride=(1, 2, 1)), [x], mode=mode, n_tests=1)


def test_pool_errors_and_aliases():
    X = sn.tensor4("x")
    with pytest.raises(ValueError, match="mode"):
        pool.pool_2d(X, (2, 2), mode="avg")
    with pytest.raises(ValueError, match="ws"):
        pool.pool_2d(X, (2, 2, 2))
    with pytest.raises(ValueError, match="pad"):
        pool.pool_2d(X, (2, 2), pad=(2, 0))
    assert pool.pool_2d(X, ds=(2, 2), st=(1, 1)).owner.op == pool.pool_2d(X, (2, 2), stride=(1, 1)).owner.op


def test_max_pool_2d_same_size():
    x = np.array([[[[1.0, 5.0], [2.0, 0.0]]]])
    X = sn.tensor4("x", dtype="float64")
    np.testing.assert_array_equal(sn.function([X], pool.max_pool_2d_same_size(X, (2, 2)))(x), [[[[0, 5], [0, 0]]]])
