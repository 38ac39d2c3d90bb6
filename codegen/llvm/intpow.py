"""Integer ``x ** y`` with NumPy's semantics, as straight-line LLVM IR.

NumPy (npy_ipow): exponentiation by squaring in the result type, so overflow wraps modulo 2^bits;
negative bases as in exact arithmetic (then wrapped); 0 ** 0 == 1; a negative exponent is an error
("Integers to negative integer powers are not allowed.", raised through codegen/llvm/status.py).
One squaring step per exponent bit (8 to 64), selects only: no data-dependent branch.
"""
from __future__ import annotations

from llvmlite import ir

from . import status


def int_pow(b: ir.IRBuilder, x: ir.Value, y: ir.Value, unsigned: bool) -> ir.Value:
    ty = x.type
    zero, one = ir.Constant(ty, 0), ir.Constant(ty, 1)
    if not unsigned:
        status.flag_if(b, b.icmp_signed("<", y, zero), status.NEGATIVE_INT_POWER)
    acc, base, e = one, x, y
    for _ in range(ty.width):
        bit = b.icmp_unsigned("!=", b.and_(e, one), zero)
        acc = b.select(bit, b.mul(acc, base), acc)
        base = b.mul(base, base)
        e = b.lshr(e, one)
    return acc
