"""Scalar programs (symnet.scalar Composites) for kernel bodies, and a small builder for the
special kernels (softmax, crossentropy) that lowering writes itself."""
from __future__ import annotations

import importlib
from typing import Any

# The scalar expression language (symnet/scalar.py) is the IR of kernel bodies, shared by the
# front end and every backend: codegen reads it, it never imports the rest of symnet's graph code.
S = importlib.import_module("symnet.scalar")  # the module: the attribute symnet.scalar is sn.scalar()


def as_composite(scalar_op: Any, in_dtypes: list[str]) -> Any:
    """A Composite for any scalar op (a plain op becomes a one-step program)."""
    if isinstance(scalar_op, S.Composite):
        return scalar_op
    outs = scalar_op.output_dtypes(*in_dtypes)
    n = len(in_dtypes)
    return S.Composite(in_dtypes, [(scalar_op, tuple(range(n)), outs[0])], [n])

def identity_composite(in_dtype: str, out_dtype: str) -> Any:
    if in_dtype == out_dtype:
        return S.Composite([in_dtype], [(S.identity, (0,), in_dtype)], [1])
    return S.Composite([in_dtype], [(S.CastOp(out_dtype), (0,), out_dtype)], [1])

class ProgramBuilder:
    """Tiny helper to write scalar programs for special kernels (softmax, crossentropy)."""

    def __init__(self, in_dtypes: list[str]) -> None:
        self.in_dtypes = list(in_dtypes)
        self.steps: list = []

    def dtype(self, s: int) -> str:
        return self.in_dtypes[s] if s < len(self.in_dtypes) else self.steps[s - len(self.in_dtypes)][2]

    def op(self, op: Any, *args: int, dtype: str | None = None) -> int:
        dt = dtype or op.output_dtype(*[self.dtype(a) for a in args])
        self.steps.append((op, tuple(args), dt))
        return len(self.in_dtypes) + len(self.steps) - 1

    def const(self, v: Any, dtype: str) -> int:
        self.steps.append((S.Const(v, dtype), (), dtype))
        return len(self.in_dtypes) + len(self.steps) - 1

    def cast(self, s: int, dtype: str) -> int:
        return s if self.dtype(s) == dtype else self.op(S.CastOp(dtype), s, dtype=dtype)

    def finish(self, outs: list[int]) -> Any:
        return S.Composite(self.in_dtypes, self.steps, outs)
