"""Progress output in Keras 3's format (captured stdout is not a terminal: one final line per bar)."""
import io
import re
import sys

import numpy as np
import pytest

import keras_api as keras
from keras_api import layers
from keras_api.utils import Progbar

BAR = "━" * 20
NUM = r"\d\.\d{4}(e[-+]\d+)?"


pytestmark = pytest.mark.usefixtures("reference_backend")


@pytest.fixture
def fitted():
    keras.clear_session()
    keras.utils.set_random_seed(0)
    x = np.random.rand(100, 4).astype("float32")
    y = np.random.randint(0, 2, 100)
    m = keras.Sequential([keras.Input((4,)), layers.Dense(2, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m, x, y


def test_verbose_1_not_a_terminal(fitted, capsys):
    m, x, y = fitted
    m.fit(x, y, batch_size=32, epochs=2, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    pat = rf"^4/4 {BAR} \d+s \d+(ms|us|s)/step - accuracy: {NUM} - loss: {NUM}$"
    assert re.match(pat, lines[1]) and re.match(pat, lines[3]), lines
    assert "\r" not in "".join(lines) and "\x1b" not in "".join(lines)


def test_verbose_1_validation_and_evaluate_predict(fitted, capsys):
    m, x, y = fitted
    h = m.fit(x, y, batch_size=32, epochs=1, verbose="auto", validation_split=0.2)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1          # one epoch: no "Epoch 1/1" header, as in Keras
    assert re.match(rf"^3/3 {BAR} .* - accuracy: {NUM} - loss: {NUM} - val_accuracy: {NUM} - val_loss: {NUM}$",
                    out[0])
    assert f"loss: {h.history['loss'][0]:.4f}" in out[0]
    m.evaluate(x, y, verbose=1)
    m.predict(x, verbose=1)
    ev, pr = capsys.readouterr().out.splitlines()
    assert re.match(rf"^4/4 {BAR} \d+s \d+(ms|us|s)/step - accuracy: {NUM} - loss: {NUM}$", ev)
    assert re.match(rf"^4/4 {BAR} \d+s \d+(ms|us|s)/step$", pr)


def test_verbose_2_and_0(fitted, capsys):
    m, x, y = fitted
    m.fit(x, y, batch_size=50, epochs=2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2"
    assert re.match(rf"^2/2 - \d+s - \d+(ms|us|s)/step - accuracy: {NUM} - loss: {NUM}$", lines[1])
    m.fit(x, y, epochs=2, verbose=0)
    m.evaluate(x, y, verbose=0)
    m.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


def test_terminal_redraws_in_place(monkeypatch):
    buf = io.StringIO()
    buf.isatty = lambda: True
    monkeypatch.setattr(sys, "stdout", buf)
    bar = Progbar(3, interval=0)
    for i in range(1, 4):
        bar.update(i, [("loss", 1.0 / i)])
    out = buf.getvalue()
    assert out.count("\r") == 3 and out.endswith("\n")
    assert "\x1b[1m3/3\x1b[0m" in out
    last = out.split("\r")[-1]
    assert "loss: 0.3333" in last           # the final update shows the value given


def test_running_average_and_small_values(monkeypatch):
    buf = io.StringIO()
    monkeypatch.setattr(sys, "stdout", buf)
    bar = Progbar(None, verbose=1)
    bar.update(1, [("loss", 2.0)])
    bar.update(2, [("loss", 4.0)])
    assert bar._values["loss"] == [6.0, 2]
    bar2 = Progbar(2, verbose=2)
    bar2.update(2, [("tiny", 1e-5)])
    assert "tiny: 1.0000e-05" in buf.getvalue()
