"""NumPy advanced indexing on any axes: integer arrays (broadcast together), integers, slices,
None and boolean masks mixed in one index, and the set/inc forms that are its gradient.

An index is described by ``spec``, one entry per index item:
  ("s", start, stop, step)  a slice; each bound an int, None, or SYM (the next symbolic input)
  ("i", value)              an integer (SYM: an integer scalar input); with arrays present it is
                            an advanced index broadcast with them, as in NumPy
  ("a",)                    an integer array input
  ("b", ndim)               a boolean mask input covering `ndim` axes (a data-dependent length)
  ("n",)                    None: a new axis of length 1
The result layout is NumPy's: the broadcast shape of the advanced indices replaces them in place
when they are adjacent, else comes first.

x[ints] / x[ints, basic...] keep using AdvancedSubtensor1 (axis 0, lowered natively on LLVM);
getitem builds these general ops only for the other cases, which run through their NumPy
``perform`` on the LLVM backend for now."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..graph import Apply, Constant, Op, Variable, as_variable, describe
from ..types import TensorType, fmt_shape, is_int

SYM = "?"


def _broadcast_static(shapes: Sequence[tuple]) -> tuple:
    """Broadcast index-array shapes whose dims may be unknown (None)."""
    nd = max((len(s) for s in shapes), default=0)
    out = []
    for ax in range(nd):
        dims = [s[ax - (nd - len(s))] for s in shapes if ax - (nd - len(s)) >= 0]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise IndexError(f"shape mismatch: index arrays could not be broadcast together with shapes "
                             f"{', '.join(fmt_shape(s) for s in shapes)}")
        if known:
            out.append(known.pop())
        elif all(d == 1 for d in dims):
            out.append(1)
        else:
            out.append(None)
    return tuple(out)


def _slice_len(bounds: Sequence, d: int | None) -> int | None:
    if d is None or any(isinstance(b, str) for b in bounds):
        full = bounds[0] in (None, 0) and bounds[1] is None and bounds[2] in (None, 1)
        return d if full else None
    return len(range(*slice(*bounds).indices(d)))


def index_shape(spec: Sequence[tuple], x_shape: Sequence, operand_shapes: Sequence, operand_values: Sequence,
                concrete: bool = False) -> tuple:
    """The result shape of x[spec]. operand_shapes/values align with the symbolic index inputs
    (values may be None when unknown); with `concrete`, unknown needed values raise."""
    ops = iter(zip(operand_shapes, operand_values))
    has_array = any(e[0] in "ab" for e in spec)
    pieces: list[tuple] = []
    axis = 0
    for e in spec:
        kind = e[0]
        if kind == "n":
            pieces.append(("basic", 1))
            continue
        if axis >= len(x_shape):
            raise IndexError(f"too many indices for a tensor with {len(x_shape)} dims")
        d = x_shape[axis]
        if kind == "s":
            bounds = []
            for b in e[1:]:
                if b == SYM:
                    _, v = next(ops)
                    if v is None and concrete:
                        raise NotImplementedError("the result shape needs the slice bounds' values")
                    bounds.append(SYM if v is None else int(v))
                else:
                    bounds.append(b)
            pieces.append(("basic", _slice_len(bounds, d)))
            axis += 1
        elif kind == "i":
            if e[1] == SYM:
                next(ops)
            elif d is not None and not -d <= e[1] < d:
                raise IndexError(f"index {e[1]} is out of bounds for axis {axis} with size {d}")
            if has_array:
                pieces.append(("adv", ()))
            axis += 1
        elif kind == "a":
            shp, _ = next(ops)
            pieces.append(("adv", tuple(shp)))
            axis += 1
        else:                                   # boolean mask
            shp, v = next(ops)
            nd = e[1]
            for k in range(nd):
                dk = x_shape[axis + k] if axis + k < len(x_shape) else None
                if dk is not None and shp[k] is not None and dk != shp[k]:
                    raise IndexError(f"boolean index did not match indexed tensor along axis {axis + k}; size of "
                                     f"axis is {dk} but size of corresponding boolean axis is {shp[k]}")
            if v is None and concrete:
                raise NotImplementedError(
                    "boolean mask indexing with a mask computed at run time has a data-dependent result "
                    "shape, which this backend's buffer plan (shapes fixed per input signature) does not "
                    "support yet; use mode='reference', a constant mask, or sn.switch(mask, x, 0)")
            pieces.append(("adv", (None if v is None else int(np.count_nonzero(v)),)))
            axis += nd
    rest = [("basic", d) for d in x_shape[axis:]]
    adv_at = [k for k, p in enumerate(pieces) if p[0] == "adv"]
    shapes = [p[1] for p in pieces if p[0] == "adv"]
    b = tuple(np.broadcast_shapes(*shapes)) if concrete and shapes else _broadcast_static(shapes)
    basic = [p[1] for p in pieces + rest if p[0] == "basic"]
    if not adv_at:
        return tuple(basic)
    if adv_at == list(range(adv_at[0], adv_at[-1] + 1)):
        before = [p[1] for p in pieces[:adv_at[0]] if p[0] == "basic"]
        after = [p[1] for p in pieces[adv_at[-1] + 1:] + rest if p[0] == "basic"]
        return tuple(before) + b + tuple(after)
    return b + tuple(basic)


def build_index(spec: Sequence[tuple], values: Sequence, masks_as_arrays: bool = False) -> tuple:
    """The NumPy index tuple for runtime operand values (masks become nonzero() for ufunc.at)."""
    it = iter(values)
    out: list = []
    for e in spec:
        kind = e[0]
        if kind == "n":
            out.append(None)
        elif kind == "s":
            out.append(slice(*[int(next(it)) if b == SYM else b for b in e[1:]]))
        elif kind == "i":
            out.append(int(next(it)) if e[1] == SYM else e[1])
        elif kind == "a":
            out.append(np.asarray(next(it)))
        else:
            m = np.asarray(next(it))
            out.extend(m.nonzero() if masks_as_arrays else [m])
    return tuple(out)


def _fmt(spec) -> str:
    parts = []
    for e in spec:
        if e[0] == "s":
            parts.append(":".join("" if b is None else str(b) for b in e[1:]).rstrip(":") or ":")
        else:
            parts.append({"i": lambda: str(e[1]), "a": lambda: "int[]", "b": lambda: "bool[]",
                          "n": lambda: "None"}[e[0]]())
    return ", ".join(parts)


def _operand_values(operands: Sequence[Variable]) -> list:
    return [v.data if isinstance(v, Constant) else None for v in operands]


def _check_operands(spec, operands: Sequence[Variable]) -> None:
    it = iter(operands)
    for e in spec:
        needs = [b for b in e[1:] if b == SYM] if e[0] in "si" else ([e] if e[0] in "ab" else [])
        for _ in needs:
            v = next(it)
            if e[0] in "si" and (v.ndim != 0 or not is_int(v.dtype)):
                raise TypeError(f"an index must be an integer scalar, got {v.type} ({describe(v)})")
            if e[0] == "a" and not is_int(v.dtype):
                raise TypeError(f"array indices must be integers, got {v.type} ({describe(v)})")
            if e[0] == "b" and v.dtype != "bool":
                raise TypeError(f"a mask index must be boolean, got {v.type} ({describe(v)})")


class AdvancedSubtensor(Op):
    """x[index] for a general NumPy advanced index (see the module docstring for `spec`)."""

    __props__ = ("spec",)

    def __init__(self, spec: Sequence[tuple]) -> None:
        self.spec = tuple(tuple(e) for e in spec)

    def __str__(self):
        return f"AdvancedSubtensor{{{_fmt(self.spec)}}}"

    def make_node(self, x: Any, *operands: Any) -> Apply:
        x = as_variable(x)
        operands = [as_variable(o) for o in operands]
        _check_operands(self.spec, operands)
        try:
            shape = index_shape(self.spec, x.type.shape, [o.type.shape for o in operands], _operand_values(operands))
        except IndexError as e:
            raise IndexError(f"{e} (indexing {describe(x)} of static shape {fmt_shape(x.type.shape)})") from None
        return Apply(self, [x, *operands], [TensorType(x.dtype, shape)])

    def perform(self, node, inputs):
        x, *vals = inputs
        try:
            return [np.array(x[build_index(self.spec, vals)])]
        except IndexError as e:
            raise IndexError(f"{e} (indexing {describe(node.inputs[0])} of shape {x.shape}, "
                             f"built at {node.tag.get('trace', '?')})") from None

    def infer_shape(self, node, input_shapes, input_values):
        return [index_shape(self.spec, input_shapes[0], input_shapes[1:], input_values[1:], concrete=True)]

    def grad(self, inputs, output_grads):
        x, *operands = inputs
        (gz,) = output_grads
        if gz is None or not x.dtype.startswith("float"):
            return [None] * len(inputs)
        from .elemwise import second
        zeros = second(x, np.zeros((), dtype=x.dtype))
        return [AdvancedIncSubtensor(self.spec, False)(zeros, gz, *operands)] + [None] * len(operands)

    def connection_pattern(self, node):
        return [[True]] + [[False]] * (len(node.inputs) - 1)


class AdvancedIncSubtensor(Op):
    """A copy of x with x[index] set to (or incremented by) y; repeated positions accumulate."""

    __props__ = ("spec", "set_instead_of_inc")

    def __init__(self, spec: Sequence[tuple], set_instead_of_inc: bool = False) -> None:
        self.spec = tuple(tuple(e) for e in spec)
        self.set_instead_of_inc = bool(set_instead_of_inc)

    def __str__(self):
        return f"Advanced{'Set' if self.set_instead_of_inc else 'Inc'}Subtensor{{{_fmt(self.spec)}}}"

    def make_node(self, x: Any, y: Any, *operands: Any) -> Apply:
        from .subtensor import _check_assign_dtype, _check_assignable
        x = as_variable(x)
        y = as_variable(y, partners=[x.dtype])
        operands = [as_variable(o) for o in operands]
        target = AdvancedSubtensor(self.spec).make_node(x, *operands).outputs[0]
        _check_assignable(y, target, x)
        _check_assign_dtype(y, x)
        return Apply(self, [x, y, *operands], [x.type])

    def perform(self, node, inputs):
        x, y, *vals = inputs
        out = x.copy()
        if self.set_instead_of_inc:
            out[build_index(self.spec, vals)] = y
        else:
            np.add.at(out, build_index(self.spec, vals, masks_as_arrays=True), y)
        return [out]

    def infer_shape(self, node, input_shapes, input_values):
        return [input_shapes[0]]

    def grad(self, inputs, output_grads):
        x, y, *operands = inputs
        (gz,) = output_grads
        if gz is None:
            return [None] * len(inputs)
        from .elemwise import reduce_to_shape, second
        if self.set_instead_of_inc:
            gx = AdvancedIncSubtensor(self.spec, True)(gz, second(y, np.zeros((), gz.dtype)), *operands)
        else:
            gx = gz
        gy = reduce_to_shape(AdvancedSubtensor(self.spec)(gz, *operands), y) if y.dtype.startswith("float") else None
        return [gx if x.dtype.startswith("float") else None, gy] + [None] * len(operands)

    def connection_pattern(self, node):
        return [[True], [True]] + [[False]] * (len(node.inputs) - 2)


def _is_int_like(i: Any) -> bool:
    return isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_))


def advanced_getitem(x: Variable, entries: Sequence[Any]) -> Variable:
    """x[entries] (Ellipsis already expanded) with at least one array among them."""
    spec: list[tuple] = []
    operands: list[Variable] = []
    for e in entries:
        if e is None:
            spec.append(("n",))
        elif isinstance(e, slice):
            bounds = []
            for b in (e.start, e.stop, e.step):
                if isinstance(b, Variable):
                    bounds.append(SYM)
                    operands.append(b)
                elif b is None:
                    bounds.append(None)
                elif _is_int_like(b):
                    bounds.append(int(b))
                else:
                    raise IndexError(f"slice indices must be integers or None, got {b!r}")
            if bounds[2] == 0:
                raise ValueError("slice step cannot be zero")
            spec.append(("s", *bounds))
        elif isinstance(e, Variable) and e.ndim == 0 and e.dtype != "bool":
            spec.append(("i", SYM))
            operands.append(e)
        elif _is_int_like(e):
            spec.append(("i", int(e)))
        else:
            if isinstance(e, Variable):
                v = e
            else:
                arr = np.asarray(e)
                v = as_variable(arr.astype("int64") if arr.dtype.kind in "iu" or arr.size == 0 else arr)
            if v.dtype == "bool":
                if v.ndim == 0:
                    raise NotImplementedError("indexing with a 0-d boolean (x[True]) is not supported")
                spec.append(("b", v.ndim))
            elif is_int(v.dtype):
                spec.append(("a",))
            else:
                raise TypeError(f"arrays used as indices must be of integer or boolean type, got {v.type} "
                                 f"({describe(v)})")
            operands.append(v)
    return AdvancedSubtensor(spec)(x, *operands)
