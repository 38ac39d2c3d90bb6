"""keras_api.layers: the Layer base class and the dense-model layers."""
from .base import InputSpec, KerasTensor, KerasVariable, Layer  # noqa: F401
from .input_layer import Input, InputLayer  # noqa: F401
from .dense import Dense  # noqa: F401
from .activation import Activation  # noqa: F401
from .dropout import Dropout  # noqa: F401
from .reshaping import Flatten, Permute, RepeatVector, Reshape  # noqa: F401
from .lambda_layer import Lambda  # noqa: F401
from .merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract,  # noqa: F401
                      add, average, concatenate, dot, maximum, minimum, multiply, subtract)
from .core import Embedding, Masking  # noqa: F401,E402
from .rnn import (GRU, LSTM, RNN, Bidirectional, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell,  # noqa: F401,E402
                  StackedRNNCells, TimeDistributed)
from ..saving.layer_config import deserialize, serialize  # noqa: F401,E402  (keras.layers.serialize/deserialize)
