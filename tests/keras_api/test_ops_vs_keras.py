"""keras_api.ops against real Keras 3 ops (JAX backend): same names, argument names, defaults and values.
Runs only with SYMNET_TEST_KERAS=1 and Keras 3 + JAX installed (.ci/keras_tests.sh makes that venv)."""
import importlib.util
import inspect
import os

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(os.environ.get("SYMNET_TEST_KERAS") != "1" or importlib.util.find_spec("keras") is None
                                or importlib.util.find_spec("jax") is None,
                                reason="set SYMNET_TEST_KERAS=1 with Keras 3 and JAX installed")

RNG = np.random.default_rng(1)
X = RNG.standard_normal((4, 6)).astype("float32")
Y = RNG.standard_normal((4, 6)).astype("float32")
P = np.abs(X) + 0.1
LABELS = np.array([0, 5, 2, 3])
ONEHOT = np.eye(6, dtype="float32")[LABELS]

CASES = [
    ("add", (X, Y), {}), ("subtract", (X, 2.0), {}), ("multiply", (X, Y), {}), ("divide", (X, P), {}),
    ("power", (P, 1.5), {}), ("maximum", (X, Y), {}), ("minimum", (X, 0.0), {}), ("abs", (X,), {}),
    ("square", (X,), {}), ("sqrt", (P,), {}), ("exp", (X,), {}), ("log", (P,), {}), ("log1p", (P,), {}),
    ("tanh", (X,), {}), ("sign", (X,), {}), ("floor", (X,), {}), ("ceil", (X,), {}), ("round", (X,), {}),
    ("clip", (X, -0.5, 0.5), {}), ("sum", (X,), {"axis": 1}), ("mean", (X,), {"axis": 0, "keepdims": True}),
    ("max", (X,), {"axis": -1}), ("min", (X,), {}), ("prod", (P,), {"axis": 1}), ("std", (X,), {"axis": 1}),
    ("var", (X,), {}), ("argmax", (X,), {"axis": 1}), ("argmin", (X,), {}), ("logsumexp", (X,), {"axis": 1}),
    ("matmul", (X, Y.T), {}), ("dot", (X, Y.T), {}), ("tensordot", (X, Y), {"axes": 2}), ("outer", (X[0], Y[0]), {}),
    ("reshape", (X, (2, 12)), {}), ("transpose", (X,), {}), ("expand_dims", (X, 1), {}),
    ("squeeze", (X[:, :1],), {"axis": 1}), ("concatenate", ([X, Y],), {"axis": 1}), ("stack", ([X, Y],), {}),
    ("tile", (X, (2, 1)), {}), ("repeat", (X, 2), {"axis": 0}), ("where", (X > 0, X, Y), {}),
    ("zeros", ((2, 3),), {}), ("ones_like", (X,), {}), ("full", ((2,), 3.0), {}), ("eye", (3,), {}),
    ("arange", (5,), {}), ("relu", (X,), {}), ("relu6", (X * 4,), {}), ("sigmoid", (X,), {}),
    ("softplus", (X,), {}), ("softsign", (X,), {}), ("silu", (X,), {}), ("log_sigmoid", (X,), {}),
    ("leaky_relu", (X,), {}), ("hard_sigmoid", (X,), {}), ("elu", (X,), {}), ("selu", (X,), {}),
    ("gelu", (X,), {}), ("softmax", (X,), {}), ("log_softmax", (X,), {"axis": 0}),
    ("one_hot", (LABELS, 6), {}), ("binary_crossentropy", ((X > 0).astype("float32"), P / (P.max() + 1)), {}),
    ("categorical_crossentropy", (ONEHOT, X), {"from_logits": True}),
    ("sparse_categorical_crossentropy", (LABELS, X), {"from_logits": True}),
    ("cast", (X, "int32"), {}), ("stop_gradient", (X,), {}), ("normalize", (X,), {}),
]


@pytest.fixture(scope="module")
def keras_ops():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    return keras.ops


@pytest.mark.parametrize("name,args,kwargs", CASES, ids=[c[0] for c in CASES])
def test_op_matches_keras(keras_ops, name, args, kwargs):
    from keras_api import ops
    want = np.asarray(getattr(keras_ops, name)(*args, **kwargs))
    got = np.asarray(getattr(ops, name)(*args, **kwargs))
    assert got.shape == want.shape, name
    np.testing.assert_allclose(got.astype("float64"), want.astype("float64"), rtol=2e-5, atol=2e-6, err_msg=name)


@pytest.mark.parametrize("name", sorted({c[0] for c in CASES}))
def test_op_signature_matches_keras(keras_ops, name):
    from keras_api import ops
    ours = list(inspect.signature(getattr(ops, name)).parameters.items())
    theirs = list(inspect.signature(getattr(keras_ops, name)).parameters.items())
    assert [(k, p.default) for k, p in ours] == [(k, p.default) for k, p in theirs][:len(ours)], name
