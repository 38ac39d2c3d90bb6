"""Join (concatenate along an axis) and Split (its inverse), with concatenate / stack / split.

Join's gradient is one slice of the output gradient per input; Split's gradient is the Join of
the output gradients (zeros where a piece had none), so each is the other's adjoint."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..graph import Apply, Op, Variable, as_variable, describe
from ..types import TensorType, fmt_shape, is_float, is_int, normalize_axis, upcast


def _axis_size(x: Variable, axis: int) -> Any:
    """The size of `axis` of x: an int when static, else a symbolic int64 scalar."""
    d = x.type.shape[axis]
    if d is not None:
        return d
    from .shape import shape
    return shape(x)[axis]


class Join(Op):
    """Concatenate tensors of equal ndim along `axis` (non-negative); dtypes promote as NumPy."""

    __props__ = ("axis",)

    def __init__(self, axis: int) -> None:
        self.axis = int(axis)

    def make_node(self, *tensors: Any) -> Apply:
        if not tensors:
            raise ValueError("concatenate needs at least one tensor")
        tensors = [as_variable(t) for t in tensors]
        first = tensors[0]
        if first.ndim == 0:
            raise ValueError(f"zero-dimensional tensors cannot be concatenated ({describe(first)} is a scalar); "
                             "use stack")
        for t in tensors[1:]:
            if t.ndim != first.ndim:
                raise ValueError(f"concatenate: all tensors must have the same number of dimensions, but "
                                 f"{describe(first)} has shape {fmt_shape(first.type.shape)} and {describe(t)} "
                                 f"has shape {fmt_shape(t.type.shape)}")
        if not 0 <= self.axis < first.ndim:
            raise ValueError(f"concatenate: axis {self.axis} is out of range for tensors of {first.ndim} dims")
        shape: list[int | None] = []
        for a in range(first.ndim):
            dims = [t.type.shape[a] for t in tensors]
            if a == self.axis:
                shape.append(None if any(d is None for d in dims) else sum(dims))
                continue
            known = {d for d in dims if d is not None}
            if len(known) > 1:
                parts = ", ".join(f"{describe(t)} of shape {fmt_shape(t.type.shape)}" for t in tensors)
                raise ValueError(f"concatenate along axis {self.axis}: the sizes on axis {a} differ "
                                 f"({sorted(known)}) between {parts}")
            shape.append(known.pop() if known else None)
        dtype = upcast(*[t.dtype for t in tensors])
        return Apply(self, tensors, [TensorType(dtype, shape)])

    def perform(self, node, inputs):
        shapes = [np.shape(x) for x in inputs]
        self._check(node, shapes)
        out = np.concatenate(inputs, axis=self.axis)
        return [np.asarray(out, dtype=node.outputs[0].dtype)]

    def _check(self, node, shapes):
        ref = shapes[0]
        for v, s in zip(node.inputs, shapes):
            if any(d != r for a, (d, r) in enumerate(zip(s, ref)) if a != self.axis):
                parts = ", ".join(f"{describe(i)} {tuple(sh)}" for i, sh in zip(node.inputs, shapes))
                raise ValueError(f"concatenate along axis {self.axis}: the shapes differ off that axis: {parts} "
                                 f"(built at {node.tag.get('trace', '?')})")

    def infer_shape(self, node, input_shapes, input_values):
        self._check(node, input_shapes)
        out = list(input_shapes[0])
        out[self.axis] = sum(s[self.axis] for s in input_shapes)
        return [tuple(out)]

    def grad(self, inputs, output_grads):
        (gz,) = output_grads
        if gz is None:
            return [None] * len(inputs)
        from .subtensor import getitem
        grads = []
        start: Any = 0
        for x in inputs:
            stop = start + _axis_size(x, self.axis)
            if is_float(x.dtype):
                grads.append(getitem(gz, (slice(None),) * self.axis + (slice(start, stop),)))
            else:
                grads.append(None)
            start = stop
        return grads


def _as_tensors(tensors: Sequence[Any]) -> list[Variable]:
    """Variables stay; constants take the variables' dtypes where they fit (NEP 50, as elemwise)."""
    if isinstance(tensors, Variable):
        raise TypeError("concatenate/stack take a list of tensors, not a single tensor")
    tensors = list(tensors)
    partners = [t.dtype for t in tensors if isinstance(t, Variable)]
    return [t if isinstance(t, Variable) else as_variable(t, partners=partners) for t in tensors]


