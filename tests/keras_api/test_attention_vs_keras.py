"""Opt-in (SYMNET_TEST_KERAS=1): attention models saved by real Keras 3 (weights files written by
Keras) load here through load_weights and predict the same outputs and scores.

The Keras side runs in the Python named by $KERAS_PYTHON (default /work/venvs/keras/bin/python, else
this interpreter) because that venv need not hold symnet's dependencies."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import keras_api as keras

HERE = os.path.dirname(os.path.abspath(__file__))
KERAS_PYTHON = os.environ.get("KERAS_PYTHON", "/work/venvs/keras/bin/python")

pytestmark = pytest.mark.skipif(os.environ.get("SYMNET_TEST_KERAS") != "1", reason="set SYMNET_TEST_KERAS=1")


@pytest.fixture(scope="module")
def keras_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("keras_attention")
    python = KERAS_PYTHON if os.path.exists(KERAS_PYTHON) else sys.executable
    proc = subprocess.run([python, os.path.join(HERE, "keras_scripts", "attention_weights.py"), str(out)],
                          capture_output=True, text=True, timeout=600, env=dict(os.environ, KERAS_BACKEND="jax"))
    if proc.returncode != 0:
        pytest.skip("Keras 3 could not run: " + proc.stderr[-500:])
    return str(out)


def _check(out, name, model, inputs):
    model.load_weights(os.path.join(out, f"{name}.weights.h5"))
    pred = model.predict(inputs, verbose=0)
    first = pred[0] if isinstance(pred, (list, tuple)) else pred
    np.testing.assert_allclose(first, np.load(os.path.join(out, f"{name}.npy")), rtol=1e-4, atol=2e-6)
    return pred


def test_attention_models_match_keras(keras_out):
    L = lambda n: np.load(os.path.join(keras_out, f"{n}.npy"))  # noqa: E731
    x, y, mask, z, gv = L("x"), L("y"), L("mask"), L("z"), L("gv")
    keras.clear_session()
    q = keras.Input((5, 8))
    _check(keras_out, "self", keras.Model(q, keras.layers.MultiHeadAttention(2, 3)(q, q)), x)
    q, v, m = keras.Input((5, 8)), keras.Input((7, 6)), keras.Input((5, 7), dtype="bool")
    o = keras.layers.MultiHeadAttention(3, 4, value_dim=2, output_shape=5, dropout=0.1)(q, v, attention_mask=m)
    _check(keras_out, "cross", keras.Model([q, v, m], o), [x, y, mask])
    q = keras.Input((5, 8))
    o, s = keras.layers.MultiHeadAttention(2, 4, use_bias=False)(q, q, use_causal_mask=True,
                                                                  return_attention_scores=True)
    pred = _check(keras_out, "causal", keras.Model(q, [o, s]), x)
    np.testing.assert_allclose(pred[1], L("causal_scores"), rtol=1e-4, atol=1e-6)
    q = keras.Input((5, 8))
    o = keras.layers.MultiHeadAttention(2, 4)(q, q, use_causal_mask=True)
    _check(keras_out, "causal_dpa", keras.Model(q, o), x)
    q, v = keras.Input((5, 8)), keras.Input((7, 8))
    _check(keras_out, "gqa", keras.Model([q, v], keras.layers.GroupQueryAttention(3, 4, 2)(q, v)), [x, gv])
    q = keras.Input((3, 4, 6))
    o = keras.layers.MultiHeadAttention(2, 2, attention_axes=(1, 2))(q, q)
    _check(keras_out, "axes", keras.Model(q, o), z)
