"""split_dataset: samples into a left and a right part (sizes as counts or fractions, Keras's rules).
Keras returns tf.data (or torch) datasets; here each part has the input's structure in NumPy arrays
(an array, or a tuple/list/dict of arrays sharing the first axis)."""
from __future__ import annotations

import random
from typing import Any

import numpy as np


def _split_sizes(left_size: Any, right_size: Any, total: int) -> tuple[int, int]:
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is not None and type(size) not in (int, float):
            raise TypeError(f"Invalid `{name}` Type. Expected: int or float or None, Received: type({name})="
                            f"{type(size)}.")
    if left_size is None and right_size is None:
        raise ValueError("At least one of `left_size` or `right_size` must be specified. Received: left_size=None "
                         "and right_size=None")
    if left_size == 0 and right_size == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the split sizes must be "
                         "non-zero.")
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if (type(size) is int and (size <= 0 or size >= total)) or (type(size) is float and (size <= 0 or size >= 1)):
            raise ValueError(f"`{name}` should be either a positive integer smaller than {total}, or a float within "
                             f"the range `[0, 1]`. Received: {name}={size}")
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be less than or equal "
                         "to 1.")
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than the {total}. Received: "
                         f"left_size + right_size = {left + right}and total_length = {total}")
    for size, side in ((left, "left"), (right, "right")):
        if size == 0:
            raise ValueError(f"With `dataset` of length={total}, `left_size`={left_size} and `right_size`="
                             f"{right_size}.Resulting {side} side dataset split will be empty. Adjust any of the "
                             "aforementioned parameters")
    return int(left), int(right)


def split_dataset(dataset: Any, left_size: Any = None, right_size: Any = None, shuffle: bool = False,
                  seed: int | None = None, preferred_backend: str | None = None) -> tuple:
    if isinstance(dataset, dict):
        keys = list(dataset)
        arrays = [np.asarray(dataset[k]) for k in keys]
        pack = lambda parts: dict(zip(keys, parts))   # noqa: E731
    elif isinstance(dataset, (tuple, list)) and dataset and all(hasattr(a, "__len__") for a in dataset) and \
            not np.isscalar(dataset[0]):
        arrays = [np.asarray(a) for a in dataset]
        pack = lambda parts: type(dataset)(parts)     # noqa: E731
    else:
        arrays = [np.asarray(dataset)]
        pack = lambda parts: parts[0]                 # noqa: E731
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"All arrays of `dataset` must have the same length; received lengths {sorted(lengths)}")
    total = lengths.pop()
    left, right = _split_sizes(left_size, right_size, total)
    order = np.arange(total)
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        np.random.RandomState(seed).shuffle(order)
    left_idx, right_idx = order[:left], order[total - right:]
    return pack([a[left_idx] for a in arrays]), pack([a[right_idx] for a in arrays])
