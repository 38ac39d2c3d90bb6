"""Keras 3 regularizers (penalties) and constraints (projections) vs NumPy."""
import numpy as np
import pytest

import symnet as sn
from keras_api import constraints as K
from keras_api import regularizers as Rg

W = np.array([[3.0, -0.1, 0.0], [4.0, 0.2, -2.0]])


def _eval(expr_fn):
    w = sn.matrix("w", dtype="float64")
    return sn.function([w], expr_fn(w), mode="reference", on_unused_input="ignore")(W)


def test_regularizer_values_and_names():
    assert _eval(Rg.get("l1")) == pytest.approx(0.01 * np.abs(W).sum())
    assert _eval(Rg.get("l2")) == pytest.approx(0.01 * (W ** 2).sum())
    assert _eval(Rg.L1L2(l1=0.1, l2=0.2)) == pytest.approx(0.1 * np.abs(W).sum() + 0.2 * (W ** 2).sum())
    assert _eval(Rg.get("l1_l2")) == 0.0                      # Keras 3's L1L2 defaults are 0.0
    assert _eval(Rg.l1_l2()) == pytest.approx(0.01 * np.abs(W).sum() + 0.01 * (W ** 2).sum())
    assert Rg.L2(0.5).get_config() == {"l2": 0.5}
    assert type(Rg.get({"class_name": "L1", "config": {"l1": 0.3}})) is Rg.L1


def test_regularizer_gradient():
    w = sn.matrix("w", dtype="float64")
    g = sn.function([w], sn.grad(Rg.L2(0.1)(w), w), mode="reference")(W)
    np.testing.assert_allclose(g, 0.2 * W)


def _norms(x, axis):
    return np.sqrt((x ** 2).sum(axis=axis, keepdims=True))


def test_constraints():
    n0 = _norms(W, 0)
    np.testing.assert_allclose(_eval(K.get("max_norm")), W * np.clip(n0, 0, 2) / (1e-7 + n0))
    np.testing.assert_allclose(_eval(K.MaxNorm(1.0, axis=1)), W * np.clip(_norms(W, 1), 0, 1) / (1e-7 + _norms(W, 1)))
    np.testing.assert_allclose(_eval(K.get("non_neg")), W * (W >= 0))
    np.testing.assert_allclose(_eval(K.get("unit_norm")), W / (1e-7 + n0))
    d = 0.5 * np.clip(n0, 0.5, 1.5) + 0.5 * n0
    np.testing.assert_allclose(_eval(K.MinMaxNorm(0.5, 1.5, rate=0.5)), W * d / (1e-7 + n0))
    np.testing.assert_allclose(_eval(K.get("min_max_norm")), W * np.clip(n0, 0, 1) / (1e-7 + n0))
    assert K.MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    assert K.MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}


def test_unknown_names():
    with pytest.raises(ValueError, match="l3"):
        Rg.get("l3")
    with pytest.raises(ValueError, match="max_norm"):
        K.get("maxnorm2")
