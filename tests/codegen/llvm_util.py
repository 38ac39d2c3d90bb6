"""Helpers for the LLVM differential tests: compile one graph with mode='llvm' and
mode='reference' and compare every output (NaN where NaN, inf where inf, values within tol)."""
from __future__ import annotations

import numpy as np

import symnet as sn


def ensure_llvm() -> None:
    from codegen import backends
    if "llvm" not in backends.available():
        backends.register("llvm", "codegen.llvm.backend:LLVMBackend")


def pair(inputs, outputs, **kw):
    ensure_llvm()
    f = sn.function(inputs, outputs, mode="llvm", **kw)
    g = sn.function(inputs, outputs, mode="reference", **kw)
    return f, g


def assert_same(a, b, rtol=None, atol=None, what=""):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} != {b.dtype}"
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    if a.dtype.kind == "f":
        if rtol is None:
            rtol = 2e-5 if a.dtype == np.float32 else 1e-12
        if atol is None:
            atol = 1e-6 if a.dtype == np.float32 else 1e-12
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=f"{what}: nan positions")
        fin = np.isfinite(b)
        np.testing.assert_array_equal(a[~fin & ~np.isnan(b)], b[~fin & ~np.isnan(b)], err_msg=f"{what}: infs")
        np.testing.assert_allclose(a[fin], b[fin], rtol=rtol, atol=atol, err_msg=what)
    else:
        np.testing.assert_array_equal(a, b, err_msg=what)


def check(f, g, *args, rtol=None, atol=None):
    out_f = f(*args)
    out_g = g(*args)
    if not isinstance(out_f, list):
        out_f, out_g = [out_f], [out_g]
    for i, (a, b) in enumerate(zip(out_f, out_g)):
        assert_same(a, b, rtol, atol, what=f"output {i}")
    return out_f
