"""Keras conv / pooling / normalization / noise / spatial reshaping layers without Keras installed:
config round trips, summary counts, Keras's error messages, data_format from keras.json, reference vs
compiled backend, the channels-first layout carried between layers (transposes cancel) and the
statistics of the noise layers."""
import json

import numpy as np
import pytest

import keras_api as keras
import symnet as sn
from keras_api import layers

from conv_cases import CASES


@pytest.mark.parametrize("cls,kwargs,shape", CASES, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(CASES)])
def test_config_round_trip_and_backends_agree(cls, kwargs, shape, fresh_session):
    layer = getattr(layers, cls)(**kwargs)
    model = keras.Sequential([keras.Input(shape), layer])
    config = layer.get_config()
    again = type(layer).from_config(config)
    assert json.dumps(again.get_config(), default=list) == json.dumps(config, default=list)
    x = np.random.default_rng(1).standard_normal((2,) + shape).astype("float32")
    compiled = model.predict(x, verbose=0)
    with sn.config.change_flags(mode="reference"):
        reference = keras.Sequential([keras.Input(shape), type(layer).from_config(config)])
        reference.set_weights(model.get_weights())
        expected = reference.predict(x, verbose=0)
    np.testing.assert_allclose(compiled, expected, rtol=1e-5, atol=1e-6)
    assert compiled.shape[1:] == tuple(model.output_shape[1:])


def mnist_cnn(input_shape=(28, 28, 1)):
    return keras.Sequential([
        keras.Input(input_shape), layers.Conv2D(32, (3, 3), activation="relu"),
        layers.Conv2D(64, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)), layers.Dropout(0.25),
        layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dropout(0.5),
        layers.Dense(10, activation="softmax")])


def test_mnist_cnn_summary_counts(fresh_session, capsys):
    model = mnist_cnn()
    assert [l.count_params() for l in model.layers] == [320, 18496, 0, 0, 0, 1179776, 0, 1290]
    assert model.count_params() == 1199882
    model.summary()
    out = capsys.readouterr().out
    for text in ["conv2d (Conv2D)", "(None, 26, 26, 32)", "(None, 24, 24, 64)", "max_pooling2d (MaxPooling2D)",
                 "(None, 12, 12, 64)", "(None, 9216)", "1,179,776", "Total params: 1,199,882"]:
        assert text in out, text
    assert [w.shape for w in model.layers[0].weights] == [(3, 3, 1, 32), (32,)]


def activation_transposes(f) -> list:
    """4-d transposes of activations (kernels' (kh, kw, in, out) -> (out, in, kh, kw) not counted)."""
    from symnet.ops.shape import DimShuffle
    return [n for n in f.fgraph.toposort() if isinstance(n.op, DimShuffle) and n.outputs[0].ndim == 4
            and sorted(p for p in n.op.pattern if p != "x") == [0, 1, 2, 3] and list(n.op.pattern) != [0, 1, 2, 3]
            and not isinstance(n.inputs[0], sn.SharedVariable)]


def test_transposes_between_layers_cancel(fresh_session):
    """Conv -> Conv -> MaxPool computes channels-first throughout: only the transpose of the input and
    the one before Flatten remain in the rewritten graph."""
    model = mnist_cnn()
    x = sn.tensor((None, 28, 28, 1), dtype="float32")
    f = sn.function([x], model(x))
    perms = activation_transposes(f)
    assert len(perms) <= 2, [str(n.op) for n in perms]


def test_batch_norm_after_conv_keeps_channels_first(fresh_session):
    model = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3, activation="relu"),
                              layers.BatchNormalization(), layers.Conv2D(5, 3), layers.GlobalAveragePooling2D()])
    x = sn.tensor((None, 8, 8, 3), dtype="float32")
    f = sn.function([x], model(x, training=False))
    perms = activation_transposes(f)
    assert len(perms) <= 2, [str(n.op) for n in perms]


