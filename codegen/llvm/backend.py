"""The LLVM backend: a client of the neutral runtime (codegen/runtime.py) that prints every kernel
as an LLVM function, one driver per native segment, JITs the module and calls each driver once.

A function with no fallback nodes is ONE native call (the driver `seg0`), made through ctypes
(which releases the GIL). Storage is host memory: temporaries are NumPy arrays of the plan, and
the driver addresses every buffer through an array of base pointers plus byte offsets in the
kernels' parameter regions (codegen/llvm/regions.py). Plans are per thread (the runtime), so
concurrent calls use their own temporaries, pointers and parameters.
"""
from __future__ import annotations

import ctypes
import os
import re
import threading
from typing import Any

import numpy as np
from llvmlite import ir

from ..kernel import FRESH, ArgKernel, GatherKernel, GemmKernel, LoopKernel, LoopStep
from ..runtime import HostMemory, Runtime, make_view  # noqa: F401  (make_view: re-exported)
from ..target import Target
from . import bounds, jit, status
from .driver import emit_segment
from .emit_kernels import emit_arg_kernel, emit_gather_kernel, emit_gemm_kernel
from .emit_loop import emit_loop_kernel, loop_hints
from .params import fill_arg, fill_gather, fill_gemm, fill_loop, fill_loop_step
from .regions import gather_region, region_size

_SEG_T = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)
_refcount = __import__("sys").getrefcount

LLVM_TARGET = Target(name="LLVM")

EMITTERS = {
    LoopKernel: emit_loop_kernel,
    ArgKernel: emit_arg_kernel,
    GemmKernel: emit_gemm_kernel,
    GatherKernel: emit_gather_kernel,
}


def _fill(runner: "LLVMRunner", k: Any, off: int, plan: Any) -> None:
    FILLERS[type(k)](runner, k, off, plan)


FILLERS = {
    LoopKernel: lambda r, k, off, plan: fill_loop(plan.params, off, k, plan, r.threads, zero=id(k) in plan.disabled),
    ArgKernel: lambda r, k, off, plan: fill_arg(plan.params, off, k, plan),
    GatherKernel: lambda r, k, off, plan: fill_gather(plan.params, off, k, plan),
    GemmKernel: lambda r, k, off, plan: fill_gemm(plan.params, off, k, plan, plan.scratch),
    LoopStep: lambda r, k, off, plan: (fill_loop_step(plan.params, off, k, plan),
                                       [_fill(r, s, o, plan) for s, _, o in r.body_items[id(k)]]),
}


def _body_key(fn: Any) -> str:
    """A kernel function's IR with its name and per-loop metadata numbering blanked."""
    text = str(fn).replace(f'"{fn.name}"', '"kernel"', 1)
    return re.sub(r", !symnet\.\w+ !\d+", "", text)


class KernelInfo:
    """What `f.kernels` lists: name, kind, LLVM IR, assembly (computed on first access), nodes."""

    def __init__(self, kernel: Any, compiled: Any, symbol: str | None = None) -> None:
        self.kernel = kernel
        self.symbol = symbol or kernel.name
        self.name = kernel.name
        self.kind = type(kernel).__name__
        self.nodes = list(kernel.nodes)
        self.scopes = sorted({n.tag.get("scope", "") for n in self.nodes if getattr(n, "tag", None)} - {""})
        self.reason = getattr(kernel, "reason", "")
        self._compiled = compiled

    @property
    def source(self) -> str:
        if self.kind == "FallbackStep":
            return f"; fallback: {self.nodes[0].op}.perform in Python ({self.reason})"
        if self.kind == "LoopStep":
            return (f"; LoopStep: the driver runs {', '.join(s.name for s in self.kernel.body)} per iteration "
                    f"({len(self.kernel.sliced)} sliced sequences, {len(self.kernel.carried)} carried states)")
        sym = self.symbol
        shared = "" if sym == self.name else f"; {self.name} runs the shared function {sym}\n"
        return shared + jit.function_ir(self._compiled.ir_text, sym)

    llvm_ir = source

    @property
    def asm(self) -> str:
        if self.kind in ("FallbackStep", "LoopStep"):
            return ""
        return jit.function_asm(self._compiled.asm, self.symbol)

    def __repr__(self) -> str:
        ops = ", ".join(str(n.op) for n in self.nodes)
        extra = f" FALLBACK: {self.reason}" if self.reason else ""
        return f"<kernel {self.name} {self.kind} [{ops}]{(' scopes=' + ','.join(self.scopes)) if self.scopes else ''}{extra}>"


