"""Boston housing prices: float64 features (n, 13) and prices, shuffled with RandomState(seed)."""
from __future__ import annotations

import numpy as np

from ..utils.file_utils import get_file
from ._common import ORIGIN, need, shuffled_split

FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113) -> tuple:
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between 0 and 1 (exclusive of 1).")
    path = get_file(path, origin=f"{ORIGIN}boston_housing.npz", file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        x, y = need(f, ("x", "y"), path)
    return shuffled_split(x, y, test_split, seed)
