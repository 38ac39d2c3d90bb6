"""Tensors made from shapes and scalars: Alloc (zeros/ones/full/broadcast_to) and ARange."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..graph import Apply, Constant, Op, Variable, as_variable, describe
from ..types import TensorType, fmt_shape, is_int, python_scalar_dtype


def _shape_vector(shape: Any) -> tuple[Variable, list]:
    """A shape given as ints / symbolic scalars / an int vector -> (int64 vector, static dims)."""
    from .shape import MakeVector, _static_values
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    if isinstance(shape, Variable) and shape.ndim == 0:   # zeros(n) with a symbolic scalar n
        shape = (shape,)
    if isinstance(shape, (tuple, list)):
        if all(isinstance(d, (int, np.integer)) for d in shape):
            vec = as_variable(np.asarray(shape, dtype="int64").reshape(len(shape)))
        else:
            vec = MakeVector("int64")(*shape)
        n = len(shape)
    else:
        vec = as_variable(shape)
        if vec.ndim != 1 or vec.type.shape[0] is None:
            raise ValueError("a symbolic shape must be an integer vector of known length")
        n = vec.type.shape[0]
    static = _static_values(vec, n)
    if any(d is not None and d < 0 for d in static):
        raise ValueError(f"zeros/ones/full/alloc: negative dimension in the shape; Received: shape={tuple(static)}")
    return vec, static


def _dim_names(shape_var: Variable, n: int) -> list[str]:
    """How the user wrote each dimension of a shape vector ('n', '3', ...), for error messages."""
    from .shape import MakeVector
    if shape_var.owner is not None and isinstance(shape_var.owner.op, MakeVector):
        return [user_name(v) for v in shape_var.owner.inputs]
    return [f"{user_name(shape_var)}[{i}]" for i in range(n)]


def user_name(v: Variable) -> str:
    """A constant's value, else the variable under any casts the constructor added ('n')."""
    while v.owner is not None and "cast" in str(v.owner.op) and len(v.owner.inputs) == 1:
        v = v.owner.inputs[0]
    if isinstance(v, Constant):
        return repr(v.data.item()) if np.ndim(v.data) == 0 else repr(v.data.tolist())
    return describe(v)


def checked_shape(node: Apply, shape: Any) -> tuple[int, ...]:
    """The run-time shape of an Alloc (zeros/ones/full/broadcast_to) as ints, or a ValueError that
    names the dimension, its value and the whole shape (NumPy's own messages do not)."""
    dims = tuple(int(d) for d in np.asarray(shape).reshape(-1))
    names = _dim_names(node.inputs[1], len(dims))
    where = f"(built at {node.tag.get('trace', '?')})"
    for i, d in enumerate(dims):
        if d < 0:
            raise ValueError(f"zeros/ones/full/alloc: dimension {i} of the shape ({names[i]}) is negative; "
                             f"Received: shape={dims} {where}")
    itemsize = np.dtype(node.outputs[0].dtype).itemsize
    total = itemsize
    for d in dims:
        total *= d
    if total > np.iinfo(np.intp).max:
        raise ValueError(f"zeros/ones/full/alloc: shape {dims} ({', '.join(names)}) is too large: "
                         f"{total} bytes of {node.outputs[0].dtype} exceed the address space {where}")
    return dims


class Alloc(Op):
    """value (broadcastable to `shape`) broadcast to `shape` — a fresh array."""

    __props__ = ("ndim",)

    def __init__(self, ndim: int) -> None:
        self.ndim = ndim

    def make_node(self, value: Any, shape: Variable, static: Sequence | None = None) -> Apply:
        value = as_variable(value)
        if value.ndim > self.ndim:
            raise ValueError(f"cannot broadcast {describe(value)} with {value.ndim} dims to {self.ndim} dims")
        static = list(static) if static is not None else [None] * self.ndim
        pad = self.ndim - value.ndim
        for a, d in enumerate(value.type.shape):
            s = static[a + pad]
            if d is not None and d != 1 and s is not None and s != d:
                raise ValueError(f"cannot broadcast {describe(value)} of shape {fmt_shape(value.type.shape)} "
                                 f"to shape {tuple(static)}")
            if s is None and d is not None and d != 1:
                static[a + pad] = d
        return Apply(self, [value, shape], [TensorType(value.dtype, static)])

    def perform(self, node, inputs):
        value, shape = inputs
        return [np.array(np.broadcast_to(value, checked_shape(node, shape)))]

    def infer_shape(self, node, input_shapes, input_values):
        if input_values[1] is None:
            raise NotImplementedError("Alloc.infer_shape needs the shape value")
        return [checked_shape(node, input_values[1])]

    def grad(self, inputs, output_grads):
        from .elemwise import reduce_to_shape
        value, _ = inputs
        (gz,) = output_grads
        if gz is None or not value.dtype.startswith("float"):
            return [None, None]
        g = gz
        extra = g.ndim - value.ndim
        from .. import basic as T
        axes = tuple(range(extra)) + tuple(a + extra for a, d in enumerate(value.type.shape) if d == 1)
        if axes:
            g = T.sum(g, axis=axes, keepdims=True)
            if extra:
                g = T.dimshuffle(g, [extra + i for i in range(value.ndim)])
        return [g, None]

    def connection_pattern(self, node):
        return [[True], [False]]


