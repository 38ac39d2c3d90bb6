"""Errors at the user's level: fit/evaluate/predict arguments, non-numeric data, run-time shape errors, the
progress bar on streams that cannot encode its characters."""
import io
import subprocess
import sys

import numpy as np
import pytest

import keras_api as keras
import symnet as sn

pytestmark = pytest.mark.usefixtures("reference_backend")

X = np.ones((8, 2), "float32")
Y = np.ones((8, 1), "float32")


@pytest.fixture
def model():
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    m.compile(loss="mse", optimizer="sgd")
    return m


@pytest.mark.parametrize("kw,arg", [
    ({"batch_size": 0}, "batch_size=0"), ({"batch_size": -5}, "batch_size=-5"), ({"batch_size": 2.5}, "batch_size=2.5"),
    ({"epochs": -1}, "epochs=-1"), ({"epochs": 1.5}, "epochs=1.5"), ({"steps_per_epoch": 0}, "steps_per_epoch=0"),
    ({"validation_split": 1.0}, "validation_split=1.0"), ({"validation_split": -0.1}, "validation_split=-0.1"),
    ({"validation_steps": 0}, "validation_steps=0"), ({"validation_batch_size": 0}, "validation_batch_size=0"),
    ({"validation_freq": 0}, "validation_freq=0"), ({"initial_epoch": -1}, "initial_epoch=-1"),
])
def test_fit_rejects_bad_arguments(model, kw, arg):
    with pytest.raises(ValueError, match="Received: " + arg.replace(".", r"\.").replace("-", r"\-")):
        model.fit(X, Y, verbose=0, **kw)
    assert model.get_weights()[0].shape == (2, 1)


def test_evaluate_and_predict_reject_bad_batch_size_and_steps(model):
    with pytest.raises(ValueError, match="Received: batch_size=0"):
        model.evaluate(X, Y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="Received: steps=0"):
        model.evaluate(X, Y, steps=0, verbose=0)
    with pytest.raises(ValueError, match="Received: batch_size=-1"):
        model.predict(X, batch_size=-1, verbose=0)


def test_good_arguments_still_work(model):
    model.fit(X, Y, batch_size=np.int64(3), epochs=0, verbose=0)     # epochs=0 is allowed (no training)
    h = model.fit(X, Y, batch_size=3, epochs=2, validation_split=0.25, validation_freq=[2], verbose=0)
    assert len(h.history["loss"]) == 2 and len(h.history["val_loss"]) == 1


@pytest.mark.parametrize("bad,what,kind", [(np.array([["a", "b"]] * 8), "x", "strings"),
                                            (np.array([b"a"] * 8), "y", "bytes")])
def test_string_data_is_named_in_keras_terms(model, bad, what, kind):
    args = (bad, Y) if what == "x" else (X, bad)
    with pytest.raises(ValueError, match=f"Invalid dtype: .*\\({kind}\\).*`{what}`"):
        model.fit(*args, verbose=0)


class _Failing(sn.Op):
    """An op whose perform fails the way NumPy does (a bare message)."""
    __props__ = ()

    def make_node(self, x):
        x = sn.graph.as_variable(x)
        return sn.Apply(self, [x], [x.type()])

    def perform(self, node, inputs):
        return [np.reshape(inputs[0], (7,))]

    def infer_shape(self, node, shapes):
        return shapes


def test_run_time_errors_name_the_op_the_shapes_and_the_user_line():
    x = sn.matrix("x")
    y = _Failing()(x)     # the line the error must name
    f = sn.function([x], y, mode="reference")
    with pytest.raises(ValueError) as info:
        f(np.ones((2, 3), "float32"))
    msg = str(info.value)
    assert "_Failing" in msg and "(2, 3)" in msg and "test_user_errors.py:" in msg and "cannot reshape" in msg


def test_progbar_falls_back_to_ascii(model, monkeypatch):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stream)
    model.fit(X, Y, epochs=1, verbose=1)
    model.fit(X, Y, epochs=1, verbose=2)
    stream.flush()
    out = raw.getvalue().decode("ascii")
    assert "1/1 " + "=" * 20 in out and "loss:" in out


def test_fit_under_pythonioencoding_ascii_in_a_subprocess():
    code = ("import numpy as np, keras_api as keras\n"
            "m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])\n"
            "m.compile(loss='mse', optimizer='sgd', run_eagerly=False)\n"
            "m.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1)\n")
    import os
    env = dict(os.environ, PYTHONIOENCODING="ascii", SYMNET_FLAGS="mode=reference")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert res.returncode == 0, res.stderr[-2000:]
    assert "=" * 20 in res.stdout
