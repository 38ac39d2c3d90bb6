"""Keras's classic mnist_cnn program, unchanged except for the data: scikit-learn's 8x8 digits stand in
for MNIST (no download), so the input is (8, 8, 1) instead of (28, 28, 1)."""
import numpy as np

import _path  # noqa: F401
import keras_api as keras
from keras_api import layers

num_classes = 10
keras.utils.set_random_seed(1)
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

d = load_digits()
x_train, x_test, y_train, y_test = train_test_split((d.images / 16.0).astype("float32"), d.target,
                                                    test_size=0.25, random_state=0)
epochs = 12
x_train, x_test = np.expand_dims(x_train, -1), np.expand_dims(x_test, -1)
input_shape = x_train.shape[1:]
y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = keras.Sequential([
    keras.Input(shape=input_shape),
    layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
    layers.Conv2D(64, (3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Dropout(0.25),
    layers.Flatten(),
    layers.Dense(128, activation="relu"),
    layers.Dropout(0.5),
    layers.Dense(num_classes, activation="softmax"),
])
model.summary()
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=128, epochs=epochs, verbose=2, validation_data=(x_test, y_test))
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
assert score[1] >= 0.93, score
