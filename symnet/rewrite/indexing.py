"""Canonicalize: general advanced indexing that is really axis-0 integer indexing becomes the
axis-0 ops (AdvancedSubtensor1 / AdvancedIncSubtensor1), which the LLVM backend lowers natively.

  AdvancedSubtensor{int[], :, ...}(x, i)             -> AdvancedSubtensor1(x, i)
  AdvancedIncSubtensor{int[], :, ...}(x, y, i)       -> AdvancedIncSubtensor1(x, y, i)
"""
from __future__ import annotations

from ..graph import Apply, FunctionGraph
from ..ops.advanced_indexing import AdvancedIncSubtensor, AdvancedSubtensor
from ..ops.subtensor import AdvancedIncSubtensor1, AdvancedSubtensor1
from .core import local_rewrite

_FULL = ("s", None, None, None)


def _axis0_only(spec) -> bool:
    return bool(spec) and spec[0] == ("a",) and all(e == _FULL for e in spec[1:])


@local_rewrite("canonicalize", AdvancedSubtensor)
def advanced_subtensor_on_axis0(fgraph: FunctionGraph, node: Apply):
    """AdvancedSubtensor{int[], :, ...}(x, i) -> AdvancedSubtensor1(x, i)."""
    if not _axis0_only(node.op.spec):
        return None
    x, idx = node.inputs
    return [AdvancedSubtensor1()(x, idx)]


@local_rewrite("canonicalize", AdvancedIncSubtensor)
def advanced_inc_subtensor_on_axis0(fgraph: FunctionGraph, node: Apply):
    """AdvancedIncSubtensor{int[], :, ...}(x, y, i) -> AdvancedIncSubtensor1(x, y, i)."""
    if not _axis0_only(node.op.spec):
        return None
    x, y, idx = node.inputs
    return [AdvancedIncSubtensor1(node.op.set_instead_of_inc)(x, y, idx)]
