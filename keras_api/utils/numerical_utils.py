"""to_categorical and normalize (NumPy, as in Keras)."""
from __future__ import annotations

from typing import Any

import numpy as np


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """Class indices -> one-hot float64 rows (as Keras 3); a trailing dim of 1 is dropped."""
    x = np.array(x, dtype="int64")
    input_shape = x.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    x = x.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(x)) + 1 if x.size else 0
    if x.size and (x.min() < 0 or x.max() >= num_classes):
        raise ValueError(f"to_categorical: class indices must lie in [0, {num_classes}); got min {x.min()}, "
                         f"max {x.max()}")
    out = np.zeros((x.shape[0], num_classes))          # float64, as Keras 3 returns
    out[np.arange(x.shape[0]), x] = 1
    return out.reshape(input_shape + (num_classes,))


def normalize(x: Any, axis: int = -1, order: int = 2) -> np.ndarray:
    """x / ||x||_order along axis (zero norms stay zero)."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    axis = axis or -1
    return x / np.expand_dims(norm, axis)
