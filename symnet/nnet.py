"""Theano's ``tensor.nnet`` names in one place: ``sn.nnet.sigmoid``, ``sn.nnet.softmax``,
``sn.nnet.categorical_crossentropy(coding_dist, true_dist)`` (predictions first, as Theano)..."""
from .ops.elemwise import elu, relu, selu, sigmoid, softplus  # noqa: F401
from .ops.nnet import (binary_crossentropy, categorical_crossentropy, log_softmax,  # noqa: F401
                       sigmoid_binary_crossentropy, softmax, sparse_categorical_crossentropy)
from .ops.elemwise import sigmoid as ultra_fast_sigmoid  # noqa: F401  (Theano's approximation name)


def logsoftmax(x, axis=-1):
    """Theano's spelling of log_softmax."""
    return log_softmax(x, axis)


def crossentropy_categorical_1hot(coding_dist, true_one_of_n):
    """Theano's name for the sparse crossentropy with integer class indices."""
    return sparse_categorical_crossentropy(coding_dist, true_one_of_n)


def sigmoid_logits(output):
    """The z of ``output = sigmoid(z)``, else None: what a loss needs to work from logits (Keras's
    TensorFlow backend does the same for a Sigmoid op's output)."""
    from .stable_forms import sigmoid_logit
    found = sigmoid_logit(output) if hasattr(output, "owner") else None
    if found is None or len(found[1]) != 1:          # only the sigmoid op itself, as TensorFlow
        return None
    return found[0]


def hard_sigmoid(x):
    """Theano's piecewise-linear sigmoid: clip(0.2 * x + 0.5, 0, 1)."""
    from .ops.elemwise import clip
    return clip(x * 0.2 + 0.5, 0.0, 1.0)
from .ops.attention import dot_product_attention  # noqa: E402,F401  (keras.ops.dot_product_attention)
# -- convolution, pooling and batch normalisation (Theano's nnet.conv2d, nnet.bn, signal.pool) ----
from .ops import bn  # noqa: E402,F401  (sn.nnet.bn.batch_normalization_train / _test)
from .ops import conv_api as abstract_conv  # noqa: E402,F401  (Theano's nnet.abstract_conv module path)
from .ops.conv_api import (conv1d, conv2d, conv2d_grad_wrt_inputs, conv2d_grad_wrt_weights,  # noqa: E402,F401
                           conv2d_transpose, conv3d, conv3d_grad_wrt_inputs, conv3d_grad_wrt_weights,
                           conv1d_transpose, conv3d_transpose)
from .ops.bn import batch_normalization  # noqa: E402,F401
from .signal.pool import pool_2d as pool2d, pool_3d as pool3d  # noqa: E402,F401
from .signal.pool import pool_2d, pool_3d  # noqa: E402,F401
