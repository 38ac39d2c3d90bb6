"""ZeroPadding2D (Keras 3)."""
from __future__ import annotations

from typing import Any

from .zero_padding import BaseZeroPadding


class ZeroPadding2D(BaseZeroPadding):
    """Zeros before and after each of the 2 spatial axes."""

    rank = 2

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(padding, data_format=data_format, **kwargs)
