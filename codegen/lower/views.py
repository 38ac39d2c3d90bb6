"""The view algebra: plan-time maps of a parent's (byte offset, shape, strides) to a view's.

A view costs no copy: DimShuffle, Reshape of a contiguous buffer, constant-index Subtensor,
keepdims axes of reductions, Join's output slices and Split's pieces are all buffers over their
parent's base. Each view is a callable ``view(offset, shape, strides, plan) -> (offset, shape,
strides)``; `plan` gives the shapes and plan-time values of the signature being laid out.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np


def c_strides(shape: tuple, itemsize: int) -> tuple:
    st, acc = [], itemsize
    for d in reversed(shape):
        st.append(acc)
        acc *= max(d, 1)
    return tuple(reversed(st))

def is_c_contiguous(shape: tuple, strides: tuple, itemsize: int) -> bool:
    acc = itemsize
    for d, s in zip(reversed(shape), reversed(strides)):
        if d != 1 and s != acc:
            return False
        acc *= d
    return True

def view_dimshuffle(pattern: tuple, drop: tuple) -> Callable:
    def f(off, shape, strides, plan, parent=None):
        keep = [a for a in range(len(shape)) if a not in drop]
        pos = {a: (shape[a], strides[a]) for a in keep}
        dims = [(1, 0) if p == "x" else pos[p] for p in pattern]
        return off, tuple(d for d, _ in dims), tuple(s for _, s in dims)
    return f

class ExpandView:
    """Insert size-1 (stride 0) axes at `axes` of the result (keepdims / reduced-axis operands)."""

    def __init__(self, axes: tuple, out_ndim: int) -> None:
        self.axes = tuple(axes)
        self.out_ndim = out_ndim

    def __call__(self, off, shape, strides, plan, parent=None):
        it = iter(zip(shape, strides))
        dims = [(1, 0) if a in self.axes else next(it) for a in range(self.out_ndim)]
        return off, tuple(d for d, _ in dims), tuple(s for _, s in dims)


def view_expand(axes: tuple, out_ndim: int) -> ExpandView:
    return ExpandView(axes, out_ndim)

def view_reshape(var: Any) -> Callable:
    def f(off, shape, strides, plan, parent=None):
        new = plan.shapes[id(var)]
        return off, new, c_strides(new, np.dtype(var.dtype).itemsize)
    return f

def view_subtensor(node: Any) -> Callable:
    from symnet.ops.subtensor import _build_index

    def f(off, shape, strides, plan, parent=None):
        idx = _build_index(node.op.idx_list, [plan.values[id(v)] for v in node.inputs[1:]])
        nshape, nstrides = [], []
        for a, e in enumerate(idx):
            n, s = shape[a], strides[a]
            if isinstance(e, slice):
                start, stop, step = e.indices(n)
                ln = len(range(start, stop, step))
                if ln:
                    off += start * s
                nshape.append(ln)
                nstrides.append(s * step)
            else:
                i = int(e)
                if not -n <= i < n:
                    raise IndexError(f"index {i} is out of bounds for axis {a} with size {n} "
                                     f"(indexing {node.inputs[0]}, built at {node.tag.get('trace', '?')})")
                off += (i % n) * s
        nshape.extend(shape[len(idx):])
        nstrides.extend(strides[len(idx):])
        return off, tuple(nshape), tuple(nstrides)
    return f
