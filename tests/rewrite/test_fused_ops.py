"""The fused ops the rewrites create, checked against NumPy and finite differences."""
import numpy as np
import pytest

import symnet as sn
import importlib
S = importlib.import_module("symnet.scalar")  # sn.scalar is the constructor; this is the module
from symnet.ops.fused import FusedReduce, Gemm, SoftmaxCrossentropyWithLogits


def run(inputs, outputs, *vals):
    with sn.config.change_flags(optimizer=None):
        return sn.function(inputs, outputs, mode="reference")(*vals)


def exp_sub_program(dtype="float64"):
    # exp(i0 - i1)
    return S.Composite([dtype, dtype], [(S.sub, (0, 1), dtype), (S.exp, (2,), dtype)], [3])


@pytest.mark.parametrize("kind", ["sum", "prod", "max", "min"])
def test_fused_reduce_matches_numpy(kind):
    rng = np.random.default_rng(0)
    x = sn.matrix("x", "float64")
    m = sn.tensor((None, 1), "float64", name="m")
    op = FusedReduce(kind, (1,), exp_sub_program())
    out = op(x, m)
    assert out.type.shape == (None,)
    xv, mv = rng.normal(size=(4, 5)), rng.normal(size=(4, 1))
    ref = getattr(np, kind)(np.exp(xv - mv), axis=1)
    np.testing.assert_allclose(run([x, m], out, xv, mv), ref, rtol=1e-12)


def test_fused_reduce_all_axes_and_int_accumulator():
    x = sn.tensor((None, None), "int32", name="x")
    prog = S.Composite(["int32"], [(S.sqr, (0,), "int32")], [1])
    out = FusedReduce("sum", (0, 1), prog)(x)
    assert out.dtype == "int64" and out.ndim == 0
    xv = np.arange(12, dtype="int32").reshape(3, 4)
    assert int(run([x], out, xv)) == int((xv.astype(np.int64) ** 2).sum())


def test_fused_reduce_grad():
    op = FusedReduce("sum", (1,), exp_sub_program())
    rng = np.random.default_rng(1)
    sn.verify_grad(lambda x, m: op(x, m), [rng.normal(size=(3, 4)), rng.normal(size=(3, 1))])
    opm = FusedReduce("max", (0,), exp_sub_program())
    sn.verify_grad(lambda x, m: opm(x, m), [rng.normal(size=(3, 4)), rng.normal(size=(3, 1))])


@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("cshape", [(5,), (1, 5), (3, 5)])
def test_gemm_matches_numpy(ta, tb, cshape):
    rng = np.random.default_rng(2)
    A = rng.normal(size=(4, 3) if ta else (3, 4)).astype("float32")
    B = rng.normal(size=(5, 4) if tb else (4, 5)).astype("float32")
    C = rng.normal(size=cshape).astype("float32")
    a, b = sn.matrix("a", "float32"), sn.matrix("b", "float32")
    c = sn.tensor((None,) * len(cshape) if cshape[0] != 1 else (1, None), "float32", name="c")
    out = Gemm(ta, tb)(a, b, c, np.float32(0.5), np.float32(2.0))
    assert out.dtype == "float32" and out.ndim == 2
    ref = 0.5 * (A.T if ta else A) @ (B.T if tb else B) + 2.0 * C
    np.testing.assert_allclose(run([a, b, c], out, A, B, C), ref, rtol=1e-5, atol=1e-5)


def test_gemm_beta_zero_ignores_c():
    a, b, c = sn.matrix("a", "float64"), sn.matrix("b", "float64"), sn.matrix("c", "float64")
    out = Gemm()(a, b, c, 1.0, 0.0)
    A, B = np.ones((2, 3)), np.ones((3, 2))
    np.testing.assert_array_equal(run([a, b, c], out, A, B, np.full((2, 2), np.nan)), A @ B)


def test_gemm_shape_errors():
    with pytest.raises(ValueError, match="inner dimensions"):
        Gemm()(sn.tensor((2, 3)), sn.tensor((4, 5)), sn.tensor((5,)), 1.0, 1.0)
    with pytest.raises(TypeError, match="matrices"):
        Gemm()(sn.tensor((3,)), sn.tensor((3, 5)), sn.tensor((5,)), 1.0, 1.0)


@pytest.mark.parametrize("ta,tb", [(False, False), (True, True)])
def test_gemm_grad(ta, tb):
    rng = np.random.default_rng(3)
    A = rng.normal(size=(4, 3) if ta else (3, 4))
    B = rng.normal(size=(5, 4) if tb else (4, 5))
    sn.verify_grad(lambda a, b, c, al, be: Gemm(ta, tb)(a, b, c, al, be),
                   [A, B, rng.normal(size=(5,)), np.asarray(0.7), np.asarray(1.3)])


def _np_xent(x, t, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    lsm = x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))
    return -(t * lsm).sum(axis=axis)


def test_xent_dense_matches_numpy_and_is_stable():
    rng = np.random.default_rng(4)
    x = sn.matrix("x", "float32")
    t = sn.matrix("t", "float32")
    out = SoftmaxCrossentropyWithLogits(-1, False)(x, t)
    xv = (rng.normal(size=(6, 5)) * 1000).astype("float32")
    tv = np.eye(5, dtype="float32")[rng.integers(0, 5, size=6)]
    got = run([x, t], out, xv, tv)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, _np_xent(xv.astype(np.float64), tv), rtol=1e-5)
    g = sn.grad(sn.sum(out), x)
    gv = run([x, t], g, xv, tv)
    sm = np.exp(xv - xv.max(1, keepdims=True)); sm /= sm.sum(1, keepdims=True)
    np.testing.assert_allclose(gv, sm - tv, atol=1e-6)


def test_xent_sparse_matches_dense():
    rng = np.random.default_rng(5)
    x = sn.matrix("x", "float64")
    i = sn.vector("i", "int64")
    out = SoftmaxCrossentropyWithLogits(1, True)(x, i)
    xv, iv = rng.normal(size=(4, 3)), np.array([0, 2, 1, 2])
    np.testing.assert_allclose(run([x, i], out, xv, iv), _np_xent(xv, np.eye(3)[iv]), rtol=1e-12)
    with pytest.raises(IndexError):
        run([x, i], out, xv, np.array([0, 3, 1, 2]))


def test_xent_grad():
    rng = np.random.default_rng(6)
    t = rng.uniform(0, 1, size=(3, 4))
    sn.verify_grad(lambda x, t: SoftmaxCrossentropyWithLogits(-1, False)(x, t), [rng.normal(size=(3, 4)), t])
    idx = sn.constant(np.array([1, 0, 3]))
    sn.verify_grad(lambda x: SoftmaxCrossentropyWithLogits(-1, True)(x, idx), [rng.normal(size=(3, 4))])
    sn.verify_grad(lambda x, t: SoftmaxCrossentropyWithLogits(0, False)(x, t), [rng.normal(size=(4, 3)), t.T])
