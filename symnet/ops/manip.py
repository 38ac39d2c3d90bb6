"""Array manipulation built from existing ops: repeat, tile, pad, eye, one_hot.

Each is a short composition of DimShuffle, Alloc, Reshape, (Advanced)Subtensor, Join and
Elemwise, so its gradient and its lowering on every backend come from those ops:
repeat/tile = insert a broadcast axis, Alloc over it, Reshape it away; constant pad = Alloc of
the fill value + set_subtensor; edge/reflect/symmetric/wrap pad = a gather along each axis with
an index map (constant when the axis size is static, else computed with integer elemwise ops)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..graph import Constant, Variable, as_variable, describe
from ..types import fmt_shape, is_int, normalize_axis


def _dims(x: Variable) -> list:
    """Each dim of x: an int when static, else a symbolic int64 scalar."""
    from .shape import shape
    return [d if d is not None else shape(x)[a] for a, d in enumerate(x.type.shape)]


def _int_scalar(v: Any, what: str) -> Any:
    """A non-negative Python int, or a symbolic integer scalar."""
    if isinstance(v, Variable):
        if v.ndim != 0 or not is_int(v.dtype):
            raise TypeError(f"{what} must be an integer scalar, got {v.type} ({describe(v)})")
        if isinstance(v, Constant):
            return _int_scalar(int(v.data), what)
        return v
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        arr = np.asarray(v)
        if arr.ndim == 0 and arr.dtype.kind in "iu":
            v = int(arr)
        else:
            raise TypeError(f"{what} must be an integer, got {v!r}")
    if int(v) < 0:
        raise ValueError(f"{what} must be non-negative, got {int(v)}")
    return int(v)


# ------------------------------------------------------------------------------------------
# repeat / tile
# ------------------------------------------------------------------------------------------
def repeat(x: Any, repeats: Any, axis: int | None = None) -> Variable:
    """numpy.repeat: repeat each element `repeats` times along `axis` (None: of the flattened x).

    repeats is an int (or symbolic int scalar), or a list of ints, one per element of a
    statically sized axis."""
    from .shape import expand_dims, flatten, reshape
    from .creation import alloc
    x = as_variable(x)
    if axis is None:
        x = flatten(x, 1) if x.ndim != 1 else x
        if x.ndim == 0:
            x = reshape(x, (1,))
        axis = 0
    if x.ndim == 0:
        raise ValueError(f"repeat: axis {axis} is out of range for the scalar {describe(x)}")
    axis = normalize_axis(int(axis), x.ndim, "repeat axis")
    if isinstance(repeats, (list, tuple, np.ndarray)) and np.ndim(repeats) == 1 and len(repeats) != 1:
        return _repeat_each(x, np.asarray(repeats), axis)
    if isinstance(repeats, (list, tuple, np.ndarray)):
        repeats = np.asarray(repeats).reshape(-1)[0] if np.ndim(repeats) == 1 else np.asarray(repeats)
    r = _int_scalar(repeats, "repeat: repeats")
    if isinstance(r, int) and r == 1:
        return x
    dims = _dims(x)
    y = alloc(expand_dims(x, axis + 1), tuple(dims[:axis + 1]) + (r,) + tuple(dims[axis + 1:]))
    return reshape(y, tuple(dims[:axis]) + (dims[axis] * r,) + tuple(dims[axis + 1:]))


def _repeat_each(x: Variable, repeats: np.ndarray, axis: int) -> Variable:
    """repeat with one count per element: a gather with the constant index map."""
    if repeats.dtype.kind not in "iu":
        raise TypeError(f"repeat: repeats must be integers, got {repeats.dtype}")
    if np.any(repeats < 0):
        raise ValueError(f"repeat: repeats must be non-negative, got {repeats.tolist()}")
    n = x.type.shape[axis]
    if n is None:
        raise NotImplementedError(f"repeat with one count per element needs the static size of axis {axis} of "
                                  f"{describe(x)} (shape {fmt_shape(x.type.shape)})")
    if n != len(repeats):
        raise ValueError(f"repeat: {len(repeats)} counts given for axis {axis} of {describe(x)} with shape "
                         f"{fmt_shape(x.type.shape)} (size {n})")
    return _take(x, np.repeat(np.arange(n, dtype="int64"), repeats), axis)


def _take(x: Variable, idx: Any, axis: int) -> Variable:
    """x gathered along `axis` with an int vector (AdvancedSubtensor1 on the front axis)."""
    from .shape import dimshuffle
    from .subtensor import AdvancedSubtensor1
    idx = as_variable(np.asarray(idx, dtype="int64")) if not isinstance(idx, Variable) else idx
    order = [axis] + [a for a in range(x.ndim) if a != axis]
    y = AdvancedSubtensor1()(dimshuffle(x, order), idx)
    back = [order.index(a) for a in range(x.ndim)]
    return dimshuffle(y, back)


def tile(x: Any, reps: Any) -> Variable:
    """numpy.tile: x repeated reps[i] times along axis i (x or reps padded with leading ones)."""
    from .shape import dimshuffle, expand_dims, reshape
    from .creation import alloc
    x = as_variable(x)
    if not isinstance(reps, (list, tuple)):
        if isinstance(reps, np.ndarray) and reps.ndim == 1:
            reps = list(reps)
        elif isinstance(reps, Variable) and reps.ndim == 1:
            raise NotImplementedError("tile with a symbolic reps vector: give reps as a tuple of ints or scalars")
        else:
            reps = [reps]
    reps = [_int_scalar(r, "tile: reps") for r in reps]
    ndim = max(len(reps), x.ndim)
    reps = [1] * (ndim - len(reps)) + reps
    if x.ndim < ndim:
        x = expand_dims(x, list(range(ndim - x.ndim)))
    if all(isinstance(r, int) and r == 1 for r in reps):
        return x
    dims = _dims(x)
    pattern: list = []
    for a in range(ndim):
        pattern += ["x", a]
    y = dimshuffle(x, pattern)
    target: list = []
    for r, d in zip(reps, dims):
        target += [r, d]
    y = alloc(y, tuple(target))
    return reshape(y, tuple(r * d for r, d in zip(reps, dims)))


# ------------------------------------------------------------------------------------------
# pad
# ------------------------------------------------------------------------------------------
_GATHER_MODES = ("edge", "reflect", "symmetric", "wrap")


def _pairs(pad_width: Any, ndim: int, what: str = "pad_width") -> list[tuple[int, int]]:
    """numpy's pad_width forms: n, (n,), (before, after), ((before, after),), one pair per axis."""
    arr = np.asarray(pad_width)
    if arr.dtype == object:
        raise NotImplementedError(f"pad: symbolic {what} is not supported; give Python ints")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"pad: {what} must be integers, got {pad_width!r}")
    try:
        arr = np.broadcast_to(arr, (ndim, 2))
    except ValueError:
        raise ValueError(f"pad: {what} {pad_width!r} cannot be broadcast to one (before, after) pair per axis "
                         f"of a {ndim}-d tensor") from None
    if np.any(arr < 0):
        raise ValueError(f"pad: {what} {pad_width!r} contains a negative width")
    return [(int(b), int(a)) for b, a in arr]


