"""keras.preprocessing.sequence (pad_sequences)."""
from ..utils.sequence_utils import pad_sequences  # noqa: F401
from ..utils.timeseries_utils import TimeseriesGenerator  # noqa: F401
