"""keras_api: Keras 3's API for dense models on symnet (``import keras_api as keras``)."""
from . import backend  # noqa: F401
from . import activations, constraints, initializers, losses, metrics, optimizers, regularizers  # noqa: F401
from . import layers, models, callbacks, utils  # noqa: F401
from . import ops  # noqa: F401  (keras.ops)
from .layers import Input, InputSpec, Layer  # noqa: F401
from .models import Model, Sequential  # noqa: F401
from .layers.base import KerasTensor, KerasVariable as Variable  # noqa: F401
from .layers.base import clear_session  # noqa: F401
from . import saving, datasets, preprocessing, config  # noqa: F401

__version__ = "3.0.0-symnet"
