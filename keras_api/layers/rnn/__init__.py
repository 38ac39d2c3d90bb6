"""Recurrent layers (Keras 3's keras.layers rnn folder): one layer per module."""
from .rnn import RNN  # noqa: F401
from .simple_rnn import SimpleRNN, SimpleRNNCell  # noqa: F401
from .lstm import LSTM, LSTMCell  # noqa: F401
from .gru import GRU, GRUCell  # noqa: F401
from .stacked_rnn_cells import StackedRNNCells  # noqa: F401
from .bidirectional import Bidirectional  # noqa: F401
from .time_distributed import TimeDistributed  # noqa: F401
from .dropout_rnn_cell import DropoutRNNCell  # noqa: F401
