"""Cropping1D (Keras 3)."""
from __future__ import annotations

from typing import Any

from .cropping import BaseCropping


class Cropping1D(BaseCropping):
    """Crops the 1 spatial axes by (before, after)."""

    rank = 1
    has_data_format = False

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(cropping, **kwargs)
