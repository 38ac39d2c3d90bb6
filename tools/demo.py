"""`make demo`: a short, visible training run: an MLP learns scikit-learn's handwritten digits through
the Keras API (verbose progress bars), then reports the test accuracy and where the time went."""
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

import symnet as sn  # noqa: E402
import keras_api as keras  # noqa: E402
from keras_api import layers  # noqa: E402


def main() -> None:
    keras.utils.set_random_seed(0)
    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")
    x_train, x_test, y_train, y_test = train_test_split(x, digits.target, test_size=0.25, random_state=0)
    print(f"symnet {sn.__version__}: digits MLP ({len(x_train)} training / {len(x_test)} test images, 8x8 pixels)\n")
    model = keras.Sequential([
        keras.Input(shape=(64,)),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.1),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.summary()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    epoch_times = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t = time.time()

        def on_epoch_end(self, epoch, logs=None):
            epoch_times.append(time.time() - self.t)

    model.fit(x_train, y_train, batch_size=32, epochs=10, validation_split=0.1, verbose=1, callbacks=[Timer()])
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    fn = model._fns["train"][1][0]
    print(f"\ntest accuracy: {acc:.4f}  (test loss {loss:.4f})")
    later = sum(epoch_times[1:]) / max(1, len(epoch_times) - 1)
    print(f"one compiled train step (backend: {fn.mode}, {len(model.compiled_kernels('train'))} kernels): "
          f"first epoch {epoch_times[0]:.1f} s (includes compiling the train and test steps), "
          f"later epochs {later * 1000:.0f} ms each")
    pred = model.predict(x_test[:10], verbose=0).argmax(axis=1)
    print("first 10 test digits:", y_test[:10].tolist())
    print("predicted           :", pred.tolist())


if __name__ == "__main__":
    main()
