"""What the noise layers share: a validated rate and a symnet RandomStream seeded from `seed` (or
Keras's global generator), drawn inside the compiled training step."""
from __future__ import annotations

from typing import Any


def check_rate(rate: Any, name: str = "rate") -> float:
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0 <= rate <= 1:
        raise ValueError(f"Invalid value received for argument `{name}`. Expected a float value between 0 and 1. "
                         f"Received: {name}={rate}")
    return float(rate)


def make_stream(seed: int | None) -> Any:
    from symnet.random import RandomStream
    if seed is None:
        from ...random import global_rng
        seed = int(global_rng().integers(0, 2 ** 31 - 1))
    return RandomStream(int(seed))
