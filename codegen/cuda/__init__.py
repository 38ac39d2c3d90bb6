"""The CUDA backend's printer: the kernel IR of a compiled function as ONE CUDA C translation unit.

Lowering and printing need no GPU, driver or pycuda (this package imports neither; `import
symnet` never imports it): `print_function(f)` lowers `f`'s rewritten graph for `CUDA_TARGET`
and prints every kernel (`symnet kernels FILE NAME --cuda`, `python tools/kernels.py FILE NAME
--cuda`). The TU compiles with `nvcc -cubin -arch=sm_90` as it is.

What is NOT here yet: the CUDA runtime (device allocations, launches, parameter filling; the
launch contract each kernel expects is written in codegen/cuda/emit.py): nothing registers a
`cuda` backend, so `mode=cuda` / `device=cuda` are refused (config and codegen/backends.py) with
backends.CUDA_MISSING, which says what running needs and that printing works. GEMMs print as a tiled shared-memory kernel (the
fallback; cuBLAS, the intended fast path, needs the runtime); uniform/normal samplers as Philox
(codegen/cuda/philox.py). Printed only as comments: LoopStep drivers (host code; their body
kernels are printed), fallbacks (host NumPy).
"""
from __future__ import annotations

from typing import Any

from ..kernel import FallbackStep, LoopStep
from ..target import Target
from .emit import ARG_PRELUDE, BLOCK, PRINTERS, c_name
from .philox import PHILOX_PRELUDE
from .scalar import PRELUDE

CUDA_TARGET = Target(name="CUDA")

RUNTIME_MISSING = ("the CUDA runtime is not built yet: running on the GPU needs a CUDA GPU, its driver and pycuda "
                   "(pip install symnet[gpu]), and symnet's CUDA runtime (launches, device memory), which does "
                   "not exist yet. Printing the CUDA C of a function works without any of them: "
                   "`symnet kernels FILE NAME --cuda` or codegen.cuda.print_function(f). Use device=cpu to run.")


class CUDARuntimeUnavailable(NotImplementedError):
    """mode=cuda / device=cuda: there is no CUDA runtime in this build."""


class CUDABackend:
    """A placeholder for the runtime (not registered in codegen/backends.py): one clear error."""
    name = "cuda"

    def __init__(self) -> None:
        raise CUDARuntimeUnavailable(RUNTIME_MISSING)


def _comment(text: str) -> str:
    return "\n".join("// " + ln for ln in text.splitlines())


def print_kernel(step: Any, prefix: str = "") -> tuple[str, str | None]:
    """(CUDA C, None) for a printable kernel, or (a comment, the reason) for one that is not printed.
    Its __global__ function is named `prefix` + the kernel's name."""
    if isinstance(step, FallbackStep):
        return _comment(f"{step.name}: host fallback {step.node.op}.perform ({step.reason})"), None
    printer = PRINTERS.get(type(step))
    if printer is None:
        why = f"no CUDA printer for {type(step).__name__}"
        return _comment(f"{step.name}: NOT PRINTED ({why})"), why
    try:
        return printer(step, c_name(prefix + step.name)), None
    except NotImplementedError as e:
        return _comment(f"{step.name}: NOT PRINTED ({e})"), str(e)


def _flatten(steps: list) -> list:
    out = []
    for s in steps:
        if isinstance(s, LoopStep):
            out.append(s)
            out.extend(_flatten(s.body))
        else:
            out.append(s)
    return out


PRELUDE_TEXT = PRELUDE + ARG_PRELUDE + PHILOX_PRELUDE + f"// every kernel: __launch_bounds__({BLOCK}); launch contracts in codegen/cuda/emit.py\n"


def print_program(program: Any, strict: bool = False, prefix: str = "", prelude: bool = True) -> tuple[str, list]:
    """The translation unit of a lowered Program and [(kernel name, reason)] of the kernels that are
    not printed (comments in the TU); `strict` raises NotImplementedError on the first of those.
    `prefix` prefixes every kernel's C name and `prelude=False` leaves the helpers out, so several
    programs can share one TU (PRELUDE_TEXT once, then each program's kernels)."""
    parts = [PRELUDE_TEXT] if prelude else []
    missing = []
    for step in _flatten(program.steps):
        if isinstance(step, LoopStep):
            parts.append(_comment(f"{step.name}: LoopStep: the host runs {', '.join(s.name for s in step.body)} "
                                  f"per iteration ({len(step.sliced)} sliced, {len(step.carried)} carried); "
                                  "no CUDA driver for it yet"))
            missing.append((step.name, "LoopStep drivers are host code, not printed"))
            continue
        text, why = print_kernel(step, prefix)
        if why is not None:
            if strict:
                raise NotImplementedError(f"CUDA: kernel {step.name}: {why}")
            missing.append((step.name, why))
        desc = step.describe() if hasattr(step, "describe") else step.name
        parts.append(_comment(desc) + "\n" + text)
    return "\n\n".join(parts) + "\n", missing


def lower_function(fn: Any) -> Any:
    """The Program of compiled symnet Function `fn`'s rewritten graph, lowered for CUDA_TARGET."""
    from ..lower import lower
    fg = getattr(fn, "fgraph", None)
    if fg is None:
        raise TypeError(f"print_function expects a compiled symnet Function; Received: {type(fn).__name__}")
    return lower(fg, fn.n_outputs, list(getattr(fg, "update_targets", [])), CUDA_TARGET)


def print_function(fn: Any, strict: bool = False, prefix: str = "", prelude: bool = True) -> str:
    """The CUDA C translation unit of compiled symnet Function `fn` (no GPU needed); kernels that are
    not printed (LoopStep drivers) are comments saying why, or with `strict` an error.
    `prefix`/`prelude` as for print_program (several functions in one TU)."""
    text, _ = print_program(lower_function(fn), strict=strict, prefix=prefix, prelude=prelude)
    return text


def print_functions(functions: list) -> str:
    """One translation unit for [(label, Function)]: the helpers once, then each function's kernels
    (with several functions, C names prefixed by the label: `model.train` -> `model_train_k3_...`).
    What `symnet kernels FILE [NAME] --cuda` prints."""
    import re
    parts = [PRELUDE_TEXT]
    for label, f in functions:
        parts.append(f"// == {label}")
        prefix = re.sub(r"\W", "_", label) + "_" if len(functions) > 1 else ""
        parts.append(print_function(f, prefix=prefix, prelude=False))
    return "\n".join(parts)


__all__ = ["print_functions", "CUDA_TARGET", "CUDABackend", "CUDARuntimeUnavailable", "print_function", "print_program",
           "print_kernel", "lower_function", "c_name", "PRELUDE_TEXT",
           "RUNTIME_MISSING"]
