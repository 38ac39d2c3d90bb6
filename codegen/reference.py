"""The NumPy reference backend: runs each node's ``perform`` in topological order.

It is the oracle every other backend is tested against, so it checks that each op produced the
dtype and shape its type promised."""
from __future__ import annotations

from typing import Any

import numpy as np


class ReferenceRunner:
    """Executes a FunctionGraph node by node. Re-entrant: each call has its own storage."""

    def __init__(self, fgraph: Any, n_outputs: int, update_targets: list) -> None:
        self.fgraph = fgraph
        self.n_outputs = n_outputs
        self.update_targets = list(update_targets)
        nodes = fgraph.toposort()
        slot: dict[int, int] = {}
        self.const_slots: list[tuple[int, np.ndarray]] = []
        self.shared_slots: list[tuple[int, Any]] = []

        def slot_of(v: Any) -> int:
            if id(v) not in slot:
                slot[id(v)] = len(slot)
                if hasattr(v, "data"):
                    self.const_slots.append((slot[id(v)], v.data))
                elif hasattr(v, "container"):
                    self.shared_slots.append((slot[id(v)], v.container))
            return slot[id(v)]

        self.input_slots = [slot_of(v) for v in fgraph.inputs]
        self.program = []
        for node in nodes:
            ins = [slot_of(v) for v in node.inputs]
            outs = [slot_of(v) for v in node.outputs]
            self.program.append((node, ins, outs))
        self.output_slots = [slot_of(v) for v in fgraph.outputs]
        self.n_slots = len(slot)
        self.kernels: list = []

    def __call__(self, args: list[np.ndarray]) -> list[np.ndarray]:
        store: list[Any] = [None] * self.n_slots
        for s, data in self.const_slots:
            store[s] = data
        for s, container in self.shared_slots:
            store[s] = container.value
        for s, a in zip(self.input_slots, args):
            store[s] = a
        for node, ins, outs in self.program:
            values = [store[i] for i in ins]
            try:
                results = node.op.perform(node, values)
            except (ValueError, IndexError, TypeError, ArithmeticError) as e:
                if "built at" in str(e):       # the op's own check already names the user's line
                    raise
                raise runtime_error(node, values, e) from e
            for s, r, var in zip(outs, results, node.outputs):
                _check(node, var, r)
                store[s] = r
        protected = {id(a) for a in args} | {id(c.value) for _, c in self.shared_slots} | \
                    {id(d) for _, d in self.const_slots}
        values = []
        for s in self.output_slots:
            v = store[s]
            if id(v) in protected or v.base is not None or not v.flags.writeable:
                v = np.array(v)          # never hand out an input, a shared value or a view of one
            protected.add(id(v))         # nor one array twice (two outputs, an output and an update)
            values.append(v)
        for target, value in zip(self.update_targets, values[self.n_outputs:]):
            target.container.value = value if value.flags.c_contiguous else np.ascontiguousarray(value)  # 0-d stays 0-d
        return values[:self.n_outputs]


class RuntimeShapeError(ValueError):
    """An op failed on the values it was given at run time (shapes the graph could not check)."""


def runtime_error(node: Any, values: list, exc: BaseException) -> RuntimeShapeError:
    """The error a user sees when a node fails at run time: the op, the input shapes and dtypes, where the
    node was built in the user's code (and its Keras layer scope), then NumPy's own message."""
    tag = getattr(node, "tag", None) or {}
    where = f" (built at {tag.get('trace', '?')}" + (f", in scope {tag['scope']}" if tag.get("scope") else "") + ")"
    shapes = ", ".join(f"{getattr(v, 'name', None) or f'input {i}'}: shape {tuple(np.shape(a))} {np.asarray(a).dtype}"
                       for i, (v, a) in enumerate(zip(node.inputs, values)))
    return RuntimeShapeError(f"{node.op} failed at run time{where} on inputs {shapes}: {exc}")


def _check(node: Any, var: Any, r: Any) -> None:
    t = var.type
    if not isinstance(r, np.ndarray) or r.dtype != t.dtype or r.ndim != t.ndim or any(
            d is not None and d != e for d, e in zip(t.shape, r.shape)):
        got = f"{type(r).__name__} {getattr(r, 'dtype', '')} {getattr(r, 'shape', '')}"
        raise RuntimeError(f"internal error: {node.op}.perform returned {got} for an output of type {t}")


class ReferenceBackend:
    name = "reference"

    def compile(self, fgraph: Any, n_outputs: int, update_targets: list) -> ReferenceRunner:
        return ReferenceRunner(fgraph, n_outputs, update_targets)
