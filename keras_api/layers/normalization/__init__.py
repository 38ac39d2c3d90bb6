"""Normalization layers."""
from .group_normalization import GroupNormalization  # noqa: F401
from .spectral_normalization import SpectralNormalization  # noqa: F401
from .unit_normalization import UnitNormalization  # noqa: F401
