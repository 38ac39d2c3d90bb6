"""Learning test: an MLP on scikit-learn's handwritten digits reaches >= 0.95 test accuracy."""
import numpy as np
import pytest

import keras_api as keras
from keras_api import layers

sklearn = pytest.importorskip("sklearn")


def test_digits_mlp_accuracy():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    keras.utils.set_random_seed(0)
    d = load_digits()
    x = (d.data / 16.0).astype("float32")
    x_train, x_test, y_train, y_test = train_test_split(x, d.target, test_size=0.25, random_state=0)
    model = keras.Sequential([keras.Input((64,)), layers.Dense(64, activation="relu"), layers.Dropout(0.1),
                              layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(x_train, y_train, batch_size=32, epochs=15, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    assert acc >= 0.95, acc
    pred = model.predict(x_test, verbose=0).argmax(1)
    assert np.mean(pred == y_test) == pytest.approx(acc, abs=1e-6)
