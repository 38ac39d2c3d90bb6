"""Theano's ``ifelse(condition, then_branch, else_branch)``: lazy, only the chosen branch runs.

The branches are kept as inner graphs of the IfElse op (cut at the graph's free inputs, or at
given boundary variables); ``perform`` evaluates the condition's value, compiles the chosen
branch once (cached) and runs only it. It has no native lowering, so on the LLVM backend it runs
through ``perform`` too: laziness holds on both backends. ``sn.switch`` is the eager,
elementwise alternative."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .graph import Apply, Constant, Op, SharedVariable, Variable, as_variable, clone_graph, describe


def _boundary(outputs: Sequence[Variable], cut: Sequence[Variable]) -> list[Variable]:
    """Free variables of `outputs` (graph inputs, or the `cut` variables), without constants and
    shared variables (those are read directly by the inner function)."""
    cut_ids = set(map(id, cut))
    seen: set[int] = set()
    out: list[Variable] = []
    stack = list(outputs)
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        if isinstance(v, (Constant, SharedVariable)):
            continue
        if v.owner is None or id(v) in cut_ids:
            out.append(v)
            continue
        stack.extend(v.owner.inputs)
    return sorted(out, key=lambda v: v.id)


class IfElse(Op):
    """outputs = then_outputs if cond else else_outputs, evaluating only the chosen side."""

    def __init__(self, then_outputs: Sequence[Variable], else_outputs: Sequence[Variable],
                 boundary: Sequence[Variable], name: str | None = None) -> None:
        fresh = {b: Variable(b.type, name=b.name) for b in boundary}
        self.then_outputs, _ = clone_graph(list(then_outputs), dict(fresh))
        self.else_outputs, _ = clone_graph(list(else_outputs), dict(fresh))
        self.inner_inputs = [fresh[b] for b in boundary]
        self.name = name
        self._compiled: dict = {}

    def __str__(self):
        return f"IfElse{{{self.name}}}" if self.name else "IfElse"

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return id(self)

    def make_node(self, cond: Any, *inputs: Any) -> Apply:
        cond = as_variable(cond)
        if cond.ndim != 0:
            raise TypeError(f"ifelse: the condition must be a scalar, got {describe(cond)} with {cond.ndim} dims")
        outs = []
        for t, e in zip(self.then_outputs, self.else_outputs):
            shape = tuple(a if a == b else None for a, b in zip(t.type.shape, e.type.shape))
            outs.append(type(t.type)(t.dtype, shape))
        return Apply(self, [cond, *inputs], outs)

    def _branch(self, which: bool):
        f = self._compiled.get(which)
        if f is None:
            from .function import function
            f = function(self.inner_inputs, self.then_outputs if which else self.else_outputs,
                         on_unused_input="ignore", mode="reference")
            self._compiled[which] = f
        return f

    def perform(self, node, inputs):
        cond, *vals = inputs
        res = self._branch(bool(np.asarray(cond)))(*vals)
        return [np.array(r, dtype=o.dtype) for r, o in zip(res, node.outputs)]

    def infer_shape(self, node, input_shapes, input_values):
        static = [o.type.shape for o in node.outputs]
        if all(d is not None for s in static for d in s):
            return static
        if input_values and input_values[0] is not None:
            sides = [bool(np.asarray(input_values[0]))]
        else:
            sides = [True, False]
        found = [self._branch_shapes(side, input_shapes[1:]) for side in sides]
        if any(f != found[0] for f in found[1:]):
            raise NotImplementedError("ifelse whose branches have different shapes needs the condition's value "
                                      "when the buffer plan is made; use mode='reference' or branches of one shape")
        return found[0]

    def _branch_shapes(self, side: bool, input_shapes: Sequence[tuple]) -> list[tuple]:
        """Output shapes of one branch from the input shapes, by the ops' infer_shape (nothing
        runs); a branch whose shapes need values is evaluated on zeros instead."""
        from .graph import toposort
        outs = self.then_outputs if side else self.else_outputs
        shapes = {id(v): tuple(s) for v, s in zip(self.inner_inputs, input_shapes)}
        values: dict = {}
        try:
            for node in toposort(outs, blockers=self.inner_inputs):
                for v in node.inputs:
                    if id(v) not in shapes and hasattr(v, "data"):
                        shapes[id(v)], values[id(v)] = np.shape(v.data), np.asarray(v.data)
                    elif id(v) not in shapes and isinstance(v, SharedVariable):
                        shapes[id(v)] = np.shape(v.get_value(borrow=True))
                res = node.op.infer_shape(node, [shapes[id(v)] for v in node.inputs],
                                          [values.get(id(v)) for v in node.inputs])
                for o, r in zip(node.outputs, res):
                    shapes[id(o)] = tuple(int(d) for d in r)
            return [shapes[id(o)] if id(o) in shapes else np.shape(o.data) for o in outs]
        except (NotImplementedError, TypeError, KeyError):
            from .function import function
            f = function(self.inner_inputs, [o.shape for o in outs], on_unused_input="ignore", mode="reference")
            dummies = [np.zeros(s, i.dtype) for s, i in zip(input_shapes, self.inner_inputs)]
            return [tuple(int(d) for d in s) for s in f(*dummies)]

    def grad(self, inputs, output_grads):
        cond, *outer = inputs
        from .grad import grad as _grad
        from . import basic as T
        gz = [g if g is not None else T.zeros_like(o) for g, o in zip(output_grads, self._outer_outputs(inputs))]
        float_in = [i for i in outer if i.dtype.startswith("float")]
        if not float_in:
            return [None] * len(inputs)
        then_outs, else_outs = self._outer_branches(inputs)
        sides = []
        for outs in (then_outs, else_outs):
            known = {o: g for o, g in zip(outs, gz) if o.dtype.startswith("float")}
            gs = _grad(None, float_in, known_grads=known, disconnected_inputs="ignore") if known else \
                [T.zeros_like(i) for i in float_in]
            sides.append(gs)
        res = _ifelse(cond, sides[0], sides[1], "grad", cut=gz)     # the output gradients are inputs
        it = iter(res)
        return [None] + [next(it) if i.dtype.startswith("float") else None for i in outer]

    def _outer_branches(self, inputs):
        replace = dict(zip(self.inner_inputs, inputs[1:]))
        then_outs, _ = clone_graph(list(self.then_outputs), dict(replace))
        else_outs, _ = clone_graph(list(self.else_outputs), dict(replace))
        return then_outs, else_outs

    def _outer_outputs(self, inputs):
        return self._outer_branches(inputs)[0]

    def connection_pattern(self, node):
        return [[False] * len(node.outputs)] + [[True] * len(node.outputs) for _ in node.inputs[1:]]


def ifelse(condition: Any, then_branch: Any, else_branch: Any, name: str | None = None) -> Any:
    """then_branch if condition else else_branch (a scalar condition), evaluating only one side.

    Branches are variables or equally long lists of variables of matching dtypes and ranks."""
    single = isinstance(then_branch, Variable) or not isinstance(then_branch, (list, tuple))
    then_list = [then_branch] if single else list(then_branch)
    else_list = [else_branch] if not isinstance(else_branch, (list, tuple)) else list(else_branch)
    if len(then_list) != len(else_list):
        raise ValueError(f"ifelse: then_branch has {len(then_list)} outputs, else_branch {len(else_list)}")
    then_list = [as_variable(v) for v in then_list]
    else_list = [as_variable(v, partners=[t.dtype]) for v, t in zip(else_list, then_list)]
    for k, (t, e) in enumerate(zip(then_list, else_list)):
        if t.dtype != e.dtype or t.ndim != e.ndim:
            raise TypeError(f"ifelse: output {k} of the branches differs: then is {t.type}, else is {e.type}; "
                            "cast them to one dtype and rank")
    outs = _ifelse(as_variable(condition), then_list, else_list, name, cut=[])
    return outs[0] if single else outs


def _ifelse(cond: Variable, then_list: list, else_list: list, name: str | None, cut: Sequence[Variable]) -> list:
    boundary = _boundary(then_list + else_list, cut)
    outs = IfElse(then_list, else_list, boundary, name=name)(cond, *boundary)
    return outs if isinstance(outs, list) else [outs]
