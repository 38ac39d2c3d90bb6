"""Theano's batch normalisation (nnet.bn) against NumPy, on both backends, with gradients."""
from __future__ import annotations

import numpy as np
import pytest

import symnet as sn

bn = sn.nnet.bn
MODES = ["reference", None]


@pytest.mark.parametrize("axes", ["per-activation", "spatial", (0, 2)])
@pytest.mark.parametrize("mode", MODES)
def test_batch_normalization_train(axes, mode):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3, 5, 2)) * 3 + 1
    ax = {"per-activation": (0,), "spatial": (0, 2, 3)}.get(axes, axes)
    pshape = tuple(1 if a in ax else d for a, d in enumerate(x.shape))
    g, b = rng.normal(size=pshape), rng.normal(size=pshape)
    rm, rv = rng.normal(size=pshape), rng.uniform(1, 2, size=pshape)
    X, G, B, RM, RV = (sn.tensor(s, dtype="float64") for s in (x.shape, pshape, pshape, pshape, pshape))
    outs = bn.batch_normalization_train(X, G, B, axes=axes, epsilon=1e-3, running_average_factor=0.2,
                                        running_mean=RM, running_var=RV)
    out, mean, invstd, new_rm, new_rv = sn.function([X, G, B, RM, RV], list(outs), mode=mode)(x, g, b, rm, rv)
    m, v = x.mean(axis=ax, keepdims=True), x.var(axis=ax, keepdims=True)
    n = np.prod([x.shape[a] for a in ax])
    np.testing.assert_allclose(out, (x - m) / np.sqrt(v + 1e-3) * g + b, rtol=1e-10)
    np.testing.assert_allclose(mean, m)
    np.testing.assert_allclose(invstd, 1 / np.sqrt(v + 1e-3))
    np.testing.assert_allclose(new_rm, rm * 0.8 + m * 0.2)
    np.testing.assert_allclose(new_rv, rv * 0.8 + v * n / (n - 1) * 0.2)
    sn.verify_grad(lambda a, c, d: bn.batch_normalization_train(a, c, d, axes=axes)[0], [x, g, b], mode=mode,
                   n_tests=1)
    test = sn.function([X, G, B, RM, RV], bn.batch_normalization_test(X, G, B, RM, RV, axes=axes), mode=mode)
    np.testing.assert_allclose(test(x, g, b, rm, rv), (x - rm) * g / np.sqrt(rv + 1e-4) + b)


def test_params_with_reduced_rank_and_float32():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 3, 4, 4)).astype("float32")
    g, b = rng.normal(size=(3,)).astype("float32"), rng.normal(size=(3,)).astype("float32")
    X, G, B = sn.tensor4("x"), sn.vector("g"), sn.vector("b")
    out = sn.function([X, G, B], bn.batch_normalization_train(X, G, B, axes="spatial")[0])(x, g, b)
    m, v = x.mean(axis=(0, 2, 3), keepdims=True), x.var(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose(out, (x - m) / np.sqrt(v + 1e-4) * g[:, None, None] + b[:, None, None], rtol=1e-4,
                               atol=1e-5)
    assert out.dtype == np.float32
    with pytest.raises(ValueError, match="gamma"):
        bn.batch_normalization_train(X, sn.matrix(), B, axes="spatial")
    with pytest.raises(ValueError, match="epsilon"):
        bn.batch_normalization_train(X, G, B, axes="spatial", epsilon=1e-6)


def test_elementwise_batch_normalization():
    x = np.arange(6.0).reshape(2, 3)
    X = sn.matrix("x", dtype="float64")
    f = sn.function([X], sn.nnet.batch_normalization(X, 2.0, 1.0, X.mean(axis=0), X.std(axis=0)))
    np.testing.assert_allclose(f(x), (x - x.mean(0)) * (2 / x.std(0)) + 1)
