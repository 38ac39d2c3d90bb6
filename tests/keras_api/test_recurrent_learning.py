"""Learning tests: recurrent models trained through fit reach good accuracy."""
import time

import numpy as np
import pytest

import keras_api as keras
from keras_api import layers


def test_digits_rows_lstm():
    """8x8 digits read as 8 time steps of 8 pixels by an LSTM."""
    sklearn = pytest.importorskip("sklearn")  # noqa: F841
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    keras.utils.set_random_seed(0)
    d = load_digits()
    x = (d.images / 16.0).astype("float32")          # (n, 8, 8): rows are time steps
    x_train, x_test, y_train, y_test = train_test_split(x, d.target, test_size=0.25, random_state=0)
    model = keras.Sequential([keras.Input((8, 8)), layers.LSTM(32), layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(x_train, y_train, batch_size=32, epochs=12, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    _, acc = model.evaluate(x_test, y_test, verbose=0)
    assert acc >= 0.9, acc


def pad(seqs, maxlen):
    """Pre-padding with zeros and pre-truncation (what keras.utils.pad_sequences does by default)."""
    out = np.zeros((len(seqs), maxlen), dtype="int32")
    for i, s in enumerate(seqs):
        s = list(s)[-maxlen:]
        if s:
            out[i, -len(s):] = s
    return out


def make_reviews(n, rng, vocab=500, maxlen=30):
    """Token sequences of varying length; the label says whether 'good' words (ids 2-21) outnumber 'bad'
    ones (ids 22-41); the other ids are neutral filler."""
    seqs, labels = [], []
    for _ in range(n):
        length = int(rng.integers(5, maxlen + 1))
        label = int(rng.integers(0, 2))
        toks = rng.integers(42, vocab, size=length)
        k = int(rng.integers(2, 5))
        pos = rng.choice(length, size=k, replace=False)
        toks[pos] = rng.integers(2, 22, size=k) if label else rng.integers(22, 42, size=k)
        seqs.append(toks)
        labels.append(label)
    return pad(seqs, maxlen), np.array(labels, dtype="float32")


def test_imdb_style_embedding_lstm():
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    x_train, y_train = make_reviews(1200, rng)
    x_test, y_test = make_reviews(300, rng)
    model = keras.Sequential([keras.Input((30,), dtype="int32"), layers.Embedding(500, 16, mask_zero=True),
                              layers.LSTM(16), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=32, epochs=8, verbose=0)
    _, acc = model.evaluate(x_test, y_test, verbose=0)
    assert acc >= 0.85, acc