def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = 0, **kwargs: Any) -> Variable:
    """numpy.pad for modes 'constant' (scalar or per-axis (before, after) values), 'edge',
    'reflect', 'symmetric' and 'wrap'; widths may exceed the axis size, as in numpy."""
    x = as_variable(x)
    if kwargs:
        raise NotImplementedError(f"pad: options {sorted(kwargs)} are not supported (reflect_type='odd', stat_length "
                                  "and end_values are numpy extras symnet does not implement)")
    pairs = _pairs(pad_width, x.ndim)
    if mode == "constant":
        return _pad_constant(x, pairs, constant_values)
    if mode in _GATHER_MODES:
        for a, (b, e) in enumerate(pairs):
            if b or e:
                x = _pad_gather(x, a, b, e, mode)
        return x
    raise NotImplementedError(f"pad mode {mode!r} is not implemented in symnet; available: 'constant', "
                              f"{', '.join(repr(m) for m in _GATHER_MODES)}")


def _pad_constant(x: Variable, pairs: list[tuple[int, int]], value: Any) -> Variable:
    from .creation import alloc, full
    from .elemwise import cast
    from .join import concatenate
    from .subtensor import set_subtensor
    if all(b == 0 and e == 0 for b, e in pairs):
        return x
    if not isinstance(value, Variable) and np.ndim(value) > 0:
        values = np.broadcast_to(np.asarray(value), (x.ndim, 2))
        if np.all(values == values.flat[0]):
            value = values.flat[0]
        else:   # numpy pads axis by axis, so a later axis's value wins in the corners
            for a, ((b, e), (vb, ve)) in enumerate(zip(pairs, values)):
                if not b and not e:
                    continue
                dims = _dims(x)
                parts = []
                if b:
                    parts.append(full(tuple(dims[:a]) + (b,) + tuple(dims[a + 1:]), _as_fill(vb, x.dtype), x.dtype))
                parts.append(x)
                if e:
                    parts.append(full(tuple(dims[:a]) + (e,) + tuple(dims[a + 1:]), _as_fill(ve, x.dtype), x.dtype))
                x = concatenate(parts, a)
            return x
    v = as_variable(value, partners=[x.dtype]) if not isinstance(value, Variable) else value
    if v.ndim != 0:
        raise ValueError(f"pad: constant_values must be a scalar or per-axis pairs, got {v.type}")
    if v.dtype != x.dtype:
        v = cast(v, x.dtype)
    dims = _dims(x)
    out = alloc(v, tuple(d + b + e for d, (b, e) in zip(dims, pairs)))
    index = tuple(slice(b, -e if e else None) for b, e in pairs)
    return set_subtensor(out[index], x)