def alloc(value: Any, shape: Any) -> Variable:
    vec, static = _shape_vector(shape)
    return Alloc(len(static)).make_node(value, vec, static).outputs[0]


def full(shape: Any, fill_value: Any, dtype: str | None = None) -> Variable:
    from ..config import config
    if dtype is None:
        dtype = python_scalar_dtype(fill_value) if not isinstance(fill_value, Variable) else fill_value.dtype
    v = fill_value if isinstance(fill_value, Variable) else as_variable(np.asarray(fill_value, dtype=dtype))
    if v.dtype != dtype:
        from .elemwise import cast
        v = cast(v, dtype)
    return alloc(v, shape)


def zeros(shape: Any, dtype: str | None = None) -> Variable:
    from ..config import config
    return full(shape, 0, dtype or config.floatX)


def ones(shape: Any, dtype: str | None = None) -> Variable:
    from ..config import config
    return full(shape, 1, dtype or config.floatX)


def zeros_like(x: Any, dtype: str | None = None) -> Variable:
    from .elemwise import second
    x = as_variable(x)
    return second(x, np.zeros((), dtype=dtype or x.dtype))


def ones_like(x: Any, dtype: str | None = None) -> Variable:
    from .elemwise import second
    x = as_variable(x)
    return second(x, np.ones((), dtype=dtype or x.dtype))


def broadcast_to(x: Any, shape: Any) -> Variable:
    return alloc(x, shape)


class ARange(Op):
    """arange(start, stop, step) with scalar inputs."""

    __props__ = ("dtype",)

    def __init__(self, dtype: str) -> None:
        self.dtype = dtype

    def make_node(self, start: Any, stop: Any, step: Any) -> Apply:
        ins = [as_variable(v) for v in (start, stop, step)]
        for v in ins:
            if v.ndim:
                raise TypeError(f"arange bounds must be scalars, got {v.type}")
        length = None
        if all(isinstance(v, Constant) for v in ins):
            length = len(np.arange(*_checked_bounds(None, ins, [v.data for v in ins])))
        return Apply(self, ins, [TensorType(self.dtype, (length,))])

    def perform(self, node, inputs):
        return [np.arange(*_checked_bounds(node, node.inputs, inputs), dtype=self.dtype)]

    def infer_shape(self, node, input_shapes, input_values):
        if any(v is None for v in input_values):
            raise NotImplementedError("ARange.infer_shape needs its bounds")
        return [(len(np.arange(*_checked_bounds(node, node.inputs, input_values))),)]

    def grad(self, inputs, output_grads):
        return [None, None, None]

    def connection_pattern(self, node):
        return [[False]] * 3


def _checked_bounds(node: Apply | None, variables: Sequence, values: Sequence) -> list:
    """arange's (start, stop, step) as Python numbers; a zero step is NumPy's ZeroDivisionError
    with a message naming the step."""
    vals = [np.asarray(v).item() for v in values]
    if vals[2] == 0:
        where = f" (built at {node.tag.get('trace', '?')})" if node is not None else ""
        raise ZeroDivisionError(f"arange: the step ({user_name(variables[2])}) must not be zero; "
                                f"Received: start={vals[0]}, stop={vals[1]}, step={vals[2]}{where}")
    return vals


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: str | None = None) -> Variable:
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        vals = [v for v in (start, stop, step)]
        if all(isinstance(v, (int, np.integer)) or (isinstance(v, Variable) and is_int(v.dtype)) for v in vals):
            dtype = "int64"
        else:
            from ..config import config
            dtype = config.floatX
    return ARange(dtype)(as_variable(start, dtype=dtype if not isinstance(start, Variable) else None),
                         as_variable(stop, dtype=dtype if not isinstance(stop, Variable) else None),
                         as_variable(step, dtype=dtype if not isinstance(step, Variable) else None))


def axis_index(x: Variable, axis: int) -> Variable:
    """0..n-1 along `axis` of x, shaped to broadcast against x (size 1 on the other axes)."""
    from .shape import shape, expand_dims
    axis = axis % x.ndim
    n = x.type.shape[axis] if x.type.shape[axis] is not None else shape(x)[axis]
    idx = arange(0, n, 1, dtype="int64")
    return expand_dims(idx, [a for a in range(x.ndim) if a != axis]) if x.ndim > 1 else idx
