"""keras_api.utils data helpers and keras.preprocessing (values checked against Keras 3.15's rules)."""
import importlib.util
import json

import numpy as np
import pytest

import keras_api as keras
from keras_api import layers
from keras_api.preprocessing.text import Tokenizer, one_hot, text_to_word_sequence, tokenizer_from_json


def test_pad_sequences_defaults_and_options():
    seqs = [[1, 2, 3], [4, 5], [6]]
    np.testing.assert_array_equal(keras.utils.pad_sequences(seqs), [[1, 2, 3], [0, 4, 5], [0, 0, 6]])
    out = keras.preprocessing.sequence.pad_sequences(seqs, maxlen=2, padding="post", truncating="post", value=-1)
    np.testing.assert_array_equal(out, [[1, 2], [4, 5], [6, -1]])
    assert keras.utils.pad_sequences(seqs).dtype == np.int32
    np.testing.assert_array_equal(keras.utils.pad_sequences(seqs, maxlen=2), [[2, 3], [4, 5], [0, 6]])
    f = keras.utils.pad_sequences([[0.5], [1.5, 2.5]], dtype="float32")
    assert f.dtype == np.float32 and f[0].tolist() == [0.0, 0.5]
    np.testing.assert_array_equal(keras.utils.pad_sequences([[], [1]]), [[0], [1]])
    vec = keras.utils.pad_sequences([np.ones((2, 3)), np.ones((1, 3))], maxlen=3)
    assert vec.shape == (2, 3, 3)
    with pytest.raises(ValueError, match="Padding type"):
        keras.utils.pad_sequences(seqs, padding="middle")
    with pytest.raises(ValueError, match="non-iterable"):
        keras.utils.pad_sequences([1, 2])
    with pytest.raises(ValueError, match="dtype=object"):
        keras.utils.pad_sequences([["a"]], value="x")


def test_to_categorical_and_normalize():
    y = keras.utils.to_categorical([0, 2, 1], num_classes=4)
    assert y.shape == (3, 4) and y.dtype == np.float64 and y[1].tolist() == [0, 0, 1, 0]
    assert keras.utils.to_categorical(np.array([[1], [0]])).shape == (2, 2)
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(keras.utils.normalize(x), [[0.6, 0.8], [0.0, 0.0]])


def test_split_dataset_sizes_and_shuffle():
    x, y = np.arange(10), np.arange(10) * 10
    left, right = keras.utils.split_dataset((x, y), left_size=0.8)
    assert left[0].tolist() == list(range(8)) and right[1].tolist() == [80, 90]
    left, right = keras.utils.split_dataset(x, left_size=3, right_size=2)
    assert left.tolist() == [0, 1, 2] and right.tolist() == [8, 9]
    a, b = keras.utils.split_dataset(x, right_size=0.3, shuffle=True, seed=1)
    c, d = keras.utils.split_dataset(x, right_size=0.3, shuffle=True, seed=1)
    assert a.tolist() == c.tolist() and sorted(a.tolist() + b.tolist()) == list(range(10)) and len(b) == 3
    assert a.tolist() != list(range(7))
    d_left, _ = keras.utils.split_dataset({"f": x, "g": y}, left_size=0.5)
    assert set(d_left) == {"f", "g"} and d_left["g"].tolist() == [0, 10, 20, 30, 40]
    with pytest.raises(ValueError, match="left_size"):
        keras.utils.split_dataset(x, left_size=1.5)
    with pytest.raises(ValueError, match="greater than 1"):
        keras.utils.split_dataset(x, left_size=0.6, right_size=0.6)
    with pytest.raises(ValueError, match="must be specified"):
        keras.utils.split_dataset(x)


def test_timeseries_dataset_from_array_windows_and_targets():
    data = np.arange(100)
    ds = keras.utils.timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10, batch_size=32)
    batches = list(ds)
    assert len(ds) == 3 and batches[0][0].shape == (32, 10)
    x0, y0 = batches[0]
    np.testing.assert_array_equal(x0[0], np.arange(10))
    assert y0[0] == 10 and y0[5] == 15
    total = sum(len(b[1]) for b in batches)
    assert total == 81      # 90 - (10 - 1)
    sparse = keras.utils.timeseries_dataset_from_array(data, None, sequence_length=3, sequence_stride=5,
                                                       sampling_rate=2, batch_size=None, start_index=4, end_index=40)
    first = sparse[0]
    np.testing.assert_array_equal(first[0], [4, 6, 8])
    np.testing.assert_array_equal(first[1], [9, 11, 13])
    with pytest.raises(ValueError, match="sampling_rate"):
        keras.utils.timeseries_dataset_from_array(data, None, 3, sampling_rate=0)
    shuffled = keras.utils.timeseries_dataset_from_array(data, data, 4, batch_size=200, shuffle=True, seed=3)
    xs, ys = shuffled[0]
    assert sorted(ys.tolist()) == list(range(97)) and ys.tolist() != list(range(97))
    np.testing.assert_array_equal(xs[:, 0], ys)


