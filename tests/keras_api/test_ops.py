"""keras_api.ops (keras.ops) and keras_api.backend's Keras 2 functions: eagerly against NumPy, on KerasTensors
in functional models (Python operators included), inside custom layers, losses and metrics."""
import numpy as np
import pytest

import keras_api as keras
from keras_api import backend as K
from keras_api import ops

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 5)).astype("float32")
Y = RNG.standard_normal((3, 5)).astype("float32")
POS = np.abs(X) + 0.1

UNARY = {"abs": np.abs, "negative": np.negative, "square": np.square, "sqrt": (np.sqrt, POS), "exp": np.exp,
         "log": (np.log, POS), "log1p": (np.log1p, POS), "log2": (np.log2, POS), "log10": (np.log10, POS),
         "tanh": np.tanh, "sin": np.sin, "cos": np.cos, "sign": np.sign, "floor": np.floor, "ceil": np.ceil,
         "expm1": np.expm1, "reciprocal": (np.reciprocal, POS),
         "relu": lambda a: np.maximum(a, 0), "sigmoid": lambda a: 1 / (1 + np.exp(-a)),
         "softplus": lambda a: np.log1p(np.exp(a)), "silu": lambda a: a / (1 + np.exp(-a)),
         "relu6": lambda a: np.clip(a, 0, 6), "log_sigmoid": lambda a: -np.log1p(np.exp(-a)),
         "softsign": lambda a: a / (1 + np.abs(a))}
