"""What model.compiled_kernels() returns: one kernel of a compiled step, with the Keras layers its
graph nodes came from (their name scopes)."""
from __future__ import annotations

from typing import Any


class CompiledKernel:
    """One kernel of a compiled step, attributed to Keras layers through the name scopes of its nodes."""

    def __init__(self, kernel: Any, layer_names: set) -> None:
        self.kernel = kernel
        self.name = getattr(kernel, "name", "")
        self.kind = getattr(kernel, "kind", type(kernel).__name__)
        self.nodes = list(getattr(kernel, "nodes", []))
        scopes: list[str] = []
        for node in self.nodes:
            tag = getattr(node, "tag", None)
            scope = tag.get("scope", "") if isinstance(tag, dict) else ""
            if scope and scope not in scopes:
                scopes.append(scope)
        self.scopes = scopes
        self.layers = []
        for scope in scopes:
            for part in scope.split("/"):
                if part in layer_names and part not in self.layers:
                    self.layers.append(part)

    @property
    def source(self) -> str:
        return getattr(self.kernel, "source", "")

    llvm_ir = source

    @property
    def asm(self) -> str:
        """The kernel's assembly (empty for a fallback step)."""
        return getattr(self.kernel, "asm", "")

    @property
    def reason(self) -> str:
        """Why the kernel is a NumPy fallback step ('' when it is native code)."""
        return getattr(self.kernel, "reason", "")

    def __repr__(self) -> str:
        return f"<CompiledKernel {self.name} layers={self.layers} scopes={self.scopes}>"


def compiled_step_kernels(model: Any, role: str) -> list[CompiledKernel]:
    """model.compiled_kernels(role): the kernels of the step that has run, attributed to layers."""
    if role not in ("train", "test", "predict"):
        raise ValueError(f"role must be 'train', 'test' or 'predict', got {role!r}")
    entry = model._fns.get(role)
    if entry is None:
        raise ValueError(f"The {role} step of model {model.name!r} has not been compiled yet; call "
                         f"{'fit' if role == 'train' else 'evaluate' if role == 'test' else 'predict'}() first")
    names = {l.name for l in model._flatten_layers()}
    return [CompiledKernel(k, names) for k in entry[1][0].kernels]
