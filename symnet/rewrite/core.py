"""The rewrite registry and the driver that runs phases to a fixed point.

A *local* rewrite is ``fn(fgraph, node) -> None | list`` (one replacement per node output, None
to keep that output) and is tried on every node whose op type it tracks. A *global* rewrite is
``fn(fgraph) -> int`` (how many changes it made) and runs once per sweep of its phase. Every
rewrite has a name, belongs to one phase, and every firing is counted in
``fgraph.rewrite_counts`` and, with ``config.print_rewrites``, printed with the graph before and
after.
"""
from __future__ import annotations

import importlib
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..config import config
from ..graph import Apply, Constant, FunctionGraph, Variable

# the scalar language module (``symnet.scalar`` the attribute is the sn.scalar() constructor)
S = importlib.import_module("symnet.scalar")

PHASES = ("canonicalize", "simplify", "stabilize", "specialize", "fuse", "memory")
LEVELS = {
    "fast_run": PHASES,
    "fast_compile": ("canonicalize", "stabilize"),
    None: (),
}
MAX_SWEEPS = 8


@dataclass
class Rewrite:
    name: str
    phase: str
    fn: Callable
    tracks: tuple = ()          # op classes (local rewrites); empty: every node
    is_global: bool = False
    doc: str = ""


@dataclass
class Registry:
    rewrites: dict = field(default_factory=dict)   # name -> Rewrite

    def by_phase(self, phase: str) -> list[Rewrite]:
        return [r for r in self.rewrites.values() if r.phase == phase]


registry = Registry()


def local_rewrite(phase: str, *tracks: type, name: str | None = None) -> Callable:
    """Register ``fn(fgraph, node)`` as a local rewrite of `phase`, tried on nodes of `tracks`."""
    def deco(fn: Callable) -> Callable:
        _register(Rewrite(name or fn.__name__, phase, fn, tuple(tracks), False, (fn.__doc__ or "").strip()))
        return fn
    return deco


def global_rewrite(phase: str, name: str | None = None) -> Callable:
    """Register ``fn(fgraph) -> n_changes`` as a whole-graph rewrite of `phase`."""
    def deco(fn: Callable) -> Callable:
        _register(Rewrite(name or fn.__name__, phase, fn, (), True, (fn.__doc__ or "").strip()))
        return fn
    return deco


def _register(rw: Rewrite) -> None:
    if rw.phase not in PHASES:
        raise ValueError(f"rewrite {rw.name}: unknown phase {rw.phase!r}; phases: {', '.join(PHASES)}")
    registry.rewrites[rw.name] = rw


# ------------------------------------------------------------------------------------------
# Applying replacements
# ------------------------------------------------------------------------------------------
def compatible(old: Variable, new: Variable) -> bool:
    """`new` may stand for `old`: same dtype and ndim, and every dim that `old` declares to be
    1 (which broadcasting downstream relies on) is 1 in `new` too."""
    if old.type.dtype != new.type.dtype or old.type.ndim != new.type.ndim:
        return False
    return all(not (a == 1 and b != 1) for a, b in zip(old.type.shape, new.type.shape))


def note(fgraph: FunctionGraph, name: str, old: Sequence[Variable], new: Sequence[Variable]) -> None:
    """Count a firing and print it when config.print_rewrites is on."""
    counts = fgraph.__dict__.setdefault("rewrite_counts", {})
    counts[name] = counts.get(name, 0) + 1
    fgraph.rewrite_log.append(name)
    if config.print_rewrites:
        from ..printing import debugprint
        before = debugprint(list(old), file="str", depth=2, print_scope=False).rstrip()
        after = debugprint(list(new), file="str", depth=2, print_scope=False).rstrip()
        print(f"rewrite {name}:\n  before:\n    {before.replace(chr(10), chr(10) + '    ')}\n"
              f"  after:\n    {after.replace(chr(10), chr(10) + '    ')}", file=sys.stderr)


