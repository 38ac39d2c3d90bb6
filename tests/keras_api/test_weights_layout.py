"""Weights files key a plain layer's sublayers by attribute name (lists as containers keyed by class
name), as Keras 3's saving walk does, so custom layers saved by Keras load here and vice versa."""
from __future__ import annotations

import h5py
import numpy as np

import keras_api as keras


class MyBlock(keras.layers.Layer):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.proj = keras.layers.Dense(3)
        self.blocks = [keras.layers.Dense(2), keras.layers.Dense(2)]

    def call(self, x):
        x = self.proj(x)
        for b in self.blocks:
            x = b(x)
        return x


def test_custom_layer_weights_layout_and_roundtrip(tmp_path, fresh_session):
    inp = keras.Input((4,))
    model = keras.Model(inp, MyBlock()(inp))
    path = str(tmp_path / "m.weights.h5")
    model.save_weights(path)
    keys = []
    with h5py.File(path) as f:
        f.visititems(lambda n, o: keys.append(n) if hasattr(o, "shape") else None)
    # the layout Keras 3.15 writes for this model (checked against real Keras)
    assert sorted(k for k in keys if k.startswith("layers/")) == [
        "layers/my_block/blocks/dense/vars/0", "layers/my_block/blocks/dense/vars/1",
        "layers/my_block/blocks/dense_1/vars/0", "layers/my_block/blocks/dense_1/vars/1",
        "layers/my_block/proj/vars/0", "layers/my_block/proj/vars/1"]
    x = np.random.default_rng(0).standard_normal((2, 4)).astype("float32")
    before = model.predict(x, verbose=0)
    keras.clear_session()
    inp = keras.Input((4,))
    other = keras.Model(inp, MyBlock()(inp))
    other.load_weights(path)
    np.testing.assert_allclose(other.predict(x, verbose=0), before, rtol=1e-6)
