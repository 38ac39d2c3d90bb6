"""Differential test against real Keras 3 (JAX backend): the same models, weights and data must give the
same History and the same trained weights. Keras is never a dependency and the test costs about 30 s (JAX
compiles), so it runs only with SYMNET_TEST_KERAS=1 and Keras 3 + JAX installed:

    SYMNET_TEST_KERAS=1 python3 -m pytest tests/keras_api/test_against_keras.py
"""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCRIPT = r'''
import json, os, sys
os.environ["KERAS_BACKEND"] = "jax"
sys.path.insert(0, sys.argv[1])
import numpy as np
import keras
import keras_api as sk

rng = np.random.default_rng(0)
x = rng.standard_normal((90, 6)).astype("float32")
labels = rng.integers(0, 3, 90)
onehot = np.eye(3, dtype="float32")[labels]
binary = (x[:, 0] > 0).astype("float32")
target = (x @ rng.standard_normal((6, 2))).astype("float32")
results = {}

def run(name, build, compile_kw, fit_kw):
    out = []
    for K in (keras, sk):
        m = build(K)
        if K is sk:
            m.set_weights(ref_weights)
        else:
            ref_weights = m.get_weights()
        kw = {k: (v(K) if callable(v) else v) for k, v in compile_kw.items()}
        m.compile(**kw)
        h = m.fit(**fit_kw, verbose=0, shuffle=False)
        out.append((h.history, [w.tolist() for w in m.get_weights()]))
    results[name] = out

def mlp(K, last=3, act="softmax"):
    return K.Sequential([K.Input((6,)), K.layers.Dense(8, activation="relu"),
                         K.layers.Dense(last, activation=act)])

run("rmsprop_cce", lambda K: mlp(K), {"optimizer": "rmsprop", "loss": "categorical_crossentropy",
    "metrics": ["accuracy"]}, dict(x=x, y=onehot, batch_size=16, epochs=2, validation_split=0.2))
run("sgd_sparse", lambda K: mlp(K), {"optimizer": lambda K: K.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
    dict(x=x, y=labels, batch_size=32, epochs=2, class_weight={0: 1.0, 1: 2.0, 2: 0.5}))
run("rmsprop_binary", lambda K: mlp(K, 1, "sigmoid"), {"optimizer": "rmsprop", "loss": "binary_crossentropy",
    "metrics": ["accuracy"]}, dict(x=x, y=binary, batch_size=16, epochs=2))
run("adam_mse_l2", lambda K: K.Sequential([K.Input((6,)), K.layers.Dense(
    4, activation="tanh", kernel_regularizer=K.regularizers.l2(0.01)), K.layers.Dense(2)]),
    {"optimizer": "adam", "loss": "mse", "metrics": ["mae"]}, dict(x=x, y=target, batch_size=10, epochs=2,
    sample_weight=np.linspace(0, 2, 90).astype("float32")))

def two_outputs(K):
    a = K.Input((6,), name="a")
    b = K.Input((2,), name="b")
    h = K.layers.Concatenate()([K.layers.Dense(5, activation="tanh", name="h")(a), b])
    return K.Model([a, b], [K.layers.Dense(2, name="reg")(h), K.layers.Dense(3, activation="softmax", name="cls")(h)])

out = []
for K in (keras, sk):
    m = two_outputs(K)
    if K is sk:
        m.set_weights(ref)
    else:
        ref = m.get_weights()
    m.compile(optimizer=K.optimizers.SGD(0.05, momentum=0.9), loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
              loss_weights={"reg": 0.5, "cls": 2.0}, metrics={"cls": ["accuracy"], "reg": ["mae"]})
    h = m.fit([x, x[:, :2]], [target, labels], batch_size=16, epochs=2, shuffle=False, verbose=0)
    ev = m.evaluate([x, x[:, :2]], [target, labels], verbose=0)
    out.append((dict(h.history, evaluate=ev), [w.tolist() for w in m.get_weights()]))
results["functional_two_outputs"] = out
json.dump(results, open(sys.argv[2], "w"))
'''


def _available() -> bool:
    return importlib.util.find_spec("keras") is not None and importlib.util.find_spec("jax") is not None


@pytest.mark.skipif(os.environ.get("SYMNET_TEST_KERAS") != "1" or not _available(),
                    reason="set SYMNET_TEST_KERAS=1 with Keras 3 + JAX installed")
def test_same_history_and_weights_as_keras(tmp_path):
    out = tmp_path / "res.json"
    script = tmp_path / "cmp.py"
    script.write_text(SCRIPT)
    proc = subprocess.run([sys.executable, str(script), ROOT, str(out)], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and "keras" in proc.stderr and "ModuleNotFoundError" in proc.stderr:
        pytest.skip("Keras 3 could not be imported: " + proc.stderr[-300:])
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(out.read_text())
    for name, ((kh, kw), (sh, sw)) in results.items():
        assert list(kh) == list(sh), name
        for key in kh:
            assert sh[key] == pytest.approx(kh[key], rel=2e-4, abs=2e-6), (name, key)
        for a, b in zip(kw, sw):
            np.testing.assert_allclose(np.array(b), np.array(a), rtol=1e-3, atol=2e-5, err_msg=name)
