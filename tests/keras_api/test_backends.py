"""keras_api on the default (compiled) backend, checked against the NumPy reference backend: the same
model, weights and data give the same History, weights and predictions; kernels are listed and
attributed to layers; Dropout draws inside the compiled step."""
import numpy as np
import pytest

import symnet as sn
import keras_api as keras
from keras_api import layers
from codegen import backends

DEFAULT = backends.resolve_mode(sn.config.mode, sn.config.device)


def train(mode, build, compile_kw, x, y, weights=None, **fit_kw):
    with sn.config.change_flags(mode=mode):
        keras.clear_session()
        m = build()
        if weights is not None:
            m.set_weights(weights)
        m.compile(**compile_kw)
        h = m.fit(x, y, verbose=0, shuffle=False, **fit_kw)
        return m, h


@pytest.mark.skipif(DEFAULT == "reference", reason="the default backend is the reference backend")
def test_default_backend_matches_reference():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 10)).astype("float32")
    y = rng.integers(0, 4, 96)

    def build():
        return keras.Sequential([keras.Input((10,)), layers.Dense(16, activation="relu"),
                                 layers.Dense(16, activation="tanh", kernel_regularizer=keras.regularizers.l2(1e-3)),
                                 layers.Dense(4, activation="softmax")])

    kw = dict(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    ref, h_ref = train("reference", build, kw, x, y, batch_size=32, epochs=3, validation_split=0.25)
    w0 = [np.asarray(w) for w in ref.get_weights()]
    ref, h_ref = train("reference", build, kw, x, y, weights=w0, batch_size=32, epochs=3, validation_split=0.25)
    dflt, h = train(DEFAULT, build, kw, x, y, weights=w0, batch_size=32, epochs=3, validation_split=0.25)
    assert dflt._fns["train"][1][0].mode == DEFAULT
    assert list(h.history) == list(h_ref.history)
    for k in h.history:
        np.testing.assert_allclose(h.history[k], h_ref.history[k], rtol=2e-4, atol=1e-6, err_msg=k)
    for a, b in zip(dflt.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)
    with sn.config.change_flags(mode=DEFAULT):
        p = dflt.predict(x, verbose=0)
    np.testing.assert_allclose(p, ref.predict(x, verbose=0), rtol=1e-4, atol=1e-6)
    kernels = dflt.compiled_kernels("predict")
    assert kernels and all(isinstance(k.source, str) and k.source for k in kernels)
    assert any("dense_2" in k.layers for k in kernels)       # the output softmax belongs to dense_2
    train_kernels = dflt.compiled_kernels("train")
    assert {"dense", "dense_1", "dense_2"} <= {name for k in train_kernels for name in k.layers}
    assert any(s.startswith("gradients/dense") for k in train_kernels for s in k.scopes)   # backward GEMMs


@pytest.mark.skipif(DEFAULT == "reference", reason="the default backend is the reference backend")
def test_multi_output_and_dropout_on_default_backend():
    rng = np.random.default_rng(1)
    xa = rng.normal(size=(40, 3)).astype("float32")
    xb = rng.normal(size=(40, 2)).astype("float32")
    y1 = rng.normal(size=(40, 1)).astype("float32")
    y2 = rng.integers(0, 2, 40).astype("float32")

    def build():
        a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
        h = layers.Dropout(0.5, seed=3)(layers.Concatenate()([layers.Dense(4)(a), b]))
        return keras.Model([a, b], [layers.Dense(1, name="reg")(h), layers.Dense(1, activation="sigmoid", name="bin")(h)])

    kw = dict(optimizer="rmsprop", loss=["mse", "binary_crossentropy"], loss_weights=[1.0, 0.3],
              metrics=[[], ["accuracy"]])
    with sn.config.change_flags(mode=DEFAULT):
        keras.clear_session()
        m = build()
        m.compile(**kw)
        h = m.fit([xa, xb], [y1, y2], epochs=2, batch_size=16, verbose=0)
        assert sorted(h.history) == ["bin_accuracy", "bin_loss", "loss", "reg_loss"]
        assert np.isfinite(h.history["loss"]).all()
        d = m.evaluate([xa, xb], [y1, y2], verbose=0, return_dict=True)
        assert d["loss"] == pytest.approx(d["reg_loss"] + 0.3 * d["bin_loss"], rel=1e-4)
        p1 = m.predict([xa, xb], verbose=0)[0]
        p2 = m.predict([xa, xb], verbose=0)[0]
        np.testing.assert_array_equal(p1, p2)           # no dropout at inference
        drop = m.get_layer(index=4) if isinstance(m.layers[4], layers.Dropout) else \
            next(l for l in m.layers if isinstance(l, layers.Dropout))
        x = np.ones((200, 7), "float32")
        t1, t2 = np.asarray(drop(x, training=True)), np.asarray(drop(x, training=True))
        assert 0.4 < (t1 != 0).mean() < 0.6 and not np.array_equal(t1, t2)
