"""keras.preprocessing: sequence.pad_sequences, text.Tokenizer and timeseries_dataset_from_array."""
from . import sequence, text  # noqa: F401
from ..utils.timeseries_utils import timeseries_dataset_from_array  # noqa: F401
