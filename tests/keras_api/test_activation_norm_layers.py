"""Activation, Identity, ActivityRegularization and the Unit/Group/Spectral normalization layers against
NumPy transcriptions of Keras 3's formulas, on the reference and LLVM backends; arguments, defaults,
errors and get_config keys as Keras's."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import keras_api as keras

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 6)).astype("float32") * 3


@pytest.fixture(params=["reference", "llvm"])
def mode(request):
    import symnet as sn
    with sn.config.change_flags(mode=request.param):
        yield request.param


def relu_ref(x, max_value=None, negative_slope=0.0, threshold=0.0):
    y = np.where(x > threshold, x, 0.0) if threshold else np.maximum(x, 0)
    if max_value is not None:
        y = np.minimum(y, max_value)
    return y + negative_slope * np.where(x < threshold, x - threshold, 0.0)


@pytest.mark.parametrize("kw", [{}, {"max_value": 2.0}, {"negative_slope": 0.1}, {"threshold": 0.5},
                                {"max_value": 3.0, "negative_slope": 0.2, "threshold": 1.0}])
def test_relu(kw, mode):
    layer = keras.layers.ReLU(**kw)
    np.testing.assert_allclose(layer(X), relu_ref(X, **kw), rtol=1e-6)
    config = layer.get_config()
    assert {k: config[k] for k in ("max_value", "negative_slope", "threshold")} == \
        {"max_value": None, "negative_slope": 0.0, "threshold": 0.0, **kw}


def test_relu_errors():
    for kw, name in [({"max_value": -1.0}, "max_value"), ({"negative_slope": -1.0}, "negative_slope"),
                     ({"threshold": -1.0}, "threshold")]:
        with pytest.raises(ValueError, match=name):
            keras.layers.ReLU(**kw)


def test_leaky_relu(mode):
    layer = keras.layers.LeakyReLU()
    assert layer.negative_slope == 0.3
    np.testing.assert_allclose(layer(X), np.where(X >= 0, X, 0.3 * X), rtol=1e-6)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        legacy = keras.layers.LeakyReLU(alpha=0.1)
    assert legacy.negative_slope == 0.1 and any("alpha" in str(w.message) for w in caught)
    assert legacy.get_config()["negative_slope"] == 0.1
    with pytest.raises(ValueError, match="negative_slope"):
        keras.layers.LeakyReLU(negative_slope=-0.1)


def test_prelu(mode):
    x = RNG.standard_normal((3, 4, 5)).astype("float32")
    layer = keras.layers.PReLU(alpha_initializer="random_uniform", shared_axes=[1])
    y = layer(x)
    alpha = layer.alpha.numpy()
    assert alpha.shape == (1, 5)
    np.testing.assert_allclose(y, np.maximum(x, 0) - alpha * np.maximum(-x, 0), rtol=1e-6)
    assert keras.layers.PReLU().get_config()["alpha_initializer"]["class_name"] == "Zeros"
    assert layer.get_config()["shared_axes"] == [1]


def test_elu(mode):
    np.testing.assert_allclose(keras.layers.ELU(alpha=0.5)(X), np.where(X > 0, X, 0.5 * np.expm1(X)), rtol=1e-5,
                               atol=1e-6)
    assert keras.layers.ELU(alpha=0.5).get_config()["alpha"] == 0.5


def test_softmax_layer(mode):
    def sm(x, axis):
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)
    x = RNG.standard_normal((2, 3, 4)).astype("float32")
    np.testing.assert_allclose(keras.layers.Softmax()(x), sm(x, -1), rtol=1e-5)
    np.testing.assert_allclose(keras.layers.Softmax(axis=(1, 2))(x), sm(x, (1, 2)), rtol=1e-5)
    mask = RNG.random((2, 3, 4)) > 0.4
    got = keras.layers.Softmax()(x, mask=mask)
    np.testing.assert_allclose(got, np.where(mask, sm(np.where(mask, x, -1e9), -1), 0.0), rtol=1e-5, atol=1e-7)
    assert keras.layers.Softmax(axis=1).get_config()["axis"] == 1
    with pytest.raises(ValueError, match="broadcastable"):
        keras.layers.Softmax()(x, mask=np.ones((2, 5, 4), bool))


def test_identity_and_activity_regularization(mode):
    np.testing.assert_array_equal(keras.layers.Identity()(X), X)
    layer = keras.layers.ActivityRegularization(l1=0.01, l2=0.1)
    np.testing.assert_array_equal(layer(X), X)
    config = layer.get_config()
    assert config["l1"] == 0.01 and config["l2"] == 0.1 and "activity_regularizer" not in config


def test_activity_regularization_adds_to_training_loss(fresh_session):
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3, kernel_initializer="ones"),
                              keras.layers.ActivityRegularization(l1=0.5)])
    model.compile(optimizer="sgd", loss="mse")
    y = np.zeros((4, 3), "float32")
    act = X @ np.ones((6, 3))
    want = np.mean(act ** 2) + 0.5 * np.abs(act).sum()
    np.testing.assert_allclose(model.evaluate(X, y, verbose=0), want, rtol=1e-4)


@pytest.mark.parametrize("axis", [-1, 1, [1, 2]])
def test_unit_normalization(axis, mode):
    x = RNG.standard_normal((2, 3, 4)).astype("float32")
    ax = tuple(axis) if isinstance(axis, list) else axis
    want = x / np.sqrt((x ** 2).sum(axis=ax, keepdims=True))
    np.testing.assert_allclose(keras.layers.UnitNormalization(axis=axis)(x), want, rtol=1e-5)
    np.testing.assert_array_equal(keras.layers.UnitNormalization()(np.zeros((1, 3), "float32")), 0)
    with pytest.raises(TypeError, match="axis"):
        keras.layers.UnitNormalization(axis="x")


def group_norm_ref(x, groups, axis=-1, eps=1e-3, gamma=None, beta=None):
    x = np.moveaxis(x, axis, -1)
    shp = x.shape
    g = x.reshape(shp[:-1] + (groups, shp[-1] // groups))
    red = tuple(range(1, g.ndim - 2)) + (g.ndim - 1,)
    mean = g.mean(axis=red, keepdims=True)
    var = g.var(axis=red, keepdims=True)
    y = ((g - mean) / np.sqrt(var + eps)).reshape(shp)
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    return np.moveaxis(y, -1, axis)


@pytest.mark.parametrize("groups,axis,shape", [(2, -1, (3, 5, 4)), (1, -1, (2, 6)), (-1, -1, (2, 3, 4)),
                                               (3, 1, (2, 6, 5)), (2, -1, (2, 3, 3, 4))])
def test_group_normalization(groups, axis, shape, mode):
    x = RNG.standard_normal(shape).astype("float32")
    layer = keras.layers.GroupNormalization(groups=groups, axis=axis, gamma_initializer="random_normal",
                                            beta_initializer="random_normal")
    y = layer(x)
    gamma, beta = layer.gamma.numpy(), layer.beta.numpy()
    bshape = [1] * len(shape)
    bshape[axis] = shape[axis]
    want = group_norm_ref(x, layer.groups, axis, gamma=gamma.reshape(bshape) if axis == -1 else None)
    if axis != -1:
        want = want * gamma.reshape(bshape)
    want = want + beta.reshape(bshape)
    np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-5)
    assert [w.name for w in layer.weights] == ["gamma", "beta"]


def test_group_normalization_errors_and_config():
    with pytest.raises(ValueError, match="groups"):
        keras.layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match="cannot be more than the number of channels"):
        keras.layers.GroupNormalization(groups=8)(np.zeros((1, 4), "float32"))
    with pytest.raises(ValueError, match="must be a multiple"):
        keras.layers.GroupNormalization(groups=3)(np.zeros((1, 4), "float32"))
    config = keras.layers.GroupNormalization().get_config()
    assert config["groups"] == 32 and config["epsilon"] == 1e-3 and config["center"] and config["scale"]


def test_spectral_normalization(mode, fresh_session):
    dense = keras.layers.Dense(4, kernel_initializer="glorot_uniform")
    layer = keras.layers.SpectralNormalization(dense, power_iterations=20)
    x = RNG.standard_normal((3, 5)).astype("float32")
    np.testing.assert_allclose(layer(x), x @ dense.kernel.numpy(), rtol=1e-5, atol=1e-6)  # inference: as is
    assert [w.name for w in layer.weights] == ["vector_u", "kernel", "bias"]
    kernel = dense.kernel.numpy()
    sigma = np.linalg.svd(kernel, compute_uv=False)[0]
    got = layer(x, training=True)
    np.testing.assert_allclose(got, x @ (kernel / sigma), rtol=1e-3, atol=1e-4)
    assert layer.get_config()["power_iterations"] == 20
    with pytest.raises(ValueError, match="power_iterations"):
        keras.layers.SpectralNormalization(keras.layers.Dense(2), power_iterations=0)


def test_spectral_normalization_trains(fresh_session):
    model = keras.Sequential([keras.Input((5,)), keras.layers.SpectralNormalization(keras.layers.Dense(3)),
                              keras.layers.Dense(1)])
    model.compile("adam", "mse")
    u0 = model.layers[0].vector_u.numpy().copy()
    x = RNG.standard_normal((32, 5)).astype("float32")
    h = model.fit(x, x[:, :1], epochs=2, verbose=0)
    assert np.isfinite(h.history["loss"]).all()
    assert not np.allclose(model.layers[0].vector_u.numpy(), u0)
