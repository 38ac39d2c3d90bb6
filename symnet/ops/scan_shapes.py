"""Shapes of a Scan's per-step outputs, from the inner graph's own shape rules.

Needed to plan the outer buffers (and to return empty traces of the right shape for 0 steps)
without running the loop. Small integer values (shapes, reshape targets) are evaluated on the way,
like the backends' buffer plan does."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..graph import toposort

SMALL = 64


def inner_output_shapes(op: Any, input_shapes: Sequence[tuple], input_values: Sequence[Any]) -> list[tuple]:
    shapes: dict[int, tuple] = {}
    values: dict[int, np.ndarray] = {}
    for v, s, val in zip(op.inner_inputs, input_shapes, input_values):
        shapes[id(v)] = tuple(int(d) for d in s)
        if val is not None:
            values[id(v)] = np.asarray(val)
    from ..ops.shape import Shape
    for node in toposort(op.inner_outputs, blockers=op.inner_inputs):
        for v in node.inputs:
            if id(v) not in shapes and hasattr(v, "data"):
                shapes[id(v)] = np.shape(v.data)
                if np.size(v.data) <= SMALL:
                    values[id(v)] = np.asarray(v.data)
        in_shapes = [shapes[id(v)] for v in node.inputs]
        if isinstance(node.op, Shape) or (all(id(v) in values for v in node.inputs) and not
                                          getattr(node.op, "is_random", False) and "Random" not in type(node.op).__name__):
            args = [values[id(v)] if id(v) in values else np.zeros(shapes[id(v)], v.dtype) for v in node.inputs]
            res = node.op.perform(node, args)
            for o, r in zip(node.outputs, res):
                r = np.asarray(r)
                shapes[id(o)] = r.shape
                if r.size <= SMALL:
                    values[id(o)] = r
            continue
        outs = node.op.infer_shape(node, in_shapes, [values.get(id(v)) for v in node.inputs])
        for o, s in zip(node.outputs, outs):
            shapes[id(o)] = tuple(int(d) for d in s)
    res = []
    for o in op.inner_outputs:
        if id(o) not in shapes and hasattr(o, "data"):
            shapes[id(o)] = np.shape(o.data)
        res.append(shapes[id(o)])
    return res
