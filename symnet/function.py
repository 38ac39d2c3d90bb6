"""function(): turn a graph into a callable.

The graph is cloned (with givens substituted and updates appended as extra outputs), rewritten by
the pipeline named by config.optimizer, and handed to a backend (config.mode / device), which
returns a runner. The Function validates arguments at the boundary, so bad input is an error
that names the input and never reaches generated code."""
from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import Any, Sequence

import numpy as np

from .config import config
from .graph import (Constant, FunctionGraph, SharedVariable, Variable, ancestors, as_variable, clone_graph,
                    describe)
from .types import fmt_shape


class UnusedInputError(ValueError):
    """An explicit input of function() is not used by any output (Theano's name)."""


class MissingInputError(ValueError):
    """An output depends on a free variable that is not an input of function() (Theano's name)."""


def _pairs(updates: Any) -> list[tuple[SharedVariable, Any]]:
    if updates is None:
        return []
    if isinstance(updates, dict):
        return list(updates.items())
    out = []
    for item in updates:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise TypeError(f"updates must be (shared variable, new value) pairs, got {item!r}")
        out.append(tuple(item))
    return out


def _check_update(var: Any, expr: Any) -> Variable:
    if not isinstance(var, SharedVariable):
        raise TypeError(f"updates: {describe(var) if isinstance(var, Variable) else repr(var)} is not a shared "
                        "variable; only shared variables can be updated")
    expr = as_variable(expr, partners=[var.dtype])
    if expr.dtype != var.dtype:
        raise TypeError(f"updates: the new value of {describe(var)} has dtype {expr.dtype} but the shared variable "
                        f"has dtype {var.dtype}; cast it with sn.cast(expr, {var.dtype!r})")
    if expr.ndim != var.ndim:
        raise TypeError(f"updates: the new value of {describe(var)} has {expr.ndim} dims, the shared variable "
                        f"{var.ndim}")
    for a, (d, e) in enumerate(zip(var.type.shape, expr.type.shape)):
        if d is not None and e is not None and d != e:
            raise ValueError(f"updates: the new value of {describe(var)} has static shape "
                             f"{fmt_shape(expr.type.shape)}, the shared variable {fmt_shape(var.type.shape)}")
    return expr


