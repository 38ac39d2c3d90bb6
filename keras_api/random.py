"""The global seed: ``keras.utils.set_random_seed(seed)`` seeds Python's random, NumPy's global
generator and the generator that initializers with ``seed=None`` draw their seeds from."""
from __future__ import annotations

import random as _pyrandom

import numpy as np

_global_rng: np.random.Generator | None = None


def set_random_seed(seed: int) -> None:
    """Seed python random, numpy and keras_api's initializers (Keras's set_random_seed)."""
    if not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed!r} (of type {type(seed)})")
    global _global_rng
    _pyrandom.seed(int(seed))
    np.random.seed(int(seed) % (2 ** 32))
    _global_rng = np.random.default_rng(int(seed))


def global_rng() -> np.random.Generator:
    """The generator unseeded initializers use; fresh entropy until set_random_seed is called."""
    global _global_rng
    if _global_rng is None:
        _global_rng = np.random.default_rng()
    return _global_rng


def make_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A generator for one draw: from `seed` when given, else a child of the global generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng(global_rng().integers(0, 2 ** 63 - 1))
    return np.random.default_rng(int(seed))
