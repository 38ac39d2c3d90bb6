"""Normalization layers."""
from .group_normalization import GroupNormalization  # noqa: F401
from .spectral_normalization import SpectralNormalization  # noqa: F401
from .unit_normalization import UnitNormalization  # noqa: F401
"""Normalization layers (Keras 3's keras.layers.normalization)."""
from .batch_normalization import BatchNormalization  # noqa: F401
from .layer_normalization import LayerNormalization  # noqa: F401
