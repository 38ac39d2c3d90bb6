"""Theano's ``theano.sandbox`` names that programs import (``sandbox.rng_mrg``)."""
