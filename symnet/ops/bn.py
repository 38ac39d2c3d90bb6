"""Batch normalisation with Theano's names (``theano.tensor.nnet.bn``), as plain graphs of existing ops:
their gradients come from the graph and the fuse phase turns them into a few reductions plus one
elementwise kernel on every backend, so no op of its own is needed."""
from __future__ import annotations

from typing import Any, Sequence

from ..graph import Variable, as_variable, describe


def _axes(axes: Any, ndim: int) -> tuple:
    """'per-activation' -> (0,), 'spatial' -> (0, 2, 3, ...), or explicit axes."""
    if axes == "per-activation":
        return (0,)
    if axes == "spatial":
        return (0,) + tuple(range(2, ndim))
    if isinstance(axes, (int,)):
        axes = (axes,)
    try:
        out = tuple(sorted(int(a) % ndim for a in axes))
    except TypeError:
        raise ValueError(f"axes must be 'per-activation', 'spatial' or a tuple of ints. Received: axes={axes!r}") from None
    if len(set(out)) != len(out):
        raise ValueError(f"axes has repeated entries. Received: axes={axes!r}")
    return out


def _param(p: Any, x: Variable, axes: tuple, name: str) -> Variable:
    """A parameter given with the input's rank (broadcastable on `axes`) or with the reduced axes
    dropped, returned with the input's rank."""
    from .shape import dimshuffle
    p = as_variable(p)
    if p.ndim == x.ndim:
        for a in axes:
            if p.type.shape[a] is not None and p.type.shape[a] != 1:
                raise ValueError(f"batch_normalization: {name} {describe(p)} has shape {p.type.shape}, which "
                                 f"is not broadcastable on the normalized axes {axes}")
        return p
    kept = [a for a in range(x.ndim) if a not in axes]
    if p.ndim != len(kept):
        raise ValueError(f"batch_normalization: {name} {describe(p)} has {p.ndim} dims; expected {x.ndim} "
                         f"(broadcastable on {axes}) or {len(kept)} (the non-normalized axes)")
    pattern, i = [], 0
    for a in range(x.ndim):
        if a in axes:
            pattern.append("x")
        else:
            pattern.append(i)
            i += 1
    return dimshuffle(p, pattern)


def _count(x: Variable, axes: tuple) -> Any:
    """Number of elements reduced over (static when known), as a float of x's dtype."""
    from .. import basic as T
    dims = [x.type.shape[a] for a in axes]
    if all(d is not None for d in dims):
        n = 1
        for d in dims:
            n *= d
        return T.constant(float(n), dtype=x.dtype)
    n = 1
    for a in axes:
        n = n * T.shape(x)[a]
    return T.cast(n, x.dtype)


def batch_normalization_train(inputs: Any, gamma: Any, beta: Any, axes: Any = "per-activation",
                              epsilon: float = 1e-4, running_average_factor: float = 0.1,
                              running_mean: Any = None, running_var: Any = None) -> tuple:
    """Normalize with the batch's statistics: returns (out, mean, invstd) and, when running
    statistics are given, also (new_running_mean, new_running_var) — the running variance is updated
    with the unbiased batch variance, as Theano does. mean and invstd keep the input's rank."""
    from .. import basic as T
    x = as_variable(inputs)
    ax = _axes(axes, x.ndim)
    if epsilon < 1e-5:
        raise ValueError(f"batch_normalization_train: epsilon must be at least 1e-5 (as in Theano/cuDNN). "
                         f"Received: epsilon={epsilon}")
    g, b = _param(gamma, x, ax, "gamma"), _param(beta, x, ax, "beta")
    mean = T.mean(x, axis=ax, keepdims=True)
    var = T.mean(T.sqr(x - mean), axis=ax, keepdims=True)
    invstd = 1.0 / T.sqrt(var + T.constant(epsilon, dtype=x.dtype))
    out = (x - mean) * (g * invstd) + b
    results = [out, mean, invstd]
    if (running_mean is None) != (running_var is None):
        raise ValueError("batch_normalization_train: give both running_mean and running_var, or neither")
    if running_mean is not None:
        f = T.constant(running_average_factor, dtype=x.dtype)
        rm, rv = as_variable(running_mean), as_variable(running_var)
        m = _count(x, ax)
        unbiased = var * m / T.maximum(m - 1, T.constant(1.0, dtype=x.dtype))
        results.append(rm * (1 - f) + _like(mean, rm) * f)
        results.append(rv * (1 - f) + _like(unbiased, rv) * f)
    return tuple(results)


def _like(stat: Variable, target: Variable) -> Variable:
    """A keepdims statistic reshaped to the running statistic's rank (drops the broadcast axes)."""
    from .shape import dimshuffle
    if target.ndim == stat.ndim:
        return stat
    kept = [a for a, d in enumerate(stat.type.shape) if d != 1]
    if len(kept) != target.ndim:
        kept = list(range(stat.ndim - target.ndim, stat.ndim))
    return dimshuffle(stat, kept)


def batch_normalization_test(inputs: Any, gamma: Any, beta: Any, mean: Any, var: Any,
                             axes: Any = "per-activation", epsilon: float = 1e-4) -> Variable:
    """Normalize with given (running) statistics: (x - mean) * gamma / sqrt(var + epsilon) + beta."""
    from .. import basic as T
    x = as_variable(inputs)
    ax = _axes(axes, x.ndim)
    g, b = _param(gamma, x, ax, "gamma"), _param(beta, x, ax, "beta")
    m, v = _param(mean, x, ax, "mean"), _param(var, x, ax, "var")
    return (x - m) * (g / T.sqrt(v + T.constant(epsilon, dtype=x.dtype))) + b


def batch_normalization(inputs: Any, gamma: Any, beta: Any, mean: Any, std: Any, mode: str = "low_mem") -> Variable:
    """Theano's elementwise form: (inputs - mean) * (gamma / std) + beta (all broadcast)."""
    if mode not in ("low_mem", "high_mem"):
        raise ValueError(f"batch_normalization: mode must be 'low_mem' or 'high_mem'. Received: mode={mode!r}")
    x = as_variable(inputs)
    return (x - mean) * (gamma / std) + beta


def normalization_axes(axes: Any, ndim: int) -> Sequence[int]:
    """Public form of the axes rule (used by layers)."""
    return _axes(axes, ndim)
