"""Regularization layers (Keras 3's keras.layers.regularization): spatial dropout and noise."""
from .spatial_dropout1d import SpatialDropout1D  # noqa: F401
from .spatial_dropout2d import SpatialDropout2D  # noqa: F401
from .spatial_dropout3d import SpatialDropout3D  # noqa: F401
from .gaussian_noise import GaussianNoise  # noqa: F401
from .gaussian_dropout import GaussianDropout  # noqa: F401
from .alpha_dropout import AlphaDropout  # noqa: F401
