"""Fashion-MNIST: the four IDX .gz files Keras caches under datasets/fashion-mnist; uint8 arrays."""
from __future__ import annotations

import gzip
import os

import numpy as np

from ..utils.file_utils import get_file
from ._common import ORIGIN

FILES = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz"]


def _read(path: str, offset: int) -> np.ndarray:
    try:
        with gzip.open(path, "rb") as f:
            return np.frombuffer(f.read(), np.uint8, offset=offset)
    except (OSError, EOFError, ValueError) as e:
        raise ValueError(f"Cannot read the dataset file {path}: {e}") from None


def load_data() -> tuple:
    dirname = os.path.join("datasets", "fashion-mnist")
    paths = [get_file(fname, origin=ORIGIN + fname, cache_subdir=dirname) for fname in FILES]
    y_train = _read(paths[0], 8)
    x_train = _read(paths[1], 16).reshape(len(y_train), 28, 28)
    y_test = _read(paths[2], 8)
    x_test = _read(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
