"""Shape and view ops: Shape, MakeVector, DimShuffle (transpose / expand_dims / squeeze),
Reshape, StopGradient."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..graph import Apply, Constant, Op, Variable, as_variable, describe
from ..types import TensorType, fmt_shape, normalize_axes, normalize_axis


class Shape(Op):
    """x -> its shape as an int64 vector."""

    def make_node(self, x: Any) -> Apply:
        x = as_variable(x)
        return Apply(self, [x], [TensorType("int64", (x.ndim,))])

    def perform(self, node, inputs):
        return [np.asarray(inputs[0].shape, dtype="int64")]

    def infer_shape(self, node, input_shapes, input_values):
        return [(len(input_shapes[0]),)]

    def grad(self, inputs, output_grads):
        return [None]

    def connection_pattern(self, node):
        return [[False]]


def shape(x: Any) -> Variable:
    """Symbolic shape; a constant when the static shape is fully known."""
    x = as_variable(x)
    if all(d is not None for d in x.type.shape):
        return as_variable(np.asarray(x.type.shape, dtype="int64"))
    return Shape()(x)


class MakeVector(Op):
    """Scalars -> a vector (used to build symbolic shapes)."""

    __props__ = ("dtype",)

    def __init__(self, dtype: str = "int64") -> None:
        self.dtype = dtype

    def make_node(self, *scalars: Any) -> Apply:
        scalars = [as_variable(s, dtype=self.dtype) if not isinstance(s, Variable) else s for s in scalars]
        for s in scalars:
            if s.ndim != 0:
                raise TypeError(f"MakeVector takes scalars; {describe(s)} has {s.ndim} dims")
        from .elemwise import cast
        scalars = [cast(s, self.dtype) for s in scalars]
        return Apply(self, scalars, [TensorType(self.dtype, (len(scalars),))])

    def perform(self, node, inputs):
        return [np.asarray([np.asarray(i).item() for i in inputs], dtype=self.dtype).reshape(len(inputs))]

    def infer_shape(self, node, input_shapes, input_values):
        return [(len(input_shapes),)]

    def grad(self, inputs, output_grads):
        (gz,) = output_grads
        from .. import basic as T
        return [None if gz is None or not inputs[i].dtype.startswith("float") else gz[i] for i in range(len(inputs))]


class DimShuffle(Op):
    """Reorder axes and insert ('x') or drop (static size 1) broadcastable axes. A view."""

    __props__ = ("in_ndim", "pattern")
    view_map = {0: [0]}

    def __init__(self, in_ndim: int, pattern: Sequence[int | str]) -> None:
        self.in_ndim = int(in_ndim)
        self.pattern = tuple(p if p == "x" else int(p) for p in pattern)
        kept = [p for p in self.pattern if p != "x"]
        if len(set(kept)) != len(kept) or any(not 0 <= p < self.in_ndim for p in kept):
            raise ValueError(f"bad dimshuffle pattern {self.pattern} for a {self.in_ndim}-d input")
        self.drop = tuple(a for a in range(self.in_ndim) if a not in kept)

    def __str__(self):
        return f"DimShuffle{{{','.join(map(str, self.pattern))}}}"

    def make_node(self, x: Any) -> Apply:
        x = as_variable(x)
        if x.ndim != self.in_ndim:
            raise TypeError(f"DimShuffle{self.pattern} expects {self.in_ndim} dims, {describe(x)} has {x.ndim}")
        for a in self.drop:
            if x.type.shape[a] != 1:
                raise ValueError(f"cannot drop axis {a} of {describe(x)} (shape {fmt_shape(x.type.shape)}): "
                                 "only axes of static size 1 can be dropped")
        shape = tuple(1 if p == "x" else x.type.shape[p] for p in self.pattern)
        return Apply(self, [x], [TensorType(x.dtype, shape)])

    def perform(self, node, inputs):
        (x,) = inputs
        out_shape = self._out_shape(x.shape)
        kept = [p for p in self.pattern if p != "x"]
        if self.drop:
            x = x.reshape([d for a, d in enumerate(x.shape) if a not in self.drop])
        y = np.transpose(x, _order(kept))
        return [y.reshape(out_shape)]

    def _out_shape(self, shp):
        return tuple(1 if p == "x" else shp[p] for p in self.pattern)

    def infer_shape(self, node, input_shapes, input_values):
        return [self._out_shape(input_shapes[0])]

    def grad(self, inputs, output_grads):
        (x,), (gz,) = inputs, output_grads
        if gz is None:
            return [None]
        # inverse: drop inserted axes, undo the permutation, re-insert dropped axes
        kept_positions = [i for i, p in enumerate(self.pattern) if p != "x"]
        kept = [self.pattern[i] for i in kept_positions]
        g = DimShuffle(len(self.pattern), kept_positions)(gz) if len(kept_positions) != len(self.pattern) else gz
        inv = []
        for a in range(self.in_ndim):
            inv.append("x" if a in self.drop else kept.index(a))
        return [DimShuffle(len(kept), inv)(g)]


def _order(kept):
    """Permutation taking the non-dropped input axes to the order they appear in the pattern."""
    rank = {a: i for i, a in enumerate(sorted(kept))}
    return [rank[a] for a in kept]


def dimshuffle(x: Any, pattern: Sequence[int | str]) -> Variable:
    x = as_variable(x)
    pattern = tuple(pattern)
    if pattern == tuple(range(x.ndim)):
        return x
    return DimShuffle(x.ndim, pattern)(x)


def transpose(x: Any, axes: Sequence[int] | None = None) -> Variable:
    x = as_variable(x)
    if axes is None:
        axes = tuple(reversed(range(x.ndim)))
    axes = tuple(normalize_axis(int(a), x.ndim) for a in axes)
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"transpose axes {axes} are not a permutation of {x.ndim} axes")
    return dimshuffle(x, axes)


def expand_dims(x: Any, axis: int | Sequence[int]) -> Variable:
    """Insert size-1 axes at the given positions (of the result, as numpy)."""
    x = as_variable(x)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out_ndim = x.ndim + len(axes)
    axes = set(normalize_axis(int(a), out_ndim) for a in axes)
    it = iter(range(x.ndim))
    return dimshuffle(x, ["x" if i in axes else next(it) for i in range(out_ndim)])


def squeeze(x: Any, axis: int | Sequence[int] | None = None) -> Variable:
    """Drop axes of static size 1 (all of them when axis is None)."""
    x = as_variable(x)
    if axis is None:
        axes = [a for a, d in enumerate(x.type.shape) if d == 1]
    else:
        axes = list(normalize_axes(axis, x.ndim))
        for a in axes:
            if x.type.shape[a] != 1:
                raise ValueError(f"cannot squeeze axis {a} of {describe(x)} with static shape "
                                 f"{fmt_shape(x.type.shape)}: it is not known to be 1")
    return dimshuffle(x, [a for a in range(x.ndim) if a not in axes])


class Reshape(Op):
    """Reshape x to a shape given as an int64 vector (one entry may be -1)."""

    __props__ = ("ndim",)
    view_map = {0: [0]}

    def __init__(self, ndim: int) -> None:
        self.ndim = int(ndim)

    def make_node(self, x: Any, shp: Any) -> Apply:
        x = as_variable(x)
        shp = as_variable(shp)
        if shp.ndim != 1 or shp.dtype not in ("int64", "int32", "int8", "int16", "uint8", "uint32"):
            raise TypeError(f"reshape target must be an integer vector, got {shp.type}")
        static = _static_values(shp, self.ndim)
        if any(v is not None and v < -1 for v in static):
            raise ValueError(f"reshape target {static} has a negative size")
        out = [None if v is None or v == -1 else v for v in static]
        known_in = all(d is not None for d in x.type.shape)
        if known_in and static.count(-1) <= 1 and all(v is not None for v in static):
            total = int(np.prod(x.type.shape))
            part = int(np.prod([v for v in static if v != -1]))
            if -1 in static:
                if part == 0 or total % part:
                    raise ValueError(f"cannot reshape {describe(x)} of shape {fmt_shape(x.type.shape)} into "
                                     f"{tuple(static)}")
                out[static.index(-1)] = total // part
            elif part != total:
                raise ValueError(f"cannot reshape {describe(x)} of shape {fmt_shape(x.type.shape)} "
                                 f"({total} elements) into {tuple(static)} ({part} elements)")
        return Apply(self, [x, shp], [TensorType(x.dtype, out)])

    def perform(self, node, inputs):
        x, shp = inputs
        return [np.reshape(x, reshape_target(node, x.shape, shp)).copy()]

    def infer_shape(self, node, input_shapes, input_values):
        shp = input_values[1]
        if shp is None:
            raise NotImplementedError("Reshape.infer_shape needs the value of the target shape")
        return [reshape_target(node, tuple(input_shapes[0]), shp)]

    def grad(self, inputs, output_grads):
        x, _ = inputs
        (gz,) = output_grads
        return [None if gz is None else reshape(gz, shape(x)), None]

    def connection_pattern(self, node):
        return [[True], [False]]


def reshape_target(node: Apply, in_shape: tuple, shp: Any) -> tuple[int, ...]:
    """The output shape of reshaping an array of in_shape to shp (one entry may be -1), or a
    ValueError naming the variable and both shapes (on every backend: perform and infer_shape)."""
    vals = tuple(int(v) for v in np.asarray(shp).reshape(-1))
    total = 1
    for d in in_shape:
        total *= int(d)
    part = 1
    for v in vals:
        part *= v if v != -1 else 1
    bad = None
    if vals.count(-1) > 1:
        bad = "only one dimension may be -1"
    elif any(v < -1 for v in vals):
        bad = "a dimension is negative"
    elif -1 in vals and (part == 0 or total % part):
        bad = f"{total} elements do not split into parts of {part}"
    elif -1 not in vals and part != total:
        bad = f"{total} elements, not {part}"
    if bad:
        raise ValueError(f"cannot reshape {describe(node.inputs[0])} of shape {tuple(in_shape)} into "
                         f"{vals} ({bad}) (built at {node.tag.get('trace', '?')})")
    if -1 in vals:
        i = vals.index(-1)
        vals = vals[:i] + (total // part,) + vals[i + 1:]
    return vals


def _static_values(shp: Variable, n: int) -> list:
    """Entries of a shape vector known at graph-build time (None where symbolic)."""
    if isinstance(shp, Constant):
        return [int(v) for v in shp.data]
    if shp.owner is not None and isinstance(shp.owner.op, MakeVector):
        out = []
        for s in shp.owner.inputs:
            s0 = s.owner.inputs[0] if s.owner is not None and "cast" in str(s.owner.op) else s
            out.append(int(s0.data) if isinstance(s0, Constant) else None)
        return out
    return [None] * n


def reshape(x: Any, newshape: Any, ndim: int | None = None) -> Variable:
    """numpy-style reshape; the shape may mix ints and symbolic scalars (x.shape[0], -1)."""
    x = as_variable(x)
    if isinstance(newshape, (int, np.integer)):
        newshape = (int(newshape),)
    if isinstance(newshape, (tuple, list)):
        if all(isinstance(v, (int, np.integer)) for v in newshape):
            if tuple(newshape) == x.type.shape:
                return x
            shp = as_variable(np.asarray(newshape, dtype="int64").reshape(len(newshape)))
        else:
            shp = MakeVector("int64")(*newshape)
        ndim = len(newshape)
    else:
        shp = as_variable(newshape)
        if ndim is None:
            if shp.type.shape[0] is None:
                raise ValueError("reshape with a symbolic shape vector of unknown length needs ndim=")
            ndim = shp.type.shape[0]
    return Reshape(ndim)(x, shp)


def flatten(x: Any, ndim: int = 1) -> Variable:
    """Keep the first ndim-1 axes, collapse the rest (Theano's flatten(outdim))."""
    x = as_variable(x)
    if ndim < 1 or ndim > max(x.ndim, 1):
        raise ValueError(f"flatten to {ndim} dims of a {x.ndim}-d tensor")
    if x.ndim == ndim:
        return x
    dims = [x.type.shape[a] if x.type.shape[a] is not None else shape(x)[a] for a in range(ndim - 1)]
    # the collapsed size explicitly, not -1: -1 is ambiguous when a leading dim is 0
    rest = x.type.shape[ndim - 1:]
    if all(d is not None for d in rest):
        last: Any = int(np.prod(rest))
    else:
        last = None
        for a in range(ndim - 1, x.ndim):
            d = x.type.shape[a] if x.type.shape[a] is not None else shape(x)[a]
            last = d if last is None else last * d
    return reshape(x, tuple(dims) + (last,))


class StopGradient(Op):
    """Identity whose gradient is zero (keras.ops.stop_gradient / theano disconnected_grad)."""

    view_map = {0: [0]}

    def make_node(self, x: Any) -> Apply:
        x = as_variable(x)
        return Apply(self, [x], [x.type])

    def perform(self, node, inputs):
        return [inputs[0].copy()]

    def infer_shape(self, node, input_shapes, input_values):
        return [input_shapes[0]]

    def grad(self, inputs, output_grads):
        return [None]

    def connection_pattern(self, node):
        return [[False]]


def stop_gradient(x: Any) -> Variable:
    return StopGradient()(x)
