"""One CIFAR batch file (a Python pickle of a dict with b'data' and the label list), read with the
restricted unpickler (NumPy arrays, lists, numbers and strings only; no code runs)."""
from __future__ import annotations

import numpy as np

from ._common import restricted_load


def load_batch(fpath: str, label_key: str = "labels") -> tuple[np.ndarray, list]:
    try:
        with open(fpath, "rb") as f:
            d = restricted_load(f, fpath, encoding="bytes")
    except FileNotFoundError:
        raise ValueError(f"The CIFAR batch file {fpath} is missing from the extracted archive") from None
    if not isinstance(d, dict):
        raise ValueError(f"Cannot read the dataset file {fpath}: expected a dict, found {type(d).__name__}")
    d = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in d.items()}
    if "data" not in d or label_key not in d:
        raise ValueError(f"The CIFAR batch file {fpath} has no 'data' or '{label_key}' entry (keys: {sorted(d)})")
    data = np.asarray(d["data"])
    return data.reshape(data.shape[0], 3, 32, 32), d[label_key]
