"""What the dataset loaders share: Keras's download folder and published hashes, a restricted reader
for the pickled members some Keras files hold, and the word-sequence processing of imdb/reuters.

Pickle: imdb.npz/reuters.npz store lists of word indices as NumPy object arrays, and the CIFAR
batches are Python pickles. They are read with an Unpickler whose find_class allows only NumPy's
array-reconstruction globals (as Keras 3.15 does), so a file cannot name any other Python callable to
run; everything else is refused with an error naming the file."""
from __future__ import annotations

import io
import pickle
import zipfile
from typing import Any

import numpy as np

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

_ALLOWED_GLOBALS = frozenset({("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "_reconstruct"),
                              ("numpy._core.multiarray", "_reconstruct")})


class RestrictedUnpickler(pickle.Unpickler):
    """Only NumPy arrays, dtypes and plain containers/numbers/strings: no other global can be loaded."""

    def __init__(self, file: Any, source: str = "<file>", **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        self._source = source

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"Refusing to deserialize `{module}.{name}` while loading the Keras dataset file "
                                     f"{self._source}. The file may be corrupted or malicious.")


def restricted_load(fileobj: Any, source: str, **kwargs: Any) -> Any:
    try:
        return RestrictedUnpickler(fileobj, source=source, **kwargs).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as e:
        raise ValueError(f"Cannot read the dataset file {source}: {e}") from None


def _npy_member(buffer: io.BytesIO, source: str) -> np.ndarray:
    try:
        return np.lib.format.read_array(buffer, allow_pickle=False)
    except ValueError:
        buffer.seek(0)
        version = np.lib.format.read_magic(buffer)
        if version[0] == 1:
            np.lib.format.read_array_header_1_0(buffer)
        elif version[0] in (2, 3):
            np.lib.format.read_array_header_2_0(buffer)
        else:
            raise ValueError(f"Unsupported `.npy` file version {version} in {source}") from None
        return restricted_load(buffer, source)


def load_npz(path: str) -> dict[str, np.ndarray]:
    """Every array of an .npz; object arrays through the restricted reader."""
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith(".npy"):
                    arrays[member[:-4]] = _npy_member(io.BytesIO(archive.read(member)), f"{path}:{member}")
    except zipfile.BadZipFile as e:
        raise ValueError(f"Cannot read the dataset file {path}: it is not a valid .npz archive ({e})") from None
    return arrays


def need(arrays: dict, keys: tuple, path: str) -> list:
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise ValueError(f"The dataset file {path} lacks the array(s) {missing} (it holds {sorted(arrays)})")
    return [arrays[k] for k in keys]


def remove_long_seq(maxlen: int, seq: list, label: Any) -> tuple[list, list]:
    """Keep the (sequence, label) pairs whose sequence is shorter than maxlen."""
    new_seq, new_label = [], []
    for x, y in zip(seq, label):
        if len(x) < maxlen:
            new_seq.append(x)
            new_label.append(y)
    return new_seq, new_label


def offset_words(xs: Any, start_char: int | None, index_from: int) -> list[list[int]]:
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    if index_from:
        return [[w + index_from for w in x] for x in xs]
    return [list(x) for x in xs]


def limit_vocabulary(xs: list, num_words: int | None, skip_top: int, oov_char: int | None) -> list[list[int]]:
    """Words outside [skip_top, num_words) become oov_char (or are dropped when oov_char is None)."""
    if not num_words:
        num_words = max(max(x) for x in xs if len(x)) if any(len(x) for x in xs) else 0
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def object_array(seqs: list) -> np.ndarray:
    out = np.empty(len(seqs), dtype="object")
    for i, s in enumerate(seqs):
        out[i] = s
    return out


def shuffled_split(x: np.ndarray, y: np.ndarray, test_split: float, seed: int) -> tuple:
    """Shuffle with RandomState(seed), then the first (1 - test_split) for training (boston/california)."""
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between 0 and 1 (exclusive of 1).")
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