BINARY = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.divide,
          "maximum": np.maximum, "minimum": np.minimum, "power": (np.power, POS), "greater": np.greater,
          "less_equal": np.less_equal, "equal": np.equal}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_eager_matches_numpy(name):
    ref = UNARY[name]
    ref, a = ref if isinstance(ref, tuple) else (ref, X)
    got = getattr(ops, name)(a)
    assert got.shape == a.shape
    np.testing.assert_allclose(got, ref(a), rtol=2e-5, atol=2e-6)
    assert hasattr(got, "numpy")


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_eager_matches_numpy(name):
    ref = BINARY[name]
    ref, a = ref if isinstance(ref, tuple) else (ref, X)
    np.testing.assert_allclose(getattr(ops, name)(a, Y[:1]), ref(a, Y[:1]), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("shape", [(0, 3), (1, 1), (3, 5)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_reductions_and_shapes(shape, dtype):
    a = RNG.standard_normal(shape).astype(dtype)
    np.testing.assert_allclose(ops.sum(a, axis=1), a.sum(axis=1), rtol=1e-5)
    np.testing.assert_allclose(ops.mean(a, axis=0, keepdims=True), a.mean(axis=0, keepdims=True), rtol=1e-5)
    if a.size:
        np.testing.assert_allclose(ops.max(a), a.max())
        np.testing.assert_array_equal(ops.argmax(a, axis=-1), a.argmax(axis=-1))
        np.testing.assert_allclose(ops.std(a, axis=1), a.std(axis=1), rtol=1e-5, atol=1e-6)
    assert ops.reshape(a, (-1,)).shape == (a.size,)
    assert ops.transpose(a).shape == shape[::-1]
    assert ops.expand_dims(a, 0).shape == (1,) + shape
    assert ops.concatenate([a, a], axis=1).shape == (shape[0], 2 * shape[1])
    assert ops.stack([a, a]).shape == (2,) + shape
    assert ops.cast(a, "int32").dtype == np.int32


def test_nn_ops_eager():
    s = ops.softmax(X)
    e = np.exp(X - X.max(-1, keepdims=True))
    np.testing.assert_allclose(s, e / e.sum(-1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(ops.log_softmax(X), np.log(e / e.sum(-1, keepdims=True)), rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(ops.one_hot(np.array([0, 2, 1]), 3), np.eye(3, dtype="float32")[[0, 2, 1]])
    t = (X > 0).astype("float32")
    p = 1 / (1 + np.exp(-X))
    np.testing.assert_allclose(ops.binary_crossentropy(t, p), -(t * np.log(p) + (1 - t) * np.log(1 - p)),
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ops.binary_crossentropy(t, X, from_logits=True),
                               -(t * np.log(p) + (1 - t) * np.log(1 - p)), rtol=1e-4, atol=1e-6)
    onehot = np.eye(5, dtype="float32")[[0, 3, 4]]
    np.testing.assert_allclose(ops.categorical_crossentropy(onehot, s), -np.log((s * onehot).sum(-1)), rtol=1e-5)
    np.testing.assert_allclose(ops.sparse_categorical_crossentropy(np.array([0, 3, 4]), X, from_logits=True),
                               -np.log((s * onehot).sum(-1)), rtol=1e-4)
    # Keras 3: ops.gelu's default is the tanh approximation
    approx = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X ** 3)))
    np.testing.assert_allclose(ops.gelu(X), approx, rtol=1e-4, atol=1e-6)


def test_core_ops():
    assert ops.shape(X) == (3, 5)
    assert ops.convert_to_tensor([1.0, 2.0]).dtype == np.float32
    assert ops.convert_to_tensor(np.arange(3)).dtype == np.arange(3).dtype
    with pytest.raises(ValueError, match="dtype <U1"):
        ops.convert_to_tensor(np.array(["a", "b"]))
    assert ops.cond(True, lambda: 1, lambda: 2) == 1
    np.testing.assert_allclose(ops.where(X > 0, X, 0.0), np.where(X > 0, X, 0.0))
    np.testing.assert_allclose(ops.stop_gradient(X), X)
    np.testing.assert_allclose(ops.take(X, np.array([2, 0]), axis=1), X[:, [2, 0]])
    np.testing.assert_allclose(ops.slice(X, (1, 2), (2, 2)), X[1:3, 2:4])
    a, b = ops.split(X, [2], axis=1)
    assert a.shape == (3, 2) and b.shape == (3, 3)


def test_kerastensor_operators_in_a_functional_model():
    inp = keras.Input((5,))
    h = keras.layers.Dense(4, name="d")(inp)
    out = ops.concatenate([(h * 2 + 1) / 3 - h[:, :1], ops.relu(-h), 1.0 - abs(h) ** 2,
                           ops.mean(h, axis=-1, keepdims=True) @ np.ones((1, 2), "float32")], axis=-1)
    model = keras.Model(inp, out)
    assert out.shape == (None, 14)
    w, b = model.get_layer("d").get_weights() if hasattr(model, "get_layer") else model.layers[1].get_weights()
    hv = X @ w + b
    ref = np.concatenate([(hv * 2 + 1) / 3 - hv[:, :1], np.maximum(-hv, 0), 1 - np.abs(hv) ** 2,
                          hv.mean(-1, keepdims=True) @ np.ones((1, 2))], axis=-1)
    np.testing.assert_allclose(model.predict(X, verbose=0), ref, rtol=1e-4, atol=1e-5)
    model.compile(optimizer="sgd", loss="mse")
    hist = model.fit(X, np.zeros((3, 14), "float32"), epochs=3, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]     # gradients flow through recorded ops


def test_ops_in_a_custom_layer_loss_and_metric():
    class Scale(keras.layers.Layer):
        def build(self, input_shape):
            self.s = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="s")

        def call(self, x):
            self.add_loss(1e-3 * ops.sum(ops.square(self.s)))
            return ops.tanh(x) * self.s

    def loss(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    def mean_abs(y_true, y_pred):
        return ops.mean(ops.abs(y_true - y_pred), axis=-1)

    model = keras.Sequential([keras.Input((5,)), Scale()])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss, metrics=[mean_abs])
    target = np.tanh(X) * 2
    hist = model.fit(X, target, epochs=5, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert "mean_abs" in hist.history
    ev = model.evaluate(X, target, verbose=0, return_dict=True)
    s = model.layers[0].get_weights()[0]
    np.testing.assert_allclose(ev["mean_abs"], np.abs(target - np.tanh(X) * s).mean(), rtol=1e-4)


def test_ops_on_a_variable_eagerly_give_values():
    v = K.variable(np.ones(3))
    assert float(ops.sum(v)) == 3.0


# -- Keras 2 backend functions -------------------------------------------------------------------------------------
def test_backend_math_and_shapes():
    assert K.epsilon() == 1e-7 and K.floatx() == "float32" and K.image_data_format() == "channels_last"
    np.testing.assert_allclose(K.eval(K.mean(K.variable(X), axis=1)), X.mean(1), rtol=1e-6)
    assert K.int_shape(keras.Input((5,))) == (None, 5)
    assert K.ndim(X) == 2
    np.testing.assert_allclose(K.eval(K.sqrt(K.constant([-1.0, 4.0]))), [0.0, 2.0])   # Keras 2 clips at 0
    np.testing.assert_array_equal(K.argmax(X), X.argmax(-1))   # Keras 2's default axis=-1
    np.testing.assert_allclose(K.eval(K.clip(K.variable(X), -0.5, 0.5)), np.clip(X, -0.5, 0.5))
    assert K.eval(K.permute_dimensions(K.variable(np.ones((2, 3, 4))), (2, 0, 1))).shape == (4, 2, 3)
    assert K.eval(K.concatenate([K.variable(X), K.variable(X)])).shape == (3, 10)   # axis=-1
    assert K.eval(K.batch_flatten(K.variable(np.ones((2, 3, 4))))).shape == (2, 12)
    assert K.eval(K.flatten(K.variable(np.ones((2, 3))))).shape == (6,)
    np.testing.assert_allclose(K.eval(K.hard_sigmoid(K.constant([0.0, 1.0]))), [0.5, 0.7], rtol=1e-6)
    np.testing.assert_allclose(K.eval(K.l2_normalize(K.variable(X), axis=-1)),
                               X / np.linalg.norm(X, axis=-1, keepdims=True), rtol=1e-5)


def test_backend_batch_dot_matches_keras2():
    a, b = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    np.testing.assert_allclose(K.batch_dot(a, b, axes=1), (a * b).sum(1, keepdims=True), rtol=1e-6)
    a3, b3 = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 4, 5))
    np.testing.assert_allclose(K.batch_dot(a3, b3), a3 @ b3, rtol=1e-6)
    np.testing.assert_allclose(K.batch_dot(a3, RNG.standard_normal((2, 3, 5)), axes=(1, 1)).shape, (2, 4, 5))


def test_backend_variables_function_gradients():
    w = K.variable(np.array([1.0, 2.0]), name="w")
    assert K.get_value(w).dtype == np.float32
    K.set_value(w, [3.0, 4.0])
    np.testing.assert_allclose(K.get_value(w), [3.0, 4.0])
    loss = K.sum(K.square(w))
    (g,) = K.gradients(loss, [w])
    np.testing.assert_allclose(K.eval(g), [6.0, 8.0])
    x = K.placeholder(shape=(None, 2))
    step = K.function([x], [K.sum(x * w)], updates=[(w, w - 0.5 * g)])
    out = step([np.ones((3, 2), "float32")])
    np.testing.assert_allclose(out[0], 21.0)
    np.testing.assert_allclose(K.get_value(w), [0.0, 0.0])


def test_backend_function_on_model_tensors_with_learning_phase():
    inp = keras.Input((5,))
    h = keras.layers.Dense(4, activation="relu")(inp)
    d = keras.layers.Dropout(0.5, seed=1)(h)
    out = keras.layers.Dense(1)(d)
    keras.Model(inp, out)
    f = K.function([inp, K.learning_phase()], [h, d])
    hv, dv = f([X, 0])
    np.testing.assert_allclose(hv, dv)                 # test phase: dropout is the identity
    hv1, dv1 = f([X, 1])
    assert np.all((dv1 == 0) | np.isclose(dv1, 2 * hv1))
    assert K.in_train_phase(1, 2, training=0) == 2


def test_backend_switch_random_and_layers_helpers():
    xs = K.variable(X)
    np.testing.assert_allclose(K.eval(K.switch(K.greater(xs, 0), xs, K.zeros_like(xs))), np.maximum(X, 0))
    r = K.eval(K.random_uniform((200,), 2.0, 3.0, seed=3))
    assert r.shape == (200,) and r.min() >= 2 and r.max() < 3
    n = K.eval(K.random_normal((2000,), mean=1.0, stddev=0.1, seed=4))
    assert abs(n.mean() - 1.0) < 0.02
    assert K.eval(K.ones((2, 3))).sum() == 6 and K.eval(K.zeros((2,))).sum() == 0
    model = keras.Sequential([keras.Input((5,)), keras.layers.Lambda(lambda t: K.relu(t) + K.square(t))])
    np.testing.assert_allclose(model.predict(X, verbose=0), np.maximum(X, 0) + X ** 2, rtol=1e-5)
    with pytest.raises(AttributeError, match="docs/supported.md"):
        K.no_such_function
