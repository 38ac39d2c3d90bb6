"""Recurrent layers against real Keras 3 (opt-in): the same weights and data must give the same
predictions and the same training history. Keras runs in its own interpreter (its venv need not
hold symnet): SYMNET_TEST_KERAS=1 and SYMNET_KERAS_PYTHON (default /work/venvs/keras/bin/python)."""
import json
import os
import subprocess

import numpy as np
import pytest

import keras_api as sk

KERAS_PY = os.environ.get("SYMNET_KERAS_PYTHON", "/work/venvs/keras/bin/python")

SCRIPT = r'''
import json, os, sys
os.environ["KERAS_BACKEND"] = "jax"
import numpy as np
import keras
from keras import layers
exec(open(sys.argv[1]).read().split("# --- models ---")[-1])
rng = np.random.default_rng(0)
x = rng.normal(size=(16, 6, 3)).astype("float32")
x[:4, 4:] = 0.0
ids = rng.integers(1, 20, size=(16, 6)).astype("int32")
ids[:5, :2] = 0
y = rng.uniform(size=(16, 1)).astype("float32")
res = {}
for name, build in MODELS.items():
    m = build(keras, layers)
    w = [rng.normal(size=v.shape).astype("float32") * 0.4 for v in m.get_weights()]
    m.set_weights(w)
    data = ids if name.startswith("emb") else x
    pred = m.predict(data, verbose=0)
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    h = m.fit(data, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    res[name] = {"weights": [a.tolist() for a in w], "pred": np.asarray(pred).tolist(), "loss": h.history["loss"],
                 "trained": [a.tolist() for a in m.get_weights()]}
res["inputs"] = {"x": x.tolist(), "ids": ids.tolist(), "y": y.tolist()}
json.dump(res, open(sys.argv[2], "w"))
'''

# --- models ---
MODELS = {
    "lstm_masking": lambda K, L: K.Sequential([K.Input((6, 3)), L.Masking(), L.LSTM(4), L.Dense(1)]),
    "gru_seq_back": lambda K, L: K.Sequential([K.Input((6, 3)), L.GRU(4, return_sequences=True, go_backwards=True),
                                               L.SimpleRNN(3), L.Dense(1)]),
    "gru_reset_before": lambda K, L: K.Sequential([K.Input((6, 3)), L.GRU(4, reset_after=False), L.Dense(1)]),
    "bidir": lambda K, L: K.Sequential([K.Input((6, 3)), L.Bidirectional(L.LSTM(3, return_sequences=True)),
                                        L.TimeDistributed(L.Dense(2)), L.SimpleRNN(2), L.Dense(1)]),
    "emb_mask_lstm": lambda K, L: K.Sequential([K.Input((6,), dtype="int32"), L.Embedding(20, 4, mask_zero=True),
                                                L.LSTM(3), L.Dense(1)]),
    "stacked": lambda K, L: K.Sequential([K.Input((6, 3)), L.RNN([L.LSTMCell(3), L.GRUCell(2)]), L.Dense(1)]),
}
# --- end ---


@pytest.mark.skipif(os.environ.get("SYMNET_TEST_KERAS") != "1" or not os.path.exists(KERAS_PY),
                    reason="set SYMNET_TEST_KERAS=1 (and SYMNET_KERAS_PYTHON) to compare with Keras 3")
def test_recurrent_models_match_keras(tmp_path):
    script, out = tmp_path / "k.py", tmp_path / "k.json"
    script.write_text(SCRIPT)
    src = open(__file__).read().split("# --- end ---")[0]
    (tmp_path / "models.py").write_text(src)
    proc = subprocess.run([KERAS_PY, str(script), str(tmp_path / "models.py"), str(out)], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(out.read_text())
    inputs = res.pop("inputs")
    x, ids, y = (np.array(inputs[k], dtype=d) for k, d in (("x", "float32"), ("ids", "int32"), ("y", "float32")))
    for name, build in MODELS.items():
        sk.clear_session()
        m = build(sk, sk.layers)
        m.set_weights([np.array(w, "float32") for w in res[name]["weights"]])
        data = ids if name.startswith("emb") else x
        np.testing.assert_allclose(m.predict(data, verbose=0), np.array(res[name]["pred"]), rtol=1e-4, atol=1e-5,
                                   err_msg=name)
        m.compile(optimizer=sk.optimizers.SGD(0.1), loss="mse")
        h = m.fit(data, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
        np.testing.assert_allclose(h.history["loss"], res[name]["loss"], rtol=1e-4, err_msg=name)
        for a, b in zip(m.get_weights(), res[name]["trained"]):
            np.testing.assert_allclose(a, np.array(b), rtol=1e-3, atol=1e-5, err_msg=name)
