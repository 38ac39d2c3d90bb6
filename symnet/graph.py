"""The graph IR: Variable, Constant, SharedVariable, Apply, Op and FunctionGraph.

A Variable is a typed value in a graph; an Apply is one application of an Op to input variables
producing output variables. Every Apply records where it was built (the user's source line) and
the active name scope, so errors, debugprint and kernel listings point back to the user's code
and Keras layer names.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import sys
import threading
from collections import OrderedDict
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from .props import PropsEq
from .types import TensorType, fmt_shape

_ids = itertools.count()

# ------------------------------------------------------------------------------------------
# Name scopes and provenance
# ------------------------------------------------------------------------------------------
_scope = threading.local()


def current_scope() -> str:
    return "/".join(getattr(_scope, "stack", []))


@contextlib.contextmanager
def name_scope(name: str) -> Iterator[None]:
    """Nodes built inside carry this scope (``dense_1/...``); Keras layers use it."""
    stack = getattr(_scope, "stack", None)
    if stack is None:
        stack = _scope.stack = []
    stack.append(str(name))
    try:
        yield
    finally:
        stack.pop()


_PKG_DIRS = tuple(os.path.dirname(os.path.abspath(m)) + os.sep for m in (
    __file__, os.path.join(os.path.dirname(__file__), "..", "codegen", "x"),
    os.path.join(os.path.dirname(__file__), "..", "keras_api", "x")))


def user_source_line() -> str:
    """file:line of the innermost frame outside symnet/codegen/keras_api (cheap: no inspect)."""
    f = sys._getframe(1)
    while f is not None:
        fn = f.f_code.co_filename
        if not os.path.abspath(fn).startswith(_PKG_DIRS) and "importlib" not in fn:
            return f"{fn}:{f.f_lineno}"
        f = f.f_back
    return "<unknown>"


# ------------------------------------------------------------------------------------------
# Variables
# ------------------------------------------------------------------------------------------
class Variable:
    """A symbolic tensor. ``owner`` is the Apply that computes it (None for graph inputs)."""

    __array_priority__ = 1000  # numpy_array + variable -> Variable.__radd__

    def __init__(self, type: TensorType, owner: "Apply | None" = None, index: int | None = None,
                 name: str | None = None) -> None:
        self.type = type
        self.owner = owner
        self.index = index
        self.name = name
        self.id = next(_ids)
        self.tag: dict[str, Any] = {}

    # -- type facts --------------------------------------------------------------------
    @property
    def dtype(self) -> str:
        return self.type.dtype

    @property
    def ndim(self) -> int:
        return self.type.ndim

    @property
    def static_shape(self) -> tuple:
        """The static shape with None for unknown dims (``.shape`` is symbolic, as in Theano)."""
        return self.type.shape

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        return self.type.broadcastable

    @property
    def shape(self) -> "Variable":
        from .ops import shape as _shape
        return _shape.shape(self)

    @property
    def size(self) -> "Variable":
        from . import basic as T
        return T.prod(self.shape)

    def __repr__(self) -> str:
        return self.name or (f"{self.owner.op}.out" if self.owner else f"<{self.type}>")

    def __str__(self) -> str:
        return self.__repr__()

    def clone(self) -> "Variable":
        v = type(self).__new__(type(self))
        v.__dict__.update(self.__dict__)
        v.owner, v.index, v.id, v.tag = None, None, next(_ids), dict(self.tag)
        return v

    def eval(self, inputs: dict | None = None) -> np.ndarray:
        """Compile (cached per input set) and run this variable: a debugging convenience."""
        from .function import function
        inputs = inputs or {}
        keys = tuple(inputs)
        cache = self.tag.setdefault("_eval_cache", {})
        if keys not in cache:
            cache[keys] = function(list(keys), self, on_unused_input="ignore")
        return cache[keys](*[inputs[k] for k in keys])

    # -- Python protocol ---------------------------------------------------------------
    _is_nonzero = True      # Theano's rule: truthy, except the results of <, <=, >, >= (see __lt__)

    def __bool__(self) -> bool:
        if self._is_nonzero:
            return True
        raise TypeError("Variables do not support boolean operations: the result of a comparison operator "
                        "has no truth value (a < b < c, 'if a < b:' and 'and'/'or' on it cannot see inside the "
                        "graph); use sn.switch/sn.where, sn.and_ or symnet.ifelse.ifelse")

    def __iter__(self):
        n = self.type.shape[0] if self.ndim else None
        if n is None:
            raise TypeError(f"cannot iterate over {self!r}: its first dimension is not known when the graph "
                            "is built (index it explicitly, or use sn.scan)")
        return (self[i] for i in range(n))

    def __len__(self) -> int:
        n = self.type.shape[0] if self.ndim else None
        if n is None:
            raise TypeError(f"len() of {self!r} is not known when the graph is built; use x.shape[0]")
        return n

    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:  # identity, as in Theano; sn.eq is elementwise
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    # -- arithmetic (elementwise, NumPy broadcasting) ----------------------------------
    def __add__(self, o): return _T().add(self, o)
    def __radd__(self, o): return _T().add(o, self)
    def __sub__(self, o): return _T().sub(self, o)
    def __rsub__(self, o): return _T().sub(o, self)
    def __mul__(self, o): return _T().mul(self, o)
    def __rmul__(self, o): return _T().mul(o, self)
    def __truediv__(self, o): return _T().true_div(self, o)
    def __rtruediv__(self, o): return _T().true_div(o, self)
    def __floordiv__(self, o): return _T().floor_div(self, o)
    def __rfloordiv__(self, o): return _T().floor_div(o, self)
    def __mod__(self, o): return _T().mod(self, o)
    def __rmod__(self, o): return _T().mod(o, self)
    def __pow__(self, o): return _T().pow(self, o)
    def __rpow__(self, o): return _T().pow(o, self)
    def __matmul__(self, o): return _T().matmul(self, o)
    def __rmatmul__(self, o): return _T().matmul(o, self)
    def __neg__(self): return _T().neg(self)
    def __pos__(self): return self
    def __abs__(self): return _T().abs(self)
    def __lt__(self, o): return _comparison(_T().lt(self, o))
    def __le__(self, o): return _comparison(_T().le(self, o))
    def __gt__(self, o): return _comparison(_T().gt(self, o))
    def __ge__(self, o): return _comparison(_T().ge(self, o))
    def __and__(self, o): return _T().and_(self, o)
    def __rand__(self, o): return _T().and_(o, self)
    def __or__(self, o): return _T().or_(self, o)
    def __ror__(self, o): return _T().or_(o, self)
    def __xor__(self, o): return _T().xor(self, o)
    def __invert__(self): return _T().not_(self)

    # -- indexing and methods ----------------------------------------------------------
    def __getitem__(self, idx): return _T().getitem(self, idx)

    @property
    def T(self): return _T().transpose(self)

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        return _T().transpose(self, axes or None)

    def dimshuffle(self, *pattern):
        if len(pattern) == 1 and isinstance(pattern[0], (tuple, list)):
            pattern = pattern[0]
        return _T().dimshuffle(self, pattern)

    def reshape(self, *shape, ndim=None):
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = shape[0]
        return _T().reshape(self, shape, ndim=ndim)

    def flatten(self, ndim=1): return _T().flatten(self, ndim)
    def astype(self, dtype): return _T().cast(self, dtype)
    def sum(self, axis=None, keepdims=False, dtype=None): return _T().sum(self, axis, keepdims=keepdims, dtype=dtype)
    def mean(self, axis=None, keepdims=False): return _T().mean(self, axis, keepdims=keepdims)
    def prod(self, axis=None, keepdims=False): return _T().prod(self, axis, keepdims=keepdims)
    def max(self, axis=None, keepdims=False): return _T().max(self, axis, keepdims=keepdims)
    def min(self, axis=None, keepdims=False): return _T().min(self, axis, keepdims=keepdims)
    def argmax(self, axis=None, keepdims=False): return _T().argmax(self, axis, keepdims=keepdims)
    def argmin(self, axis=None, keepdims=False): return _T().argmin(self, axis, keepdims=keepdims)
    def var(self, axis=None, keepdims=False): return _T().var(self, axis, keepdims=keepdims)
    def std(self, axis=None, keepdims=False): return _T().std(self, axis, keepdims=keepdims)
    def any(self, axis=None, keepdims=False): return _T().any(self, axis, keepdims=keepdims)
    def all(self, axis=None, keepdims=False): return _T().all(self, axis, keepdims=keepdims)
    def dot(self, o): return _T().dot(self, o)
    def clip(self, lo, hi): return _T().clip(self, lo, hi)
    def round(self): return _T().round(self)
    def squeeze(self, axis=None): return _T().squeeze(self, axis)
    def copy(self, name=None):
        out = _T().identity(self)
        out.name = name
        return out
    def nonzero(self): raise NotImplementedError("nonzero has a data-dependent shape; symnet does not support it")


def _T():
    from . import basic as tensor
    return tensor


def _comparison(v: "Variable") -> "Variable":
    v._is_nonzero = False
    return v


class Constant(Variable):
    """A variable with a fixed value, folded into compiled code."""

    def __init__(self, type: TensorType, data: np.ndarray, name: str | None = None) -> None:
        super().__init__(type, name=name)
        self.data = data
        self.data.setflags(write=False)

    def signature(self) -> tuple:
        d = self.data
        return (d.dtype.str, d.shape, d.tobytes() if d.size <= 4096 else id(d))

    def __repr__(self) -> str:
        if self.name:
            return self.name
        if self.data.size <= 6:
            return np.array2string(self.data, separator=",").replace("\n", "")
        return f"Constant{{{self.type}}}"

    def clone(self) -> "Constant":
        return self


class Container:
    """The storage box a SharedVariable reads from; backends read and update it in place."""

    __slots__ = ("value",)

    def __init__(self, value: np.ndarray) -> None:
        self.value = value


class SharedVariable(Variable):
    """A variable whose value lives between calls of compiled functions (weights, optimizer state).

    ``default_update`` (a Variable) is applied by every function that uses it, unless the
    function's updates name it explicitly (used by random streams)."""

    def __init__(self, type: TensorType, value: np.ndarray, name: str | None = None) -> None:
        super().__init__(type, name=name)
        self.container = Container(type.filter(value, name=self._label()))
        self.default_update: Variable | None = None

    def _label(self) -> str:
        return f"shared variable {self.name!r}" if self.name else "shared variable"

    def get_value(self, borrow: bool = False, return_internal_type: bool = False) -> np.ndarray:
        v = self.container.value
        return v if borrow else v.copy()

    def set_value(self, value: Any, borrow: bool = False) -> None:
        """Replace the value; the dtype must cast safely and the shape must fit the static shape."""
        arr = self.type.filter(value, name=self._label())
        if not borrow and arr is value:
            arr = arr.copy()
        if not arr.flags.c_contiguous or not arr.flags.aligned:
            arr = np.ascontiguousarray(arr)
        self.container.value = arr

    def clone(self) -> "SharedVariable":
        return self

    @property
    def value(self) -> np.ndarray:
        return self.container.value


