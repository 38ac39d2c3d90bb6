"""compile/fit/evaluate/predict and the *_on_batch methods: return values, numbers against NumPy, one
compiled function per role, data forms, weights, errors."""
import warnings

import numpy as np
import pytest

import symnet as sn
import keras_api as keras
from keras_api import layers


pytestmark = pytest.mark.usefixtures("reference_backend", "fresh_session")


def linear_model(w0, b0, optimizer=None):
    m = keras.Sequential([keras.Input((w0.shape[0],)), layers.Dense(1)])
    m.set_weights([w0, b0])
    m.compile(optimizer=optimizer or keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    return m


def test_fit_matches_numpy_sgd():
    """Linear regression with MSE and plain SGD, no shuffling: weights and the epoch loss (Keras's loss tracker
    = mean of the batch losses weighted by batch size, before each update) from NumPy."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 3)).astype("float32")
    y = rng.normal(size=(10, 1)).astype("float32")
    w0 = rng.normal(size=(3, 1)).astype("float32")
    b0 = np.array([0.5], "float32")
    m = linear_model(w0, b0)
    h = m.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    w, b = w0.astype(np.float64), b0.astype(np.float64)
    total, count = 0.0, 0
    for i in range(0, 10, 4):
        xb, yb = x[i:i + 4], y[i:i + 4]
        err = xb @ w + b - yb
        total += np.mean(err ** 2) * len(xb)
        count += len(xb)
        gw = 2 * xb.T @ err / err.size
        gb = 2 * err.sum(0) / err.size
        w, b = w - 0.1 * gw, b - 0.1 * gb
    np.testing.assert_allclose(m.get_weights()[0], w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.get_weights()[1], b, rtol=1e-5, atol=1e-6)
    assert h.history["loss"][0] == pytest.approx(total / count, rel=1e-5)
    assert h.epoch == [0]


def test_return_values_and_history():
    x = np.random.rand(50, 4).astype("float32")
    y = np.random.randint(0, 3, 50)
    m = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = m.fit(x, y, epochs=3, batch_size=16, verbose=0, validation_data=(x[:10], y[:10]))
    assert isinstance(h, keras.callbacks.History) and m.history is h
    assert list(h.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert h.epoch == [0, 1, 2] and all(len(v) == 3 for v in h.history.values())
    assert all(isinstance(v, float) for v in h.history["loss"])
    res = m.evaluate(x, y, verbose=0)
    assert isinstance(res, list) and len(res) == 2 and 0 <= res[1] <= 1
    d = m.evaluate(x, y, verbose=0, return_dict=True)
    assert d == {"accuracy": pytest.approx(res[1]), "loss": pytest.approx(res[0])}
    p = m.predict(x, batch_size=7, verbose=0)
    assert p.shape == (50, 3) and np.allclose(p.sum(1), 1, atol=1e-5)
    np.testing.assert_allclose(m.predict_on_batch(x), p, rtol=1e-5)
    r = m.train_on_batch(x[:8], y[:8])
    assert isinstance(r, list) and len(r) == 2
    assert set(m.train_on_batch(x[:8], y[:8], return_dict=True)) == {"loss", "accuracy"}
    t = m.test_on_batch(x[:8], y[:8])
    assert t[0] == pytest.approx(m.evaluate(x[:8], y[:8], verbose=0)[0], rel=1e-5)
    m2 = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
    m2.compile(loss="mse")
    assert isinstance(m2.evaluate(x, x[:, :1], verbose=0), float)        # a single value is a scalar


def test_one_compile_per_role(monkeypatch):
    calls = []
    real = sn.function

    def counting(*a, **k):
        calls.append(k.get("name"))
        return real(*a, **k)

    monkeypatch.setattr(sn, "function", counting)
    x = np.random.rand(103, 5).astype("float32")           # 103 = 3 full batches of 32 + a partial one
    y = np.random.rand(103, 2).astype("float32")
    m = keras.Sequential([keras.Input((5,)), layers.Dense(4, activation="relu"), layers.Dropout(0.1), layers.Dense(2)])
    m.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    m.fit(x, y, epochs=3, verbose=0, validation_split=0.2)
    m.evaluate(x, y, verbose=0)
    m.predict(x, verbose=0)
    m.predict(x[:5], verbose=0)
    m.train_on_batch(x[:3], y[:3])
    assert calls == ["train_step", "test_step", "predict_step"]


def test_validation_split_uses_last_samples():
    x = np.random.rand(40, 3).astype("float32")
    y = np.random.rand(40, 1).astype("float32")
    m = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    h = m.fit(x, y, epochs=1, batch_size=8, validation_split=0.25, verbose=0)
    assert h.history["val_loss"][0] == pytest.approx(m.evaluate(x[30:], y[30:], verbose=0), rel=1e-5)


def test_class_weight_equals_sample_weight():
    x = np.random.rand(30, 3).astype("float32")
    y = np.random.randint(0, 2, 30)
    runs = []
    for kw in ({"class_weight": {0: 1.0, 1: 3.0}}, {"sample_weight": np.where(y == 1, 3.0, 1.0)}):
        keras.clear_session()
        m = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="softmax", kernel_initializer="ones")])
        m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        h = m.fit(x, y, epochs=2, batch_size=10, shuffle=False, verbose=0, **kw)
        runs.append((h.history["loss"], m.get_weights()))
    assert runs[0][0] == pytest.approx(runs[1][0])
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    with pytest.raises(ValueError, match="class_weight"):
        m.fit(x, y, class_weight={0: 1.0}, sample_weight=np.ones(30), verbose=0)


def test_sample_weight_zero_ignores_samples_in_gradient():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(8, 2)).astype("float32")
    y = rng.normal(size=(8, 1)).astype("float32")
    w0, b0 = np.ones((2, 1), "float32"), np.zeros(1, "float32")
    m = linear_model(w0, b0)
    sw = np.array([1, 1, 1, 1, 0, 0, 0, 0], "float32")
    m.fit(x, y, sample_weight=sw, batch_size=8, epochs=1, shuffle=False, verbose=0)
    err = (x @ w0 + b0 - y) * sw[:, None]
    gw = 2 * x.T @ err / 8          # 'sum_over_batch_size' divides by the batch size, not the weight sum
    np.testing.assert_allclose(m.get_weights()[0], w0 - 0.1 * gw, rtol=1e-5)


def test_dict_and_list_inputs_multi_output():
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b")
    h = layers.Concatenate()([a, b])
    out1 = layers.Dense(1, name="reg")(h)
    out2 = layers.Dense(2, activation="softmax", name="cls")(h)
    m = keras.Model([a, b], [out1, out2])
    m.compile(optimizer="adam", loss=["mse", "sparse_categorical_crossentropy"], loss_weights=[1.0, 0.5],
              metrics=[["mae"], ["accuracy"]])
    xa, xb = np.random.rand(20, 3).astype("float32"), np.random.rand(20, 2).astype("float32")
    y1, y2 = np.random.rand(20, 1).astype("float32"), np.random.randint(0, 2, 20)
    h = m.fit({"a": xa, "b": xb}, {"reg": y1, "cls": y2}, epochs=1, verbose=0)
    assert sorted(h.history) == ["cls_accuracy", "cls_loss", "loss", "reg_loss", "reg_mae"]
    d = m.evaluate([xa, xb], [y1, y2], verbose=0, return_dict=True)
    assert d["loss"] == pytest.approx(d["reg_loss"] + 0.5 * d["cls_loss"], rel=1e-5)
    lst = m.evaluate([xa, xb], [y1, y2], verbose=0)
    assert lst[:3] == pytest.approx([d["loss"], d["reg_loss"], d["cls_loss"]])
    p1, p2 = m.predict({"a": xa, "b": xb}, verbose=0)
    assert p1.shape == (20, 1) and p2.shape == (20, 2)
    with pytest.raises(ValueError, match="Missing data"):
        m.predict({"a": xa}, verbose=0)


def test_regularization_is_in_the_loss():
    m = keras.Sequential([keras.Input((4,)), layers.Dense(1, use_bias=False, kernel_initializer="ones",
                                                          kernel_regularizer=keras.regularizers.l2(0.1))])
    m.compile(optimizer="sgd", loss="mse")
    loss = m.evaluate(np.zeros((5, 4), "float32"), np.zeros((5, 1), "float32"), verbose=0)
    assert loss == pytest.approx(0.1 * 4)


def test_activity_regularizer_adds_loss():
    m = keras.Sequential([keras.Input((2,)), layers.Dense(1, use_bias=False, kernel_initializer="ones",
                                                          activity_regularizer=keras.regularizers.l1(0.5))])
    m.compile(optimizer="sgd", loss="mse")
    x = np.ones((4, 2), "float32")
    loss = m.evaluate(x, np.full((4, 1), 2.0, "float32"), verbose=0)
    assert loss == pytest.approx(0.5 * 4 * 2.0)       # mse 0 + l1 of the (4, 1) activations of value 2


def test_trainable_false_respected_before_and_after_compile():
    x = np.random.rand(16, 3).astype("float32")
    y = np.random.rand(16, 1).astype("float32")
    m = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.Dense(1)])
    m.layers[0].trainable = False
    m.compile(optimizer="sgd", loss="mse")
    frozen = m.layers[0].get_weights()
    m.fit(x, y, verbose=0, epochs=2)
    for a, b in zip(frozen, m.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)
    second = m.layers[1].get_weights()
    m.layers[1].trainable = False          # after compile: the next fit rebuilds its step
    m.fit(x, y, verbose=0)
    for a, b in zip(second, m.layers[1].get_weights()):
        np.testing.assert_array_equal(a, b)


def test_errors():
    m = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="compile"):
        m.fit(np.zeros((4, 3)), np.zeros((4, 1)), verbose=0)
    m.compile(loss="mse")
    with pytest.raises(ValueError, match=r"(?s)cardinality.*'x' sizes: 4.*'y' sizes: 5"):
        m.fit(np.zeros((4, 3)), np.zeros((5, 1)), verbose=0)
    with pytest.raises(ValueError, match="nope"):
        m.compile(loss="nope")
    with pytest.raises(ValueError, match="nope"):
        m.compile(optimizer="nope", loss="mse")


def test_nan_in_data_does_not_crash():
    x = np.random.rand(8, 3).astype("float32")
    x[0, 0] = np.nan
    m = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    h = m.fit(x, np.zeros((8, 1), "float32"), epochs=2, batch_size=4, verbose=0)
    assert np.isnan(h.history["loss"]).all()


def test_nb_epoch_and_steps_per_epoch():
    x = np.random.rand(20, 3).astype("float32")
    y = np.random.rand(20, 1).astype("float32")
    m = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    with pytest.warns(DeprecationWarning, match="nb_epoch"):
        h = m.fit(x, y, nb_epoch=2, verbose=0)
    assert h.epoch == [0, 1]
    steps = []
    cb = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: steps.append(b))
    m.fit(x, y, batch_size=8, epochs=2, steps_per_epoch=5, verbose=0, callbacks=[cb])
    assert steps == [0, 1, 2, 3, 4] * 2
    h = m.fit(x, y, epochs=4, initial_epoch=2, verbose=0)
    assert h.epoch == [2, 3]


def test_save_and_load_weights(tmp_path):
    import h5py
    m = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.Dense(2)])
    path = str(tmp_path / "m.weights.h5")
    m.save_weights(path)
    with h5py.File(path) as f:
        assert sorted(f["layers"]) == ["dense", "dense_1"]
        assert f["layers/dense/vars"].attrs["name"] == "dense"     # Keras 3.15 puts the name on the vars group
        np.testing.assert_array_equal(f["layers/dense/vars/0"][()], m.layers[0].kernel.numpy())
    keras.clear_session()
    m2 = keras.Sequential([keras.Input((3,)), layers.Dense(4, name="a"), layers.Dense(2, name="b")])
    m2.load_weights(path)
    for a, b in zip(m.get_weights(), m2.get_weights()):
        np.testing.assert_array_equal(a, b)
    m.save(str(tmp_path / "m.keras"))        # whole-model saving: tests/keras_api/test_saving*.py
    np.testing.assert_array_equal(keras.models.load_model(str(tmp_path / "m.keras")).get_weights()[0],
                                  m.get_weights()[0])


def test_compiled_kernels_listing():
    m = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="tanh"), layers.Dense(2, activation="softmax")])
    m.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="not been compiled"):
        m.compiled_kernels("train")
    m.fit(np.zeros((4, 3)), np.zeros((4, 2)), verbose=0)
    m.predict(np.zeros((4, 3)), verbose=0)
    for role in ("train", "predict"):
        kernels = m.compiled_kernels(role)
        fn = m._fns[role][1][0]
        assert len(kernels) == len(fn.kernels)
        for k in kernels:
            assert isinstance(k.name, str) and isinstance(k.source, str)
            assert set(k.layers) <= {"dense", "dense_1"}
    if fn.mode == "reference":
        assert kernels == []          # the NumPy interpreter compiles nothing
    else:
        # the softmax of the predict step is dense_1's op
        assert any("dense_1" in k.layers for k in m.compiled_kernels("predict"))
    with pytest.raises(ValueError):
        m.compiled_kernels("nope")


class Counter(keras.layers.Layer):
    """A layer with non-trainable state updated by the train step (as BatchNormalization's moving stats)."""

    def build(self, input_shape):
        self.seen = self.add_weight(shape=(), initializer="zeros", trainable=False, name="seen")

    def call(self, inputs, training=None):
        if training:
            self.add_state_update(self.seen, self.seen.value + sn.cast(inputs.shape[0], "float32"))
        return inputs


def test_layer_state_updates_run_in_the_train_step_only():
    m = keras.Sequential([keras.Input((2,)), Counter(), layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    m.fit(np.zeros((10, 2)), np.zeros((10, 1)), batch_size=4, epochs=2, verbose=0)
    m.evaluate(np.zeros((10, 2)), np.zeros((10, 1)), verbose=0)
    m.predict(np.zeros((3, 2)), verbose=0)
    assert float(m.layers[0].seen.numpy()) == 20.0


def test_weighted_metrics_use_sample_weight_and_metrics_do_not():
    x = np.random.rand(20, 3).astype("float32")
    y = np.random.randint(0, 2, 20)
    m = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
              weighted_metrics=[keras.metrics.SparseCategoricalAccuracy(name="w_acc")])
    sw = np.r_[np.ones(10), np.zeros(10)].astype("float32")
    d = m.evaluate(x, y, sample_weight=sw, verbose=0, return_dict=True)
    pred = m.predict(x, verbose=0).argmax(1)
    assert d["accuracy"] == pytest.approx(np.mean(pred == y))
    assert d["w_acc"] == pytest.approx(np.mean(pred[:10] == y[:10]))


def test_unsupported_data_objects_are_refused_clearly():
    """Generators and PyDataset are accepted (tests/keras_api/test_data_sources.py); other iterables are not."""
    class DatasetLike:
        def __iter__(self):
            return iter([])

    m = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    m.compile(loss="mse")
    with pytest.raises(NotImplementedError, match="PyDataset"):
        m.fit(DatasetLike(), np.zeros((2, 1)), verbose=0)
    m.fit(((np.zeros((2, 3)), np.zeros((2, 1))) for _ in range(3)), verbose=0)
