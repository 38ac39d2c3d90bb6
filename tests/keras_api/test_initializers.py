"""Keras 3 initializers: distributions' statistics, Keras's scale rules and constants, seeds."""
import numpy as np
import pytest

import symnet as sn
from keras_api import initializers as I
from keras_api import random as KR

TRUNC = 0.87962566103423978


def _std_uniform(limit):
    return limit / np.sqrt(3)


@pytest.mark.parametrize("name,shape,expected_std,bound", [
    ("glorot_uniform", (400, 300), _std_uniform(np.sqrt(6 / 700)), np.sqrt(6 / 700)),
    ("glorot_normal", (400, 300), np.sqrt(2 / 700), 2 * np.sqrt(2 / 700) / TRUNC),
    ("he_uniform", (400, 300), _std_uniform(np.sqrt(6 / 400)), np.sqrt(6 / 400)),
    ("he_normal", (400, 300), np.sqrt(2 / 400), 2 * np.sqrt(2 / 400) / TRUNC),
    ("lecun_uniform", (400, 300), _std_uniform(np.sqrt(3 / 400)), np.sqrt(3 / 400)),
    ("lecun_normal", (400, 300), np.sqrt(1 / 400), 2 * np.sqrt(1 / 400) / TRUNC),
    ("random_uniform", (300, 300), _std_uniform(0.05), 0.05),
    ("random_normal", (300, 300), 0.05, None),
    ("truncated_normal", (300, 300), 0.05 * TRUNC, 0.1),
    ("glorot_uniform", (3, 3, 64, 32), _std_uniform(np.sqrt(6 / (9 * 96))), np.sqrt(6 / (9 * 96))),
])
def test_statistics(name, shape, expected_std, bound):
    w = I.get(name)(shape)
    assert w.shape == shape and w.dtype == np.float32
    assert abs(w.mean()) < 0.05 * expected_std + 3 * expected_std / np.sqrt(w.size)
    assert w.std() == pytest.approx(expected_std, rel=0.03)
    if bound is not None:
        assert np.abs(w).max() <= bound * (1 + 1e-6)


def test_variance_scaling_options_and_errors():
    w = I.VarianceScaling(scale=2.0, mode="fan_out", distribution="untruncated_normal", seed=3)((500, 200))
    assert w.std() == pytest.approx(np.sqrt(2 / 200), rel=0.03)
    assert np.abs(w).max() > 2 * np.sqrt(2 / 200)            # not truncated
    with pytest.raises(ValueError):
        I.VarianceScaling(mode="fan_middle")
    with pytest.raises(ValueError):
        I.VarianceScaling(scale=-1.0)
    assert I.compute_fans((3, 3, 16, 8)) == (144, 72) and I.compute_fans((7,)) == (7, 7)


def test_seeds():
    a = I.GlorotUniform(seed=42)((5, 4))
    b = I.GlorotUniform(seed=42)((5, 4))
    c = I.GlorotUniform(seed=43)((5, 4))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    init = I.RandomNormal(seed=7)
    np.testing.assert_array_equal(init((3,)), init((3,)))      # Keras 3: a seeded initializer repeats
    KR.set_random_seed(123)
    x1 = I.HeNormal()((4, 4))
    KR.set_random_seed(123)
    x2 = I.HeNormal()((4, 4))
    np.testing.assert_array_equal(x1, x2)
    assert not np.array_equal(I.HeNormal()((4, 4)), x2)       # unseeded draws differ call to call


def test_orthogonal_identity_constant_zeros_ones():
    q = I.Orthogonal(gain=2.0, seed=1)((6, 4))
    np.testing.assert_allclose(q.T @ q, 4 * np.eye(4), atol=1e-5)
    q = I.Orthogonal(seed=1)((3, 7))
    np.testing.assert_allclose(q @ q.T, np.eye(3), atol=1e-5)
    np.testing.assert_array_equal(I.Identity(gain=3.0)((2, 3)), 3 * np.eye(2, 3))
    with pytest.raises(ValueError):
        I.Identity()((2, 2, 2))
    np.testing.assert_array_equal(I.Constant(0.5)((2, 2)), np.full((2, 2), 0.5, "float32"))
    assert I.get("zeros")((3,)).sum() == 0 and I.get("ones")((3,)).sum() == 3


def test_dtype_follows_floatx_and_argument():
    assert I.get("glorot_uniform")((2, 2), dtype="float64").dtype == np.float64
    with sn.config.change_flags(floatX="float64"):
        assert I.get("he_uniform")((2, 2)).dtype == np.float64


def test_get_config_and_names():
    g = I.get("glorot_uniform")
    assert type(g).__name__ == "GlorotUniform" and g.get_config() == {"seed": None, "input_axes": None, "output_axes": None}
    r = I.RandomUniform(seed=5)
    assert r.get_config() == {"minval": -0.05, "maxval": 0.05, "seed": 5}
    assert I.RandomNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    again = I.deserialize(I.serialize(I.VarianceScaling(2.0, "fan_avg", "uniform", seed=1)))
    assert again.get_config() == {"scale": 2.0, "mode": "fan_avg", "distribution": "uniform", "seed": 1,
                                  "input_axes": None, "output_axes": None}
    assert isinstance(I.get(I.HeNormal), I.HeNormal)
    assert isinstance(I.get({"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}}), I.Orthogonal)


def test_unknown_initializer_lists_valid_names():
    with pytest.raises(ValueError) as e:
        I.get("glorot_uniformm")
    assert "glorot_uniformm" in str(e.value) and "he_normal" in str(e.value)
