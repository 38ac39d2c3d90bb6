"""Cropping2D (Keras 3)."""
from __future__ import annotations

from typing import Any

from .cropping import BaseCropping


class Cropping2D(BaseCropping):
    """Crops the 2 spatial axes by (before, after)."""

    rank = 2
    has_data_format = True

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(cropping, data_format=data_format, **kwargs)