def test_timeseries_dataset_feeds_fit():
    rng = np.random.default_rng(0)
    series = rng.standard_normal((60, 2)).astype("float32")
    ds = keras.utils.timeseries_dataset_from_array(series[:-5], series[5:, :1], sequence_length=5, batch_size=16)
    m = keras.Sequential([keras.Input((5, 2)), layers.Flatten(), layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    h = m.fit(ds, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2


def test_timeseries_generator_keras2():
    data = np.arange(50).reshape(50, 1)
    gen = keras.preprocessing.sequence.TimeseriesGenerator(data, np.arange(50), length=10, sampling_rate=2,
                                                           batch_size=2)
    x, y = gen[0]
    np.testing.assert_array_equal(x[0].ravel(), [0, 2, 4, 6, 8])
    assert y.tolist() == [10, 11] and len(gen) == 20


def test_plot_model_without_pydot_names_the_package():
    m = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    if importlib.util.find_spec("pydot") is not None:
        dot = keras.utils.model_to_dot(m, show_shapes=True)
        assert "dense" in dot.to_string()
        return
    with pytest.raises(ImportError, match="pydot"):
        keras.utils.plot_model(m, to_file="unused.png")


def test_text_to_word_sequence_and_one_hot():
    assert text_to_word_sequence("Hello, World! Hello.") == ["hello", "world", "hello"]
    assert text_to_word_sequence("a-b c", filters="", split="-") == ["a", "b c"]
    codes = one_hot("the cat the", 10)
    assert len(codes) == 3 and codes[0] == codes[2] and all(1 <= c < 10 for c in codes)


def test_tokenizer_vocabulary_sequences_and_matrices():
    texts = ["The cat sat on the mat.", "The dog ate my homework!", "Cat and dog"]
    tok = Tokenizer()
    tok.fit_on_texts(texts)
    assert tok.word_index["the"] == 1 and tok.document_count == 3
    assert list(tok.word_index)[:3] == ["the", "cat", "dog"]      # by frequency, ties in first-seen order
    assert tok.word_counts["the"] == 3 and tok.word_docs["cat"] == 2
    seqs = tok.texts_to_sequences(["the cat ate a unicorn"])
    assert seqs == [[1, 2, tok.word_index["ate"]]]
    assert tok.sequences_to_texts(seqs) == ["the cat ate"]
    limited = Tokenizer(num_words=3, oov_token="<oov>")
    limited.fit_on_texts(texts)
    assert limited.word_index["<oov>"] == 1
    assert limited.texts_to_sequences(["the dog flew"]) == [[2, 1, 1]]
    binary = tok.texts_to_matrix(["the the cat"], mode="binary")
    assert binary.shape == (1, len(tok.word_index) + 1) and binary[0, 1] == 1 and binary[0, 2] == 1
    count = tok.texts_to_matrix(["the the cat"], mode="count")
    assert count[0, 1] == 2
    freq = tok.texts_to_matrix(["the the cat"], mode="freq")
    np.testing.assert_allclose(freq[0, 1], 2 / 3)
    tfidf = tok.texts_to_matrix(["the the cat"], mode="tfidf")
    np.testing.assert_allclose(tfidf[0, 1], (1 + np.log(2)) * np.log(1 + 3 / (1 + 2)))
    with pytest.raises(ValueError, match="Unknown vectorization mode"):
        tok.texts_to_matrix(["x"], mode="weird")
    with pytest.raises(ValueError, match="Specify a dimension"):
        Tokenizer().sequences_to_matrix([[1]])
    chars = Tokenizer(char_level=True)
    chars.fit_on_texts(["aab"])
    assert chars.word_index == {"a": 1, "b": 2}


def test_tokenizer_json_round_trip():
    tok = Tokenizer(num_words=10, oov_token="?")
    tok.fit_on_texts(["red green blue", "green blue", "blue"])
    js = tok.to_json()
    assert json.loads(js)["class_name"] == "Tokenizer"
    back = tokenizer_from_json(js)
    assert back.word_index == tok.word_index and back.index_word == tok.index_word
    assert back.texts_to_sequences(["blue red yellow"]) == tok.texts_to_sequences(["blue red yellow"])
