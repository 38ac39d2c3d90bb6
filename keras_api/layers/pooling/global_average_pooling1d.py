"""GlobalAveragePooling1D (Keras 3)."""
from __future__ import annotations

from typing import Any

from .base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Keras's GlobalAveragePooling1D: the mean over the spatial axes."""

    reduce = "mean"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(pool_dimensions=1, data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None:
            return super().call(inputs)
        import symnet as sn
        x = sn.graph.as_variable(inputs)
        steps_axis = 1 if self.data_format == "channels_last" else 2
        m = sn.cast(sn.graph.as_variable(mask), x.dtype)
        m = sn.expand_dims(m, 2 if self.data_format == "channels_last" else 1)
        total = sn.sum(x * m, axis=steps_axis, keepdims=self.keepdims)
        return total / sn.sum(m, axis=steps_axis, keepdims=self.keepdims)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None