def test_image_data_format_from_keras_json(tmp_path, monkeypatch, fresh_session):
    from keras_api import backend
    (tmp_path / "keras.json").write_text(json.dumps({"image_data_format": "channels_first"}))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    old = backend.image_data_format()
    try:
        backend.load_config()
        conv = layers.Conv2D(4, 3)
        pool = layers.MaxPooling2D()
        assert conv.data_format == pool.data_format == "channels_first"
        model = keras.Sequential([keras.Input((2, 7, 6)), conv, pool])
        assert model.output_shape == (None, 4, 2, 2)
    finally:
        backend.set_image_data_format(old)
    assert layers.Conv2D(4, 3).data_format == old


@pytest.mark.parametrize("make,match", [
    (lambda: layers.Conv2D(0, 3), "filters"),
    (lambda: layers.Conv2D(4, 0), "kernel_size"),
    (lambda: layers.Conv2D(4, 3, padding="full"), "padding"),
    (lambda: layers.Conv2D(4, 3, padding="causal"), "padding"),
    (lambda: layers.Conv2D(4, 3, strides=2, dilation_rate=2), "dilation_rate"),
    (lambda: layers.Conv2D(5, 3, groups=2), "groups"),
    (lambda: layers.Conv2DTranspose(4, 3, strides=2, output_padding=2), "output padding"),
    (lambda: layers.MaxPooling2D(pool_size=(2, 2, 2)), "pool_size"),
    (lambda: layers.SpatialDropout2D(1.5), "rate"),
    (lambda: layers.Conv2D(4, 3, data_format="nhwc"), "data_format"),
    (lambda: layers.UpSampling2D(interpolation="bicubic"), "interpolation"),
])
def test_bad_arguments(make, match):
    with pytest.raises((ValueError, NotImplementedError), match=match):
        make()


def test_bad_inputs_name_the_layer(fresh_session):
    with pytest.raises(ValueError, match="negative"):
        keras.Sequential([keras.Input((2, 2, 1)), layers.Conv2D(4, 3)])
    with pytest.raises(ValueError, match="groups"):
        keras.Sequential([keras.Input((5, 5, 3)), layers.Conv2D(4, 3, groups=2)])
    with pytest.raises(ValueError, match="ndim|dimension|rank"):
        keras.Sequential([keras.Input((5, 3)), layers.Conv2D(4, 3)])
    with pytest.raises(ValueError, match="cropping"):
        keras.Sequential([keras.Input((4, 4, 1)), layers.Cropping2D(((2, 2), (0, 0)))])


def test_noise_layers_statistics(fresh_session):
    x = np.ones((64, 10, 8, 6), dtype="float32")
    y = np.asarray(layers.SpatialDropout2D(0.5, seed=1)(x, training=True))
    per_channel = y.reshape(64, 80, 6)
    assert np.all((per_channel == per_channel[:, :1]) | False)          # one mask value per (sample, channel)
    assert set(np.unique(y)) <= {0.0, 2.0} and 0.35 < (y == 0).mean() < 0.65
    np.testing.assert_array_equal(np.asarray(layers.SpatialDropout2D(0.5)(x)), x)   # inference: identity
    z = np.zeros((20000,), dtype="float32").reshape(200, 100)
    n = np.asarray(layers.GaussianNoise(0.3, seed=2)(z, training=True))
    assert abs(n.std() - 0.3) < 0.01 and abs(n.mean()) < 0.01
    g = np.asarray(layers.GaussianDropout(0.2, seed=3)(z + 1, training=True))
    assert abs(g.mean() - 1) < 0.01 and abs(g.std() - np.sqrt(0.2 / 0.8)) < 0.01
    s = np.random.default_rng(0).standard_normal((400, 100)).astype("float32")
    a = np.asarray(layers.AlphaDropout(0.2, seed=4)(s, training=True))
    assert abs(a.mean()) < 0.03 and abs(a.std() - 1) < 0.03                  # self-normalising
    np.testing.assert_array_equal(np.asarray(layers.AlphaDropout(0.2)(s)), s)
