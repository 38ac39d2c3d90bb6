"""A functional-API model with two inputs and two outputs: from a 'ticket' (a bag of 30 words and
6 numeric features) predict its priority (regression) and its department (4 classes)."""
import numpy as np

import _path  # noqa: F401
import keras_api as keras
from keras_api import layers

keras.utils.set_random_seed(3)
n = 1500
words = (np.random.uniform(size=(n, 30)) < 0.2).astype("float32")
feats = np.random.normal(size=(n, 6)).astype("float32")
priority = (words[:, :5].sum(1, keepdims=True) * 0.3 + feats[:, :1]).astype("float32")
department = (np.argmax(words[:, 5:9] + 0.3 * feats[:, 1:5], axis=1)).astype("int64")

text_in = keras.Input(shape=(30,), name="words")
num_in = keras.Input(shape=(6,), name="features")
t = layers.Dense(32, activation="relu", name="text_dense")(text_in)
f = layers.Dense(16, activation="relu", name="feature_dense")(num_in)
h = layers.Concatenate(name="merge")([t, f])
h = layers.Dense(32, activation="relu")(h)
priority_out = layers.Dense(1, name="priority")(h)
department_out = layers.Dense(4, activation="softmax", name="department")(h)
model = keras.Model(inputs=[text_in, num_in], outputs=[priority_out, department_out])
model.summary()

model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
              loss={"priority": "mse", "department": "sparse_categorical_crossentropy"},
              loss_weights={"priority": 1.0, "department": 0.5},
              metrics={"department": ["accuracy"]})
model.fit({"words": words[:1200], "features": feats[:1200]},
          {"priority": priority[:1200], "department": department[:1200]},
          batch_size=32, epochs=8, verbose=2)
results = model.evaluate({"words": words[1200:], "features": feats[1200:]},
                         {"priority": priority[1200:], "department": department[1200:]}, verbose=0, return_dict=True)
print({k: round(v, 4) for k, v in results.items()})
assert results["department_accuracy"] > 0.6, results
