"""Theano's ``theano.sandbox.rng_mrg``: MRG_RandomStreams (default seed 12345, as Theano).

symnet draws from its counter-based Philox generator, not from MRG31k3p: the same distributions
and API, different numbers than Theano for the same seed."""
from ..random import MRG_RandomStream
from ..tensor.shared_randomstreams import TheanoDraws


class MRG_RandomStreams(TheanoDraws, MRG_RandomStream):
    """``MRG_RandomStreams(seed=12345)``: uniform, normal, binomial, multinomial (n=1),
    random_integers (``nstreams`` is accepted and ignored)."""


__all__ = ["MRG_RandomStreams"]
