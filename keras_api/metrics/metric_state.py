"""Keras 3's imperative metric API on symnet's symbolic state.

A Keras 3 metric writes its state with ``variable.assign/assign_add/assign_sub`` inside
``update_state`` and returns nothing. Here a metric's variables are ``MetricVariable`` shared
variables: inside a recording scope (opened around every ``update_state`` call) an assign becomes
a symbolic (shared, new value) update that the trainer puts into its compiled step, so it is
applied once per batch. Successive assigns to one variable within an ``update_state`` chain (two
assign_adds add up); a plain read of the variable sees its value at the start of the batch.
Outside a scope (eager use, ``reset_state``) an assign sets the value at once."""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Iterator

import numpy as np

import symnet as sn
from symnet.graph import SharedVariable, TensorType, Variable

_local = threading.local()


class _Recorder:
    """The pending symbolic updates of one update_state call: shared variable -> new value."""

    def __init__(self) -> None:
        self.pending: dict[SharedVariable, Variable] = {}

    def current(self, var: SharedVariable) -> Variable:
        return self.pending.get(var, var)

    def record(self, var: SharedVariable, value: Variable) -> None:
        self.pending[var] = value


def active_recorder() -> _Recorder | None:
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else None


@contextlib.contextmanager
def recording() -> Iterator[_Recorder]:
    stack = _local.__dict__.setdefault("stack", [])
    rec = _Recorder()
    stack.append(rec)
    try:
        yield rec
    finally:
        stack.pop()


def is_symbolic(x: Any) -> bool:
    """True for symnet graph values (placeholders, expressions) other than a metric's own state."""
    if isinstance(x, (list, tuple)):
        return any(is_symbolic(e) for e in x)
    if isinstance(x, dict):
        return any(is_symbolic(e) for e in x.values())
    return isinstance(x, Variable)


class MetricVariable(SharedVariable):
    """A metric's state variable with Keras 3's assign API (symbolic inside update_state)."""

    def __init__(self, value: np.ndarray, name: str) -> None:
        super().__init__(TensorType(str(value.dtype), tuple(value.shape)), value, name=name)
        self.initial_value = value.copy()

    @property
    def path(self) -> str:
        return self.name

    @property
    def dtype(self) -> str:
        return self.type.dtype

    def _coerce(self, value: Any) -> Any:
        if isinstance(value, Variable):
            return sn.cast(value, self.dtype) if value.dtype != self.dtype else value
        arr = np.asarray(value, dtype=self.dtype)
        if arr.shape != tuple(self.type.shape):
            arr = np.broadcast_to(arr, tuple(self.type.shape)).copy()
        return arr

    def assign(self, value: Any) -> "MetricVariable":
        value = self._coerce(value)
        rec = active_recorder()
        if rec is not None:
            if not isinstance(value, Variable):
                value = sn.constant(value, dtype=self.dtype)
            if value.ndim != self.ndim:
                value = sn.broadcast_to(value, tuple(self.type.shape))
            rec.record(self, value)
        else:
            if isinstance(value, Variable):     # eager: a graph of shared variables and constants only
                value = np.asarray(sn.function([], value, on_unused_input="ignore")(), dtype=self.dtype)
                value = np.broadcast_to(value, tuple(self.type.shape)).copy()
            self.set_value(value)
        return self

    def assign_add(self, value: Any) -> "MetricVariable":
        rec = active_recorder()
        if rec is not None:
            return self.assign(rec.current(self) + self._coerce(value))
        return self.assign(self.get_value() + self._eager(value))

    def assign_sub(self, value: Any) -> "MetricVariable":
        rec = active_recorder()
        if rec is not None:
            return self.assign(rec.current(self) - self._coerce(value))
        return self.assign(self.get_value() - self._eager(value))

    def _eager(self, value: Any) -> np.ndarray:
        if isinstance(value, Variable):
            return np.asarray(sn.function([], value, on_unused_input="ignore")(), dtype=self.dtype)
        return np.asarray(value, dtype=self.dtype)

    def numpy(self) -> np.ndarray:
        return self.get_value()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        v = self.get_value()
        return v if dtype is None else v.astype(dtype)

    def __float__(self) -> float:
        return float(self.get_value())

    def __int__(self) -> int:
        return int(self.get_value())

    def __repr__(self) -> str:
        return f"<MetricVariable path={self.name}, shape={tuple(self.type.shape)}, dtype={self.dtype}>"
