"""The backend-neutral runner of a lowered function.

What every native backend shares: lowering for the backend's Target, segments of native steps
around fallback nodes, the per-thread cache of buffer plans keyed by the input-shape signature
(and the values of integer inputs that shape something), simultaneous shared-variable updates,
and outputs. A plan is a Layout (codegen/lower/plan.py: pure arithmetic) plus storage that the
backend allocates.

A backend subclasses `Runtime` and provides the hooks marked "backend" below: compile the native
segments (`build`), allocate a plan's storage and fill its kernels' parameters (`prepare`), bind
a call's arrays (`bind`), run one native segment (`run_segment`), and read/write a buffer as a
host array for fallback nodes and assigned updates (`host_view`, `host_store`). `HostMemory`
implements the storage hooks for backends whose buffers are host arrays (LLVM).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .kernel import FRESH, INPUT, SHARED, TEMP, FallbackStep
from .lower import Layout, lower
from .target import Target

PLAN_CACHE_SIZE = 64        # plans per thread before the cache is cleared


@dataclass
class Segment:
    """A run of native steps (one driver call), or one fallback step."""
    native: bool
    name: str
    steps: list = field(default_factory=list)
    fallback: Any = None


def split_segments(steps: list) -> list:
    segments: list = []
    cur: list = []
    for step in steps:
        if isinstance(step, FallbackStep):
            if cur:
                segments.append(Segment(True, f"seg{len(segments)}", cur))
                cur = []
            segments.append(Segment(False, step.name, fallback=step))
        else:
            cur.append(step)
    if cur or not segments:
        segments.append(Segment(True, f"seg{len(segments)}", cur))
    return segments


class Runtime:
    """Runs one compiled FunctionGraph: ``runner(list_of_arrays) -> outputs`` (updates applied)."""

    target: Target

    def __init__(self, fgraph: Any, n_outputs: int, update_targets: list, program: Any = None) -> None:
        """`program`: an already lowered (or hand-built) Program for `fgraph` instead of lowering it."""
        self.fgraph = fgraph
        self.n_outputs = n_outputs
        self.program = prog = program if program is not None else lower(fgraph, n_outputs, update_targets,
                                                                         self.target)
        self.segments = split_segments(prog.steps)
        self._local = threading.local()
        self._shared = [(sv.container, b.index) for sv, b in prog.shared_bases]
        self._shared_pos = {id(sv): i for i, (sv, _) in enumerate(prog.shared_bases)}
        self._out_bases = [b.base.index for b in prog.output_buffers]
        self._value_shared = [self._shared_pos[id(sv)] for sv in prog.value_shared]
        self._value_args = bool(prog.value_inputs or prog.value_shared)
        self.build()
        # (native segment or None, fallback step or None), in order
        self.calls = [(self.native_call(s), None) if s.native else (None, s.fallback) for s in self.segments]

    # -- backend hooks ------------------------------------------------------------------
    def build(self) -> None:
        """backend: compile the native segments."""
        raise NotImplementedError(f"{type(self).__name__}.build")

    def native_call(self, segment: Segment) -> Any:
        """backend: a callable(plan) that runs one native segment."""
        raise NotImplementedError(f"{type(self).__name__}.native_call")

    def prepare(self, plan: Layout) -> None:
        """backend: allocate the plan's storage (plan.storage: base index -> storage) and fill the
        kernels' parameters; `plan.disabled` holds update-copy kernels that must not run."""
        raise NotImplementedError(f"{type(self).__name__}.prepare")

    def bind(self, plan: Layout, args: list, shared_vals: list) -> dict:
        """backend: point the plan at this call's arrays; returns {base index: fresh output}."""
        raise NotImplementedError(f"{type(self).__name__}.bind")

    def host_view(self, buf: Any, plan: Layout, args: list, shared_vals: list, fresh: dict) -> np.ndarray:
        """backend: buffer `buf` as a host array (fallback inputs, assigned updates)."""
        raise NotImplementedError(f"{type(self).__name__}.host_view")

    def host_store(self, buf: Any, value: np.ndarray, plan: Layout, args: list, shared_vals: list,
                   fresh: dict) -> None:
        """backend: write a fallback's result into its (whole-base) output buffer."""
        raise NotImplementedError(f"{type(self).__name__}.host_store")

    # -- plans ---------------------------------------------------------------------------
    def plan_for(self, args: list, shared_vals: list) -> Layout:
        plans = getattr(self._local, "plans", None)
        if plans is None:
            plans = self._local.plans = {}
        key = tuple((a.shape, a.strides) for a in args) + tuple((s.shape, s.strides) for s in shared_vals)
        if self._value_args:
            key += tuple(args[i].tobytes() for i in self.program.value_inputs)
            key += tuple(shared_vals[j].tobytes() for j in self._value_shared)
        plan = plans.get(key)
        if plan is None:
            plan = self.make_plan(args, shared_vals)
            if len(plans) > PLAN_CACHE_SIZE:
                plans.clear()
            plans[key] = plan
        return plan

    def make_plan(self, args: list, shared_vals: list) -> Layout:
        prog = self.program
        plan = Layout(prog, self.fgraph, args, shared_vals)
        # updates: in place when the value has the variable's shape and the storage is contiguous
        plan.assign_updates = []
        plan.disabled = set()
        for target, buf, k in prog.update_copies:
            if not self._fits(shared_vals[self._shared_pos[id(target)]], plan.layout[buf.index][1]):
                plan.disabled.add(id(k))
                plan.assign_updates.append((target, buf))
        # values written straight into their shared variable's storage (no copy), when it fits
        plan.direct = []
        for target, buf in prog.direct_updates:
            cur = shared_vals[self._shared_pos[id(target)]]
            if self._fits(cur, plan.layout[buf.index][1]) and cur.size:
                plan.direct.append((buf.base.index, prog.shared_bases[self._shared_pos[id(target)]][1].index))
            else:
                plan.assign_updates.append((target, buf))
        self.prepare(plan)
        return plan

    @staticmethod
    def _fits(cur: np.ndarray, shape: tuple) -> bool:
        return cur.shape == shape and cur.flags.c_contiguous and cur.flags.writeable

    # -- calling ---------------------------------------------------------------------------
    def __call__(self, args: list) -> list:
        shared_vals = [c.value for c, _ in self._shared]
        plan = self.plan_for(args, shared_vals)
        fresh = self.bind(plan, args, shared_vals)
        for native, step in self.calls:
            if native is not None:
                native(plan)
            else:
                self.fallback(step, plan, args, shared_vals, fresh)
        outs = [fresh[i] for i in self._out_bases]
        if plan.assign_updates:
            for target, buf in plan.assign_updates:
                target.container.value = np.array(self.host_view(buf, plan, args, shared_vals, fresh))
        return outs

    def fallback(self, step: FallbackStep, plan: Layout, args: list, shared_vals: list, fresh: dict) -> None:
        ins = [self.host_view(b, plan, args, shared_vals, fresh) for b in step.inputs]
        res = step.node.op.perform(step.node, ins)
        for b, r in zip(step.outputs, res):
            self.host_store(b, r, plan, args, shared_vals, fresh)


