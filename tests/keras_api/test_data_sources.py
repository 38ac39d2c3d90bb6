"""fit / evaluate / predict on Python generators (steps_per_epoch, validation_steps) and on
keras.utils.PyDataset / Sequence (per-epoch shuffle of the batch order, epoch hooks): the same
numbers as the equivalent arrays."""
import random

import numpy as np
import pytest

import keras_api as keras
from keras_api import layers


def data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 4)).astype("float32")
    return x, (x @ rng.standard_normal((4, 2))).astype("float32")


def model(seed_weights=None):
    m = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="tanh"), layers.Dense(2)])
    m.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    if seed_weights is not None:
        m.set_weights(seed_weights)
    return m


def batches(x, y, bs, repeat=True):
    while True:
        for i in range(0, len(x), bs):
            yield x[i:i + bs], y[i:i + bs]
        if not repeat:
            return


class ArrayDataset(keras.utils.PyDataset):
    def __init__(self, x, y, bs, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.bs = x, y, bs
        self.epochs_begun = self.epochs_ended = 0

    def __len__(self):
        return int(np.ceil(len(self.x) / self.bs))

    def __getitem__(self, i):
        return self.x[i * self.bs:(i + 1) * self.bs], self.y[i * self.bs:(i + 1) * self.bs]

    def on_epoch_begin(self):
        self.epochs_begun += 1

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_generator_fit_matches_arrays(reference_backend):
    x, y = data()
    w = model().get_weights()
    ref = model(w).fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    gen = model(w)
    hist = gen.fit(batches(x, y, 8), steps_per_epoch=4, epochs=3, verbose=0).history
    assert hist == ref
    a, b = model(w), gen
    assert np.allclose(gen.evaluate(batches(x, y, 8), steps=4, verbose=0),
                       b.evaluate(x, y, batch_size=8, verbose=0))
    np.testing.assert_array_equal(gen.predict(batches(x, y, 8), steps=4, verbose=0), gen.predict(x, verbose=0))
    del a


def test_generator_validation_steps_and_running_out():
    x, y = data()
    w = model().get_weights()
    m = model(w)
    h = m.fit(batches(x, y, 8), steps_per_epoch=4, epochs=2, verbose=0,
              validation_data=batches(x, y, 16), validation_steps=2).history
    ref = model(w).fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, validation_data=(x, y)).history
    np.testing.assert_allclose(h["val_loss"], ref["val_loss"], rtol=1e-6)
    finite = model(w)
    with pytest.warns(UserWarning, match="ran out of data"):
        h = finite.fit(batches(x, y, 8, repeat=False), steps_per_epoch=3, epochs=3, verbose=0).history
    assert len(h["loss"]) == 2        # 4 batches: epoch 1 full, epoch 2 short, then training stops
    whole = model(w).fit(batches(x, y, 8, repeat=False), epochs=1, verbose=0).history   # until exhausted
    assert whole["loss"] == ref["loss"][:1]


def test_generator_with_sample_weights_and_x_only_predict(reference_backend):
    x, y = data()
    sw = np.linspace(0.5, 1.5, len(x)).astype("float32")
    w = model().get_weights()
    ref = model(w).fit(x, y, sample_weight=sw, batch_size=8, epochs=1, shuffle=False, verbose=0).history
    gen = (((x[i:i + 8], y[i:i + 8], sw[i:i + 8])) for i in range(0, 32, 8))
    assert model(w).fit(gen, epochs=1, verbose=0).history == ref
    xs_only = (x[i:i + 8] for i in range(0, 32, 8))
    assert model(w).predict(xs_only, verbose=0).shape == (32, 2)
    with pytest.raises(ValueError, match="must not be passed"):
        model(w).fit(batches(x, y, 8), y=y, steps_per_epoch=1, verbose=0)


def test_pydataset_matches_arrays_and_calls_epoch_hooks(reference_backend):
    x, y = data()
    w = model().get_weights()
    ref = model(w).fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    ds = ArrayDataset(x, y, 8)
    m = model(w)
    assert m.fit(ds, epochs=3, shuffle=False, verbose=0).history == ref
    assert ds.epochs_begun == 3 and ds.epochs_ended == 3
    np.testing.assert_array_equal(m.predict(ArrayDataset(x, y, 8), verbose=0), m.predict(x, verbose=0))
    np.testing.assert_allclose(m.evaluate(ArrayDataset(x, y, 8), verbose=0), m.evaluate(x, y, verbose=0), rtol=1e-6)


def test_pydataset_shuffles_batch_order_each_epoch(monkeypatch):
    x, y = data()
    seen = []

    class Recording(ArrayDataset):
        def __getitem__(self, i):
            seen.append(i)
            return super().__getitem__(i)

    random.seed(1)
    model().fit(Recording(x, y, 4), epochs=3, shuffle=True, verbose=0)
    orders = [seen[i * 8:(i + 1) * 8] for i in range(3)]
    assert all(sorted(o) == list(range(8)) for o in orders)
    assert len({tuple(o) for o in orders}) > 1 and orders[0] != list(range(8))
    seen.clear()
    model().fit(Recording(x, y, 4), epochs=1, shuffle=False, verbose=0)
    assert seen == list(range(8))


def test_legacy_sequence_and_steps_on_dataset():
    x, y = data()

    class Old(keras.utils.Sequence):
        def __init__(self):          # Keras 2 style: no super().__init__()
            self.n = 4

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]

    assert keras.utils.Sequence is keras.utils.PyDataset
    with pytest.warns(UserWarning, match="super"):
        assert Old().workers == 1
    h = model().fit(Old(), epochs=2, steps_per_epoch=2, verbose=0).history
    assert len(h["loss"]) == 2
