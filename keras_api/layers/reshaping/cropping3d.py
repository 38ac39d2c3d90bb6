"""Cropping3D (Keras 3)."""
from __future__ import annotations

from typing import Any

from .cropping import BaseCropping


class Cropping3D(BaseCropping):
    """Crops the 3 spatial axes by (before, after)."""

    rank = 3
    has_data_format = True

    def __init__(self, cropping: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(cropping, data_format=data_format, **kwargs)
