"""UpSampling3D (Keras 3)."""
from __future__ import annotations

from typing import Any

from .up_sampling import BaseUpSampling


class UpSampling3D(BaseUpSampling):
    """Repeats the three spatial axes by `size`."""

    rank = 3

    def __init__(self, size: Any = (2, 2, 2), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(size, data_format=data_format, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
