"""A binary classifier compiled with rmsprop and binary_crossentropy: two interleaved half moons."""
import numpy as np

import _path  # noqa: F401
import keras_api as keras
from keras_api import layers

keras.utils.set_random_seed(4)
n = 1000
t = np.random.uniform(0, np.pi, size=n)
label = np.random.randint(0, 2, size=n)
x = np.stack([np.cos(t) + label, np.sin(t) * (1 - 2 * label) + 0.5 * label], axis=1)
x = (x + 0.1 * np.random.normal(size=x.shape)).astype("float32")
y = label.astype("float32")

model = keras.Sequential([
    keras.Input(shape=(2,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(32, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x[:800], y[:800], batch_size=32, epochs=20, verbose=0,
          callbacks=[keras.callbacks.EarlyStopping(monitor="loss", patience=3)])
loss, acc = model.evaluate(x[800:], y[800:], verbose=0)
print(f"test loss {loss:.4f}  test accuracy {acc:.4f}")
print("predictions for the first 5 test points:", model.predict(x[800:805], verbose=0).ravel().round(3))
assert acc > 0.9, acc
