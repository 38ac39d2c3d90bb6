"""Loops in the graph: sn.scan (Theano's theano.scan), map/reduce/foldl/foldr and until.

    import symnet as sn
    A, k = sn.vector('A'), sn.iscalar('k')
    result, updates = sn.scan(lambda prior, A: prior * A, outputs_info=sn.ones_like(A),
                              non_sequences=A, n_steps=k)
    power = sn.function([A, k], result[-1], updates=updates)
"""
from .api import foldl, foldr, map, reduce, scan  # noqa: F401
from .build import OrderedUpdates, until  # noqa: F401
from ..ops.scan import Scan  # noqa: F401
from . import rewrites  # noqa: F401,E402  (registers the scan rewrites)