# ------------------------------------------------------------------------------------------
# Apply and Op
# ------------------------------------------------------------------------------------------
class Apply:
    """One application of `op` to `inputs`, producing `outputs`."""

    __slots__ = ("op", "inputs", "outputs", "tag")

    def __init__(self, op: "Op", inputs: Sequence[Variable], output_types: Sequence[TensorType],
                 tag: dict | None = None) -> None:
        self.op = op
        self.inputs = list(inputs)
        self.outputs = [Variable(t, self, i) for i, t in enumerate(output_types)]
        self.tag = tag if tag is not None else {"scope": current_scope(), "trace": user_source_line()}

    @property
    def out(self) -> Variable:
        assert len(self.outputs) == 1
        return self.outputs[0]

    def clone_with_new_inputs(self, inputs: Sequence[Variable], strict: bool = True) -> "Apply":
        """Same op on new inputs; types are re-inferred through make_node unless strict and equal."""
        if strict and all(a.type == b.type for a, b in zip(inputs, self.inputs)):
            node = Apply.__new__(Apply)
            node.op, node.inputs, node.tag = self.op, list(inputs), dict(self.tag)
            node.outputs = []
            for i, o in enumerate(self.outputs):
                v = Variable(o.type, node, i, name=o.name)
                v.tag = dict(o.tag)
                node.outputs.append(v)
            return node
        node = self.op.make_node(*inputs)
        node.tag = dict(self.tag)
        for old, new in zip(self.outputs, node.outputs):
            new.name = old.name
        return node

    def __repr__(self) -> str:
        return f"{self.op}({', '.join(map(repr, self.inputs))})"


