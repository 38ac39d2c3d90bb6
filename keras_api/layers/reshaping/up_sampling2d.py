"""UpSampling2D (Keras 3)."""
from __future__ import annotations

from typing import Any

from .up_sampling import BaseUpSampling


class UpSampling2D(BaseUpSampling):
    """Repeats rows and columns by `size` (interpolation 'nearest')."""

    rank = 2

    def __init__(self, size: Any = (2, 2), data_format: str | None = None, interpolation: str = "nearest",
                 **kwargs: Any) -> None:
        super().__init__(size, data_format=data_format, interpolation=interpolation, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}
