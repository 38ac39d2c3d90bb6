"""Theano's ``theano.tensor.shared_randomstreams``: RandomStreams whose states are shared
variables updated by every function that draws from them (symnet.random.RandomStream)."""
from ..random import RandomStream


class RandomStreams(RandomStream):
    """``RandomStreams(seed=None)``: uniform, normal, binomial with Theano's argument names
    (size, low/high, avg/std, n/p, ndim, dtype)."""


__all__ = ["RandomStreams"]
