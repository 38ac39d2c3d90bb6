"""The rewrite pipeline run by sn.function before a backend sees the graph.

Phases, in order: canonicalize, simplify, stabilize, specialize, fuse, memory (see each module's
docstring for its rewrites). config.optimizer picks them: 'fast_run' (all), 'fast_compile'
(canonicalize + stabilize), None (no rewrites). ``SYMNET_FLAGS=print_rewrites=1`` prints each
rewrite that fires with the graph before and after; ``fgraph.rewrite_counts`` counts them.
"""
from __future__ import annotations

from ..graph import FunctionGraph
from . import canonicalize, simplify, stabilize, specialize, fuse, memory  # noqa: F401  (registration)
from . import indexing  # noqa: F401  (registration: general advanced indexing -> axis-0 ops)
from .core import LEVELS, PHASES, registry, run_phase, run_pipeline  # noqa: F401


def rewrite_graph(fgraph: FunctionGraph, level: str | None) -> FunctionGraph:
    """Rewrite `fgraph` in place at `level` ('fast_run', 'fast_compile' or None)."""
    return run_pipeline(fgraph, level)
