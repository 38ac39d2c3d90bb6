"""llvmlite.binding: the host target machine, the O3 pipeline, MCJIT, BLAS symbols, object cache.

One OpenBLAS in generated code: scipy_openblas32's libscipy_openblas.so (int32 CBLAS), loaded
permanently into the process and set to config.llvm.threads threads once. NumPy's own bundled
OpenBLAS (numpy.libs, ILP64) keeps its own pool; it is idle while generated code runs, so the two
pools never compete during a compiled call (set OPENBLAS_NUM_THREADS to bound NumPy's).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from typing import Any

import llvmlite.binding as llvm

_lock = threading.Lock()
_compile_lock = threading.Lock()
_state: dict[str, Any] = {}


def _init() -> None:
    if _state:
        return
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    try:     # a vectorised epilogue costs JIT time and buys little on our loops
        llvm.set_option("", "-enable-epilogue-vectorization=false")
    except Exception:
        pass
    libc = ctypes.util.find_library("c")
    for lib in filter(None, [libc, ctypes.util.find_library("m"), ctypes.util.find_library("pthread")]):
        try:
            llvm.load_library_permanently(lib)
        except RuntimeError:
            pass
    from symnet.config import config
    _state["blas"] = _load_blas(int(config.llvm.threads))
    cpu_flag = config.llvm.cpu
    cpu = llvm.get_host_cpu_name() if cpu_flag == "host" else cpu_flag
    features = llvm.get_host_cpu_features().flatten() if cpu_flag == "host" else ""
    target = llvm.Target.from_triple(llvm.get_process_triple())
    _state["make_tm"] = lambda: target.create_target_machine(cpu=cpu, features=features, opt=3,
                                                             codemodel="jitdefault")
    _state["tm"] = _state["make_tm"]()
    _state["cpu"], _state["features"] = cpu, features


def _load_blas(threads: int) -> dict:
    """scipy_openblas32 (int32 CBLAS, a documented path); else NumPy's bundled ILP64 OpenBLAS."""
    try:
        import scipy_openblas32
        path = os.path.join(scipy_openblas32.get_lib_dir(), "libscipy_openblas.so")
        names = dict(sgemm="scipy_cblas_sgemm", dgemm="scipy_cblas_dgemm", int_bits=32,
                     threads="scipy_openblas_set_num_threads")
    except ImportError:
        import glob
        import numpy
        found = glob.glob(os.path.join(os.path.dirname(numpy.__file__), "..", "numpy.libs", "libscipy_openblas64_*.so"))
        if not found:
            raise NotImplementedError("LLVM backend: no BLAS found (install scipy-openblas32)") from None
        path = found[0]
        names = dict(sgemm="scipy_cblas_sgemm64_", dgemm="scipy_cblas_dgemm64_", int_bits=64,
                     threads="scipy_openblas_set_num_threads64_")
    llvm.load_library_permanently(path)
    lib = ctypes.CDLL(path)
    getattr(lib, names["threads"])(ctypes.c_int(threads))
    return dict(names, path=path)


def blas() -> dict:
    with _lock:
        _init()
    return _state["blas"]


def target_machine():
    with _lock:
        _init()
    return _state["tm"]


def target_id() -> str:
    with _lock:
        _init()
    return f"{llvm.get_process_triple()}|{_state['cpu']}|{_state['features']}"


def optimize(mod: Any) -> None:
    tm = target_machine()
    pto = llvm.create_pipeline_tuning_options(speed_level=3)
    pto.loop_vectorization = True
    pto.slp_vectorization = True
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(mod, pb)


class Compiled:
    """A JIT-compiled module: function addresses (kept alive with the engine)."""

    def __init__(self, ir_text: str, names: list[str], use_cache: bool = True) -> None:
        tm = target_machine()
        self.ir_text = ir_text
        self.cache_hit = False
        key = None
        obj = None
        cache = None
        if use_cache:
            try:
                from codegen.cache import default_cache, key_for
                cache = default_cache()
                key = key_for("llvm-object", target_id(), ir_text)
                obj = cache.get(key)
            except Exception:          # the cache is an optimisation: never fail a compile on it
                cache, obj = None, None
        # the engine owns (and frees) its target machine: give it a private one
        self.engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), _state["make_tm"]())
        if obj is not None:
            self.cache_hit = True
        else:
            with _compile_lock:      # the shared target machine is not safe to use concurrently
                mod = llvm.parse_assembly(ir_text)
                mod.verify()
                optimize(mod)
                obj = tm.emit_object(mod)
            if cache is not None:
                try:
                    cache.put(key, obj)
                except Exception:
                    pass
        self.engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
        self.engine.finalize_object()
        self.addresses = {n: self.engine.get_function_address(n) for n in names}
        self._asm: str | None = None
        self._opt_ir: str | None = None

    def _inspect(self) -> None:
        if self._asm is None:
            with _compile_lock:
                mod = llvm.parse_assembly(self.ir_text)
                optimize(mod)
                self._opt_ir = str(mod)
                self._asm = target_machine().emit_assembly(mod)

    @property
    def asm(self) -> str:
        self._inspect()
        return self._asm or ""

    @property
    def optimized_ir(self) -> str:
        self._inspect()
        return self._opt_ir or ""


def function_asm(asm: str, name: str) -> str:
    """The assembly of one function (from its label to the next .size directive)."""
    lines = asm.splitlines()
    out, on = [], False
    for ln in lines:
        if ln.startswith(name + ":"):
            on = True
        if on:
            out.append(ln)
            if ln.strip().startswith(".size") and name in ln:
                break
    return "\n".join(out)


def function_ir(ir_text: str, name: str) -> str:
    out, on = [], False
    for ln in ir_text.splitlines():
        if ln.startswith("define") and f"@\"{name}\"(" in ln or ln.startswith("define") and f"@{name}(" in ln:
            on = True
        if on:
            out.append(ln)
            if ln.startswith("}"):
                break
    return "\n".join(out)