class NotDifferentiable:
    """A gradient that does not exist; raises only if a requested gradient needs it."""

    def __init__(self, op: "Op", index: int, reason: str) -> None:
        self.op, self.index, self.reason = op, index, reason

    def error(self) -> TypeError:
        return TypeError(f"{self.op} is not differentiable with respect to its input {self.index}: {self.reason}")


class Op(PropsEq):
    """Base class of every operation. Subclasses set ``__props__`` (the attributes that define
    equality) and implement make_node, perform (the NumPy reference), infer_shape and grad."""

    destroy_map: dict[int, list[int]] = {}   # output index -> input indices it overwrites
    view_map: dict[int, list[int]] = {}      # output index -> input indices it aliases

    def __str__(self) -> str:
        name = type(self).__name__
        if self.__props__:
            return f"{name}{{{', '.join(f'{p}={_short(getattr(self, p))}' for p in self.__props__)}}}"
        return name

    __repr__ = __str__

    def make_node(self, *inputs: Any) -> Apply:
        raise NotImplementedError(f"{type(self).__name__}.make_node")

    def __call__(self, *inputs: Any, **kw: Any) -> Variable | list[Variable]:
        node = self.make_node(*inputs, **kw)
        return node.outputs[0] if len(node.outputs) == 1 else node.outputs

    def perform(self, node: Apply, inputs: list[np.ndarray]) -> list[np.ndarray]:
        """The NumPy reference implementation: the oracle every backend is tested against."""
        raise NotImplementedError(f"{self} has no reference implementation")

    def infer_shape(self, node: Apply, input_shapes: list[tuple], input_values: list) -> list[tuple]:
        """Concrete output shapes from concrete input shapes (and values of small int inputs
        such as reshape targets, given where known, else None). Backends plan buffers with it."""
        outs = []
        for o in node.outputs:
            if any(d is None for d in o.type.shape):
                raise NotImplementedError(f"{self} has no infer_shape")
            outs.append(o.type.shape)
        return outs

    def grad(self, inputs: list[Variable], output_grads: list[Variable | None]) -> list:
        """Gradients w.r.t. inputs: a Variable, None (zero / not connected) or NotDifferentiable."""
        return [NotDifferentiable(self, i, "no gradient is defined") for i in range(len(inputs))]

    def connection_pattern(self, node: Apply) -> list[list[bool]]:
        """[input][output]: does the output depend differentiably on the input?"""
        return [[True] * len(node.outputs) for _ in node.inputs]


