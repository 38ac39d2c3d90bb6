"""Model building: Sequential / functional / nested / custom layers, names, weights order, summary
text (compared with Keras 3.15's output), errors and deprecation warnings."""
import math
import warnings

import numpy as np
import pytest

import keras_api as keras
from keras_api import layers


pytestmark = pytest.mark.usefixtures("reference_backend", "fresh_session")


def mlp(builder="list"):
    if builder == "list":
        return keras.Sequential([keras.Input((784,)), layers.Dense(64, activation="relu"), layers.Dropout(0.2),
                                 layers.Dense(10, activation="softmax")])
    m = keras.Sequential()
    m.add(keras.Input((784,)))
    m.add(layers.Dense(64, activation="relu"))
    m.add(layers.Dropout(0.2))
    m.add(layers.Dense(10, activation="softmax"))
    return m


# Captured from Keras 3.15.1 (JAX backend, stdout not a terminal -> 76 columns) for the same model.
KERAS_SUMMARY = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 64)             │        50,240 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dropout (Dropout)               │ (None, 64)             │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 10)             │           650 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 50,890 (198.79 KB)
 Trainable params: 50,890 (198.79 KB)
 Non-trainable params: 0 (0.00 B)
"""

KERAS_FUNCTIONAL_SUMMARY = """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ a (InputLayer)      │ (None, 8)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense (Dense)       │ (None, 3)         │         27 │ a[0][0]           │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ b (InputLayer)      │ (None, 4)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate         │ (None, 7)         │          0 │ dense[0][0],      │
│ (Concatenate)       │                   │            │ b[0][0]           │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ out1 (Dense)        │ (None, 1)         │          8 │ concatenate[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ out2 (Dense)        │ (None, 2)         │         16 │ concatenate[0][0] │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 51 (204.00 B)
 Trainable params: 51 (204.00 B)
 Non-trainable params: 0 (0.00 B)
"""


KERAS_NESTED_TRAINABLE_SUMMARY = """\
Model: "outer"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ inner (Sequential)          │ (None, 3)             │         15 │   Y   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│    └ d1 (Dense)             │ (None, 3)             │         15 │   Y   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ dropout (Dropout)           │ (None, 3)             │          0 │   -   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ d2 (Dense)                  │ (None, 2)             │          8 │   N   │
└─────────────────────────────┴───────────────────────┴────────────┴───────┘
 Total params: 23 (92.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 8 (32.00 B)
"""

KERAS_SHARED_LONG_NAMES_SUMMARY = """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ a_very_long_input_… │ (None, 4)         │          0 │ -                 │
│ (InputLayer)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ b (InputLayer)      │ (None, 4)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ shared_dense_layer… │ (None, 3)         │         15 │ a_very_long_inpu… │
│ (Dense)             │                   │            │ b[0][0]           │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ add (Add)           │ (None, 3)         │          0 │ shared_dense_lay… │
│                     │                   │            │ shared_dense_lay… │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ out (Dense)         │ (None, 2)         │          8 │ add[0][0]         │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 23 (92.00 B)
 Trainable params: 23 (92.00 B)
 Non-trainable params: 0 (0.00 B)
"""


def test_summary_nested_trainable_and_long_names_match_keras(monkeypatch):
    inner = keras.Sequential([keras.Input((4,)), layers.Dense(3, name="d1")], name="inner")
    m = keras.Sequential([keras.Input((4,)), inner, layers.Dropout(0.1), layers.Dense(2, name="d2")], name="outer")
    m.layers[2].trainable = False
    assert captured_summary(m, monkeypatch, show_trainable=True, expand_nested=True) == KERAS_NESTED_TRAINABLE_SUMMARY
    keras.clear_session()
    a, b = keras.Input((4,), name="a_very_long_input_name_indeed"), keras.Input((4,), name="b")
    shared = layers.Dense(3, name="shared_dense_layer_with_long_name")
    x = layers.Add()([shared(a), shared(b)])
    m = keras.Model([a, b], [layers.Dense(2, name="out")(x), x])
    assert captured_summary(m, monkeypatch) == KERAS_SHARED_LONG_NAMES_SUMMARY


def two_io_model():
    a = keras.Input((8,), name="a")
    b = keras.Input((4,), name="b")
    x = layers.Concatenate()([layers.Dense(3)(a), b])
    return keras.Model([a, b], [layers.Dense(1, name="out1")(x), layers.Dense(2, name="out2")(x)])


def captured_summary(model, monkeypatch, **kw):
    monkeypatch.setenv("COLUMNS", "80")
    out = []
    model.summary(print_fn=out.append, **kw)
    return "".join(out)


def test_summary_matches_keras(monkeypatch):
    assert captured_summary(mlp(), monkeypatch) == KERAS_SUMMARY


def test_functional_summary_matches_keras(monkeypatch):
    assert captured_summary(two_io_model(), monkeypatch) == KERAS_FUNCTIONAL_SUMMARY


def test_summary_unbuilt_and_trainable_counts(monkeypatch):
    m = keras.Sequential([layers.Dense(4)])
    text = captured_summary(m, monkeypatch)
    assert "│ dense (Dense)                   │ ?                      │   0 (unbuilt) │" in text
    m = mlp()
    m.layers[0].trainable = False
    text = captured_summary(m, monkeypatch)
    assert " Trainable params: 650 (2.54 KB)" in text
    assert " Non-trainable params: 50,240 (196.25 KB)" in text


def test_list_constructor_and_add_build_the_same_model():
    m1 = mlp("list")
    keras.clear_session()
    m2 = mlp("add")
    assert [l.name for l in m1.layers] == [l.name for l in m2.layers] == ["dense", "dropout", "dense_1"]
    assert [w.shape for w in m1.weights] == [w.shape for w in m2.weights] == [(784, 64), (64,), (64, 10), (10,)]
    assert m1.count_params() == 50890
    assert m1.inputs[0].shape == (None, 784) and m1.outputs[0].shape == (None, 10)
    assert m1.get_layer("dense_1") is m1.layers[2] and m1.get_layer(index=0) is m1.layers[0]
    with pytest.raises(ValueError, match="No such layer: nope"):
        m1.get_layer("nope")
    popped = m2.pop()
    assert popped.name == "dense_1" and m2.outputs[0].shape == (None, 64)


def test_auto_names_follow_keras():
    names = [layers.Dense(2).name, layers.Dense(2).name, layers.Dropout(0.1).name, layers.Dense(2).name]
    assert names == ["dense", "dense_1", "dropout", "dense_2"]
    assert keras.Sequential().name == "sequential" and keras.Sequential().name == "sequential_1"
    assert keras.Input((3,)).name == "input_layer"


def test_input_shape_spellings():
    m = keras.Sequential([layers.Dense(5, input_shape=(3,)), layers.Dense(2)])
    assert m.built and m.inputs[0].shape == (None, 3)
    m = keras.Sequential([layers.Dense(5, batch_input_shape=(None, 7))])
    assert m.inputs[0].shape == (None, 7)
    with pytest.warns(DeprecationWarning, match="input_dim"):
        m = keras.Sequential([layers.Dense(5, input_dim=4)])
    assert m.inputs[0].shape == (None, 4)


def test_deferred_build_on_first_data():
    m = keras.Sequential([layers.Dense(4, activation="relu"), layers.Dense(2)])
    assert not m.built and m.weights == []
    out = m.predict(np.ones((3, 6), "float32"), verbose=0)
    assert out.shape == (3, 2) and m.built
    assert [w.shape for w in m.weights] == [(6, 4), (4,), (4, 2), (2,)]


def test_get_set_weights_order_and_errors():
    m = mlp()
    ws = m.get_weights()
    assert [w.shape for w in ws] == [(784, 64), (64,), (64, 10), (10,)]
    assert np.all(ws[1] == 0) and np.all(ws[3] == 0)                       # zeros biases
    limit = math.sqrt(6 / (784 + 64))
    assert np.abs(ws[0]).max() <= limit and ws[0].std() > limit / 3       # glorot_uniform
    new = [np.random.rand(*w.shape).astype("float32") for w in ws]
    m.set_weights(new)
    for a, b in zip(m.get_weights(), new):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="expecting 4 weights"):
        m.set_weights(new[:3])
    with pytest.raises(ValueError, match="not compatible"):
        m.set_weights([new[0].T] + new[1:])
    assert m.layers[0].kernel.shape == (784, 64) and m.layers[0].kernel.path == "dense/kernel"


def test_functional_multi_io_shared_and_nested():
    a = keras.Input((5,), name="left")
    b = keras.Input((5,), name="right")
    shared = layers.Dense(3, name="shared")
    merged = layers.Add()([shared(a), shared(b)])
    inner = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="inner_dense")], name="inner")
    out = inner(merged)
    model = keras.Model(inputs=[a, b], outputs=[out, merged])
    assert model.count_params() == 18 + 8
    assert [l.name for l in model.layers] == ["left", "right", "shared", "add", "inner"]
    assert model.output_names == ["inner", "add"]
    xa, xb = np.random.rand(4, 5).astype("float32"), np.random.rand(4, 5).astype("float32")
    o1, o2 = model.predict([xa, xb], verbose=0)
    w, bias = shared.get_weights()
    expect2 = xa @ w + bias + xb @ w + bias
    np.testing.assert_allclose(o2, expect2, rtol=1e-5, atol=1e-6)
    w2, b2 = inner.get_weights()
    np.testing.assert_allclose(o1, expect2 @ w2 + b2, rtol=1e-5, atol=1e-5)
    o1d, _ = model.predict({"left": xa, "right": xb}, verbose=0)
    np.testing.assert_allclose(o1d, o1)
    # a functional model nested in a Sequential
    outer = keras.Sequential([keras.Input((5,)), keras.Model(a, shared(a)), layers.Dense(1)])
    assert outer.count_params() == 18 + 4
    assert outer.predict(xa, verbose=0).shape == (4, 1)


def test_graph_disconnected_error():
    a = keras.Input((3,))
    b = keras.Input((3,))
    out = layers.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(a, out)


def test_legacy_model_keywords_warn():
    a = keras.Input((3,))
    with pytest.warns(DeprecationWarning):
        m = keras.Model(input=a, output=layers.Dense(2)(a))
    assert m.outputs[0].shape == (None, 2)


def test_wrong_feature_size_names_layer_and_shapes():
    d = layers.Dense(4, name="hidden")
    d(keras.Input((5,)))
    with pytest.raises(ValueError, match=r'layer "hidden".*value 5.*\(None, 6\)'):
        d(keras.Input((6,)))
    m = mlp()
    m.compile(loss="mse")
    with pytest.raises(ValueError, match=r'layer "dense".*\(None, 784\).*\(8, 100\)'):
        m.fit(np.zeros((8, 100), "float32"), np.zeros((8, 10), "float32"), verbose=0)
    with pytest.raises(ValueError, match=r'"dense".*\(None, 784\)'):
        m.predict(np.zeros((2, 100), "float32"), verbose=0)


class Linear(keras.layers.Layer):
    """A custom layer as the Keras guide writes it."""

    def __init__(self, units=8, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True,
                                 name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")
        self.total = self.add_weight(shape=(), initializer="zeros", trainable=False, name="total")

    def call(self, inputs, training=None):
        out = inputs @ self.w + self.b
        return out * 2.0 if training else out

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_custom_layer_subclass():
    layer = Linear(3)
    x = np.random.rand(2, 4).astype("float32")
    y = layer(x)
    assert layer.built and [w.name for w in layer.weights] == ["w", "b", "total"]
    assert len(layer.trainable_weights) == 2 and len(layer.non_trainable_weights) == 1
    np.testing.assert_allclose(y, x @ layer.w.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer(x, training=True), 2 * y, rtol=1e-5)
    assert y.numpy().shape == (2, 3)
    cfg = layer.get_config()
    assert cfg["units"] == 3 and cfg["name"] == layer.name
    clone = Linear.from_config(cfg)
    assert clone.units == 3
    # in a model, trained by fit
    m = keras.Sequential([keras.Input((4,)), Linear(3), layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    before = m.layers[0].w.numpy().copy()
    m.fit(np.random.rand(16, 4), np.random.rand(16, 1), verbose=0)
    assert not np.allclose(before, m.layers[0].w.numpy())


class TwoLayerModel(keras.Model):
    """A subclassed model."""

    def __init__(self):
        super().__init__()
        self.d1 = layers.Dense(8, activation="relu")
        self.d2 = layers.Dense(1)

    def call(self, inputs):
        return self.d2(self.d1(inputs))


def test_subclassed_model_trains():
    m = TwoLayerModel()
    m.compile(optimizer="adam", loss="mse")
    x = np.random.rand(32, 3).astype("float32")
    h = m.fit(x, x.sum(1, keepdims=True), epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2 and len(m.weights) == 4
    assert m.predict(x, verbose=0).shape == (32, 1)


def test_layers_eager_against_numpy():
    x = np.random.rand(2, 3, 4).astype("float32")
    np.testing.assert_array_equal(layers.Flatten()(x), x.reshape(2, 12))
    np.testing.assert_array_equal(layers.Reshape((4, 3))(x), x.reshape(2, 4, 3))
    np.testing.assert_array_equal(layers.Reshape((-1, 2))(x), x.reshape(2, 6, 2))
    np.testing.assert_array_equal(layers.Permute((2, 1))(x), x.transpose(0, 2, 1))
    v = x[:, 0, :]
    np.testing.assert_array_equal(layers.RepeatVector(3)(v), np.repeat(v[:, None, :], 3, axis=1))
    np.testing.assert_allclose(layers.Lambda(lambda t: t * 3 + 1)(v), v * 3 + 1, rtol=1e-6)
    np.testing.assert_allclose(layers.Activation("tanh")(v), np.tanh(v), rtol=1e-5)
    a, b, c = (np.random.rand(3, 4).astype("float32") for _ in range(3))
    np.testing.assert_allclose(layers.Add()([a, b, c]), a + b + c, rtol=1e-6)
    np.testing.assert_allclose(layers.Subtract()([a, b]), a - b, rtol=1e-6)
    np.testing.assert_allclose(layers.Multiply()([a, b]), a * b, rtol=1e-6)
    np.testing.assert_allclose(layers.Average()([a, b]), (a + b) / 2, rtol=1e-6)
    np.testing.assert_allclose(layers.Maximum()([a, b]), np.maximum(a, b))
    np.testing.assert_allclose(layers.Minimum()([a, b]), np.minimum(a, b))
    np.testing.assert_allclose(layers.Concatenate()([a, b]), np.concatenate([a, b], -1))
    np.testing.assert_allclose(layers.Concatenate(axis=0)([a, b]), np.concatenate([a, b], 0))
    np.testing.assert_allclose(layers.Dot(axes=1)([a, b]), (a * b).sum(1, keepdims=True), rtol=1e-5)
    na, nb = a / np.linalg.norm(a, axis=1, keepdims=True), b / np.linalg.norm(b, axis=1, keepdims=True)
    np.testing.assert_allclose(layers.Dot(axes=1, normalize=True)([a, b]), (na * nb).sum(1, keepdims=True),
                               rtol=1e-5)
    p, q = np.random.rand(2, 3, 4).astype("float32"), np.random.rand(2, 5, 4).astype("float32")
    np.testing.assert_allclose(layers.Dot(axes=(2, 2))([p, q]), np.einsum("bik,bjk->bij", p, q), rtol=1e-5)
    d = layers.Dense(2, activation="relu")
    x3 = np.random.randn(2, 3, 4).astype("float32")
    k, bias = (w for w in [None, None])
    out = d(x3)
    k, bias = d.get_weights()
    np.testing.assert_allclose(out, np.maximum(x3 @ k + bias, 0), rtol=1e-5, atol=1e-6)   # last axis of N-d input


def test_dropout_training_and_inference():
    x = np.ones((200, 50), "float32")
    d = layers.Dropout(0.4, seed=1)
    np.testing.assert_array_equal(d(x), x)
    y = np.asarray(d(x, training=True))
    kept = y != 0
    assert 0.5 < kept.mean() < 0.7
    np.testing.assert_allclose(y[kept], 1 / 0.6, rtol=1e-6)
    y2 = np.asarray(d(x, training=True))
    assert not np.array_equal(y, y2)                   # a fresh mask each call
    y3 = np.asarray(layers.Dropout(0.5, noise_shape=(None, 1), seed=2)(x, training=True))
    assert np.all((y3 == 0).all(1) | (y3 != 0).all(1))    # whole rows dropped together


def test_merge_errors():
    with pytest.raises(ValueError, match="incompatible|matching shapes"):
        layers.Concatenate()([keras.Input((3, 2)), keras.Input((4, 5))])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([keras.Input((3,))] * 3)


def test_trainable_flag_propagates():
    m = mlp()
    m.trainable = False
    assert m.trainable_weights == [] and len(m.non_trainable_weights) == 4
    m.trainable = True
    m.layers[0].trainable = False
    assert [w.path for w in m.trainable_weights] == ["dense_1/kernel", "dense_1/bias"]
    assert [w.path for w in m.weights] == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]


def test_symbolic_tensor_attributes_and_unsupported_ops():
    x = keras.Input(shape=(784,), name="pixels", dtype="float32")
    assert x.shape == (None, 784) and x.dtype == "float32" and x.name == "pixels"
    y = layers.Dense(3)(x)
    assert y.shape == (None, 3)
    z = y + 1                      # Python operators on KerasTensors are keras.ops calls (issue 16)
    assert isinstance(z, keras.KerasTensor) and z.shape == (None, 3)
