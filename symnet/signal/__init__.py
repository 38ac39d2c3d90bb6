"""Theano's ``tensor.signal`` package: ``symnet.signal.pool.pool_2d`` and friends."""
from . import pool  # noqa: F401
