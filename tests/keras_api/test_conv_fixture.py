"""Weights saved by real Keras 3.15 (/work/shared/fixtures/conv_bn.*: Conv2D same relu ->
BatchNormalization -> MaxPooling2D -> Flatten -> Dense) load into the same keras_api model and
predict what Keras predicted, on the default backend and the reference backend."""
import os

import numpy as np
import pytest

import keras_api as keras
import symnet as sn

from fixture_files import FIXTURES  # noqa: E402
WEIGHTS = os.path.join(FIXTURES, "conv_bn.weights.h5")

pytestmark = pytest.mark.skipif(not os.path.exists(WEIGHTS), reason="Keras fixture files are not present")


def conv_bn_model():
    layers = keras.layers
    return keras.Sequential([keras.Input((10, 10, 2)), layers.Conv2D(4, 3, padding="same", activation="relu"),
                             layers.BatchNormalization(), layers.MaxPooling2D(), layers.Flatten(), layers.Dense(2)])


@pytest.mark.parametrize("mode", ["reference", None])
def test_keras_weights_predict_identically(mode, fresh_session):
    data = np.load(os.path.join(FIXTURES, "conv_bn.npz"))
    model = conv_bn_model()
    model.load_weights(WEIGHTS)
    bn = model.layers[1]
    assert bn.moving_variance.numpy().min() > 0 and not np.allclose(bn.moving_mean.numpy(), 0)
    with sn.config.change_flags(mode=mode) if mode else _null():
        pred = model.predict(data["x"], verbose=0)
    np.testing.assert_allclose(pred, data["y0"], rtol=1e-5, atol=1e-5)


def test_weights_round_trip(tmp_path, fresh_session):
    model = conv_bn_model()
    model.load_weights(WEIGHTS)
    path = str(tmp_path / "again.weights.h5")
    model.save_weights(path)
    other = conv_bn_model()
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False
