"""The LLVM backend: lower -> emit one module -> JIT -> a runner with one native call per segment.

A function with no fallback nodes is ONE native call (the driver `seg0`), made through ctypes
(which releases the GIL). Fallback nodes (listed in `kernels`, reason given) split the driver
into segments with the node's NumPy `perform` between them.

Buffer plans are per thread and per input-shape signature (shapes and strides of the inputs and
shared values): concurrent calls from several threads each use their own temporaries.
"""
from __future__ import annotations

import ctypes
import os
import re
import threading
from typing import Any

import numpy as np
from llvmlite import ir

from ..kernel import FRESH, INPUT, SHARED, ArgKernel, FallbackStep, GatherKernel, GemmKernel, LoopKernel
from ..lower import Plan, is_c_contiguous, lower
from . import emit, jit
from .params import fill_arg, fill_gather, fill_gemm, fill_loop

_SEG_T = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)
_refcount = __import__("sys").getrefcount


def _body_key(fn: Any) -> str:
    """A kernel function's IR with its name and per-loop metadata numbering blanked."""
    text = str(fn).replace(f'"{fn.name}"', '"kernel"', 1)
    return re.sub(r", !symnet\.\w+ !\d+", "", text)


class KernelInfo:
    """What `f.kernels` lists: name, kind, LLVM IR, assembly (computed on first access), nodes."""

    def __init__(self, kernel: Any, compiled: Any) -> None:
        self.kernel = kernel
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
        sym = getattr(self.kernel, "symbol", self.name)
        shared = "" if sym == self.name else f"; {self.name} runs the shared function {sym}\n"
        return shared + jit.function_ir(self._compiled.ir_text, sym)

    llvm_ir = source

    @property
    def asm(self) -> str:
        if self.kind == "FallbackStep":
            return ""
        return jit.function_asm(self._compiled.asm, getattr(self.kernel, "symbol", self.name))

    def __repr__(self) -> str:
        ops = ", ".join(str(n.op) for n in self.nodes)
        extra = f" FALLBACK: {self.reason}" if self.reason else ""
        return f"<kernel {self.name} {self.kind} [{ops}]{(' scopes=' + ','.join(self.scopes)) if self.scopes else ''}{extra}>"


