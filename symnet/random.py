"""Seeded random streams: ``sn.random.RandomStream(seed)`` with uniform, normal and binomial.

Each sample owns a shared state [key, counter] (uint64). Its RandomVariable node returns the
advanced state, which is the state's ``default_update``, so every compiled function that uses
the sample draws new numbers on each call; the same seed gives the same numbers. The generator is
counter-based (Philox-4x32-10, defined in symnet/ops/random.py), so backends can draw in parallel
and reproduce the reference stream exactly."""
from __future__ import annotations

from typing import Any

import numpy as np

from .config import config
from .graph import SharedVariable, Variable, as_variable
from .ops.random import RandomVariable
from .types import TensorType, is_float

__all__ = ["RandomStream", "RandomStreams", "MRG_RandomStream", "MRG_RandomStreams", "derive_key"]

_M64 = (1 << 64) - 1


def _mix64(z: int) -> int:
    """splitmix64's finaliser: a bijective 64-bit hash."""
    z = (z + 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def derive_key(seed: int, index: int) -> int:
    """The Philox key of the index-th sample of a stream seeded with `seed`."""
    return _mix64(_mix64(int(seed) & _M64) ^ int(index))


def _as_seed(seed: Any) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy) & _M64
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"a random seed must be an integer or None, got {seed!r}")
    return int(seed) & _M64


class RandomStream:
    """A factory of random samples whose states live in shared variables.

    ``seed=None`` draws a seed from the operating system (different numbers each run)."""

    default_seed: int | None = None

    def __init__(self, seed: int | None = None) -> None:
        self._seed = _as_seed(seed if seed is not None else self.default_seed)
        self.state_updates: list[tuple[SharedVariable, Variable]] = []

    # -- state management --------------------------------------------------------------
    def seed(self, seed: int | None = None) -> None:
        """Reseed every state made so far (and those made later), as if the stream were new."""
        self._seed = _as_seed(seed)
        for j, (state, _) in enumerate(self.state_updates):
            state.set_value(np.array([derive_key(self._seed, j), 0], dtype=np.uint64))

    def updates(self) -> list[tuple[SharedVariable, Variable]]:
        """(state, new_state) pairs; they are also each state's default_update."""
        return list(self.state_updates)

    def _draw(self, dist: str, size: Any, ndim: int | None, dtype: str, params: list, n: int = 0) -> Variable:
        from .ops.creation import _shape_vector
        if size is None:
            from . import basic as T
            size = T.shape(params[0] if len(params) == 1 else T.add(*params)) if any(
                p.ndim for p in params) else ()
        vec, static = _shape_vector(size)
        if ndim is not None and ndim != len(static):
            raise ValueError(f"{dist}: ndim={ndim} does not match the size {size!r} ({len(static)} dims)")
        j = len(self.state_updates)
        state = SharedVariable(TensorType("uint64", (2,)), np.array([derive_key(self._seed, j), 0], dtype=np.uint64),
                               name=f"random_state_{j}")
        new_state, sample = RandomVariable(dist, dtype, len(static), n).make_node(state, vec, *params,
                                                                                  static=static).outputs
        state.default_update = new_state
        self.state_updates.append((state, new_state))
        return sample

    # -- distributions -----------------------------------------------------------------
    def uniform(self, size: Any = None, low: Any = 0.0, high: Any = 1.0, ndim: int | None = None,
                dtype: str | None = None, **kwargs: Any) -> Variable:
        """Uniform on [low, high) (exactly: never `high`, even after rounding to float32)."""
        dtype = _float_dtype("uniform", dtype, low, high)
        _ignore_theano_kwargs("uniform", kwargs)
        return self._draw("uniform", size, ndim, dtype, [_param(low, dtype, "low"), _param(high, dtype, "high")])

    def normal(self, size: Any = None, avg: Any = 0.0, std: Any = 1.0, ndim: int | None = None,
               dtype: str | None = None, loc: Any = None, scale: Any = None, **kwargs: Any) -> Variable:
        """Gaussian with mean avg (alias loc) and standard deviation std (alias scale)."""
        avg = avg if loc is None else loc
        std = std if scale is None else scale
        if kwargs.pop("truncate", False):
            raise NotImplementedError("normal(truncate=True) is not implemented in symnet.random")
        _ignore_theano_kwargs("normal", kwargs)
        dtype = _float_dtype("normal", dtype, avg, std)
        return self._draw("normal", size, ndim, dtype, [_param(avg, dtype, "avg"), _param(std, dtype, "std")])

    def binomial(self, size: Any = None, n: int = 1, p: Any = 0.5, ndim: int | None = None,
                 dtype: str = "int64", **kwargs: Any) -> Variable:
        """Number of successes in n trials of probability p (n a Python int; cost O(n) per element)."""
        _ignore_theano_kwargs("binomial", kwargs)
        if isinstance(n, Variable):
            raise NotImplementedError("binomial with a symbolic n: give n as a Python int")
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"binomial: n must be a non-negative int, got {n!r}")
        pv = _param(p, "float64", "p")
        if hasattr(pv, "data") and pv.data.size and (np.any(pv.data < 0) or np.any(pv.data > 1)):
            raise ValueError(f"binomial: p must be in [0, 1], got {p!r}")
        dtype = config.floatX if dtype == "floatX" else str(np.dtype(dtype))
        return self._draw("binomial", size, ndim, dtype, [pv], n=int(n))


def _float_dtype(dist: str, dtype: str | None, *params: Any) -> str:
    if dtype is None or dtype == "floatX":
        from .types import upcast
        return upcast(config.floatX, *[p.dtype for p in params if isinstance(p, Variable) and is_float(p.dtype)])
    dtype = str(np.dtype(dtype))
    if not is_float(dtype):
        raise TypeError(f"{dist}: dtype must be a float dtype, got {dtype!r}")
    return dtype


def _param(v: Any, dtype: str, name: str) -> Variable:
    if isinstance(v, Variable):
        if v.dtype == dtype:
            return v
        from .ops.elemwise import cast
        return cast(v, dtype)
    arr = np.asarray(v)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"parameter {name} must be a number or a tensor, got {v!r}")
    return as_variable(arr.astype(dtype))


def _ignore_theano_kwargs(dist: str, kwargs: dict) -> None:
    kwargs.pop("nstreams", None)     # Theano MRG: a performance hint with no meaning here
    if kwargs:
        raise TypeError(f"{dist}() got unexpected keyword arguments {sorted(kwargs)}")


class MRG_RandomStream(RandomStream):
    """Theano's ``MRG_RandomStreams`` name (default seed 12345, as Theano); same generator."""

    default_seed = 12345


RandomStreams = RandomStream
MRG_RandomStreams = MRG_RandomStream
