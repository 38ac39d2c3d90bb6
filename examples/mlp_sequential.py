"""A Sequential MLP built with the list constructor: 3 classes of points in 20 dimensions."""
import numpy as np

import _path  # noqa: F401
import keras_api as keras
from keras_api import layers

keras.utils.set_random_seed(1)
centers = np.random.normal(size=(3, 20)) * 2
labels = np.random.randint(0, 3, size=1200)
x = (centers[labels] + np.random.normal(size=(1200, 20))).astype("float32")
y = keras.utils.to_categorical(labels, 3)

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(64, activation="relu"),
    layers.Dropout(0.2),
    layers.Dense(64, activation="relu"),
    layers.Dense(3, activation="softmax"),
])
model.summary()
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x[:1000], y[:1000], batch_size=32, epochs=5, validation_split=0.1, verbose=2)
loss, acc = model.evaluate(x[1000:], y[1000:], verbose=0)
print(f"test loss {loss:.4f}  test accuracy {acc:.4f}")
assert acc > 0.9, acc
