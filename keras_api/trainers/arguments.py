"""Checks of fit/evaluate/predict arguments at the user's level: a bad value is a ValueError that names
the argument and the value (Keras's "Received: ..." style) before any data is touched. Keras 3 itself
accepts batch_size=0 or epochs=-1 silently; keras_api refuses them."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def positive_int(name: str, value: Any, allow_none: bool = True) -> int | None:
    """`value` as an int >= 1 (None passes when allowed)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"Argument `{name}` must be a positive integer{' or None' if allow_none else ''}. "
                         f"Received: {name}={value!r}")
    return int(value)


def non_negative_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"Argument `{name}` must be a non-negative integer. Received: {name}={value!r}")
    return int(value)


def fraction(name: str, value: Any) -> float:
    """A float in [0, 1) (validation_split)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"Argument `{name}` must be a float in the range [0, 1). Received: {name}={value!r}")
    return float(value)


def check_fit_arguments(batch_size: Any, epochs: Any, initial_epoch: Any, validation_split: Any,
                        steps_per_epoch: Any, validation_steps: Any, validation_batch_size: Any,
                        validation_freq: Any) -> None:
    positive_int("batch_size", batch_size)
    non_negative_int("epochs", epochs)
    non_negative_int("initial_epoch", initial_epoch)
    fraction("validation_split", validation_split)
    positive_int("steps_per_epoch", steps_per_epoch)
    positive_int("validation_steps", validation_steps)
    positive_int("validation_batch_size", validation_batch_size)
    if isinstance(validation_freq, numbers.Integral) and not isinstance(validation_freq, bool):
        positive_int("validation_freq", validation_freq, allow_none=False)
    elif not (isinstance(validation_freq, (list, tuple, set, range)) and all(
            isinstance(e, numbers.Integral) and e >= 1 for e in validation_freq)):
        raise ValueError("Argument `validation_freq` must be a positive integer or a list of epoch numbers "
                         f"(starting at 1). Received: validation_freq={validation_freq!r}")


def check_numeric_data(arrays: list | None, what: str) -> None:
    """Data that cannot be a tensor (strings, bytes, Python objects) is named in Keras's terms."""
    for i, a in enumerate(arrays or []):
        if a is None:
            continue
        dt = np.asarray(a).dtype if not hasattr(a, "dtype") else a.dtype
        if dt.kind in "USOVMm":
            kind = {"U": "strings", "S": "bytes", "O": "Python objects", "V": "structured records",
                    "M": "datetimes", "m": "timedeltas"}[dt.kind]
            where = what if len(arrays) == 1 else f"{what}[{i}]"
            raise ValueError(f"Invalid dtype: {dt} ({kind}). The data passed as `{where}` must be numeric or "
                             f"boolean to be converted to a tensor; encode it first (e.g. with a lookup of "
                             f"the strings to integer ids). Received: {where} with dtype={dt} and shape "
                             f"{tuple(np.shape(a))}")


def no_y_with_source(y: Any, sample_weight: Any, method: str) -> None:
    if y is not None or sample_weight is not None:
        raise ValueError(f"`y` and `sample_weight` arguments must not be passed to {method}() when `x` is a "
                         "generator or a PyDataset: the batches already hold them. Received: "
                         f"y={type(y).__name__}, sample_weight={type(sample_weight).__name__}")


def verbosity(v: Any) -> int:
    if v == "auto":
        return 1
    return int(v)


def should_validate(epoch: int, freq: Any) -> bool:
    """validation_freq: an int (every freq epochs) or a collection of 1-based epoch numbers."""
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in freq