def _short(v: Any) -> str:
    s = str(v)
    return s if len(s) <= 40 else s[:37] + "..."


# ------------------------------------------------------------------------------------------
# Graph traversal
# ------------------------------------------------------------------------------------------
def ancestors(outputs: Iterable[Variable], blockers: Iterable[Variable] = ()) -> list[Variable]:
    """All variables the outputs depend on (stopping at blockers), each once."""
    blocked = set(map(id, blockers))
    seen: set[int] = set()
    out: list[Variable] = []
    stack = list(outputs)
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        out.append(v)
        if v.owner is not None and id(v) not in blocked:
            stack.extend(v.owner.inputs)
    return out


def graph_inputs(outputs: Iterable[Variable], blockers: Iterable[Variable] = ()) -> list[Variable]:
    """The ownerless variables (inputs, constants, shared) the outputs depend on."""
    blocked = set(map(id, blockers))
    return [v for v in ancestors(outputs, blockers) if v.owner is None or id(v) in blocked]


def toposort(outputs: Iterable[Variable], blockers: Iterable[Variable] = ()) -> list[Apply]:
    """Apply nodes in an order where every node comes after the nodes it depends on."""
    blocked = set(map(id, blockers))
    order: list[Apply] = []
    done: set[int] = set()
    for root in outputs:
        stack: list[tuple[Apply, int]] = []
        if root.owner is not None and id(root) not in blocked and id(root.owner) not in done:
            stack.append((root.owner, 0))
        while stack:
            node, i = stack.pop()
            if id(node) in done:
                continue
            if i < len(node.inputs):
                stack.append((node, i + 1))
                inp = node.inputs[i]
                if inp.owner is not None and id(inp) not in blocked and id(inp.owner) not in done:
                    stack.append((inp.owner, 0))
            else:
                done.add(id(node))
                order.append(node)
    return order