def apply_replacements(fgraph: FunctionGraph, node: Apply, result: Any, name: str) -> bool:
    """Replace node's outputs by `result` (list, one per output, None = keep). False if rejected."""
    if result is None:
        return False
    if isinstance(result, Variable):
        result = [result]
    pairs = [(o, n) for o, n in zip(node.outputs, result) if n is not None and n is not o]
    if not pairs:
        return False
    for old, new in pairs:
        if not compatible(old, new):
            if config.print_rewrites:
                print(f"rewrite {name}: rejected, {new.type} cannot stand for {old.type}", file=sys.stderr)
            return False
    for old, new in pairs:
        _inherit_scope(fgraph, node, new)
        fgraph.replace(old, new, reason=name)
    note(fgraph, name, [o for o, _ in pairs], [n for _, n in pairs])
    return True


def _inherit_scope(fgraph: FunctionGraph, node: Apply, new: Variable) -> None:
    """Nodes a rewrite creates take the name scope of the node they replace (kernel listings map
    kernels back to Keras layers through scopes)."""
    scope = node.tag.get("scope") if isinstance(node.tag, dict) else None
    if not scope:
        return
    stack, seen = [new], set()
    while stack:
        o = stack.pop().owner
        if o is None or id(o) in seen or o in fgraph.nodes:
            continue
        seen.add(id(o))
        if isinstance(o.tag, dict) and not o.tag.get("scope"):
            o.tag["scope"] = scope
        stack.extend(o.inputs)


def run_phase(fgraph: FunctionGraph, phase: str) -> int:
    """Run every rewrite of `phase` until nothing changes (at most MAX_SWEEPS sweeps)."""
    rws = registry.by_phase(phase)
    local = [r for r in rws if not r.is_global]
    glob = [r for r in rws if r.is_global]
    by_type: dict[type, list[Rewrite]] = {}

    def candidates(op: Any) -> list[Rewrite]:
        t = type(op)
        if t not in by_type:
            by_type[t] = [r for r in local if not r.tracks or any(isinstance(op, c) for c in r.tracks)]
        return by_type[t]

    total = 0
    for _ in range(MAX_SWEEPS):
        changed = 0
        for rw in glob:
            n = rw.fn(fgraph) or 0
            changed += n
        if local:
            for node in fgraph.toposort():
                if node not in fgraph.nodes:
                    continue
                for rw in candidates(node.op):
                    if apply_replacements(fgraph, node, rw.fn(fgraph, node), rw.name):
                        changed += 1
                        break
        total += changed
        if not changed:
            break
    return total


def run_pipeline(fgraph: FunctionGraph, level: str | None) -> FunctionGraph:
    phases = LEVELS.get(level)
    if phases is None:
        raise ValueError(f"unknown optimizer level {level!r}; use fast_run, fast_compile or None")
    timings = fgraph.__dict__.setdefault("rewrite_times", {})
    merge = registry.rewrites.get("merge")
    for phase in phases:
        t0 = time.perf_counter()
        run_phase(fgraph, phase)
        if merge is not None and phase not in ("canonicalize", "memory"):
            merge.fn(fgraph)        # rewrites rebuild subexpressions; share them again
        timings[phase] = time.perf_counter() - t0
    return fgraph


# ------------------------------------------------------------------------------------------
# Matching helpers shared by the phases
# ------------------------------------------------------------------------------------------
def scalar_of(v: Variable) -> Any:
    """The ScalarOp computing `v` if `v` is the output of a plain Elemwise, else None."""
    from ..ops.elemwise import Elemwise
    if v.owner is not None and isinstance(v.owner.op, Elemwise):
        return v.owner.op.scalar_op
    return None


def is_op(v: Variable, scalar_cls: type) -> bool:
    return isinstance(scalar_of(v), scalar_cls)


def const_value(v: Variable) -> np.ndarray | None:
    """The value of a constant, looking through DimShuffles of constants."""
    from ..ops.shape import DimShuffle
    while v.owner is not None and isinstance(v.owner.op, DimShuffle):
        v = v.owner.inputs[0]
    return v.data if isinstance(v, Constant) else None


def uniform_const(v: Variable) -> float | None:
    """The one value of a constant whose elements are all equal (a scalar broadcast), else None."""
    d = const_value(v)
    if d is None or d.size == 0:
        return None
    flat = d.reshape(-1)
    first = flat[0]
    if d.size > 1 and not np.all(flat == first):
        return None
    return first.item()


def is_const(v: Variable, value: float) -> bool:
    c = uniform_const(v)
    return c is not None and c == value


def n_clients(fgraph: FunctionGraph, v: Variable) -> int:
    return len(fgraph.clients.get(v, ()))
