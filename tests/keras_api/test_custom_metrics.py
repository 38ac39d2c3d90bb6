"""Keras 3 custom Metric subclasses (the pattern of Keras's docs) through compile/fit/evaluate and
eagerly. Expected numbers were measured with real Keras 3.15.1 (JAX backend) on the same data."""
import numpy as np
import pytest

import keras_api as keras


class BinaryTruePositives(keras.metrics.Metric):
    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), initializer="zeros", name="true_positives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = keras.ops.greater(y_pred, 0.5)
        y_true = keras.ops.cast(y_true, "bool")
        values = keras.ops.logical_and(keras.ops.equal(y_true, True), keras.ops.equal(y_pred, True))
        values = keras.ops.cast(values, self.dtype)
        if sample_weight is not None:
            sample_weight = keras.ops.cast(sample_weight, self.dtype)
            values = keras.ops.multiply(values, sample_weight)
        self.true_positives.assign_add(keras.ops.sum(values))

    def result(self):
        return self.true_positives

    def reset_state(self):
        self.true_positives.assign(0)


class MeanAbsWithCount(keras.metrics.Metric):
    """Two variables via the older add_weight spelling; a dict result."""

    def __init__(self, name="my_mean", **kwargs):
        super().__init__(name=name, **kwargs)
        self.total = self.add_weight(name="total", initializer="zeros")
        self.count = self.add_weight(name="count", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        err = keras.ops.mean(keras.ops.abs(keras.ops.cast(y_true, self.dtype) - y_pred), axis=-1)
        self.total.assign_add(keras.ops.sum(err))
        self.count.assign_add(keras.ops.cast(keras.ops.shape(err)[0], self.dtype))

    def result(self):
        return {"my_mean": self.total / self.count, "my_count": self.count}

    def reset_state(self):
        self.total.assign(0.0)
        self.count.assign(0.0)


class ScalarMean(keras.metrics.Metric):
    """Tensor result; assign_sub; no reset_state override (the default zeroes the variables)."""

    def __init__(self, name="neg_mean", **kwargs):
        super().__init__(name=name, **kwargs)
        self.neg_total = self.add_variable(shape=(), initializer="zeros", name="neg_total")
        self.n = self.add_variable(shape=(), initializer="zeros", name="n")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.neg_total.assign_sub(keras.ops.sum(y_pred))
        self.n.assign_add(keras.ops.cast(keras.ops.shape(y_pred)[0], self.dtype))

    def result(self):
        return -self.neg_total / self.n


def _data():
    rng = np.random.RandomState(0)
    x = rng.rand(37, 3).astype("float32")
    y = (x.sum(1, keepdims=True) > 1.5).astype("float32")
    return x, y


def _model():
    inp = keras.Input((3,))
    out = keras.layers.Dense(1, activation="sigmoid", kernel_initializer="ones", bias_initializer="zeros")(inp)
    return keras.Model(inp, out)


def test_eager_update_result_reset_and_config():
    m = BinaryTruePositives()
    assert m.update_state([0, 1, 1, 1], [0.2, 0.8, 0.9, 0.3]) is None
    assert float(m.result()) == 2.0
    m.update_state(np.array([1, 1.]), np.array([0.9, 0.9]), sample_weight=np.array([0.5, 2.0]))
    assert float(m.result()) == 4.5                 # Keras 3: 4.5
    assert m.get_config() == {"name": "binary_true_positives", "dtype": "float32"}
    m.reset_state()
    assert float(m.result()) == 0.0
    m.update_state([1], [0.7])
    m.reset_states()                                  # the Keras 2 alias
    assert float(np.asarray(m.result())) == 0.0
    clone = BinaryTruePositives.from_config(m.get_config())
    assert clone.name == "binary_true_positives" and float(clone.result()) == 0.0
    assert [v.name for v in m.variables] == ["binary_true_positives/true_positives"]


def test_eager_call_dict_result_and_default_reset():
    m = MeanAbsWithCount()
    out = m(np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.5, 0.5], [1.0, 1.0]], dtype="float32"))
    assert set(out) == {"my_mean", "my_count"}
    np.testing.assert_allclose(float(out["my_mean"]), 0.75, rtol=1e-6)
    assert float(out["my_count"]) == 2.0
    s = ScalarMean()
    s.update_state(None, np.array([1.0, 2.0, 6.0], dtype="float32"))
    np.testing.assert_allclose(float(s.result()), 3.0, rtol=1e-6)
    s.reset_state()
    s.update_state(None, np.array([4.0], dtype="float32"))
    np.testing.assert_allclose(float(s.result()), 4.0, rtol=1e-6)


