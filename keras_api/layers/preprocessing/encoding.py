"""Keras's encode_categorical_inputs in NumPy: integer ids -> one_hot / multi_hot / count / tf_idf."""
from __future__ import annotations

import numpy as np

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def encode_categorical(ids: np.ndarray, output_mode: str, depth: int, dtype: str,
                       idf_weights: np.ndarray | None = None, what: str = "layer") -> np.ndarray:
    """one_hot adds a depth axis (a trailing axis of size 1 is replaced); multi_hot/count/tf_idf bin
    each row (a rank-1 input is one sample)."""
    ids = np.asarray(ids)
    if output_mode == "int":
        return ids.astype("int64")
    if ids.ndim == 0:
        ids = ids[None]
    if ids.ndim > 2:
        raise ValueError(f"{what}: when output_mode is not `'int'`, maximum supported output rank is 2. "
                         f"Received output_mode {output_mode} and input shape {ids.shape}, which would result "
                         f"in output rank {ids.ndim}.")
    if ids.size and (ids.min() < 0 or ids.max() >= depth):
        raise ValueError(f"{what}: input values must be in the range 0 <= values < num_tokens with "
                         f"num_tokens={depth}. Received: values in [{ids.min()}, {ids.max()}]")
    if output_mode == "one_hot":
        if ids.ndim == 2 and ids.shape[-1] == 1:
            ids = ids[:, 0]
        return np.eye(depth, dtype=dtype)[ids]
    rows = ids[None] if ids.ndim == 1 else ids
    counts = np.zeros((rows.shape[0], depth), dtype=dtype)
    np.add.at(counts, (np.repeat(np.arange(rows.shape[0]), rows.shape[1]), rows.reshape(-1)), 1)
    if ids.ndim == 1:
        counts = counts[0]
    if output_mode == "multi_hot":
        return np.minimum(counts, 1).astype(dtype)
    if output_mode == "count":
        return counts
    if idf_weights is None:
        raise ValueError(f"{what}: output_mode='tf_idf' needs idf weights (call adapt() or pass idf_weights)")
    w = np.zeros(depth, dtype=dtype)
    w[:min(depth, len(idf_weights))] = idf_weights[:depth]
    return counts * w