def concatenate(tensors: Sequence[Any], axis: int | None = 0) -> Variable:
    """numpy.concatenate: join along an existing axis (negative counts from the end; None flattens)."""
    tensors = _as_tensors(tensors)
    if not tensors:
        raise ValueError("concatenate needs at least one tensor")
    if axis is None:
        from .shape import flatten
        tensors = [flatten(t, 1) if t.ndim != 1 else t for t in tensors]
        axis = 0
    ndim = tensors[0].ndim
    if ndim == 0:
        raise ValueError(f"zero-dimensional tensors cannot be concatenated ({describe(tensors[0])} is a scalar); "
                         "use stack")
    axis = normalize_axis(int(axis), ndim, "concatenate axis")
    if len(tensors) == 1:
        return tensors[0]
    return Join(axis)(*tensors)


def join(axis: int, *tensors: Any) -> Variable:
    """Theano's spelling: ``join(axis, x, y, ...)`` == ``concatenate([x, y, ...], axis)``."""
    if isinstance(axis, Variable):
        raise NotImplementedError("join with a symbolic axis: give the axis as a Python int")
    return concatenate(tensors, axis)


def stack(tensors: Sequence[Any], axis: int = 0) -> Variable:
    """numpy.stack: join along a new axis; every tensor must have the same shape."""
    from .shape import expand_dims
    tensors = _as_tensors(tensors)
    if not tensors:
        raise ValueError("stack needs at least one tensor")
    first = tensors[0]
    for t in tensors[1:]:
        same = t.ndim == first.ndim and all(a is None or b is None or a == b
                                            for a, b in zip(t.type.shape, first.type.shape))
        if not same:
            raise ValueError(f"stack: all tensors must have the same shape, but {describe(first)} has shape "
                             f"{fmt_shape(first.type.shape)} and {describe(t)} has shape {fmt_shape(t.type.shape)}")
    axis = normalize_axis(int(axis), first.ndim + 1, "stack axis")
    expanded = [expand_dims(t, axis) for t in tensors]
    if len(expanded) == 1:
        return expanded[0]
    return Join(axis)(*expanded)


class Split(Op):
    """x -> `n_splits` pieces along `axis` with sizes given by an int vector (they must add up)."""

    __props__ = ("n_splits", "axis")

    def __init__(self, n_splits: int, axis: int) -> None:
        self.n_splits = int(n_splits)
        self.axis = int(axis)

    def make_node(self, x: Any, sizes: Any) -> Apply:
        from .shape import _static_values
        x = as_variable(x)
        sizes = as_variable(sizes)
        if sizes.ndim != 1 or not is_int(sizes.dtype):
            raise TypeError(f"split sizes must be an integer vector, got {sizes.type} ({describe(sizes)})")
        if sizes.type.shape[0] not in (None, self.n_splits):
            raise ValueError(f"split into {self.n_splits} pieces given {sizes.type.shape[0]} sizes")
        if not 0 <= self.axis < x.ndim:
            raise ValueError(f"split: axis {self.axis} is out of range for {describe(x)} with {x.ndim} dims")
        static = _static_values(sizes, self.n_splits)
        if any(s is not None and s < 0 for s in static):
            raise ValueError(f"split sizes {tuple(static)} contain a negative size")
        d = x.type.shape[self.axis]
        if d is not None and all(s is not None for s in static) and sum(static) != d:
            raise ValueError(f"split sizes {tuple(static)} add up to {sum(static)}, but axis {self.axis} of "
                             f"{describe(x)} (shape {fmt_shape(x.type.shape)}) has size {d}")
        outs = []
        for s in static:
            shp = list(x.type.shape)
            shp[self.axis] = s
            outs.append(TensorType(x.dtype, shp))
        return Apply(self, [x, sizes], outs)

    def _bounds(self, node, x_shape, sizes) -> list[int]:
        sizes = [int(s) for s in np.asarray(sizes).reshape(-1)]
        n = x_shape[self.axis]
        if len(sizes) != self.n_splits or any(s < 0 for s in sizes) or sum(sizes) != n:
            raise ValueError(f"split: sizes {tuple(sizes)} do not divide axis {self.axis} of size {n} of "
                             f"{describe(node.inputs[0])} (shape {tuple(x_shape)}) into {self.n_splits} pieces "
                             f"(built at {node.tag.get('trace', '?')})")
        return list(np.cumsum(sizes)[:-1])

    def perform(self, node, inputs):
        x, sizes = inputs
        cuts = self._bounds(node, x.shape, sizes)
        return [np.array(p) for p in np.split(x, cuts, axis=self.axis)]

    def infer_shape(self, node, input_shapes, input_values):
        if input_values[1] is None:
            raise NotImplementedError("Split.infer_shape needs the value of the sizes")
        self._bounds(node, input_shapes[0], input_values[1])
        outs = []
        for s in np.asarray(input_values[1]).reshape(-1):
            shp = list(input_shapes[0])
            shp[self.axis] = int(s)
            outs.append(tuple(shp))
        return outs

    def grad(self, inputs, output_grads):
        x, sizes = inputs
        if all(g is None for g in output_grads) or not is_float(x.dtype):
            return [None, None]
        from .creation import alloc
        pieces = []
        for i, g in enumerate(output_grads):
            if g is None:
                shp = [_axis_size(x, a) if a != self.axis else sizes[i] for a in range(x.ndim)]
                g = alloc(np.zeros((), dtype=x.dtype), tuple(shp))
            pieces.append(g)
        return [concatenate(pieces, self.axis) if len(pieces) > 1 else pieces[0], None]

    def connection_pattern(self, node):
        return [[True] * self.n_splits, [False] * self.n_splits]