def clone_graph(outputs: Sequence[Variable], replace: dict[Variable, Variable] | None = None,
                blockers: Sequence[Variable] = ()) -> tuple[list[Variable], dict[Variable, Variable]]:
    """Copy the graph computing `outputs`, substituting `replace` (old var -> new var).

    Returns the new outputs and the full old -> new memo. Types are re-inferred where a
    replacement changes them (givens with a different static shape)."""
    memo: dict[Variable, Variable] = dict(replace or {})
    for node in toposort(outputs, blockers=list(memo) + list(blockers)):
        new_inputs = [memo.get(i, i) for i in node.inputs]
        if all(a is b for a, b in zip(new_inputs, node.inputs)):
            new_node = node.clone_with_new_inputs(new_inputs)
        else:
            new_node = node.clone_with_new_inputs(new_inputs, strict=True)
        for old, new in zip(node.outputs, new_node.outputs):
            memo.setdefault(old, new)
    return [memo.get(o, o) for o in outputs], memo


class FunctionGraph:
    """A mutable, self-contained graph from `inputs` to `outputs` that rewrites operate on.

    It owns clones of the user's nodes, tracks each variable's clients, and supports replace().
    Constants and shared variables reachable from the outputs are listed in ``constants`` and
    ``shared`` (they are inputs of the graph whose values the backend supplies)."""

    def __init__(self, inputs: Sequence[Variable], outputs: Sequence[Variable], clone: bool = True) -> None:
        if clone:
            replace = {i: i.clone() if not isinstance(i, (SharedVariable, Constant)) else i for i in inputs}
            outputs, memo = clone_graph(outputs, replace)
            inputs = [memo[i] for i in inputs]
            self.memo = memo
        else:
            self.memo = {}
        self.inputs: list[Variable] = list(inputs)
        self.outputs: list[Variable] = list(outputs)
        self.clients: dict[Variable, list[tuple[Apply | str, int]]] = {}
        self.nodes: set[Apply] = set()
        self.rewrite_log: list[str] = []
        self._rebuild()

    def _rebuild(self) -> None:
        self.clients = {}
        self.nodes = set()
        for node in toposort(self.outputs, blockers=self.inputs):
            self.nodes.add(node)
            for i, v in enumerate(node.inputs):
                self.clients.setdefault(v, []).append((node, i))
            for o in node.outputs:
                self.clients.setdefault(o, [])
        for i, o in enumerate(self.outputs):
            self.clients.setdefault(o, []).append(("output", i))
        for v in self.inputs:
            self.clients.setdefault(v, [])

    def toposort(self) -> list[Apply]:
        return toposort(self.outputs, blockers=self.inputs)

    def variables(self) -> list[Variable]:
        return ancestors(self.outputs, blockers=self.inputs)

    @property
    def shared(self) -> list[SharedVariable]:
        return [v for v in graph_inputs(self.outputs, self.inputs) if isinstance(v, SharedVariable)]

    @property
    def constants(self) -> list[Constant]:
        return [v for v in graph_inputs(self.outputs, self.inputs) if isinstance(v, Constant)]

    def replace(self, old: Variable, new: Variable, reason: str = "") -> None:
        """Make every client of `old` use `new` instead. Types must be compatible."""
        if old is new:
            return
        if old.type.dtype != new.type.dtype or old.type.ndim != new.type.ndim:
            raise TypeError(f"replace {old!r} ({old.type}) by {new!r} ({new.type}): types differ ({reason})")
        fresh = self._import(new)
        moved = self.clients.get(old, [])
        self.clients[old] = [(c, i) for c, i in moved if c in fresh]   # new may be computed from old
        for client, i in moved:
            if client in fresh:
                continue
            if client == "output":
                self.outputs[i] = new
            else:
                client.inputs[i] = new
            self.clients.setdefault(new, []).append((client, i))
        self._prune(old)

    # Incremental bookkeeping for replace(): O(size of the change), not O(graph) per call.
    def _import(self, v: Variable) -> set:
        """Add the nodes computing `v` that are not in the graph yet, with their clients."""
        fresh: set = set()
        stack = [v]
        blocked = set(map(id, self.inputs))
        while stack:
            var = stack.pop()
            node = var.owner
            if node is None or node in self.nodes or id(var) in blocked:
                self.clients.setdefault(var, [])
                continue
            self.nodes.add(node)
            fresh.add(node)
            for i, inp in enumerate(node.inputs):
                self.clients.setdefault(inp, []).append((node, i))
                stack.append(inp)
            for o in node.outputs:
                self.clients.setdefault(o, [])
        return fresh

    def _prune(self, v: Variable) -> None:
        """Drop the nodes that no longer reach an output, starting from `v` (dead-code removal)."""
        stack = [v]
        while stack:
            var = stack.pop()
            node = var.owner
            if node is None or node not in self.nodes or var in self.inputs:
                continue
            if any(self.clients.get(o) for o in node.outputs):
                continue
            self.nodes.discard(node)
            for o in node.outputs:
                self.clients.pop(o, None)
            for i, inp in enumerate(node.inputs):
                cl = self.clients.get(inp)
                if cl is not None:
                    try:
                        cl.remove((node, i))
                    except ValueError:
                        pass
                stack.append(inp)

    def replace_all(self, pairs: Iterable[tuple[Variable, Variable]], reason: str = "") -> None:
        pairs = list(pairs)
        for old, new in pairs:
            if old.type.dtype != new.type.dtype or old.type.ndim != new.type.ndim:
                raise TypeError(f"replace {old!r} ({old.type}) by {new!r} ({new.type}): types differ ({reason})")
        mapping = {id(o): n for o, n in pairs}
        for node in list(self.nodes):
            node.inputs = [mapping.get(id(v), v) for v in node.inputs]
        self.outputs = [mapping.get(id(v), v) for v in self.outputs]
        self._rebuild()

    def __repr__(self) -> str:
        return f"FunctionGraph({self.inputs} -> {self.outputs}, {len(self.nodes)} nodes)"


