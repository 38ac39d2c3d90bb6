"""SpatialDropout2D (Keras 3)."""
from __future__ import annotations

from typing import Any

from .base_spatial_dropout import BaseSpatialDropout


class SpatialDropout2D(BaseSpatialDropout):
    """Drops whole channels of a 2-d feature map."""

    spatial_rank = 2
    has_data_format = True

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None, name: str | None = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(rate, seed=seed, name=name, dtype=dtype, data_format=data_format, **kwargs)
