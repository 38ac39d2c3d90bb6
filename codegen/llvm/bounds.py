"""The bounds-checking build (flag ``llvm__check_bounds=1``): every memory access of generated code
is checked against the extent of the allocation it addresses.

With the flag, the runner's base-pointer array grows: after the nb pointers come nb pairs
(lo, hi) of byte offsets relative to each pointer that bound its allocation (negative strides
give lo < 0), then a status word and the offending base index. A kernel computes each address,
and if it falls outside [pointer + lo, pointer + hi) it records the base and accesses a sink
instead, so nothing outside a buffer is read or written; the runner raises IndexError after the
call. Loop kernels then use only their general strided path (no vector code): this build is for
tests (tests/codegen with SYMNET_CHECK_BOUNDS=1), not for speed.
"""
from __future__ import annotations

from llvmlite import ir

from .scalar import I8, I64

I8P = I8.as_pointer()
SINK_BYTES = 64


def enabled() -> bool:
    from symnet.config import config
    return bool(config.llvm.check_bounds)


def declare(module: ir.Module, nbases: int) -> None:
    """The module-level facts the checks read: the number of bases, and a sink to access instead."""
    g = ir.GlobalVariable(module, I64, "symnet_nbases")
    g.linkage = "internal"
    g.global_constant = True
    g.initializer = ir.Constant(I64, nbases)
    sink = ir.GlobalVariable(module, ir.ArrayType(I8, SINK_BYTES), "symnet_bounds_sink")
    sink.linkage = "internal"
    sink.initializer = ir.Constant(ir.ArrayType(I8, SINK_BYTES), None)


def _word(b: ir.IRBuilder, bases: ir.Value, index: ir.Value) -> ir.Value:
    return b.ptrtoint(b.load(b.gep(bases, [index])), I64)


def guard(b: ir.IRBuilder, bases: ir.Value, addr: ir.Value, base_index, nbytes: int) -> ir.Value:
    """`addr` (i8*) if [addr, addr + nbytes) lies in base `base_index`'s allocation, else the sink
    (and the violation is recorded)."""
    module = b.module
    nb = b.load(module.globals["symnet_nbases"])
    idx = ir.Constant(I64, base_index) if isinstance(base_index, int) else base_index
    ext = b.add(nb, b.mul(idx, ir.Constant(I64, 2)))
    lo, hi = _word(b, bases, ext), _word(b, bases, b.add(ext, ir.Constant(I64, 1)))
    rel = b.sub(b.ptrtoint(addr, I64), _word(b, bases, idx))
    ok = b.and_(b.icmp_signed(">=", rel, lo), b.icmp_signed("<=", b.add(rel, ir.Constant(I64, nbytes)), hi))
    with b.if_then(b.not_(ok), likely=False):
        status = b.add(nb, b.mul(nb, ir.Constant(I64, 2)))
        b.store(b.inttoptr(ir.Constant(I64, 1), I8P), b.gep(bases, [status]))
        b.store(b.inttoptr(idx, I8P), b.gep(bases, [b.add(status, ir.Constant(I64, 1))]))
    sink = b.bitcast(module.globals["symnet_bounds_sink"], I8P)
    return b.select(ok, addr, sink)


def guard_typed(b: ir.IRBuilder, bases: ir.Value, ptr: ir.Value, base_index, nbytes: int) -> ir.Value:
    """guard() for a typed pointer; returns a pointer of the same type."""
    return b.bitcast(guard(b, bases, b.bitcast(ptr, I8P), base_index, nbytes), ptr.type)


def extent(shape: tuple, strides: tuple, itemsize: int) -> tuple:
    """(lo, hi) byte offsets relative to element 0 that bound a strided array's memory."""
    if any(d == 0 for d in shape):
        return 0, 0
    lo = sum((d - 1) * s for d, s in zip(shape, strides) if s < 0)
    hi = sum((d - 1) * s for d, s in zip(shape, strides) if s > 0) + itemsize
    return lo, hi
