"""Every conv / pool / normalization / noise / spatial-reshaping layer against real Keras 3 (JAX):
the same weights give the same outputs (inference, and training mode for the normalisations, with
the same moving statistics afterwards), the same get_config, output shape and parameter count.

Opt-in (Keras is never a dependency): SYMNET_TEST_KERAS=1, and Keras 3 + JAX importable by this
Python or by the interpreter named in SYMNET_KERAS_PYTHON (default /work/venvs/keras/bin/python):

    SYMNET_TEST_KERAS=1 python3 -m pytest tests/keras_api/test_conv_against_keras.py
"""
import importlib.util
import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import keras_api as keras

HERE = os.path.dirname(os.path.abspath(__file__))


def _keras_python() -> str | None:
    if importlib.util.find_spec("keras") is not None and importlib.util.find_spec("jax") is not None:
        return sys.executable
    py = os.environ.get("SYMNET_KERAS_PYTHON", "/work/venvs/keras/bin/python")
    return py if os.path.exists(py) else None


pytestmark = pytest.mark.skipif(os.environ.get("SYMNET_TEST_KERAS") != "1" or _keras_python() is None,
                                reason="set SYMNET_TEST_KERAS=1 with Keras 3 + JAX available")


@pytest.fixture(scope="module")
def keras_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("keras") / "conv.pkl"
    proc = subprocess.run([_keras_python(), os.path.join(HERE, "keras_conv_reference.py"), str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(out, "rb") as f:
        return pickle.load(f)


def _json(v):
    return json.loads(json.dumps(v, default=lambda o: list(o) if isinstance(o, tuple) else str(o)))


def test_layers_match_keras(keras_results):
    failures = []
    for r in keras_results:
        label = f"{r['cls']}({r['kwargs']})"
        try:
            layer = getattr(keras.layers, r["cls"])(**r["kwargs"])
            model = keras.Sequential([keras.Input(r["x"].shape[1:]), layer])
            layer.set_weights(r["weights"])
            assert [w.name for w in layer.weights] == r["weight_names"], "weight names"
            np.testing.assert_allclose(model.predict(r["x"], verbose=0), r["y_inf"], rtol=2e-5, atol=2e-5,
                                       err_msg="inference output")
            if r["y_train"] is not None:
                np.testing.assert_allclose(np.asarray(layer(r["x"], training=True)), r["y_train"], rtol=2e-5,
                                           atol=2e-5, err_msg="training output")
                for a, b in zip(layer.get_weights(), r["after_train"]):
                    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg="weights after training call")
            config = layer.get_config()
            config.pop("name")
            ours, theirs = _json(config), _json(r["config"])
            diff = {k: (ours.get(k), theirs.get(k)) for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k)}
            assert not diff and list(ours) == list(theirs), f"get_config differs (ours, Keras): {diff} {list(ours)}"
            assert tuple(model.output_shape) == tuple(r["output_shape"]), "output shape"
            assert layer.count_params() == r["params"], "count_params"
        except Exception as e:  # noqa: BLE001 - collect every mismatch, then fail once
            failures.append(f"{label}: {type(e).__name__}: {str(e)[:400]}")
    assert not failures, "\n".join(failures)
