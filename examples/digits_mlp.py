"""An MLP on scikit-learn's 8x8 handwritten digits (1797 images shipped with scikit-learn)."""
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import _path  # noqa: F401
import keras_api as keras
from keras_api import layers

keras.utils.set_random_seed(5)
digits = load_digits()
x = (digits.data / 16.0).astype("float32")
x_train, x_test, y_train, y_test = train_test_split(x, digits.target, test_size=0.25, random_state=0)

model = keras.Sequential([
    keras.Input(shape=(64,)),
    layers.Dense(128, activation="relu"),
    layers.Dropout(0.1),
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=15, validation_split=0.1, verbose=2)
loss, acc = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy {acc:.4f}")
assert acc >= 0.95, acc
