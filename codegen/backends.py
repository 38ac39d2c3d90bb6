"""The backend registry: a name -> a factory of objects with
``compile(fgraph, n_outputs, update_targets) -> runner``, where ``runner(list_of_arrays)`` returns
the outputs and applies the updates to the shared variables' containers."""
from __future__ import annotations

import importlib
from typing import Any, Callable

_FACTORIES: dict[str, str] = {
    "reference": "codegen.reference:ReferenceBackend",
    "llvm": "codegen.llvm.backend:LLVMBackend",
}
_INSTANCES: dict[str, Any] = {}

# what mode=cuda / device=cuda say until a CUDA runtime registers itself (codegen/cuda has the printer)
CUDA_MISSING = ("the CUDA backend is not built yet: running on a GPU needs a CUDA GPU, its driver, pycuda and "
                "symnet's CUDA runtime, which does not exist yet; printing the CUDA C of a function works "
                "without any of them (`symnet kernels FILE NAME --cuda`, codegen.cuda.print_function)")


def register(name: str, target: str) -> None:
    """Register a backend as 'module:Class' (imported lazily: GPU code only when asked for)."""
    _FACTORIES[name] = target


def available() -> list[str]:
    return sorted(_FACTORIES)


def get(name: str) -> Any:
    if name not in _INSTANCES:
        if name not in _FACTORIES:
            raise ValueError(f"unknown mode {name!r}; available backends: {', '.join(available())}")
        module, cls = _FACTORIES[name].split(":")
        _INSTANCES[name] = getattr(importlib.import_module(module), cls)()
    return _INSTANCES[name]


def resolve_mode(mode: str | None, device: str) -> str:
    """An explicit mode wins; otherwise the device picks its default backend."""
    if mode is not None:
        if mode == "cuda" and mode not in _FACTORIES:
            raise NotImplementedError(f"mode=cuda: {CUDA_MISSING}; use mode='llvm' (or mode='reference')")
        if mode not in _FACTORIES:
            raise ValueError(f"unknown mode {mode!r}; available backends: {', '.join(available())}")
        return mode
    if device == "cuda":
        if "cuda" not in _FACTORIES:
            raise NotImplementedError(f"device=cuda: {CUDA_MISSING}; use device=cpu")
        return "cuda"
    return "llvm" if "llvm" in _FACTORIES else "reference"
