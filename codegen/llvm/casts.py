"""Float -> integer conversions with NumPy's results on x86-64 for every input.

Why: LLVM's fptosi/fptoui give poison outside the target range, and the saturating intrinsics
saturate; NumPy's casts are the C casts its loops compile to, i.e. the x86 ``cvtt`` truncations,
whose "integer indefinite" result (the minimum signed value) comes out for nan, +-inf and every
out-of-range value.  Measured on NumPy 2.4 (tests/codegen/test_llvm_safety.py checks every
float32/float64 -> bool/int8..int64/uint8..uint64 pair against NumPy):

  int32, int64       cvtt32 / cvtt64 (nan, inf, out of range -> -2^31 / -2^63)
  int8, int16,
  uint8, uint16      the low bits of cvtt32 (nan -> 0, 300.0 -> int8 44, -1.0 -> uint8 255)
  uint32             the low bits of cvtt64 (nan -> 0, -1.0 -> 2^32 - 1, -3e9 -> 1294967296)
  uint64             x >= 2^63 ? cvtt64(x - 2^63) ^ 2^63 : cvtt64(x)
                     (-1.0 -> 2^64 - 1, nan -> 2^63, inf -> 0)
  bool               x != 0 (nan is True), done by the caller

NumPy itself is not consistent for uint32: its contiguous SIMD loop gives
x >= 2^31 ? cvtt32(x - 2^31) ^ 2^31 : cvtt32(x) for whole vectors (nan -> 2^31) while 0-d arrays,
strided arrays and the loop's remainder elements give the low bits of cvtt64.  We follow the
latter (element-wise, layout-independent); the two agree wherever x is in (-2^31, 2^32).

Pure IR (compares, selects, an in-range fptosi): the loop vectoriser widens it.
"""
from __future__ import annotations

from llvmlite import ir

_INT = {8: ir.IntType(8), 16: ir.IntType(16), 32: ir.IntType(32), 64: ir.IntType(64)}
_BITS = {"int8": 8, "int16": 16, "int32": 32, "int64": 64, "uint8": 8, "uint16": 16, "uint32": 32,
         "uint64": 64}


def _cvtt(b: ir.IRBuilder, x: ir.Value, bits: int) -> ir.Value:
    """x86 cvtt into a signed ``bits``-bit integer (32 or 64): truncation toward zero, and the
    minimum value for nan and anything outside [-2^(bits-1), 2^(bits-1))."""
    ity = _INT[bits]
    ty = x.type
    lim = float(2 ** (bits - 1))
    ok = b.and_(b.fcmp_ordered(">=", x, ir.Constant(ty, -lim)), b.fcmp_ordered("<", x, ir.Constant(ty, lim)))
    v = b.fptosi(b.select(ok, x, ir.Constant(ty, 0.0)), ity)
    return b.select(ok, v, ir.Constant(ity, -(1 << (bits - 1))))


def _cvtt_unsigned(b: ir.IRBuilder, x: ir.Value, bits: int) -> ir.Value:
    """What C's (uint64_t) cast compiles to: values from 2^(bits-1) up go through x - 2^(bits-1)."""
    ty = x.type
    half = float(2 ** (bits - 1))
    hi = b.fcmp_ordered(">=", x, ir.Constant(ty, half))
    r = _cvtt(b, b.select(hi, b.fsub(x, ir.Constant(ty, half)), x), bits)
    return b.select(hi, b.xor(r, ir.Constant(_INT[bits], 1 << (bits - 1))), r)


def float_to_int(b: ir.IRBuilder, x: ir.Value, dst: str) -> ir.Value:
    """NumPy's ``x.astype(dst)`` for a float32/float64 register value x and an integer dtype dst
    (not bool), as a register of dst's width."""
    bits = _BITS[dst]
    if dst == "uint64":
        return _cvtt_unsigned(b, x, 64)
    if dst == "uint32":
        return b.trunc(_cvtt(b, x, 64), _INT[32])
    if bits == 64:
        return _cvtt(b, x, 64)
    r = _cvtt(b, x, 32)
    return r if bits == 32 else b.trunc(r, _INT[bits])