class LLVMRunner:
    def __init__(self, fgraph: Any, n_outputs: int, update_targets: list) -> None:
        self.fgraph = fgraph
        self.n_outputs = n_outputs
        self.program = prog = lower(fgraph, n_outputs, update_targets)
        from symnet.config import config
        self.threads = max(1, int(config.llvm.threads))
        module = ir.Module(name="symnet")
        module.triple = jit.llvm.get_process_triple()
        self.segments: list = []     # ("native", name, [(kernel, offset)]) | ("fallback", step)
        self._status: list = []      # (gather kernel, param offset): index errors reported here
        offset = 0
        cur: list = []
        kfns = {}
        bodies: dict = {}
        for step in prog.steps:
            if isinstance(step, FallbackStep):
                if cur:
                    self.segments.append(["native", f"seg{len(self.segments)}", cur])
                    cur = []
                self.segments.append(["fallback", step])
                continue
            if isinstance(step, LoopKernel):
                emitter, size = emit.emit_loop_kernel, emit.loop_region_size(step, self.threads)
            elif isinstance(step, ArgKernel):
                emitter, size = emit.emit_arg_kernel, emit.arg_region_size(step)
            elif isinstance(step, GemmKernel):
                emitter, size = emit.emit_gemm_kernel, emit.gemm_region_size(step)
            elif isinstance(step, GatherKernel):
                emitter, size = emit.emit_gather_kernel, emit.GATHER_REGION
                self._status.append((step, offset))
            else:
                raise NotImplementedError(f"LLVM backend: kernel type {type(step).__name__}")
            # kernels that differ only in their buffers (base indices are params) share one function
            fn = emitter(module, step)
            key = _body_key(fn)
            if key in bodies:
                del module.globals[fn.name]     # an identical body exists: use it
                fn = bodies[key]
            else:
                bodies[key] = fn
            step.symbol = fn.name
            kfns[step.name] = fn
            cur.append((step, fn, offset))
            offset += size
        if cur or not self.segments:
            self.segments.append(["native", f"seg{len(self.segments)}", cur])
        for seg in self.segments:
            if seg[0] == "native":
                emit.emit_segment(module, seg[1], seg[2], self.threads)
        self.n_params = max(offset, 1)
        self.ir_text = emit.loop_hints(str(module))
        names = [s[1] for s in self.segments if s[0] == "native"]
        self.compiled = jit.Compiled(self.ir_text, names)
        self.cfuncs = {n: _SEG_T(a) for n, a in self.compiled.addresses.items()}
        self.calls = [(self.cfuncs[s[1]], None) if s[0] == "native" else (None, s[1]) for s in self.segments]
        self.kernels = [KernelInfo(s, self.compiled) for s in prog.steps]
        self._local = threading.local()
        self._input_idx = [b.index for b in prog.input_bases]
        self._shared = [(sv.container, b.index) for sv, b in prog.shared_bases]
        self._fresh = [b for b in prog.bases if b.kind == FRESH]
        self._base_of_arg = self._input_idx + [i for _, i in self._shared]
        self._out_bases = [b.base.index for b in prog.output_buffers]
        self._update_kernels = {id(k) for _, _, k in prog.update_copies}
        if config.dump_kernels:
            self.dump(config.dump_kernels, label=None)

    # -- per-signature plans -----------------------------------------------------------
    def _plan(self, args: list, shared_vals: list) -> Any:
        plans = getattr(self._local, "plans", None)
        if plans is None:
            plans = self._local.plans = {}
        key = tuple((a.shape, a.strides) for a in args) + tuple((s.shape, s.strides) for s in shared_vals)
        if self.program.value_inputs:
            key += tuple(int(args[i]) for i in self.program.value_inputs)
        plan = plans.get(key)
        if plan is None:
            plan = self._make_plan(args, shared_vals)
            if len(plans) > 64:
                plans.clear()
            plans[key] = plan
        return plan

    def _make_plan(self, args: list, shared_vals: list) -> Any:
        prog = self.program
        plan = Plan(prog, self.fgraph, args, shared_vals)
        params = np.zeros(self.n_params, np.int64)
        plan.scratch = []
        # updates: in place when the value has the variable's shape and the storage is contiguous
        shared_pos = {id(sv): i for i, (sv, _) in enumerate(prog.shared_bases)}
        plan.assign_updates = []
        zero_kernels = set()
        for target, buf, k in prog.update_copies:
            cur = shared_vals[shared_pos[id(target)]]
            vshape = plan.layout[buf.index][1]
            if not (cur.shape == vshape and cur.flags.c_contiguous and cur.flags.writeable):
                zero_kernels.add(id(k))
                plan.assign_updates.append((target, buf))
        # values written straight into their shared variable (no copy), when the storage fits
        plan.direct = []
        base_of = {id(sv): b.index for sv, b in prog.shared_bases}
        for target, buf in prog.direct_updates:
            cur = shared_vals[shared_pos[id(target)]]
            vshape = plan.layout[buf.index][1]
            if cur.shape == vshape and cur.flags.c_contiguous and cur.flags.writeable and cur.size:
                plan.direct.append((buf.base.index, base_of[id(target)]))
            else:
                plan.assign_updates.append((target, buf))
        for seg in self.segments:
            if seg[0] != "native":
                continue
            for k, _, off in seg[2]:
                if isinstance(k, LoopKernel):
                    fill_loop(params, off, k, plan, self.threads, zero=id(k) in zero_kernels)
                elif isinstance(k, ArgKernel):
                    fill_arg(params, off, k, plan)
                elif isinstance(k, GatherKernel):
                    fill_gather(params, off, k, plan)
                else:
                    fill_gemm(params, off, k, plan, plan.scratch)
        plan.params = params
        plan.params_ptr = params.ctypes.data
        bases = np.zeros(max(1, len(prog.bases)), np.uint64)
        for idx, arr in plan.base_arrays.items():
            bases[idx] = arr.ctypes.data
        plan.bases = bases
        plan.bases_ptr = bases.ctypes.data
        plan.fresh = [(b.index, plan.base_layout[b.index][0], b.dtype) for b in self._fresh]
        plan.out_cache = {}
        plan.seen = [None] * len(self._base_of_arg)
        return plan

    # -- calling ----------------------------------------------------------------------
    def __call__(self, args: list) -> list:
        shared_vals = [c.value for c, _ in self._shared]
        plan = self._plan(args, shared_vals)
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
        for cfunc, step in self.calls:
            if cfunc is not None:
                cfunc(plan.bases_ptr, plan.params_ptr)
                if self._status:
                    self._check_status(plan)
            else:
                self._fallback(step, plan, args, shared_vals, fresh)
        outs = [fresh[i] for i in self._out_bases]
        if plan.assign_updates:
            for target, buf in plan.assign_updates:
                target.container.value = np.array(self._view(buf, plan, args, shared_vals, fresh))
        return outs

    def _check_status(self, plan: Any) -> None:
        for k, off in self._status:
            if plan.params[off + 7]:
                bad, n = int(plan.params[off + 8]), int(plan.params[off + 1])
                plan.params[off + 7] = 0
                node = k.nodes[0]
                if k.mode == "pick":
                    raise IndexError(f"SoftmaxCrossentropyWithLogits: class index out of range [0, {n}) "
                                     f"(got {bad}, built at {node.tag.get('trace', '?')})")
                raise IndexError(f"index {bad} is out of bounds for axis 0 with size {n} (indexing "
                                 f"{node.inputs[0]}, built at {node.tag.get('trace', '?')})")

    def _base_array(self, base: Any, plan: Any, args: list, shared_vals: list, fresh: dict) -> np.ndarray:
        if base.kind == INPUT:
            return args[base.ref]
        if base.kind == SHARED:
            return shared_vals[[sv for sv, _ in self.program.shared_bases].index(base.ref)]
        if base.kind == FRESH:
            return fresh[base.index]
        return plan.base_arrays[base.index]

    def _view(self, buf: Any, plan: Any, args: list, shared_vals: list, fresh: dict) -> np.ndarray:
        base = self._base_array(buf.base, plan, args, shared_vals, fresh)
        if buf.parent is None:
            return base
        off, shape, strides = plan.layout[buf.index]
        return make_view(base, off, shape, strides, buf.dtype)

    def _fallback(self, step: FallbackStep, plan: Any, args: list, shared_vals: list, fresh: dict) -> None:
        ins = [self._view(b, plan, args, shared_vals, fresh) for b in step.inputs]
        res = step.node.op.perform(step.node, ins)
        for b, r in zip(step.outputs, res):
            dst = self._base_array(b.base, plan, args, shared_vals, fresh)
            np.copyto(dst, np.asarray(r).reshape(dst.shape) if np.shape(r) != dst.shape else r, casting="unsafe")

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
            if k.kind != "FallbackStep":
                with open(os.path.join(sub, k.name + ".s"), "w") as f:
                    f.write(k.asm)
            lines.append(f"{label}\t{k.name}\t{k.kind}\t{'; '.join(str(n.op) for n in k.nodes)}\t"
                         f"{','.join(k.scopes)}\t{k.reason}")
        with _dump_lock, open(os.path.join(directory, "index.tsv"), "a") as f:
            f.write("\n".join(lines) + "\n")


_dump_lock = threading.Lock()


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


class LLVMBackend:
    name = "llvm"

    def compile(self, fgraph: Any, n_outputs: int, update_targets: list) -> LLVMRunner:
        return LLVMRunner(fgraph, n_outputs, update_targets)
