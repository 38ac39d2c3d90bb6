"""Preprocessing layers on NumPy data, outside and inside models, against NumPy transcriptions of
Keras 3's documented behaviour (vocabulary order, index layout, output modes, formulas)."""
from __future__ import annotations

import numpy as np
import pytest

import keras_api as keras
import symnet as sn

RNG = np.random.default_rng(0)


@pytest.fixture(params=["reference", "llvm"])
def mode(request):
    import symnet as sn
    with sn.config.change_flags(mode=request.param):
        yield request.param


# ------------------------------------------------------------------------------------------
# numeric graph layers
# ------------------------------------------------------------------------------------------
def test_rescaling(mode):
    x = RNG.integers(0, 256, (2, 3, 3)).astype("uint8")
    np.testing.assert_allclose(keras.layers.Rescaling(1 / 127.5, offset=-1)(x), x / 127.5 - 1, rtol=1e-5, atol=1e-7)
    assert keras.layers.Rescaling(0.5).get_config()["offset"] == 0.0


def test_normalization_adapt_and_invert(mode):
    data = RNG.standard_normal((50, 3)).astype("float32") * [1, 2, 3] + [0, 1, 2]
    layer = keras.layers.Normalization()
    layer.adapt(data)
    np.testing.assert_allclose(layer(data), (data - data.mean(0)) / data.std(0), rtol=1e-4, atol=1e-5)
    assert [w.name for w in layer.weights] == ["mean", "variance", "count"]
    inv = keras.layers.Normalization(mean=data.mean(0), variance=data.var(0), invert=True)
    np.testing.assert_allclose(inv(layer(data)), data, rtol=1e-4, atol=1e-4)
    per_all = keras.layers.Normalization(axis=None)
    per_all.adapt(data)
    np.testing.assert_allclose(per_all(data), (data - data.mean()) / data.std(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(keras.layers.Normalization(mean=2.0, variance=0.0)(np.array([[3.0]])), [[1e7]],
                               rtol=1e-3)                       # std floored at keras epsilon 1e-7
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        keras.layers.Normalization(mean=1.0)


def test_normalization_in_model_fit(fresh_session):
    data = RNG.standard_normal((64, 4)).astype("float32") * 10 + 5
    norm = keras.layers.Normalization()
    norm.adapt(data)
    model = keras.Sequential([keras.Input((4,)), norm, keras.layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(data, data[:, :1], epochs=2, verbose=0)
    np.testing.assert_allclose(norm.adapt_mean.numpy(), data.mean(0), rtol=1e-5)   # not trained


def test_discretization(mode):
    x = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]], "float32")
    layer = keras.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    np.testing.assert_array_equal(layer(x), np.digitize(x, [0.0, 1.0, 2.0]))
    assert np.asarray(layer(x)).dtype == np.int64
    oh = keras.layers.Discretization(bin_boundaries=[0.0, 1.0], output_mode="one_hot")(x)
    assert oh.shape == (2, 4, 3)
    mh = keras.layers.Discretization(bin_boundaries=[0.0, 1.0], output_mode="multi_hot")(x)
    np.testing.assert_array_equal(mh, [[1, 1, 1], [0, 1, 1]])
    adapted = keras.layers.Discretization(num_bins=4, epsilon=0.01)
    data = RNG.standard_normal(1000)
    adapted.adapt(data)
    assert len(adapted.bin_boundaries) == 3
    np.testing.assert_allclose(adapted.bin_boundaries, np.quantile(data, [0.25, 0.5, 0.75]), atol=0.05)
    with pytest.raises(ValueError, match="either `num_bins` or `bin_boundaries`"):
        keras.layers.Discretization()


def test_category_encoding(mode):
    one = keras.layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")
    np.testing.assert_array_equal(one(np.array([3, 2, 0, 1])), np.eye(4)[[3, 2, 0, 1]])
    multi = keras.layers.CategoryEncoding(num_tokens=4, output_mode="multi_hot")
    np.testing.assert_array_equal(multi(np.array([[0, 1], [0, 0], [1, 2], [3, 1]])),
                                  [[1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]])
    count = keras.layers.CategoryEncoding(num_tokens=4, output_mode="count")
    np.testing.assert_array_equal(count(np.array([[0, 1], [0, 0], [1, 2], [3, 1]])),
                                  [[1, 1, 0, 0], [2, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]])
    np.testing.assert_array_equal(count(np.array([3, 2, 0, 1, 1])), [1, 2, 1, 1])      # rank 1: one sample
    assert one(np.array([[1, 2], [0, 3]])).shape == (2, 2, 4)
    with pytest.raises(ValueError, match="num_tokens must be set"):
        keras.layers.CategoryEncoding()


def _bilinear_reference(img, h, w):
    """Half-pixel-centre bilinear resampling with edge clamping, one pixel at a time."""
    H, W = img.shape[-3:-1]
    out = np.zeros(img.shape[:-3] + (h, w, img.shape[-1]))
    for i in range(h):
        for j in range(w):
            y = min(max((i + 0.5) * H / h - 0.5, 0), H - 1)
            x = min(max((j + 0.5) * W / w - 0.5, 0), W - 1)
            y0, x0 = int(y), int(x)
            y1, x1 = min(y0 + 1, H - 1), min(x0 + 1, W - 1)
            dy, dx = y - y0, x - x0
            out[..., i, j, :] = ((1 - dy) * (1 - dx) * img[..., y0, x0, :] + (1 - dy) * dx * img[..., y0, x1, :]
                                 + dy * (1 - dx) * img[..., y1, x0, :] + dy * dx * img[..., y1, x1, :])
    return out


@pytest.mark.parametrize("h,w", [(3, 4), (8, 11), (5, 7), (1, 1)])
def test_resizing_and_center_crop(h, w, mode):
    img = RNG.random((2, 5, 7, 3)).astype("float32")
    np.testing.assert_allclose(keras.layers.Resizing(h, w)(img), _bilinear_reference(img, h, w), rtol=1e-5,
                               atol=1e-6)
    crop = keras.layers.CenterCrop(min(h, 5), min(w, 7))(img)
    top, left = (5 - min(h, 5)) // 2, (7 - min(w, 7)) // 2
    np.testing.assert_array_equal(crop, img[:, top:top + min(h, 5), left:left + min(w, 7)])


def test_random_flip_and_contrast_only_in_training(fresh_session):
    img = RNG.random((16, 4, 5, 3)).astype("float32") * 255
    flip = keras.layers.RandomFlip("horizontal", seed=3)
    out = np.asarray(flip(img))                                  # a direct call augments (Keras's default)
    flipped = [np.array_equal(o, i[:, ::-1]) for o, i in zip(out, img)]
    kept = [np.array_equal(o, i) for o, i in zip(out, img)]
    assert all(f or k for f, k in zip(flipped, kept)) and any(flipped) and any(kept)
    np.testing.assert_array_equal(flip(img, training=False), img)
    contrast = keras.layers.RandomContrast(0.5, seed=1)
    out = np.asarray(contrast(img))
    mean = img.mean(axis=(1, 2), keepdims=True)
    factor = ((out - mean) / (img - mean))[:, 0, 0, 0]
    unclipped = (out > 0) & (out < 255)
    for k in range(len(img)):
        f = ((out[k] - mean[k]) / (img[k] - mean[k]))[unclipped[k]]
        assert 1.0 - 1e-4 <= f.min() and f.max() <= 1.5 and np.allclose(f, f[0], rtol=1e-3)   # Keras: (0, 0.5)
    np.testing.assert_array_equal(contrast(img, training=False), img)
    assert contrast.get_config()["factor"] == (0, 0.5)
    model = keras.Sequential([keras.Input((4, 5, 3)), keras.layers.RandomFlip(seed=1), keras.layers.Flatten()])
    np.testing.assert_allclose(model.predict(img, verbose=0), img.reshape(16, -1))          # inference: identity
    assert factor.shape == (16,)


# ------------------------------------------------------------------------------------------
# vocabulary layers (NumPy)
# ------------------------------------------------------------------------------------------
def test_string_lookup_adapt_order_and_modes():
    layer = keras.layers.StringLookup()
    layer.adapt(np.array([["a", "c", "d"], ["d", "z", "b"], ["d", "c", "c"]]))
    # by count descending, ties by token descending
    assert layer.get_vocabulary() == ["[UNK]", "d", "c", "z", "b", "a"]
    np.testing.assert_array_equal(layer(np.array([["a", "q"], ["d", "c"]])), [[5, 0], [1, 2]])
    vocab = ["a", "b", "c", "d"]
    masked = keras.layers.StringLookup(vocabulary=vocab, mask_token="")
    assert masked.get_vocabulary() == ["", "[UNK]", "a", "b", "c", "d"]
    np.testing.assert_array_equal(masked(np.array([["a", ""], ["z", "d"]])), [[2, 0], [1, 5]])
    multi = keras.layers.StringLookup(vocabulary=vocab, output_mode="multi_hot")
    np.testing.assert_array_equal(multi(np.array([["a", "c", "d", "d"], ["d", "z", "b", "z"]])),
                                  [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    count = keras.layers.StringLookup(vocabulary=vocab, output_mode="count", pad_to_max_tokens=True, max_tokens=8)
    assert count(np.array([["a", "a"]])).shape == (1, 8)
    inv = keras.layers.StringLookup(vocabulary=vocab, invert=True)
    np.testing.assert_array_equal(inv(np.array([[1, 3], [4, 0]])), [["a", "c"], ["d", "[UNK]"]])
    tfidf = keras.layers.StringLookup(vocabulary=vocab, output_mode="tf_idf", idf_weights=[0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(tfidf(np.array([["a", "c", "d", "d"], ["d", "z", "b", "z"]])),
                               [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)   # Keras's doc example
    with pytest.raises(ValueError, match="repeated"):
        keras.layers.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="invert"):
        keras.layers.StringLookup(invert=True, output_mode="one_hot")


def test_integer_lookup():
    layer = keras.layers.IntegerLookup()
    layer.adapt(np.array([[12, 1138, 42], [42, 1000, 36]]))
    assert layer.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    np.testing.assert_array_equal(layer(np.array([[12, 1138, 42], [42, 1000, 7]])), [[5, 2, 1], [1, 3, 0]])
    config = layer.get_config()
    assert config["oov_token"] == -1 and config["num_oov_indices"] == 1 and config["vocabulary_size"] == 6


def test_text_vectorization_int_and_vocab():
    layer = keras.layers.TextVectorization(max_tokens=6, output_sequence_length=4)
    layer.adapt(np.array(["The Cat sat.", "the dog, the CAT!", "a bird"]))
    vocab = layer.get_vocabulary()
    assert vocab[:4] == ["", "[UNK]", "the", "cat"] and len(vocab) == 6
    out = layer(np.array(["the cat flew away today", "Bird!"]))
    idx = {t: i for i, t in enumerate(vocab)}
    want = [[idx["the"], idx["cat"], 1, 1], [idx.get("bird", 1), 0, 0, 0]]
    np.testing.assert_array_equal(out, want)
    assert out.dtype == np.int64
    ragged = keras.layers.TextVectorization(vocabulary=["x", "y"])
    np.testing.assert_array_equal(ragged(np.array(["x y x", "y"])), [[2, 3, 2], [3, 0, 0]])


def test_text_vectorization_ngrams_and_modes():
    layer = keras.layers.TextVectorization(ngrams=2, output_mode="multi_hot")
    layer.adapt(np.array(["a b a", "b c"]))
    vocab = layer.get_vocabulary()
    assert vocab[0] == "[UNK]" and set(vocab[1:]) == {"a", "b", "c", "a b", "b a", "b c"}
    row = np.asarray(layer(np.array(["a b"])))[0]
    assert {vocab[i] for i in np.flatnonzero(row)} == {"a", "b", "a b"}
    tfidf = keras.layers.TextVectorization(output_mode="tf_idf")
    docs = np.array(["a b a", "b c", "c c d"])
    tfidf.adapt(docs)
    v = tfidf.get_vocabulary()
    df = {"a": 1, "b": 2, "c": 2, "d": 1}
    got = np.asarray(tfidf(np.array(["a a c z"])))[0]
    assert np.isclose(got[v.index("a")], 2 * np.log(1 + 3 / (1 + df["a"])))
    assert np.isclose(got[v.index("c")], np.log(1 + 3 / (1 + df["c"])))
    assert np.isclose(got[0], np.mean([np.log(1 + 3 / (1 + df[t])) for t in v[1:]]))   # OOV: the mean idf
    count = keras.layers.TextVectorization(output_mode="count", vocabulary=["a", "b"], standardize=None)
    np.testing.assert_array_equal(count(np.array(["a A b a"])), [[1, 2, 1]])
    chars = keras.layers.TextVectorization(split="character", vocabulary=["a", "b"], standardize="lower")
    np.testing.assert_array_equal(chars(np.array(["AbZ"])), [[2, 3, 1]])
    config = layer.get_config()
    for key in ("max_tokens", "standardize", "split", "ngrams", "output_mode", "output_sequence_length",
                "pad_to_max_tokens", "vocabulary_size"):
        assert key in config
    with pytest.raises(ValueError, match="output_sequence_length"):
        keras.layers.TextVectorization(output_mode="count", output_sequence_length=3)


def test_string_layers_at_model_boundary(fresh_session):
    vec = keras.layers.TextVectorization(vocabulary=["good", "bad"], output_sequence_length=3)
    inp = keras.Input(shape=(1,), dtype="string")
    out = keras.layers.CategoryEncoding(4, output_mode="count")(vec(inp))
    model = keras.Model(inp, out)
    got = model.predict(np.array([["good good bad"], ["meh"]]), verbose=0)
    np.testing.assert_array_equal(got, [[0, 0, 2, 1], [2, 1, 0, 0]])
    np.testing.assert_array_equal(model(np.array([["bad"]])), [[2, 0, 0, 1]])
    seq = keras.Sequential([keras.Input(shape=(1,), dtype="string"), keras.layers.StringLookup(vocabulary=["x"]),
                            keras.layers.CategoryEncoding(2, output_mode="one_hot")])
    np.testing.assert_array_equal(seq.predict(np.array([["x"], ["y"]]), verbose=0), [[0, 1], [1, 0]])
    with pytest.raises(TypeError, match="runs in NumPy before the compiled graph"):
        keras.layers.StringLookup(vocabulary=["x"])(sn.tensor((None, 3)))
    with pytest.raises(ValueError, match="must take a keras.Input directly"):
        s = keras.Input(shape=(1,), dtype="string")
        a = keras.layers.StringLookup(vocabulary=["x"])(s)
        b = keras.layers.StringLookup(vocabulary=["y"])(s)
        keras.Model(s, [a, b])


def test_random_translation_zoom_rotation(mode):
    img = np.arange(2 * 4 * 5, dtype="float32").reshape(2, 4, 5, 1)
    shifted = np.asarray(keras.layers.RandomTranslation((0.25, 0.25), (0.2, 0.2), fill_mode="constant",
                                                        fill_value=-1.0)(img))
    want = np.full_like(img, -1.0)
    want[:, 1:, 1:] = img[:, :-1, :-1]
    np.testing.assert_allclose(shifted, want, atol=1e-5)
    wrapped = np.asarray(keras.layers.RandomTranslation((0.0, 0.0), (0.2, 0.2), fill_mode="wrap")(img))
    np.testing.assert_allclose(wrapped, np.roll(img, 1, axis=2), atol=1e-5)
    reflected = np.asarray(keras.layers.RandomTranslation((0.0, 0.0), (0.4, 0.4), fill_mode="reflect")(img))
    np.testing.assert_allclose(reflected[:, :, :2], img[:, :, 1::-1], atol=1e-5)       # b a | a b c
    np.testing.assert_allclose(keras.layers.RandomZoom((0.0, 0.0))(img), img, atol=1e-5)
    np.testing.assert_allclose(keras.layers.RandomRotation((0.5, 0.5))(img), img[:, ::-1, ::-1], atol=1e-4)
    quarter = np.asarray(keras.layers.RandomRotation((0.25, 0.25), interpolation="nearest")(
        np.arange(9, dtype="float32").reshape(1, 3, 3, 1)))[0, :, :, 0]
    np.testing.assert_array_equal(quarter, np.rot90(np.arange(9).reshape(3, 3)))           # counter-clockwise
    zoom_out = np.asarray(keras.layers.RandomZoom((1.0, 1.0), fill_mode="constant")(img))
    assert zoom_out[0, 0, 0, 0] == 0 and zoom_out[0, 2, 2, 0] != 0
    for layer in (keras.layers.RandomTranslation(0.3, 0.3), keras.layers.RandomZoom(0.3),
                  keras.layers.RandomRotation(0.3)):
        np.testing.assert_array_equal(layer(img, training=False), img)
        assert layer.get_config()["fill_mode"] == "reflect"
    with pytest.raises(ValueError, match="factor"):
        keras.layers.RandomRotation(2.0)