class Function:
    """A compiled graph. Call it with one array (or Python scalar) per input, positionally or by
    input name; it returns one array, or a list when `outputs` was a list."""

    def __init__(self, inputs: Sequence[Variable], outputs: Any, updates: Any = None, givens: Any = None,
                 mode: str | None = None, name: str | None = None, on_unused_input: str | None = None,
                 allow_input_downcast: bool | None = None, no_default_updates: bool = False) -> None:
        self.name = name
        self.allow_input_downcast = allow_input_downcast
        from .io import unwrap_inputs, unwrap_outputs      # Theano's In(x, value=, name=) and Out(v)
        inputs, self.defaults, in_names = unwrap_inputs(inputs)
        outputs = unwrap_outputs(outputs)
        self.single_output = isinstance(outputs, Variable) or not isinstance(outputs, (list, tuple))
        if outputs is None:
            out_list: list[Variable] = []
            self.single_output = False
        elif self.single_output:
            out_list = [as_variable(outputs)]
        else:
            out_list = [as_variable(o) for o in outputs]

        inputs = list(inputs)
        for i, v in enumerate(inputs):
            if not isinstance(v, Variable):
                raise TypeError(f"function inputs must be symbolic variables; input {i} is {type(v).__name__}")
            if isinstance(v, (Constant, SharedVariable)):
                raise TypeError(f"function input {i} ({describe(v)}) is a {'constant' if isinstance(v, Constant) else 'shared variable'}; "
                                "constants and shared variables are used directly in the graph, not passed as inputs")
            if v.owner is not None:
                raise TypeError(f"function input {i} ({describe(v)}) is computed by {v.owner.op}; inputs must be "
                                "free variables (use givens= to substitute a computed expression)")
        if len(set(map(id, inputs))) != len(inputs):
            raise ValueError("the same variable is given twice as a function input")
        self.inputs = inputs

        pairs = [(var, _check_update(var, expr)) for var, expr in _pairs(updates)]
        targets = [v for v, _ in pairs]
        if len(set(map(id, targets))) != len(targets):
            dup = next(v for v in targets if sum(t is v for t in targets) > 1)
            raise ValueError(f"updates: {describe(dup)} is updated twice")
        if not no_default_updates:
            seen = set(map(id, targets))
            frontier = [o for o in out_list] + [e for _, e in pairs]
            while True:
                added = False
                for v in ancestors(frontier):
                    if isinstance(v, SharedVariable) and v.default_update is not None and id(v) not in seen:
                        pairs.append((v, v.default_update))
                        seen.add(id(v))
                        frontier.append(v.default_update)
                        added = True
                if not added:
                    break
        self.updates = pairs

        replace = {}
        for old, new in (givens.items() if isinstance(givens, dict) else (givens or [])):
            new = as_variable(new, partners=[old.dtype] if isinstance(old, Variable) else [])
            if not isinstance(old, Variable):
                raise TypeError(f"givens keys must be variables, got {old!r}")
            if old.ndim != new.ndim or old.dtype != new.dtype:
                raise TypeError(f"givens: {describe(old)} ({old.type}) cannot be replaced by {describe(new)} "
                                f"({new.type}): types differ")
            replace[old] = new
        all_outputs = out_list + [e for _, e in pairs]
        if replace:
            all_outputs, _ = clone_graph(all_outputs, replace)

        used = set(map(id, ancestors(all_outputs)))
        given = set(map(id, inputs))
        missing = [v for v in ancestors(all_outputs) if v.owner is None and id(v) not in given
                   and not isinstance(v, (Constant, SharedVariable))]
        if missing:
            raise MissingInputError(
                f"the outputs depend on {', '.join(describe(v) for v in missing)}, which "
                f"{'is' if len(missing) == 1 else 'are'} not among the function's inputs; add "
                f"{'it' if len(missing) == 1 else 'them'} to the inputs or substitute with givens=")
        policy = on_unused_input or config.on_unused_input
        for v in inputs:
            if id(v) not in used and policy != "ignore":
                msg = (f"function input {describe(v)} is not used by any output or update; pass "
                       "on_unused_input='ignore' to allow it")
                if policy == "raise":
                    raise UnusedInputError(msg)
                warnings.warn(msg, stacklevel=3)

        self.n_outputs = len(out_list)
        fgraph = FunctionGraph(inputs, all_outputs)
        fgraph.update_targets = targets + [v for v, _ in pairs[len(targets):]]
        fgraph.name = name          # backends name dumps and kernels after the function
        from .rewrite import rewrite_graph
        rewrite_graph(fgraph, config.optimizer)
        self.fgraph = fgraph
        from codegen import backends
        self.mode = backends.resolve_mode(mode or config.mode, config.device)
        self.mode = _bind_loop_modes(fgraph, self.mode)
        self.runner = backends.get(self.mode).compile(fgraph, self.n_outputs, fgraph.update_targets)
        self._names = {v.name: i for i, v in enumerate(inputs) if v.name}
        self._names.update(in_names)

    # -- calling ----------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        n = len(self.inputs)
        if self.defaults and (len(args) < n or kwargs):
            args = list(args) + [None] * (n - len(args))
            for k, v in kwargs.items():
                if k in self._names and args[self._names[k]] is None:
                    args[self._names[k]] = v
                elif k in self._names:
                    raise TypeError(f"function got two values for input {k!r}")
                else:
                    raise TypeError(f"function got an unexpected keyword argument {k!r}; named inputs: "
                                    f"{', '.join(self._names) or 'none'}")
            kwargs = {}
            args = [self.defaults[i] if a is None and i in self.defaults else a for i, a in enumerate(args)]
            missing = [describe(self.inputs[i]) for i, a in enumerate(args) if a is None]
            if missing:
                raise TypeError(f"function is missing values for inputs {', '.join(missing)}")
        if kwargs:
            args = list(args) + [None] * (n - len(args))
            for k, v in kwargs.items():
                if k not in self._names:
                    raise TypeError(f"function got an unexpected keyword argument {k!r}; named inputs: "
                                    f"{', '.join(self._names) or 'none'}")
                i = self._names[k]
                if args[i] is not None:
                    raise TypeError(f"function got two values for input {k!r}")
                args[i] = v
            missing = [describe(self.inputs[i]) for i, a in enumerate(args) if a is None]
            if missing:
                raise TypeError(f"function is missing values for inputs {', '.join(missing)}")
        if len(args) != n:
            names = ", ".join(describe(v) for v in self.inputs)
            raise TypeError(f"function expects {n} argument{'s' if n != 1 else ''} ({names}), got {len(args)}")
        arrays = [v.type.filter(a, name=f"input {i} ({describe(v)})", allow_downcast=self.allow_input_downcast)
                  for i, (v, a) in enumerate(zip(self.inputs, args))]
        outs = self.runner(arrays)
        if self.single_output:
            return outs[0]
        return list(outs)

    @property
    def kernels(self) -> list:
        """The compiled kernels (name, source, assembly, graph nodes); empty for the reference backend."""
        return list(getattr(self.runner, "kernels", []))

    @property
    def maker(self):  # Theano compatibility: f.maker.fgraph
        return self

    def __repr__(self) -> str:
        return f"<symnet Function {self.name or ''} mode={self.mode} inputs={self.inputs} outputs={self.n_outputs}>"


def _bind_loop_modes(fgraph: FunctionGraph, mode: str) -> str:
    """Ops with an inner graph (Scan) run it on the outer function's backend: tell them which.
    A graph whose output shapes are known only at run time (scan with until) cannot be planned
    by the LLVM backend yet: such a function runs on the reference backend (interim, documented
    in symnet/ops/scan.py)."""
    loops = [n for n in fgraph.nodes if hasattr(n.op, "bind_mode")]
    if not loops:
        return mode
    if mode != "reference" and any(getattr(n.op, "dynamic_output_shape", False) for n in loops):
        mode = "reference"
    for n in loops:
        n.op = n.op.bind_mode(mode)
    return mode


def function(inputs: Sequence[Variable], outputs: Any = None, updates: Any = None, givens: Any = None,
             mode: str | None = None, name: str | None = None, on_unused_input: str | None = None,
             allow_input_downcast: bool | None = None, no_default_updates: bool = False) -> Function:
    """Compile `outputs` as a function of `inputs` (Theano's signature).

    updates: (shared variable, new value) pairs applied after all outputs are computed, all at once.
    givens: {variable: replacement} substituted into the graph before compiling."""
    return Function(inputs, outputs, updates=updates, givens=givens, mode=mode, name=name,
                    on_unused_input=on_unused_input, allow_input_downcast=allow_input_downcast,
                    no_default_updates=no_default_updates)
