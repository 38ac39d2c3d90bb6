"""Philox-4x32-10 and the uniform / normal transforms of symnet/ops/random.py in LLVM IR.

Element i of a draw uses counter + i (one block per element), exactly the reference definition,
so samples are bit-identical to RandomVariable.perform (normal: up to libm's log/cos rounding).
The loop vectorises: the 32x32->64 multiplies become vpmuludq.
"""
from __future__ import annotations

import math
from typing import Any

from llvmlite import ir

from .scalar import F32, F64, I32, I64, intrinsic, libm

M0, M1 = 0xD2511F53, 0xCD9E8D57
W0, W1 = 0x9E3779B9, 0xBB67AE85


def philox_words(b: ir.IRBuilder, key: ir.Value, counter: ir.Value, flat: ir.Value) -> list:
    c = b.add(counter, flat)
    c0, c1 = b.trunc(c, I32), b.trunc(b.lshr(c, ir.Constant(I64, 32)), I32)
    c2 = c3 = ir.Constant(I32, 0)
    k0, k1 = b.trunc(key, I32), b.trunc(b.lshr(key, ir.Constant(I64, 32)), I32)
    for r in range(10):
        if r:
            k0 = b.add(k0, ir.Constant(I32, W0))
            k1 = b.add(k1, ir.Constant(I32, W1))
        p0 = b.mul(b.zext(c0, I64), ir.Constant(I64, M0))
        p1 = b.mul(b.zext(c2, I64), ir.Constant(I64, M1))
        hi0, lo0 = b.trunc(b.lshr(p0, ir.Constant(I64, 32)), I32), b.trunc(p0, I32)
        hi1, lo1 = b.trunc(b.lshr(p1, ir.Constant(I64, 32)), I32), b.trunc(p1, I32)
        c0, c1, c2, c3 = b.xor(b.xor(hi1, c1), k0), lo1, b.xor(b.xor(hi0, c3), k1), lo0
    return [c0, c1, c2, c3]


def _join64(b: ir.IRBuilder, hi: ir.Value, lo: ir.Value) -> ir.Value:
    return b.or_(b.shl(b.zext(hi, I64), ir.Constant(I64, 32)), b.zext(lo, I64))


def _below(b: ir.IRBuilder, high: ir.Value) -> ir.Value:
    """np.nextafter(high, -inf) for non-nan high."""
    ity = ir.IntType(high.type == F32 and 32 or 64)
    bits = b.bitcast(high, ity)
    zero = ir.Constant(high.type, 0.0)
    stepped = b.select(b.fcmp_ordered(">", high, zero), b.sub(bits, ir.Constant(ity, 1)), b.add(bits, ir.Constant(ity, 1)))
    neg_tiny = ir.Constant(ity, 1 << (ity.width - 1) | 1)
    return b.bitcast(b.select(b.fcmp_ordered("==", high, zero), neg_tiny, stepped), high.type)


def emit_sample(b: ir.IRBuilder, dist: str, dtype: str, vals: list, flat: ir.Value) -> list:
    """vals = [key, counter, *params] (uint64, uint64, params in dtype)."""
    key, counter, *params = vals
    w = philox_words(b, key, counter, flat)
    ft = F32 if dtype == "float32" else F64
    if dist == "uniform":
        low, high = params
        nbits = 24 if dtype == "float32" else 53
        bits = b.lshr(_join64(b, w[0], w[1]), ir.Constant(I64, 64 - nbits))
        u = b.fmul(b.uitofp(bits, F64), ir.Constant(F64, 2.0 ** -nbits))
        u = b.fptrunc(u, ft) if ft == F32 else u
        x = b.fadd(low, b.fmul(b.fsub(high, low), u))
        fix = b.and_(b.fcmp_ordered("<", low, high), b.fcmp_ordered(">=", x, high))
        return [(b.select(fix, _below(b, high), x), dtype)]
    if dist == "normal":
        avg, std = params
        s11 = ir.Constant(I64, 11)
        u1 = b.fmul(b.uitofp(b.add(b.lshr(_join64(b, w[0], w[1]), s11), ir.Constant(I64, 1)), F64),
                    ir.Constant(F64, 2.0 ** -53))
        u2 = b.fmul(b.uitofp(b.lshr(_join64(b, w[2], w[3]), s11), F64), ir.Constant(F64, 2.0 ** -53))
        lg = b.call(libm(b.module, "log", F64), [u1])
        r = b.call(intrinsic(b.module, "llvm.sqrt", F64, [F64]), [b.fmul(ir.Constant(F64, -2.0), lg)])
        cs = b.call(libm(b.module, "cos", F64), [b.fmul(ir.Constant(F64, 2.0 * math.pi), u2)])
        z = b.fmul(r, cs)
        z = b.fptrunc(z, ft) if ft == F32 else z
        return [(b.fadd(avg, b.fmul(std, z)), dtype)]
    raise NotImplementedError(f"random {dist} in codegen/llvm/philox.py")
