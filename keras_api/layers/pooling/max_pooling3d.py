"""MaxPooling3D (Keras 3)."""
from __future__ import annotations

from typing import Any

from .base_pooling import BasePooling


class MaxPooling3D(BasePooling):
    """Keras's MaxPooling3D: windows of pool_size moved by strides (default pool_size)."""

    def __init__(self, pool_size: Any = (2, 2, 2), strides: Any = None, padding: str = "valid", data_format: str | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, pool_dimensions=3, pool_mode="max", padding=padding,
                         data_format=data_format, name=name, **kwargs)