def test_fit_evaluate_match_keras(reference_backend, fresh_session):
    x, y = _data()
    model = _model()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy",
                  metrics=[BinaryTruePositives(), MeanAbsWithCount()])
    h = model.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False)
    # real Keras 3.15.1: per-epoch values (the metrics are reset between epochs)
    assert h.history["binary_true_positives"] == [17.0, 17.0, 17.0]
    assert h.history["my_count"] == [37.0, 37.0, 37.0]
    np.testing.assert_allclose(h.history["loss"], [0.79302, 0.73129, 0.6845], atol=2e-5)
    np.testing.assert_allclose(h.history["my_mean"], [0.46191, 0.4542, 0.44784], atol=2e-5)
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    assert logs["binary_true_positives"] == 17.0 and logs["my_count"] == 37.0
    np.testing.assert_allclose(logs["loss"], 0.65774, atol=2e-5)
    np.testing.assert_allclose(logs["my_mean"], 0.44427, atol=2e-5)
    # after fit the metric object is usable eagerly again, holding the last evaluate's state
    tp = model.metrics[1]
    assert tp.name == "binary_true_positives" and float(tp.result()) == 17.0


def test_progress_bar_shows_custom_metric(reference_backend, fresh_session, capsys):
    x, y = _data()
    model = _model()
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=[ScalarMean()])
    model.fit(x, y, batch_size=16, epochs=1, verbose=1)
    assert "neg_mean:" in capsys.readouterr().out


def test_weighted_metrics_get_sample_weight(reference_backend, fresh_session):
    x, y = _data()
    model = _model()
    model.compile(optimizer="sgd", loss="binary_crossentropy", weighted_metrics=[BinaryTruePositives()])
    sw = np.full(len(x), 0.5, dtype="float32")
    logs = model.evaluate(x, y, sample_weight=sw, batch_size=8, verbose=0, return_dict=True)
    # Keras 3.15.1 gives 63.5 too: the docs' example multiplies (batch, 1) values by (batch,) weights,
    # which broadcasts to (batch, batch) before the sum
    assert logs["binary_true_positives"] == 63.5
    np.testing.assert_allclose(logs["loss"], 0.4081074, atol=2e-6)


def test_add_weight_positional_name_and_bad_kwarg():
    class Legacy(keras.metrics.Metric):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.acc = self.add_weight("acc", initializer="ones")
    m = Legacy()
    assert m.name == "legacy" or m.name.startswith("legacy")
    assert float(m.acc) == 1.0
    with pytest.raises(TypeError, match="add_weight"):
        m.add_weight(name="x", bogus=1)


@pytest.mark.parametrize("epochs,initial_epoch", [(0, 0), (2, 2), (1, 3)])
def test_fit_without_epochs_returns_empty_history(reference_backend, fresh_session, epochs, initial_epoch):
    """Keras 3.15.1: fit(epochs=0) and fit(initial_epoch=epochs) return a History with history == {}."""
    x, y = _data()
    model = _model()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    h = model.fit(x, y, epochs=epochs, initial_epoch=initial_epoch, verbose=0)
    assert isinstance(h, keras.callbacks.History)
    assert h.history == {} and h.epoch == [] and model.history is h


def test_fit_generator_without_epochs_returns_empty_history(reference_backend, fresh_session):
    x, y = _data()
    model = _model()
    model.compile(optimizer="sgd", loss="mse")

    def gen():
        while True:
            yield x[:8], y[:8]
    h = model.fit(gen(), steps_per_epoch=2, epochs=0, verbose=0)
    assert isinstance(h, keras.callbacks.History) and h.history == {}


def test_builtin_metric_eager_use_matches_keras():
    m = keras.metrics.Mean()
    m.update_state([1.0, 2.0, 3.0])
    assert float(m.result()) == 2.0 and m.result().numpy() == 2.0
    m.update_state([4.0], sample_weight=[3.0])
    assert float(m.result()) == 3.0                  # Keras 3.15.1: 3.0


class MeanOfPredictions(keras.metrics.Metric):
    """A custom metric delegating to a built-in one inside update_state."""

    def __init__(self, name="mean_pred", **kwargs):
        super().__init__(name=name, **kwargs)
        self.inner = keras.metrics.Mean(name="inner")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.inner.update_state(y_pred)

    def result(self):
        return self.inner.result()

    def reset_state(self):
        self.inner.reset_state()


def test_nested_builtin_metric_updates_are_collected(reference_backend, fresh_session):
    x, y = _data()
    model = _model()
    model.compile(optimizer="sgd", loss="mse", metrics=[MeanOfPredictions()])
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["mean_pred"], model.predict(x, verbose=0).mean(), rtol=1e-5)


def test_add_weight_keras3_positional_shape_and_initializer():
    class TwoByTwo(keras.metrics.Metric):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.grid = self.add_weight((2, 2), "ones", name="grid")
            self.z = self.add_weight(shape=(3,), initializer="zeros", name="z")
    m = TwoByTwo(name="grid_metric")
    np.testing.assert_array_equal(np.asarray(m.grid), np.ones((2, 2)))
    np.testing.assert_array_equal(m.z.numpy(), np.zeros(3))
    assert [v.name for v in m.variables] == ["grid_metric/grid", "grid_metric/z"]