def _as_fill(v: Any, dtype: str) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(v).astype(dtype)


def _pad_gather(x: Variable, axis: int, before: int, after: int, mode: str) -> Variable:
    """Pad one axis by gathering with numpy's index map for `mode`."""
    n = x.type.shape[axis]
    if n == 0:
        raise ValueError(f"pad: cannot extend the empty axis {axis} of {describe(x)} (shape "
                         f"{fmt_shape(x.type.shape)}) with mode {mode!r}; only 'constant' can")
    if n is not None:
        idx = np.pad(np.arange(n, dtype="int64"), (before, after), mode=mode)
        return _take(x, idx, axis)
    from .. import basic as T
    from .shape import shape
    n = shape(x)[axis]
    i = T.arange(-before, n + after, 1, dtype="int64")
    if mode == "edge":
        j = T.clip(i, 0, n - 1)
    elif mode == "wrap":
        j = T.mod(i, n)
    elif mode == "reflect":
        p = T.maximum(2 * (n - 1), 1)
        m = T.mod(i, p)
        j = T.switch(T.ge(m, n), p - m, m)
    else:  # symmetric
        p = 2 * n
        m = T.mod(i, p)
        j = T.switch(T.ge(m, n), p - 1 - m, m)
    return _take(x, j, axis)


# ------------------------------------------------------------------------------------------
# eye / one_hot
# ------------------------------------------------------------------------------------------
def eye(n: Any, m: Any = None, k: Any = 0, dtype: str | None = None) -> Variable:
    """numpy.eye: ones on the k-th diagonal of an n x m matrix; n, m, k may be symbolic scalars."""
    from ..config import config
    from .. import basic as T
    dtype = config.floatX if dtype in (None, "floatX") else str(np.dtype(dtype))
    n = _int_scalar(n, "eye: n")
    m = n if m is None else _int_scalar(m, "eye: m")
    if not isinstance(k, Variable):
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
            raise TypeError(f"eye: k must be an integer, got {k!r}")
        k = int(k)
    elif k.ndim != 0 or not is_int(k.dtype):
        raise TypeError(f"eye: k must be an integer scalar, got {k.type}")
    if all(isinstance(v, int) for v in (n, m, k)):
        return as_variable(np.eye(n, m, k, dtype=dtype))
    rows = T.expand_dims(T.arange(0, n, 1, dtype="int64"), 1)
    cols = T.expand_dims(T.arange(0, m, 1, dtype="int64"), 0)
    return T.cast(T.eq(rows + k, cols), dtype)


def one_hot(indices: Any, depth: Any, dtype: str | None = None, axis: int = -1) -> Variable:
    """Keras one_hot: a new axis of size `depth` (last by default) with 1 at each index; an index
    outside [0, depth) gives a row of zeros. The dtype defaults to floatX."""
    from ..config import config
    from .. import basic as T
    indices = as_variable(indices)
    if not is_int(indices.dtype):
        raise TypeError(f"one_hot: indices must be integers, got {describe(indices)} of dtype {indices.dtype}")
    depth = _int_scalar(depth, "one_hot: depth")
    dtype = config.floatX if dtype in (None, "floatX") else str(np.dtype(dtype))
    out_ndim = indices.ndim + 1
    axis = normalize_axis(int(axis), out_ndim, "one_hot axis")
    classes = T.arange(0, depth, 1, dtype="int64")
    if out_ndim > 1:
        classes = T.expand_dims(classes, [a for a in range(out_ndim) if a != axis])
    return T.cast(T.eq(T.expand_dims(indices, axis), classes), dtype)