class LLVMRunner(HostMemory, Runtime):
    target = LLVM_TARGET

    def build(self) -> None:
        from symnet.config import config
        self.threads = max(1, int(config.llvm.threads))
        module = ir.Module(name="symnet")
        module.triple = jit.llvm.get_process_triple()
        self.check_bounds = bounds.enabled()
        if self.check_bounds:
            bounds.declare(module, len(self.program.bases))
        self._module = module
        self._offset = 0
        self._bodies: dict = {}
        self.symbols: dict = {}       # kernel name -> the (possibly shared) function it runs
        self.body_items: dict = {}    # id(LoopStep) -> [(kernel, fn, offset)]
        self._status: list = []       # (gather kernel, param offset): index errors reported here
        self.items: dict = {}         # segment name -> [(kernel, fn, offset)]
        for seg in self.segments:
            if seg.native:
                self.items[seg.name] = self._items(seg.steps)
                emit_segment(module, seg.name, self.items[seg.name], self.threads)
        self.n_params = max(self._offset, 1)
        self.ir_text = loop_hints(str(module))
        names = [s.name for s in self.segments if s.native]
        self.compiled = jit.Compiled(self.ir_text, names)
        self.cfuncs = {n: _SEG_T(a) for n, a in self.compiled.addresses.items()}
        steps = []
        for s in self.program.steps:
            steps.append(s)
            if isinstance(s, LoopStep):
                steps.extend(s.body)
        self.kernels = [KernelInfo(s, self.compiled, self.symbols.get(s.name)) for s in steps]
        self._input_idx = [b.index for b in self.program.input_bases]
        self._fresh = [b for b in self.program.bases if b.kind == FRESH]
        self._base_of_arg = self._input_idx + [i for _, i in self._shared]
        del self._module, self._bodies
        from symnet.config import config as cfg
        if cfg.dump_kernels:
            self.dump(cfg.dump_kernels, label=None)

    def _items(self, steps: list) -> list:
        """[(kernel, fn, param offset)]; a LoopStep's fn is its body's items."""
        items = []
        for step in steps:
            off = self._offset
            self._offset += region_size(step, self.threads)
            if isinstance(step, LoopStep):
                body = self._items(step.body)
                self.body_items[id(step)] = body
                items.append((step, body, off))
                continue
            emitter = EMITTERS.get(type(step))
            if emitter is None:
                raise NotImplementedError(f"LLVM backend: kernel type {type(step).__name__}")
            if isinstance(step, GatherKernel):
                self._status.append((step, off))
            # kernels that differ only in their buffers (base indices are params) share one function
            fn = emitter(self._module, step)
            key = _body_key(fn)
            if key in self._bodies:
                del self._module.globals[fn.name]     # an identical body exists: use it
                fn = self._bodies[key]
            else:
                self._bodies[key] = fn
            self.symbols[step.name] = fn.name
            items.append((step, fn, off))
        return items

    def native_call(self, segment: Any) -> Any:
        cfunc = self.cfuncs[segment.name]
        error_word = status.status_word(self.compiled)     # kernels' run-time errors (status.py)
        if not self._status and not self.check_bounds and error_word is None:
            return lambda plan: cfunc(plan.bases_ptr, plan.params_ptr)

        def run(plan: Any) -> None:
            cfunc(plan.bases_ptr, plan.params_ptr)
            if error_word is not None:
                status.check(error_word)
            if self.check_bounds:
                self._check_bounds_status(plan, segment)
            self._check_status(plan)
        return run

    def _check_bounds_status(self, plan: Any, segment: Any) -> None:
        nb = len(self.program.bases)
        if plan.bases[3 * nb]:
            bad = int(plan.bases[3 * nb + 1])
            plan.bases[3 * nb] = 0
            self._reset_bases(plan)
            base = self.program.bases[bad]
            names = ", ".join(k.name for k in segment.steps)
            raise IndexError(f"llvm__check_bounds: a kernel of {segment.name} ({names}) accessed memory outside "
                             f"base {bad} ({base.kind} {base.dtype}, {getattr(base.ref, 'name', None) or ''} laid out "
                             f"as {plan.base_layout.get(bad)})")

    # -- per-signature plans -----------------------------------------------------------
    def prepare(self, plan: Any) -> None:
        plan.storage = self.allocate(plan)
        plan.params = np.zeros(self.n_params, np.int64)
        plan.scratch = []
        for seg in self.segments:
            if seg.native:
                for k, _, off in self.items[seg.name]:
                    _fill(self, k, off, plan)
        plan.params_ptr = plan.params.ctypes.data
        nb = len(self.program.bases)
        plan.bases = np.zeros(max(1, 3 * nb + 2 if self.check_bounds else nb), np.uint64)
        self._reset_bases(plan)
        if self.check_bounds:
            for base in self.program.bases:
                shape, strides = plan.base_layout.get(base.index, ((0,), (0,)))
                lo, hi = bounds.extent(tuple(shape), tuple(strides), np.dtype(base.dtype).itemsize)
                plan.bases[nb + 2 * base.index:nb + 2 * base.index + 2] = np.array([lo, hi], np.int64).view(np.uint64)
        plan.bases_ptr = plan.bases.ctypes.data
        plan.fresh = [(b.index, plan.base_layout[b.index][0], b.dtype) for b in self._fresh]
        plan.out_cache = {}
        plan.seen = [None] * len(self._base_of_arg)

    @staticmethod
    def _reset_bases(plan: Any) -> None:
        for idx, arr in plan.storage.items():
            plan.bases[idx] = arr.ctypes.data

    def bind(self, plan: Any, args: list, shared_vals: list) -> dict:
        bases = plan.bases
        # data pointers (a.ctypes.data costs about 1 us): the plan remembers the arrays it saw
        # last (holding them, so they cannot be freed or resized) and rewrites only what changed
        seen = plan.seen
        for k, (i, a) in enumerate(zip(self._base_of_arg, args + shared_vals)):
            if seen[k] is not a:
                seen[k] = a
                bases[i] = a.ctypes.data if a.size else 0
        for vi, si in plan.direct:
            bases[vi] = bases[si]
        fresh = {}
        cache = plan.out_cache
        for i, shape, dt in plan.fresh:
            # reuse last call's output array when nobody else holds it any more (saves the page
            # faults of a fresh large allocation); otherwise a new one
            a = cache.get(i)
            if a is None or _refcount(a) > 3:
                a = cache[i] = np.empty(shape, dt)
                bases[i] = a.ctypes.data
            fresh[i] = a
        return fresh

    def _check_status(self, plan: Any) -> None:
        for k, off in self._status:
            r = gather_region(k)
            if plan.params[off + r["status"]]:
                bad, n = int(plan.params[off + r["bad_index"]]), int(plan.params[off + r["n_rows"]])
                plan.params[off + r["status"]] = 0
                self._reset_bases(plan)     # a LoopStep stopped midway may have swapped carried pointers
                node = k.nodes[0]
                if k.mode == "pick":
                    raise IndexError(f"SoftmaxCrossentropyWithLogits: class index out of range [0, {n}) "
                                     f"(got {bad}, built at {node.tag.get('trace', '?')})")
                raise IndexError(f"index {bad} is out of bounds for axis 0 with size {n} (indexing "
                                 f"{node.inputs[0]}, built at {node.tag.get('trace', '?')})")

    # -- inspection ---------------------------------------------------------------------
    def dump(self, directory: str, label: str | None = None) -> None:
        """Write module.ll, one .ll/.s per kernel into DIR/<label>/ and a line per kernel to
        DIR/index.tsv (function, kernel, kind, ops, scopes, fallback reason)."""
        if label is None:      # the function's name (sn.function(name=...)); unnamed: 'function'
            with _dump_lock:
                base = re.sub(r"[^\w.-]", "_", getattr(self.fgraph, "name", None) or "function")
                label, n = base, 1
                while True:                 # exist_ok=False: another process may dump the same name
                    try:
                        os.makedirs(os.path.join(directory, label))
                        break
                    except FileExistsError:
                        n += 1
                        label = f"{base}_{n}"
        sub = os.path.join(directory, label)
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, "module.ll"), "w") as f:
            f.write(self.ir_text)
        lines = []
        for k in self.kernels:
            with open(os.path.join(sub, k.name + ".ll"), "w") as f:
                f.write(k.source)
            if k.kind not in ("FallbackStep", "LoopStep"):
                with open(os.path.join(sub, k.name + ".s"), "w") as f:
                    f.write(k.asm)
            lines.append(f"{label}\t{k.name}\t{k.kind}\t{'; '.join(str(n.op) for n in k.nodes)}\t"
                         f"{','.join(k.scopes)}\t{k.reason}")
        with _dump_lock, open(os.path.join(directory, "index.tsv"), "a") as f:
            f.write("\n".join(lines) + "\n")


_dump_lock = threading.Lock()


class LLVMBackend:
    name = "llvm"

    def compile(self, fgraph: Any, n_outputs: int, update_targets: list) -> LLVMRunner:
        return LLVMRunner(fgraph, n_outputs, update_targets)
