"""keras_api.utils: to_categorical, normalize, set_random_seed, Progbar, clear_session."""
from .progbar import Progbar  # noqa: F401
from .numerical_utils import normalize, to_categorical  # noqa: F401
from ..random import set_random_seed  # noqa: F401
from ..layers.base import clear_session  # noqa: F401
from .file_utils import get_file  # noqa: F401
from .py_dataset import PyDataset, Sequence  # noqa: F401
