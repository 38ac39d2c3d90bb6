"""Keras 3 activations by name and as functions vs NumPy formulas, gradients vs finite differences."""
import math

import numpy as np
import pytest

import symnet as sn
from keras_api import activations as A

X = np.array([[-3.3, -1.0, -0.2, 0.3, 1.5, 4.0], [-7.0, -0.5, 0.1, 0.7, 2.0, 8.0]])
_erf = np.vectorize(math.erf)


def _sig(x):
    return 1 / (1 + np.exp(-x))


REF = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": _sig,
    "tanh": np.tanh,
    "softmax": lambda x: np.exp(x - x.max(-1, keepdims=True)) / np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True),
    "log_softmax": lambda x: x - x.max(-1, keepdims=True) - np.log(np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True)),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "gelu": lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))),
    "silu": lambda x: x * _sig(x),
    "swish": lambda x: x * _sig(x),
    "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1),
    "hard_silu": lambda x: x * np.clip(x / 6 + 0.5, 0, 1),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "relu6": lambda x: np.clip(x, 0, 6),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "linear": lambda x: x,
    "exponential": np.exp,
}


@pytest.mark.parametrize("name", sorted(REF))
def test_activation_values_and_grads(name):
    fn = A.get(name)
    with sn.config.change_flags(floatX="float64"):
        x = sn.matrix("x", dtype="float64")
        y = fn(x)
        f = sn.function([x], [y, sn.grad(sn.sum(sn.sin(y)), x)], mode="reference")
        val, g = f(X)
    np.testing.assert_allclose(val, REF[name](X), rtol=1e-7, atol=1e-10)
    h = 1e-6
    num = (np.sin(REF[name](X + h)) - np.sin(REF[name](X - h))) / (2 * h) if name not in ("softmax", "log_softmax") \
        else None
    if num is not None:
        np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-7)


def test_float32_dtype_kept():
    x = sn.matrix("x", dtype="float32")
    for name in ("relu", "gelu", "hard_sigmoid", "softsign", "leaky_relu", "selu"):
        assert A.get(name)(x).dtype == "float32", name


def test_relu_options():
    x = sn.vector("x", dtype="float64")
    v = np.array([-2.0, -0.5, 0.5, 1.5, 7.0])
    f = sn.function([x], [A.relu(x, max_value=6.0), A.relu(x, negative_slope=0.1), A.relu(x, threshold=1.0),
                          A.leaky_relu(x, negative_slope=0.3), A.elu(x, alpha=0.5)], mode="reference")
    a, b, c, d, e = f(v)
    np.testing.assert_allclose(a, np.minimum(np.maximum(v, 0), 6))
    np.testing.assert_allclose(b, np.where(v > 0, v, 0.1 * v))
    np.testing.assert_allclose(c, np.where(v > 1.0, v, 0))
    np.testing.assert_allclose(d, np.where(v >= 0, v, 0.3 * v))
    np.testing.assert_allclose(e, np.where(v > 0, v, 0.5 * np.expm1(v)))


def test_get_none_callable_and_serialize():
    assert A.get(None) is A.linear and A.get("linear") is A.linear
    assert A.get(A.relu) is A.relu

    def custom(x):
        return x * 2
    assert A.get(custom) is custom
    assert A.serialize(A.get("swish")) == "silu"
    assert A.serialize(A.relu) == "relu" and A.deserialize("tanh") is A.tanh


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError) as e:
        A.get("rellu")
    assert "rellu" in str(e.value) and "relu" in str(e.value) and "softmax" in str(e.value)
