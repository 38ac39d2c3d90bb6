"""Saturated sigmoid/softmax outputs train without NaN (issue 8): Dense(1, 'sigmoid') +
binary_crossentropy + SGD on logits of about +-44, with and without the rewrite pipeline, and the
losses find the logits through keras_api.activations' _keras_logits, not by inspecting symnet ops."""
import ast
import pathlib

import numpy as np
import pytest

import keras_api as keras
import symnet as sn

ROOT = pathlib.Path(__file__).resolve().parents[2]
X = np.array([[44.0], [-44.0], [0.5], [-30.0]], "float32")


def _model(activation, units):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(units, activation=activation,
                                                                     kernel_initializer="ones")])
    return model


@pytest.mark.parametrize("optimizer", ["fast_run", None])
@pytest.mark.parametrize("mode", ["reference", "llvm"])
def test_dense_sigmoid_bce_sgd_stays_finite(optimizer, mode):
    y = np.array([[0.0], [1.0], [1.0], [1.0]], "float32")
    with sn.config.change_flags(optimizer=optimizer, mode=mode):
        model = _model("sigmoid", 1)
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="binary_crossentropy")
        loss = model.train_on_batch(X, y)
        w = model.layers[0].get_weights()
        ev = model.evaluate(X, y, verbose=0)
    assert np.isfinite(loss) and all(np.isfinite(v).all() for v in w)
    z = X[:, 0].astype(float) + 0.0
    want = np.mean(np.logaddexp(0, z) - z * y[:, 0])      # from the logits (Keras's TF backend)
    np.testing.assert_allclose(loss, want, rtol=1e-5)
    assert np.isfinite(ev)


@pytest.mark.parametrize("optimizer", ["fast_run", None])
@pytest.mark.parametrize("loss", ["categorical_crossentropy", "sparse_categorical_crossentropy"])
def test_dense_softmax_crossentropy_sgd_stays_finite(optimizer, loss):
    y = np.array([1, 0, 1, 0])
    yy = np.eye(2, dtype="float32")[y] if loss == "categorical_crossentropy" else y
    with sn.config.change_flags(optimizer=optimizer, mode="reference"):
        model = _model("softmax", 2)
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss=loss)
        first = model.train_on_batch(X, yy)
        w = model.layers[0].get_weights()
        ev = model.evaluate(X, yy, verbose=0)
    assert np.isfinite(first) and np.isfinite(ev) and all(np.isfinite(v).all() for v in w)


def test_activation_outputs_carry_their_logits():
    x = sn.matrix("x")
    for f in (keras.activations.sigmoid, keras.activations.softmax):
        out = f(x)
        assert out._keras_logits is x


def test_losses_and_metrics_do_not_import_symnet_op_classes():
    for folder in ("keras_api/losses", "keras_api/metrics"):
        for path in (ROOT / folder).glob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("symnet."):
                    assert node.module == "symnet.graph", f"{path.name} imports {node.module}"
