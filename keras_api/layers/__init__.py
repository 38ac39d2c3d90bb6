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
from .einsum_dense import EinsumDense  # noqa: F401,E402
from .attention import (AdditiveAttention, Attention, GroupedQueryAttention, GroupQueryAttention,  # noqa: F401,E402
                        MultiHeadAttention)
from .activations import ELU, LeakyReLU, PReLU, ReLU, Softmax  # noqa: F401,E402
from .identity import Identity  # noqa: F401,E402
from .activity_regularization import ActivityRegularization  # noqa: F401,E402
from .normalization import GroupNormalization, SpectralNormalization, UnitNormalization  # noqa: F401,E402
from .preprocessing import (CategoryEncoding, CenterCrop, Discretization, IntegerLookup,  # noqa: F401,E402
                            Normalization, RandomContrast, RandomFlip, Rescaling, Resizing, StringLookup,
                            TextVectorization)
from .preprocessing import RandomRotation, RandomTranslation, RandomZoom  # noqa: F401,E402
from .reshaping import (Cropping1D, Cropping2D, Cropping3D, UpSampling1D, UpSampling2D, UpSampling3D,  # noqa: F401
                        ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
from .convolutional import (Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose,  # noqa: F401
                            DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D)
from .pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D, GlobalAveragePooling1D,  # noqa: F401
                      GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalMaxPooling1D, GlobalMaxPooling2D,
                      GlobalMaxPooling3D, MaxPooling1D, MaxPooling2D, MaxPooling3D)
from .normalization import BatchNormalization, LayerNormalization  # noqa: F401
from .regularization import (AlphaDropout, GaussianDropout, GaussianNoise, SpatialDropout1D,  # noqa: F401
                             SpatialDropout2D, SpatialDropout3D)
# Keras's short aliases
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D  # noqa: E305
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (GlobalAveragePooling1D, GlobalAveragePooling2D,
                                                     GlobalAveragePooling3D)
from .core import Embedding, Masking  # noqa: F401,E402
from .rnn import (GRU, LSTM, RNN, Bidirectional, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell,  # noqa: F401,E402
                  StackedRNNCells, TimeDistributed)
from ..saving.layer_config import deserialize, serialize  # noqa: F401,E402  (keras.layers.serialize/deserialize)
