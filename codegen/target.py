"""What a backend's target can run natively; lowering asks it instead of naming a backend.

Neutral code (codegen/lower/) reads only this object: a backend that lacks a dtype or BLAS gets
fallbacks (or other kernels) for those nodes, with reasons that name the target."""
from __future__ import annotations

from dataclasses import dataclass, field

ALL_NATIVE_DTYPES = frozenset({"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                               "float32", "float64"})


@dataclass(frozen=True)
class Target:
    name: str                                          # in fallback reasons: "no LLVM lowering for X"
    native_dtypes: frozenset = field(default=ALL_NATIVE_DTYPES)
    has_blas: bool = True                              # GemmKernel available (float32/float64)
    vector_bytes: int = 64                             # widest SIMD register (a hint for printers)
    blas_dtypes: frozenset = field(default=frozenset({"float32", "float64"}))

    def unsupported_dtype(self, dtypes) -> str | None:
        for dt in dtypes:
            if dt not in self.native_dtypes:
                return f"dtype {dt} has no native kernels on {self.name}"
        return None
