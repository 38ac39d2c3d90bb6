"""Helpers for the rewrite tests: run one named rewrite, print before/after, compare numbers."""
from __future__ import annotations

import numpy as np

import symnet as sn
from symnet.graph import FunctionGraph
from symnet.rewrite import registry
from symnet.rewrite.core import apply_replacements


def fgraph(inputs, outputs) -> FunctionGraph:
    return FunctionGraph(list(inputs), list(outputs) if isinstance(outputs, (list, tuple)) else [outputs])


def apply_rewrite(fg: FunctionGraph, name: str, sweeps: int = 5) -> int:
    """Run the rewrite called `name` alone until it stops firing; returns the number of firings."""
    rw = registry.rewrites[name]
    fired = 0
    for _ in range(sweeps):
        n = 0
        if rw.is_global:
            n = rw.fn(fg) or 0
        else:
            for node in fg.toposort():
                if node in fg.nodes and (not rw.tracks or isinstance(node.op, rw.tracks)):
                    n += apply_replacements(fg, node, rw.fn(fg, node), name)
        fired += n
        if not n:
            break
    return fired


def show(fg: FunctionGraph) -> str:
    return sn.debugprint(list(fg.outputs), file="str", print_scope=False)


def before_after(inputs, outputs, name: str, expect_fire: bool = True) -> tuple[str, str, FunctionGraph]:
    """debugprint before and after running one rewrite (printed for the test log)."""
    fg = fgraph(inputs, outputs)
    before = show(fg)
    n = apply_rewrite(fg, name)
    after = show(fg)
    print(f"--- {name}: before\n{before}--- after\n{after}")
    assert (n > 0) == expect_fire, f"{name} fired {n} times\n{before}\n{after}"
    return before, after, fg


def run_fg(fg: FunctionGraph, values):
    """Evaluate a FunctionGraph with the reference backend as it is (no further rewrites)."""
    from codegen.reference import ReferenceRunner
    runner = ReferenceRunner(fg, len(fg.outputs), [])
    arrays = [v.type.filter(a) for v, a in zip(fg.inputs, values)]
    return runner(arrays)


def same_numbers(inputs, outputs, fg: FunctionGraph, values, rtol=1e-6, atol=1e-7):
    """The rewritten graph computes what the original computes (both by the reference backend)."""
    with sn.config.change_flags(optimizer=None):
        f = sn.function(list(inputs), outputs if isinstance(outputs, list) else [outputs], mode="reference",
                        on_unused_input="ignore")
    want = f(*values)
    got = run_fg(fg, values)
    for w, g in zip(want, got):
        assert g.dtype == w.dtype and g.shape == w.shape, (g.dtype, g.shape, w.dtype, w.shape)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, equal_nan=True)


def compile_both(inputs, outputs, values, level="fast_run"):
    """Outputs without rewrites and with `level`."""
    res = []
    for lv in (None, level):
        with sn.config.change_flags(optimizer=lv):
            f = sn.function(list(inputs), outputs, mode="reference", on_unused_input="ignore")
        res.append(f(*values))
    return res
