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
from .ops.attention import dot_product_attention  # noqa: E402,F401  (keras.ops.dot_product_attention)
