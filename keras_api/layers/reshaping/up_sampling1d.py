"""UpSampling1D (Keras 3)."""
from __future__ import annotations

from typing import Any

from .up_sampling import BaseUpSampling


class UpSampling1D(BaseUpSampling):
    """Repeats each step `size` times along the time axis."""

    rank = 1
    has_data_format = False

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(size, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size[0]}
