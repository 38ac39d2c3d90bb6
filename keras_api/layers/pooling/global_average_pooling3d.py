"""GlobalAveragePooling3D (Keras 3)."""
from __future__ import annotations

from typing import Any

from .base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling3D(BaseGlobalPooling):
    """Keras's GlobalAveragePooling3D: the mean over the spatial axes."""

    reduce = "mean"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(pool_dimensions=3, data_format=data_format, keepdims=keepdims, **kwargs)
