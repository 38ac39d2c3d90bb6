"""SpatialDropout1D (Keras 3)."""
from __future__ import annotations

from typing import Any

from .base_spatial_dropout import BaseSpatialDropout


class SpatialDropout1D(BaseSpatialDropout):
    """Drops whole channels of a 1-d feature map."""

    spatial_rank = 1
    has_data_format = False

    def __init__(self, rate: float, seed: int | None = None, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
