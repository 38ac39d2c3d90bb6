"""keras_api.utils: to_categorical, normalize, set_random_seed, Progbar, clear_session."""
from .progbar import Progbar  # noqa: F401
from .numerical_utils import normalize, to_categorical  # noqa: F401
from ..random import set_random_seed  # noqa: F401
from ..layers.base import clear_session  # noqa: F401
from .file_utils import get_file  # noqa: F401
from .py_dataset import PyDataset, Sequence  # noqa: F401
from .sequence_utils import pad_sequences  # noqa: F401
from .dataset_utils import split_dataset  # noqa: F401
from .timeseries_utils import timeseries_dataset_from_array  # noqa: F401
from .model_visualization import model_to_dot, plot_model  # noqa: F401
from ..saving.object_registration import (CustomObjectScope, custom_object_scope, get_custom_objects,  # noqa: F401
                                          get_registered_name, get_registered_object, register_keras_serializable)
from ..saving.serialization_lib import deserialize_keras_object, serialize_keras_object  # noqa: F401
