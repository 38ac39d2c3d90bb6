"""host_blas.matmul2d (scipy_openblas32 through ctypes) equals np.matmul for every operand layout."""
import numpy as np
import pytest

from symnet.ops.host_blas import matmul2d


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 5, 2), (17, 1, 9), (64, 33, 130), (0, 3, 4), (2, 0, 3)])
def test_matches_numpy(dtype, shape):
    m, k, n = shape
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((k, n)).astype(dtype)
    tol = 1e-5 if dtype == "float32" else 1e-12
    for x in (a, np.asfortranarray(a), np.ascontiguousarray(a.T).T):
        for y in (b, np.asfortranarray(b), b[:, ::-1][:, ::-1]):
            np.testing.assert_allclose(matmul2d(x, y), x @ y, rtol=tol, atol=tol)
    strided = rng.standard_normal((m, 2 * k)).astype(dtype)[:, ::2]     # neither C- nor F-contiguous
    np.testing.assert_allclose(matmul2d(strided, b), strided @ b, rtol=tol, atol=tol)


def test_mixed_dtypes_fall_back():
    a, b = np.ones((2, 3), "float32"), np.ones((3, 2), "float64")
    out = matmul2d(a, b)
    assert out.dtype == np.float64 and np.all(out == 3)
