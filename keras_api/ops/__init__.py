"""keras.ops (Keras 3's op namespace) over symnet: ``from keras_api import ops`` / ``keras.ops``.

Every function works on KerasTensors (functional models record the call), on symnet graphs (custom
layers' call, losses, metrics) and eagerly on NumPy arrays; see core.py. `ops.numpy` and `ops.nn`
hold the two families, as in Keras.
"""
from . import core_ops, nn, numpy  # noqa: F401
from .core_ops import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .numpy import *  # noqa: F401,F403

__all__ = sorted(set(core_ops.__all__) | set(nn.__all__) | set(numpy.__all__))
