"""The same kind of MLP built layer by layer with add(), the Keras 1/2 way (input_shape on the first
layer), trained with SGD with momentum on a regression task."""
import numpy as np

import _path  # noqa: F401
import keras_api as keras
from keras_api.layers import Activation, Dense
from keras_api.models import Sequential

keras.utils.set_random_seed(2)
x = np.random.uniform(-1, 1, size=(2000, 8)).astype("float32")
w = np.random.normal(size=(8, 1))
y = (np.sin(x @ w) + 0.05 * np.random.normal(size=(2000, 1))).astype("float32")

model = Sequential()
model.add(Dense(32, input_shape=(8,)))
model.add(Activation("tanh"))
model.add(Dense(32, activation="tanh"))
model.add(Dense(1))
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="mse", metrics=["mae"])
model.fit(x[:1600], y[:1600], batch_size=32, epochs=10, verbose=2)
mse, mae = model.evaluate(x[1600:], y[1600:], verbose=0)
print(f"test mse {mse:.4f}  test mae {mae:.4f}")
assert mse < 0.05, mse
