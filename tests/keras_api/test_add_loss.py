"""add_loss and the endpoint-layer pattern: losses computed from symbolic tensors inside call(), summed
into the training loss with the regularization penalties (compile() without a loss), and
``layer.losses`` / ``model.losses`` after eager calls, as Keras 3 does."""
from __future__ import annotations

import numpy as np
import pytest

import keras_api as keras
import symnet as sn


def bce_logits(t, z, w):
    per = np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z))), axis=-1)
    return np.sum(per * w.reshape(-1)) / len(per)


class LogisticEndpoint(keras.layers.Layer):
    """The Keras guide's endpoint layer: the loss needs the targets, so the layer computes it."""

    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    def call(self, targets, logits, sample_weights=None):
        self.add_loss(self.loss_fn(targets, logits, sample_weights))
        return keras.activations.softmax(logits)


def _endpoint_model():
    inputs = keras.Input(shape=(3,), name="inputs")
    targets = keras.Input(shape=(10,), name="targets")
    sample_weights = keras.Input(shape=(1,), name="sample_weights")
    dense = keras.layers.Dense(10, kernel_initializer="ones", kernel_regularizer=keras.regularizers.l2(0.1))
    preds = LogisticEndpoint(name="predictions")(targets, dense(inputs), sample_weights)
    return keras.Model(inputs=[inputs, targets, sample_weights], outputs=preds), dense


def test_endpoint_layer_fit_without_loss(fresh_session):
    model, dense = _endpoint_model()
    model.compile(optimizer="sgd")
    rng = np.random.default_rng(0)
    data = {"inputs": rng.random((3, 3)).astype("float32"), "targets": rng.random((3, 10)).astype("float32"),
            "sample_weights": rng.random((3, 1)).astype("float32")}
    z = data["inputs"] @ np.ones((3, 10)) + dense.bias.numpy()
    want = bce_logits(data["targets"], z, data["sample_weights"]) + 0.1 * 30
    h = model.fit(data, epochs=2, verbose=0, shuffle=False)
    np.testing.assert_allclose(h.history["loss"][0], want, rtol=1e-5)
    assert h.history["loss"][1] < h.history["loss"][0]


def test_losses_after_eager_call(fresh_session):
    model, dense = _endpoint_model()
    rng = np.random.default_rng(1)
    data = {"inputs": rng.random((4, 3)).astype("float32"), "targets": rng.random((4, 10)).astype("float32"),
            "sample_weights": np.ones((4, 1), "float32")}
    reg = 0.1 * np.sum(dense.kernel.numpy() ** 2)
    np.testing.assert_allclose([float(v) for v in model.losses], [reg], rtol=1e-6)   # before any call
    model(data)
    z = data["inputs"] @ dense.kernel.numpy() + dense.bias.numpy()
    added = bce_logits(data["targets"], z, data["sample_weights"])
    np.testing.assert_allclose([float(v) for v in model.losses], [added, reg], rtol=1e-5)
    np.testing.assert_allclose([float(v) for v in model.layers[-1].losses], [added], rtol=1e-5)
    model(data)                                   # a second call replaces, not appends
    assert len(model.losses) == 2


def test_subclassed_model_add_loss(fresh_session):
    class AutoEncoder(keras.Model):
        def __init__(self):
            super().__init__()
            self.enc = keras.layers.Dense(2)
            self.dec = keras.layers.Dense(4)

        def call(self, x):
            code = self.enc(x)
            rec = self.dec(code)
            self.add_loss(keras.losses.mean_squared_error(x, rec))    # per-sample values: summed, as Keras
            return rec

    model = AutoEncoder()
    model.compile(optimizer=keras.optimizers.Adam(0.05))
    x = np.random.default_rng(2).standard_normal((64, 4)).astype("float32")
    h = model.fit(x, epochs=20, batch_size=64, verbose=0)
    assert h.history["loss"][-1] < 0.7 * h.history["loss"][0]
    rec = model(x)
    np.testing.assert_allclose(float(model.losses[0].sum()), np.sum(np.mean((x - rec) ** 2, -1)), rtol=1e-4)


def test_add_loss_combines_with_compiled_loss(fresh_session):
    class Penalty(keras.layers.Layer):
        def call(self, x):
            self.add_loss(0.5 * sn.sum(x * x))
            return x

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, kernel_initializer="ones"), Penalty()])
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((2, 3), "float32")
    y = np.zeros((2, 2), "float32")
    out = x @ np.ones((3, 2))
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), np.mean(out ** 2) + 0.5 * np.sum(out ** 2),
                               rtol=1e-5)


def test_add_loss_errors():
    layer = keras.layers.Dense(2)
    with pytest.raises(ValueError, match="can only be called from inside"):
        layer.add_loss(1.0)
    layer.add_loss(np.float32(2.0))                  # a concrete value outside call is kept, as in Keras
    assert [float(v) for v in layer.losses] == [2.0]


def test_compile_without_any_loss_errors(fresh_session):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="No loss to compute"):
        model.fit(np.ones((2, 3), "float32"), np.ones((2, 1), "float32"), verbose=0)
