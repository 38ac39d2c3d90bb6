"""MNIST digits: ((x_train uint8 (60000, 28, 28), y_train uint8), (x_test, y_test)) from Keras's mnist.npz."""
from __future__ import annotations

import numpy as np

from ..utils.file_utils import get_file
from ._common import ORIGIN, need

FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path: str = "mnist.npz") -> tuple:
    path = get_file(fname=path, origin=f"{ORIGIN}mnist.npz", file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        x_train, y_train, x_test, y_test = need(f, ("x_train", "y_train", "x_test", "y_test"), path)
        return (x_train, y_train), (x_test, y_test)



