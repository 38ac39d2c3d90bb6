"""GlobalMaxPooling2D (Keras 3)."""
from __future__ import annotations

from typing import Any

from .base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling2D(BaseGlobalPooling):
    """Keras's GlobalMaxPooling2D: the max over the spatial axes."""

    reduce = "max"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(pool_dimensions=2, data_format=data_format, keepdims=keepdims, **kwargs)
