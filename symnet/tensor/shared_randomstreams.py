"""Theano's ``theano.tensor.shared_randomstreams``: RandomStreams whose states are shared
variables updated by every function that draws from them (symnet.random.RandomStream)."""
from __future__ import annotations

from typing import Any

from ..graph import Variable
from ..random import RandomStream


class TheanoDraws:
    """Theano's extra draws, built on uniform (mixed into RandomStreams and MRG_RandomStreams)."""

    def random_integers(self, size: Any = None, low: int = 0, high: int = 1, ndim: int | None = None,
                        dtype: str = "int64") -> Variable:
        """Integers uniformly from [low, high], both ends included."""
        from .. import basic as T
        u = self.uniform(size, 0.0, 1.0, ndim=ndim, dtype="float64")
        r = T.floor(u * (T.cast(high, "float64") - low + 1)) + low
        return T.cast(T.minimum(r, T.cast(high, "float64")), dtype)

    def multinomial(self, size: Any = None, n: int = 1, pvals: Any = None, ndim: int | None = None,
                    dtype: str = "int64", nstreams: Any = None) -> Variable:
        """One draw per row of the probability matrix `pvals` (MRG's form, n=1): a one-hot matrix."""
        from .. import basic as T
        if n != 1:
            raise NotImplementedError(f"multinomial with n={n}: only n=1 (one draw per row) is implemented")
        if pvals is None:
            raise TypeError("multinomial needs pvals (a matrix of row probabilities)")
        p = T.as_variable(pvals)
        if p.ndim != 2:
            raise NotImplementedError(f"multinomial: pvals must be a matrix, got {p.ndim} dims")
        k = p.shape[1]
        idx = T.arange(k)
        upper = T.cast(T.ge(T.expand_dims(idx, 0), T.expand_dims(idx, 1)), p.dtype)   # [i, j] = j >= i
        cum = T.dot(p, upper)
        u = T.expand_dims(self.uniform((p.shape[0],), 0.0, 1.0, dtype=p.dtype), 1)
        return T.cast(T.and_(T.lt(u, cum), T.ge(u, cum - p)), dtype)


class RandomStreams(TheanoDraws, RandomStream):
    """``RandomStreams(seed=None)``: uniform, normal, binomial, random_integers with Theano's
    argument names (size, low/high, avg/std, n/p, ndim, dtype)."""


__all__ = ["RandomStreams"]