class HostMemory:
    """Storage hooks for backends whose buffers are host arrays: temporaries are np.empty, CONST
    and PLANVAL bases are the plan's host values, views are NumPy views at the layout's offset."""

    def allocate(self, plan: Layout) -> dict:
        storage = dict(plan.host_values)
        for b in self.program.bases:
            if b.kind == TEMP:
                storage[b.index] = np.empty(plan.base_layout[b.index][0], b.dtype)
        return storage

    def base_array(self, base: Any, plan: Layout, args: list, shared_vals: list, fresh: dict) -> np.ndarray:
        if base.kind == INPUT:
            return args[base.ref]
        if base.kind == SHARED:
            return shared_vals[self._shared_pos[id(base.ref)]]
        if base.kind == FRESH:
            return fresh[base.index]
        return plan.storage[base.index]

    def host_view(self, buf: Any, plan: Layout, args: list, shared_vals: list, fresh: dict) -> np.ndarray:
        base = self.base_array(buf.base, plan, args, shared_vals, fresh)
        if buf.parent is None:
            return base
        off, shape, strides = plan.layout[buf.index]
        return make_view(base, off, shape, strides, buf.dtype)

    def host_store(self, buf: Any, value: np.ndarray, plan: Layout, args: list, shared_vals: list,
                   fresh: dict) -> None:
        dst = self.base_array(buf.base, plan, args, shared_vals, fresh)
        np.copyto(dst, np.asarray(value).reshape(dst.shape) if np.shape(value) != dst.shape else value,
                  casting="unsafe")


class _Holder:
    """Carries an __array_interface__ and keeps the viewed array alive."""

    def __init__(self, base: np.ndarray, iface: dict) -> None:
        self.base = base
        self.__array_interface__ = iface


def make_view(base: np.ndarray, off: int, shape: tuple, strides: tuple, dtype: str) -> np.ndarray:
    """A NumPy view at byte offset `off` from base's data pointer (what the kernels address)."""
    if base.size == 0 or 0 in shape:
        return np.empty(shape, dtype)
    iface = {"data": (base.ctypes.data + off, not base.flags.writeable), "shape": tuple(shape),
             "strides": tuple(strides), "typestr": np.dtype(dtype).str, "version": 3}
    return np.asarray(_Holder(base, iface))
