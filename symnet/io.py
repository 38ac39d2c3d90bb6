"""Theano's ``In`` and ``Out`` wrappers for function() inputs and outputs.

    f = sn.function([x, sn.In(y, value=1.0, name='scale')], sn.Out(x * y, borrow=True))
    f(2.0); f(2.0, 3.0); f(2.0, scale=3.0)
"""
from __future__ import annotations

from typing import Any

from .graph import Variable


class In:
    """A function input with an optional default ``value`` and call ``name`` (Theano's In)."""

    def __init__(self, variable: Variable, name: str | None = None, value: Any = None, update: Any = None,
                 mutable: bool = False, strict: bool = False, allow_downcast: bool | None = None,
                 autoname: bool = True, implicit: bool = False, borrow: bool = False, shared: bool = False) -> None:
        if not isinstance(variable, Variable):
            raise TypeError(f"In: variable must be a symbolic variable, got {type(variable).__name__}")
        if update is not None:
            raise NotImplementedError("In(update=...) is not supported; use a shared variable and "
                                      "function(updates=...)")
        if implicit:
            raise NotImplementedError("In(implicit=True) is not supported")
        self.variable = variable
        self.name = name if name is not None else (variable.name if autoname else None)
        self.value = value
        self.mutable, self.strict, self.allow_downcast, self.borrow = mutable, strict, allow_downcast, borrow

    def __repr__(self) -> str:
        return f"In({self.variable!r}, name={self.name!r}, value={self.value!r})"


class Out:
    """A function output; ``borrow=True`` allows returning internal storage (symnet always returns
    arrays the caller owns, so it changes nothing)."""

    def __init__(self, variable: Variable, borrow: bool = False) -> None:
        if not isinstance(variable, Variable):
            raise TypeError(f"Out: variable must be a symbolic variable, got {type(variable).__name__}")
        self.variable = variable
        self.borrow = bool(borrow)

    def __repr__(self) -> str:
        return f"Out({self.variable!r}, borrow={self.borrow})"


def unwrap_inputs(inputs: Any) -> tuple[list, dict, dict]:
    """(variables, {position: default value}, {call name: position}) of function() inputs."""
    variables, defaults, names = [], {}, {}
    for k, i in enumerate(inputs):
        if isinstance(i, In):
            variables.append(i.variable)
            if i.value is not None:
                defaults[k] = i.value
            if i.name:
                names[i.name] = k
        else:
            variables.append(i)
    return variables, defaults, names


def unwrap_outputs(outputs: Any) -> Any:
    if isinstance(outputs, Out):
        return outputs.variable
    if isinstance(outputs, (list, tuple)):
        return [o.variable if isinstance(o, Out) else o for o in outputs]
    return outputs