def as_variable(x: Any, name: str | None = None, dtype: str | None = None,
                partners: Sequence[str] = ()) -> Variable:
    """A Variable as is; anything else becomes a Constant (Python scalars take a 'weak' dtype)."""
    if isinstance(x, Variable):
        return x
    conv = getattr(type(x), "__symnet_variable__", None)   # wrappers (Keras variables) that hold one
    if conv is not None:
        return conv(x)
    from .types import python_scalar_dtype
    if isinstance(x, (list, tuple)) and any(isinstance(e, Variable) for e in _flat(x)):
        elems = [as_variable(e) if not isinstance(e, (list, tuple)) else as_variable(e) for e in x]
        if all(e.ndim == 0 for e in elems):
            from .ops.shape import MakeVector
            from .types import upcast
            return MakeVector(upcast(*[e.dtype for e in elems]))(*elems)
        from . import basic as T
        return T.stack(elems)
    if dtype is None:
        if isinstance(x, (bool, int, float, np.bool_)) or (isinstance(x, np.generic) and not partners):
            dtype = python_scalar_dtype(x, partners)
        elif isinstance(x, np.ndarray) or isinstance(x, np.generic):
            dtype = str(x.dtype)
        else:
            arr = np.asarray(x)
            dtype = str(arr.dtype)
            if arr.dtype == np.float64 and partners:
                dtype = python_scalar_dtype(1.0, partners)
            elif arr.dtype == np.float64:
                from .config import config
                dtype = config.floatX
            elif arr.dtype.kind in "iu" and partners:
                dtype = python_scalar_dtype(1, partners)
    arr = np.asarray(x)
    if arr.dtype == object:
        raise TypeError(f"cannot turn {type(x).__name__} {x!r} into a tensor")
    with np.errstate(all="ignore"):
        data = np.array(arr, dtype=dtype)
    if data.dtype.kind in "iu" and arr.dtype.kind == "f":
        raise TypeError(f"cannot use the float value {x!r} as an integer ({dtype})")
    return Constant(TensorType(str(data.dtype), data.shape), data, name=name)


def _flat(x):
    for e in x:
        if isinstance(e, (list, tuple)):
            yield from _flat(e)
        else:
            yield e


def describe(v: Variable) -> str:
    """'x' or 'the output of Dot (built at model.py:12, in scope dense_1)' for error messages."""
    if v.name:
        return repr(v.name)
    if v.owner is not None:
        tag = v.owner.tag
        scope = f", in scope {tag['scope']}" if tag.get("scope") else ""
        return f"the output of {v.owner.op} (built at {tag.get('trace', '?')}{scope})"
    return f"an unnamed {v.type} variable"


def fmt(v: Variable) -> str:
    return f"{describe(v)} of shape {fmt_shape(v.type.shape)}"
