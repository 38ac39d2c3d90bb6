"""AveragePooling2D (Keras 3)."""
from __future__ import annotations

from typing import Any

from .base_pooling import BasePooling


class AveragePooling2D(BasePooling):
    """Keras's AveragePooling2D: windows of pool_size moved by strides (default pool_size)."""

    def __init__(self, pool_size: Any, strides: Any = None, padding: str = "valid", data_format: str | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, pool_dimensions=2, pool_mode="average", padding=padding,
                         data_format=data_format, name=name, **kwargs)
