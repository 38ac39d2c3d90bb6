"""2-d GEMM for the NumPy performs of the conv ops through scipy_openblas32, the BLAS the LLVM backend's
generated code calls, so an op that falls back to its perform inside a compiled function uses the
same BLAS thread pool as the native kernels around it instead of NumPy's second OpenBLAS pool (two
pools on two busy cores oversubscribe: measured 470 vs 135 ms per mnist_cnn-on-8x8 step under load).
Falls back to np.matmul where the library or the dtype does not fit."""
from __future__ import annotations

import ctypes
import os
import threading
from typing import Any

import numpy as np

_lock = threading.Lock()
_state: dict[str, Any] = {}

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112


def _lib() -> Any:
    with _lock:
        if "lib" not in _state:
            try:
                import scipy_openblas32
                lib = ctypes.CDLL(os.path.join(scipy_openblas32.get_lib_dir(), "libscipy_openblas.so"))
                for name, ct in (("scipy_cblas_sgemm", ctypes.c_float), ("scipy_cblas_dgemm", ctypes.c_double)):
                    fn = getattr(lib, name)
                    fn.restype = None
                    fn.argtypes = [ctypes.c_int] * 6 + [ct, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p,
                                                        ctypes.c_int, ct, ctypes.c_void_p, ctypes.c_int]
                _state["lib"] = lib
            except (ImportError, OSError, AttributeError):
                _state["lib"] = None
        return _state["lib"]


def _operand(a: np.ndarray) -> tuple[np.ndarray, int, int] | None:
    """(array, trans flag, leading dimension) for a 2-d operand usable without a copy."""
    if a.flags.c_contiguous:
        return a, _NO_TRANS, max(a.shape[1], 1)
    if a.flags.f_contiguous:
        return a, _TRANS, max(a.shape[0], 1)
    return None


def matmul2d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b for 2-d float32/float64 arrays of one dtype."""
    lib = _lib()
    if (lib is None or a.ndim != 2 or b.ndim != 2 or a.dtype != b.dtype or a.dtype not in (np.float32, np.float64)
            or a.shape[1] != b.shape[0] or max(a.shape + b.shape) >= 2 ** 31 or 0 in a.shape + b.shape):
        return np.matmul(a, b)
    oa, ob = _operand(a), _operand(b)
    if oa is None:
        oa = _operand(np.ascontiguousarray(a))
    if ob is None:
        ob = _operand(np.ascontiguousarray(b))
    (a, ta, lda), (b, tb, ldb) = oa, ob
    m, k = a.shape
    n = b.shape[1]
    c = np.empty((m, n), dtype=a.dtype)
    fn = lib.scipy_cblas_sgemm if a.dtype == np.float32 else lib.scipy_cblas_dgemm
    fn(_ROW_MAJOR, ta, tb, m, n, k, 1.0, a.ctypes.data, lda, b.ctypes.data, ldb, 0.0, c.ctypes.data, max(n, 1))
    return c
