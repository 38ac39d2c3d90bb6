"""Indexing: basic (ints, slices with steps and negative indices, None, Ellipsis; constant or
symbolic scalar bounds), integer-array indexing on the first axis (embeddings), and their
set/inc counterparts (the gradients of indexing). Any other NumPy advanced index (arrays on
several or later axes, boolean masks) goes to ops/advanced_indexing.py."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..graph import Apply, Constant, Op, Variable, as_variable, describe
from ..types import TensorType, fmt_shape, is_int

SYM = "?"   # marks an index entry taken from the next symbolic input


def _entry_value(e, it):
    return next(it) if e == SYM else e


def _build_index(idx_list: Sequence, values: Sequence) -> tuple:
    it = iter(values)
    out = []
    for e in idx_list:
        if isinstance(e, tuple):
            out.append(slice(*[None if v is None else int(_entry_value(v, it)) for v in e]))
        else:
            out.append(int(_entry_value(e, it)))
    return tuple(out)


def _static_dim(e, d: int | None) -> int | None:
    """Static length of a slice entry over a dim of static size d (None if unknown)."""
    if any(v == SYM for v in e) or d is None:
        if e == (None, None, None) or (e[0] in (None, 0) and e[1] is None and e[2] in (None, 1)):
            return d
        if e[2] not in (None, SYM) and e[0] is not SYM and e[1] is not SYM and d is not None:
            return len(range(*slice(*e).indices(d)))
        return None
    return len(range(*slice(*e).indices(d)))


class Subtensor(Op):
    """x[idx] for basic indices: each entry an int or a slice over one leading axis."""

    __props__ = ("idx_list",)
    view_map = {0: [0]}

    def __init__(self, idx_list: Sequence) -> None:
        self.idx_list = tuple(idx_list)

    def __str__(self):
        return f"Subtensor{{{_fmt_idx(self.idx_list)}}}"

    def make_node(self, x: Any, *indices: Any) -> Apply:
        x = as_variable(x)
        indices = [_as_index_scalar(i) for i in indices]
        if len(self.idx_list) > x.ndim:
            raise IndexError(f"too many indices ({len(self.idx_list)}) for {describe(x)} with {x.ndim} dims")
        shape = []
        for a, e in enumerate(self.idx_list):
            d = x.type.shape[a]
            if isinstance(e, tuple):
                shape.append(_static_dim(e, d))
            elif e != SYM and d is not None and not -d <= e < d:
                raise IndexError(f"index {e} is out of bounds for axis {a} of {describe(x)} "
                                 f"with shape {fmt_shape(x.type.shape)}")
        shape.extend(x.type.shape[len(self.idx_list):])
        return Apply(self, [x, *indices], [TensorType(x.dtype, shape)])

    def perform(self, node, inputs):
        x, *vals = inputs
        try:
            return [np.array(x[_build_index(self.idx_list, vals)])]
        except IndexError as e:
            raise IndexError(f"{e} (indexing {describe(node.inputs[0])} of shape {x.shape}, "
                             f"built at {node.tag.get('trace', '?')})") from None

    def infer_shape(self, node, input_shapes, input_values):
        if any(v is None for v in input_values[1:]):
            raise NotImplementedError("Subtensor.infer_shape needs the index values")
        probe = np.broadcast_to(np.zeros((), np.int8), input_shapes[0])
        return [probe[_build_index(self.idx_list, input_values[1:])].shape]

    def grad(self, inputs, output_grads):
        x, *idx = inputs
        (gz,) = output_grads
        if gz is None or not x.dtype.startswith("float"):
            return [None] * len(inputs)
        from .elemwise import second
        zeros = second(x, np.zeros((), dtype=x.dtype))
        return [IncSubtensor(self.idx_list, set_instead_of_inc=False)(zeros, gz, *idx)] + [None] * len(idx)

    def connection_pattern(self, node):
        return [[True]] + [[False]] * (len(node.inputs) - 1)


class IncSubtensor(Op):
    """A copy of x with x[idx] set to (or incremented by) y, y broadcast to the indexed shape."""

    __props__ = ("idx_list", "set_instead_of_inc")

    def __init__(self, idx_list: Sequence, set_instead_of_inc: bool = False) -> None:
        self.idx_list = tuple(idx_list)
        self.set_instead_of_inc = bool(set_instead_of_inc)

    def __str__(self):
        return f"{'Set' if self.set_instead_of_inc else 'Inc'}Subtensor{{{_fmt_idx(self.idx_list)}}}"

    def make_node(self, x: Any, y: Any, *indices: Any) -> Apply:
        x = as_variable(x)
        y = as_variable(y, partners=[x.dtype])
        sub = Subtensor(self.idx_list).make_node(x, *indices).outputs[0]
        _check_assignable(y, sub, x)
        _check_assign_dtype(y, x)
        indices = [_as_index_scalar(i) for i in indices]
        return Apply(self, [x, y, *indices], [x.type])

    def perform(self, node, inputs):
        x, y, *vals = inputs
        out = x.copy()
        idx = _build_index(self.idx_list, vals)
        if self.set_instead_of_inc:
            out[idx] = y
        else:
            out[idx] += y
        return [out]

    def infer_shape(self, node, input_shapes, input_values):
        return [input_shapes[0]]

    def grad(self, inputs, output_grads):
        x, y, *idx = inputs
        (gz,) = output_grads
        if gz is None:
            return [None] * len(inputs)
        from .elemwise import reduce_to_shape, second
        if self.set_instead_of_inc:
            gx = IncSubtensor(self.idx_list, True)(gz, second(y, np.zeros((), gz.dtype)), *idx)
        else:
            gx = gz
        gy = reduce_to_shape(Subtensor(self.idx_list)(gz, *idx), y) if y.dtype.startswith("float") else None
        return [gx if x.dtype.startswith("float") else None, gy] + [None] * len(idx)

    def connection_pattern(self, node):
        return [[True], [True]] + [[False]] * (len(node.inputs) - 2)


def _check_assign_dtype(y: Variable, x: Variable) -> None:
    """Values are stored in x's dtype; refuse what NumPy's same_kind rule refuses (float into int)."""
    if not np.can_cast(y.dtype, x.dtype, "same_kind"):
        raise TypeError(f"cannot assign {describe(y)} of dtype {y.dtype} into {describe(x)} of dtype {x.dtype}; "
                        f"cast it first with sn.cast(value, {x.dtype!r})")


def _check_assignable(y: Variable, target: Variable, x: Variable) -> None:
    from ..types import broadcast_shapes
    if y.ndim > target.ndim:
        raise ValueError(f"cannot assign {describe(y)} with {y.ndim} dims into a {target.ndim}-d slice of "
                         f"{describe(x)}")
    b = broadcast_shapes(target.type.shape, y.type.shape, context=f"assignment into {describe(x)}")
    if len(b) != target.ndim:
        raise ValueError("bad assignment shape")


class AdvancedSubtensor1(Op):
    """x[ints] on the first axis (embedding lookup). Indices may be negative; out of range raises."""

    def make_node(self, x: Any, idx: Any) -> Apply:
        x = as_variable(x)
        idx = as_variable(idx)
        if not is_int(idx.dtype):
            raise TypeError(f"array indices must be integers, got {idx.type} ({describe(idx)})")
        if x.ndim < 1:
            raise IndexError("cannot index a scalar")
        return Apply(self, [x, idx], [TensorType(x.dtype, idx.type.shape + x.type.shape[1:])])

    def perform(self, node, inputs):
        x, idx = inputs
        n = x.shape[0]
        if idx.size and (idx.max() >= n or idx.min() < -n):
            bad = idx[(idx >= n) | (idx < -n)].flat[0]
            raise IndexError(f"index {bad} is out of bounds for axis 0 with size {n} "
                             f"(indexing {describe(node.inputs[0])}, built at {node.tag.get('trace', '?')})")
        return [x[idx]]

    def infer_shape(self, node, input_shapes, input_values):
        return [tuple(input_shapes[1]) + tuple(input_shapes[0][1:])]

    def grad(self, inputs, output_grads):
        x, idx = inputs
        (gz,) = output_grads
        if gz is None or not x.dtype.startswith("float"):
            return [None, None]
        from .elemwise import second
        zeros = second(x, np.zeros((), dtype=x.dtype))
        return [AdvancedIncSubtensor1(False)(zeros, gz, idx), None]

    def connection_pattern(self, node):
        return [[True], [False]]


class AdvancedIncSubtensor1(Op):
    """Copy of x with x[ints] set/incremented by y; repeated indices accumulate (np.add.at)."""

    __props__ = ("set_instead_of_inc",)

    def __init__(self, set_instead_of_inc: bool = False) -> None:
        self.set_instead_of_inc = bool(set_instead_of_inc)

    def make_node(self, x: Any, y: Any, idx: Any) -> Apply:
        x = as_variable(x)
        y = as_variable(y, partners=[x.dtype])
        idx = as_variable(idx)
        target = AdvancedSubtensor1().make_node(x, idx).outputs[0]
        _check_assignable(y, target, x)
        _check_assign_dtype(y, x)
        return Apply(self, [x, y, idx], [x.type])

    def perform(self, node, inputs):
        x, y, idx = inputs
        out = x.copy()
        if self.set_instead_of_inc:
            out[idx] = y
        else:
            np.add.at(out, idx, np.broadcast_to(y, idx.shape + x.shape[1:]))
        return [out]

    def infer_shape(self, node, input_shapes, input_values):
        return [input_shapes[0]]

    def grad(self, inputs, output_grads):
        x, y, idx = inputs
        (gz,) = output_grads
        if gz is None:
            return [None, None, None]
        from .elemwise import reduce_to_shape, second
        gx = AdvancedIncSubtensor1(True)(gz, second(y, np.zeros((), gz.dtype)), idx) if self.set_instead_of_inc else gz
        gy = reduce_to_shape(AdvancedSubtensor1()(gz, idx), y) if y.dtype.startswith("float") else None
        return [gx, gy, None]

    def connection_pattern(self, node):
        return [[True], [True], [False]]


def _as_index_scalar(i: Any) -> Variable:
    v = as_variable(i, dtype="int64") if not isinstance(i, Variable) else i
    if v.ndim != 0 or not is_int(v.dtype):
        raise TypeError(f"an index must be an integer scalar, got {v.type} ({describe(v)})")
    return v


def _fmt_idx(idx_list) -> str:
    parts = []
    for e in idx_list:
        if isinstance(e, tuple):
            parts.append(":".join("" if v is None else str(v) for v in e).rstrip(":") or ":")
        else:
            parts.append(str(e))
    return ", ".join(parts)


# ------------------------------------------------------------------------------------------
# Parsing Python index expressions
# ------------------------------------------------------------------------------------------
def _parse(x: Variable, idx: Any):
    """-> (basic idx_list, symbolic inputs, axes to insert (None), adv index or None)."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    n_real = sum(1 for i in idx if i is not None and i is not Ellipsis)
    if sum(1 for i in idx if i is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis")
    expanded = []
    for i in idx:
        if i is Ellipsis:
            expanded.extend([slice(None)] * (x.ndim - n_real))
        else:
            expanded.append(i)
    return expanded


def _is_array_index(i: Any) -> bool:
    if isinstance(i, Variable):
        return i.ndim > 0
    if isinstance(i, (list, np.ndarray)):
        return True
    return False


def getitem(x: Any, idx: Any) -> Variable:
    """x[idx] with NumPy semantics for basic indices and a 1-d/n-d integer array on axis 0."""
    from .shape import dimshuffle
    x = as_variable(x)
    entries = _parse(x, idx)
    if any(_is_array_index(e) for e in entries):
        first, rest = entries[0], entries[1:]
        arr = None
        if _is_array_index(first) and not any(_is_array_index(e) for e in rest):
            arr = first if isinstance(first, Variable) else as_variable(np.asarray(first))
        if arr is not None and is_int(arr.dtype):       # axis 0 only: the op lowered natively
            out = AdvancedSubtensor1()(x, arr)
            if rest:
                out = getitem(out, (slice(None),) * arr.ndim + tuple(rest))
                out.tag["advanced_index"] = (x, tuple(entries))    # for set/inc_subtensor
            return out
        from .advanced_indexing import advanced_getitem
        return advanced_getitem(x, entries)
    idx_list, inputs, new_axes_at = [], [], []
    axis = 0
    out_axis = 0
    for e in entries:
        if e is None:
            new_axes_at.append(out_axis)
            out_axis += 1
            continue
        if axis >= x.ndim:
            raise IndexError(f"too many indices for {describe(x)} with {x.ndim} dims")
        if isinstance(e, slice):
            parts = []
            for v in (e.start, e.stop, e.step):
                if v is None:
                    parts.append(None)
                elif isinstance(v, Variable):
                    parts.append(SYM)
                    inputs.append(v)
                else:
                    parts.append(int(_index_int(v)))
            if parts[2] == 0:
                raise ValueError("slice step cannot be zero")
            idx_list.append(tuple(parts))
            out_axis += 1
        elif isinstance(e, Variable):
            idx_list.append(SYM)
            inputs.append(e)
        else:
            idx_list.append(int(_index_int(e)))
        axis += 1
    # trailing full slices are implicit; one is kept so that x[:] is still an indexed variable
    # that set_subtensor / inc_subtensor accept (as in Theano)
    while len(idx_list) > 1 and idx_list[-1] == (None, None, None):
        idx_list.pop()
    out = Subtensor(idx_list)(x, *inputs) if idx_list else x
    if new_axes_at:
        it = iter(range(out.ndim))
        total = out.ndim + len(new_axes_at)
        out = dimshuffle(out, ["x" if a in new_axes_at else next(it) for a in range(total)])
    return out


def _index_int(v: Any) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise IndexError(f"only integers, slices, None, Ellipsis and integer arrays are valid indices, got {v!r}")
    return int(v)


def set_subtensor(target: Variable, value: Any) -> Variable:
    """Theano style: ``set_subtensor(x[2:5], v)`` returns a copy of x with that part replaced."""
    return _inc_or_set(target, value, True)


def inc_subtensor(target: Variable, value: Any) -> Variable:
    """Theano style: ``inc_subtensor(x[idx], v)`` returns a copy of x with v added to that part."""
    return _inc_or_set(target, value, False)


def _inc_or_set(target: Variable, value: Any, set_: bool) -> Variable:
    from .advanced_indexing import AdvancedIncSubtensor, AdvancedSubtensor, advanced_getitem
    if "advanced_index" in target.tag:             # x[ints, basic...]: one index over x, not two steps
        x, entries = target.tag["advanced_index"]
        target = advanced_getitem(x, entries)
    node = target.owner
    if node is not None and isinstance(node.op, Subtensor):
        return IncSubtensor(node.op.idx_list, set_)(node.inputs[0], value, *node.inputs[1:])
    if node is not None and isinstance(node.op, AdvancedSubtensor1):
        return AdvancedIncSubtensor1(set_)(node.inputs[0], value, node.inputs[1])
    if node is not None and isinstance(node.op, AdvancedSubtensor):
        return AdvancedIncSubtensor(node.op.spec, set_)(node.inputs[0], value, *node.inputs[1:])
    raise TypeError("set_subtensor/inc_subtensor take an indexed variable such as x[1:3] or x[idx], got "
                    f"{describe(target)}")
