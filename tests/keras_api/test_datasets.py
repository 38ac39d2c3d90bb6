"""keras_api.datasets and get_file on small files generated in Keras's exact cache formats (no network:
the download function is replaced by one that fails as an offline machine does)."""
import gzip
import io
import json
import os
import pickle
import tarfile
import urllib.error

import numpy as np
import pytest

import keras_api as keras
from keras_api.utils import file_utils


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """KERAS_HOME in tmp_path, and no network."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))

    def offline(origin, target):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(file_utils, "_download", offline)
    d = tmp_path / "kh" / "datasets"
    d.mkdir(parents=True)
    return d


def sha256(path):
    return file_utils.hash_file(str(path), "sha256")


def use(monkeypatch, module, path, attr="FILE_HASH"):
    monkeypatch.setattr(module, attr, sha256(path))


def test_get_file_cached_hash_checked_and_offline_errors(cache, monkeypatch):
    f = cache / "thing.bin"
    f.write_bytes(b"hello")
    good = sha256(f)
    assert keras.utils.get_file("thing.bin", origin="https://example.com/thing.bin") == str(f)
    assert keras.utils.get_file("thing.bin", origin="https://example.com/thing.bin", file_hash=good) == str(f)
    md5 = file_utils.hash_file(str(f), "md5")
    assert keras.utils.get_file("thing.bin", origin="https://x/thing.bin", md5_hash=md5) == str(f)
    with pytest.raises(ValueError) as e:
        keras.utils.get_file("thing.bin", origin="https://example.com/thing.bin", file_hash="0" * 64)
    msg = str(e.value)
    assert str(f) in msg and "hash" in msg and "https://example.com/thing.bin" in msg
    with pytest.raises(Exception) as e:
        keras.utils.get_file("missing.npz", origin="https://example.com/data/missing.npz")
    msg = str(e.value)
    assert "missing.npz" in msg and "https://example.com/data/missing.npz" in msg and str(cache) in msg
    with pytest.raises(ValueError, match="origin"):
        keras.utils.get_file("x")
    with pytest.raises(ValueError, match="Paths are no longer accepted"):
        keras.utils.get_file("a/b.txt", origin="https://example.com/b.txt")


def test_get_file_cache_subdir_cache_dir_and_extract(cache, tmp_path):
    src = tmp_path / "payload"
    src.mkdir()
    (src / "inner.txt").write_text("inside")
    archive = cache / "bundle.tar.gz"
    with tarfile.open(archive, "w:gz") as t:
        t.add(src / "inner.txt", arcname="inner.txt")
    out = keras.utils.get_file("bundle.tar.gz", origin="https://x/bundle.tar.gz", extract=True)
    assert out == str(cache / "bundle_extracted") and open(os.path.join(out, "inner.txt")).read() == "inside"
    other = tmp_path / "elsewhere" / "sub"
    other.mkdir(parents=True)
    (other / "f.txt").write_text("x")
    assert keras.utils.get_file("f.txt", origin="https://x/f.txt", cache_dir=str(tmp_path / "elsewhere"),
                                cache_subdir="sub") == str(other / "f.txt")


def test_extract_refuses_members_outside_the_folder(cache, tmp_path):
    archive = cache / "evil.tar.gz"
    data = b"pwned"
    with tarfile.open(archive, "w:gz") as t:
        info = tarfile.TarInfo("../../escape.txt")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    with pytest.raises(ValueError, match="outside"):
        keras.utils.get_file("evil.tar.gz", origin="https://x/evil.tar.gz", extract=True)
    assert not (tmp_path / "escape.txt").exists()


def test_mnist(cache, monkeypatch):
    rng = np.random.default_rng(0)
    arrays = dict(x_train=rng.integers(0, 255, (7, 28, 28), dtype=np.uint8), y_train=np.arange(7, dtype=np.uint8),
                  x_test=rng.integers(0, 255, (3, 28, 28), dtype=np.uint8), y_test=np.arange(3, dtype=np.uint8))
    np.savez(cache / "mnist.npz", **arrays)
    with pytest.raises(ValueError, match="hash"):       # our file is not Keras's published one; offline
        keras.datasets.mnist.load_data()
    use(monkeypatch, keras.datasets.mnist, cache / "mnist.npz")
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    assert x_train.dtype == np.uint8 and y_test.dtype == np.uint8 and x_test.shape == (3, 28, 28)


def test_fashion_mnist(cache):
    d = cache / "fashion-mnist"
    d.mkdir()
    rng = np.random.default_rng(1)
    images = {"train": rng.integers(0, 255, (5, 28, 28), dtype=np.uint8),
              "t10k": rng.integers(0, 255, (2, 28, 28), dtype=np.uint8)}
    labels = {"train": np.array([1, 2, 3, 4, 5], np.uint8), "t10k": np.array([9, 0], np.uint8)}
    for part in ("train", "t10k"):
        with gzip.open(d / f"{part}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(b"\0\0\x08\x01" + len(labels[part]).to_bytes(4, "big") + labels[part].tobytes())
        with gzip.open(d / f"{part}-images-idx3-ubyte.gz", "wb") as f:
            f.write(b"\0\0\x08\x03" + len(labels[part]).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
                    + images[part].tobytes())
    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, images["train"])
    np.testing.assert_array_equal(y_test, labels["t10k"])
    assert x_train.dtype == np.uint8 and x_train.shape == (5, 28, 28)


def _cifar_archive(cache, name, folder, batches):
    archive = cache / name
    with tarfile.open(archive, "w:gz") as t:
        for fname, content in batches.items():
            raw = pickle.dumps(content, protocol=4)   # (the real files are Python 2 pickles: same opcodes for these)
            info = tarfile.TarInfo(f"{folder}/{fname}")
            info.size = len(raw)
            t.addfile(info, io.BytesIO(raw))
    return archive


def test_cifar10(cache, monkeypatch):
    rng = np.random.default_rng(2)
    batches = {f"data_batch_{i}": {b"data": rng.integers(0, 255, (2, 3072), dtype=np.uint8),
                                   b"labels": [i % 10, (i + 1) % 10]} for i in range(1, 6)}
    batches["test_batch"] = {b"data": rng.integers(0, 255, (3, 3072), dtype=np.uint8), b"labels": [7, 8, 9]}
    archive = _cifar_archive(cache, "cifar-10-batches-py-target_archive", "cifar-10-batches-py", batches)
    use(monkeypatch, keras.datasets.cifar10, archive)
    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (10, 1) and y_train.dtype == np.uint8 and y_test.dtype == np.uint8
    np.testing.assert_array_equal(x_train[0], batches["data_batch_1"][b"data"][0].reshape(3, 32, 32).transpose(1, 2, 0))
    assert y_test.ravel().tolist() == [7, 8, 9]


def test_cifar100_and_restricted_unpickling(cache, monkeypatch):
    rng = np.random.default_rng(3)
    part = lambda n: {b"data": rng.integers(0, 255, (n, 3072), dtype=np.uint8), b"fine_labels": list(range(n)),
                      b"coarse_labels": [0] * n}
    archive = _cifar_archive(cache, "cifar-100-python-target_archive", "cifar-100-python",
                             {"train": part(4), "test": part(2)})
    use(monkeypatch, keras.datasets.cifar100, archive)
    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar100.load_data(label_mode="coarse")
    assert x_train.shape == (4, 32, 32, 3) and y_train.shape == (4, 1) and y_train.ravel().tolist() == [0] * 4
    assert keras.datasets.cifar100.load_data()[0][1].ravel().tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="label_mode"):
        keras.datasets.cifar100.load_data(label_mode="medium")

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned > /dev/null",))

    archive = _cifar_archive(cache, "cifar-100-python-target_archive", "cifar-100-python",
                             {"train": {b"data": Evil()}, "test": part(1)})
    use(monkeypatch, keras.datasets.cifar100, archive)
    with pytest.raises(ValueError, match="Refusing to deserialize"):
        keras.datasets.cifar100.load_data()


def _sequences(rng, n, vocab=30):
    out = np.empty(n, dtype=object)
    for i in range(n):
        out[i] = rng.integers(1, vocab, rng.integers(2, 12)).tolist()
    return out


def test_imdb_processing_matches_keras_rules(cache, monkeypatch):
    rng = np.random.default_rng(4)
    x_tr, x_te = _sequences(rng, 9), _sequences(rng, 5)
    y_tr, y_te = rng.integers(0, 2, 9), rng.integers(0, 2, 5)
    np.savez(cache / "imdb.npz", x_train=x_tr, y_train=y_tr, x_test=x_te, y_test=y_te)
    use(monkeypatch, keras.datasets.imdb, cache / "imdb.npz")
    (a, b), (c, d) = keras.datasets.imdb.load_data()
    perm = np.arange(9)
    rs = np.random.RandomState(113)
    rs.shuffle(perm)
    assert a.dtype == object and a.shape == (9,)
    top = max(max(w + 3 for w in s) for s in list(x_tr) + list(x_te)) + 0   # num_words=None: Keras uses the max
    expected = [1] + [w + 3 if w + 3 < top else 2 for w in x_tr[perm[0]]]  # index, so that word itself is OOV
    assert a[0] == expected and b.tolist() == y_tr[perm].tolist()
    (a, _), _ = keras.datasets.imdb.load_data(num_words=10, skip_top=2, start_char=None, index_from=0, oov_char=2)
    assert all(2 <= w < 10 for s in a for w in s)
    (a, _), _ = keras.datasets.imdb.load_data(num_words=10, oov_char=None)
    assert all(w < 10 for s in a for w in s)
    (a, _), (c, _) = keras.datasets.imdb.load_data(maxlen=8)
    assert all(len(s) < 8 for s in list(a) + list(c))
    with pytest.raises(ValueError, match="maxlen"):
        keras.datasets.imdb.load_data(maxlen=1)
    with open(cache / "imdb_word_index.json", "w") as f:
        json.dump({"the": 1, "film": 2}, f)
    use(monkeypatch, keras.datasets.imdb, cache / "imdb_word_index.json", "WORD_INDEX_HASH")
    assert keras.datasets.imdb.get_word_index() == {"the": 1, "film": 2}


def test_reuters(cache, monkeypatch):
    rng = np.random.default_rng(5)
    xs, ys = _sequences(rng, 10), rng.integers(0, 46, 10)
    np.savez(cache / "reuters.npz", x=xs, y=ys)
    use(monkeypatch, keras.datasets.reuters, cache / "reuters.npz")
    (a, b), (c, d) = keras.datasets.reuters.load_data(test_split=0.3)
    assert len(a) == 7 and len(c) == 3 and a.dtype == object
    names = keras.datasets.reuters.get_label_names()
    assert len(names) == 46 and names[:3] == ("cocoa", "grain", "veg-oil")
    with open(cache / "reuters_word_index.json", "w") as f:
        json.dump({"said": 1}, f)
    use(monkeypatch, keras.datasets.reuters, cache / "reuters_word_index.json", "WORD_INDEX_HASH")
    assert keras.datasets.reuters.get_word_index() == {"said": 1}


@pytest.mark.parametrize("name,n_features", [("boston_housing", 13), ("california_housing", 8)])
def test_housing(cache, monkeypatch, name, n_features):
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((20, n_features)), rng.standard_normal(20)
    np.savez(cache / f"{name}.npz", x=x, y=y)
    module = getattr(keras.datasets, name)
    use(monkeypatch, module, cache / f"{name}.npz")
    (a, b), (c, d) = module.load_data(test_split=0.25)
    idx = np.arange(20)
    np.random.RandomState(113).shuffle(idx)
    np.testing.assert_array_equal(a, x[idx][:15])
    np.testing.assert_array_equal(d, y[idx][15:])
    assert a.dtype == np.float64
    with pytest.raises(ValueError, match="test_split"):
        module.load_data(test_split=1.0)


def test_keras_home_respected(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "custom_home"))
    monkeypatch.setattr(file_utils, "_download", lambda o, t: (_ for _ in ()).throw(urllib.error.URLError("offline")))
    with pytest.raises(Exception) as e:
        keras.datasets.boston_housing.load_data()
    assert str(tmp_path / "custom_home" / "datasets") in str(e.value)
    assert "boston_housing.npz" in str(e.value)
