"""Run-time errors raised from inside loop kernels.

Why: a value-dependent error (NumPy's "Integers to negative integer powers are not allowed.") is
only known while a kernel runs.  The kernel stores an error code into the module's global
``symnet_status`` (only when the error happens, so threads never lose each other's code); the
driver reads it after each native segment, resets it and raises the error NumPy would have raised.

The word is one per compiled function, not per call: two Python threads calling the same compiled
function at once may see each other's error (never a lost one on the thread that caused it unless
the other thread resets it first); the gather kernels' per-plan status does not have that limit.
"""
from __future__ import annotations

import ctypes
from typing import Any

from llvmlite import ir

GLOBAL = "symnet_status"

# code -> (exception type, message); codes are small positive integers
ERRORS: dict[int, tuple[type, str]] = {
    1: (ValueError, "Integers to negative integer powers are not allowed."),
}
NEGATIVE_INT_POWER = 1


def _word(module: ir.Module) -> ir.GlobalVariable:
    g = module.globals.get(GLOBAL)
    if g is None:
        g = ir.GlobalVariable(module, ir.IntType(64), GLOBAL)
        g.initializer = ir.Constant(ir.IntType(64), 0)
    return g


def flag_if(b: ir.IRBuilder, cond: ir.Value, code: int) -> None:
    """Emit: if cond, store code into the status word (the builder continues after the if)."""
    assert code in ERRORS
    word = _word(b.module)
    with b.if_then(cond, likely=False):
        b.store(ir.Constant(ir.IntType(64), code), word)


def status_word(compiled: Any) -> ctypes.c_int64 | None:
    """The status word of a jit.Compiled module, or None when no kernel can set it."""
    if GLOBAL not in compiled.ir_text:
        return None
    addr = compiled.engine.get_global_value_address(GLOBAL)
    return ctypes.c_int64.from_address(addr) if addr else None


def check(word: ctypes.c_int64 | None) -> None:
    """Raise the error a kernel reported (and clear it)."""
    if word is not None and word.value:
        code, word.value = int(word.value), 0
        exc, msg = ERRORS.get(code, (RuntimeError, f"kernel error code {code}"))
        raise exc(msg)