def split(x: Any, n_or_sizes: Any, axis: int = 0, n_splits: int | None = None) -> list[Variable]:
    """Split x along `axis` into a list of tensors.

    ``n_or_sizes`` is either an int N (N equal pieces; the axis size must be divisible by N, as
    numpy.split and keras.ops.split with a number) or the piece sizes (a list of ints/symbolic
    scalars or an int vector, Theano's ``splits_size``; they must add up to the axis size).
    Sizes, not split indices: that is Theano's convention and the one that survives symbolic
    shapes. ``n_splits`` is needed only for a symbolic size vector of unknown length."""
    x = as_variable(x)
    if x.ndim == 0:
        raise ValueError(f"cannot split {describe(x)}: it is a scalar")
    axis = normalize_axis(int(axis), x.ndim, "split axis")
    if isinstance(n_or_sizes, (int, np.integer)) and not isinstance(n_or_sizes, bool):
        n = int(n_or_sizes)
        if n < 1:
            raise ValueError(f"split into {n} pieces: the number of pieces must be at least 1")
        d = x.type.shape[axis]
        if d is not None:
            if d % n:
                raise ValueError(f"split: axis {axis} of {describe(x)} (shape {fmt_shape(x.type.shape)}) has size "
                                 f"{d}, which does not divide into {n} equal pieces")
            sizes: Any = np.full(n, d // n, dtype="int64")
        else:
            from .creation import alloc
            piece = _axis_size(x, axis) // n
            sizes = alloc(piece, (n,))
            # the pieces must add up: Split.perform checks n * piece == size at run time
        n_splits = n
    elif isinstance(n_or_sizes, (list, tuple)):
        if not n_or_sizes:
            raise ValueError("split needs at least one size")
        if all(isinstance(s, (int, np.integer)) for s in n_or_sizes):
            sizes = np.asarray(n_or_sizes, dtype="int64").reshape(len(n_or_sizes))
        else:
            from .shape import MakeVector
            sizes = MakeVector("int64")(*n_or_sizes)
        n_splits = len(n_or_sizes)
    else:
        sizes = as_variable(n_or_sizes)
        if sizes.ndim != 1:
            raise TypeError(f"split sizes must be an int, a list or an int vector, got {sizes.type}")
        length = sizes.type.shape[0]
        if n_splits is None:
            if length is None:
                raise ValueError("split with a symbolic size vector of unknown length needs n_splits=")
            n_splits = length
    out = Split(n_splits, axis)(x, sizes)
    return list(out) if isinstance(out, list) else [out]
