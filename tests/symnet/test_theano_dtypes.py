"""Theano's dtype rules where programs see them (issue 8), from Theano's source: the sum of a
bool/int8/int16/int32 tensor is int64 (uint64 for unsigned), the mean of an integer/bool tensor
is float64 (int64 sum / float64 count), integer / integer (TrueDiv of discrete types) is floatX."""
import numpy as np
import pytest

import symnet as sn
import symnet.tensor as T


@pytest.mark.parametrize("floatX", ["float32", "float64"])
def test_tutorial_error_rate_is_float64(floatX):
    with sn.config.change_flags(floatX=floatX):
        y_pred, y = T.lvector("y_pred"), T.ivector("y")
        err = T.mean(T.neq(y_pred, y))
        assert err.dtype == "float64"
        v = sn.function([y_pred, y], err)(np.array([1, 2, 3]), np.array([1, 0, 3], "int32"))
        assert v.dtype == np.float64 and v == pytest.approx(1 / 3)


@pytest.mark.parametrize("dtype,sum_dtype", [("bool", "int64"), ("int8", "int64"), ("int16", "int64"),
                                             ("int32", "int64"), ("int64", "int64"), ("uint8", "uint64"),
                                             ("float32", "float32"), ("float64", "float64")])
def test_reductions(dtype, sum_dtype):
    x = T.vector("x", dtype)
    assert T.sum(x).dtype == sum_dtype and T.prod(x).dtype == sum_dtype
    assert T.mean(x).dtype == (dtype if dtype.startswith("float") else "float64")
    assert T.max(x).dtype == dtype
    assert T.argmax(x).dtype == "int64"
    v = np.array([1, 0, 1], dtype)
    got = sn.function([x], [T.sum(x), T.mean(x), T.var(x)], mode="reference")(v)
    np.testing.assert_allclose(got[0], 2)
    np.testing.assert_allclose(got[1], 2 / 3, rtol=1e-6)
    np.testing.assert_allclose(got[2], np.var(v.astype(float)), rtol=1e-6)


@pytest.mark.parametrize("floatX", ["float32", "float64"])
@pytest.mark.parametrize("dtype", ["bool", "int8", "int32", "int64", "uint8"])
def test_integer_true_division_is_floatX(floatX, dtype):
    with sn.config.change_flags(floatX=floatX):
        x = T.vector("x", dtype)
        for out in (x / x, x / 2, T.true_div(x, T.lscalar())):
            assert out.dtype == floatX
        assert (x / T.dvector()).dtype == "float64"
        assert (T.lvector() // T.lvector()).dtype == "int64"
        v = np.array([2, 1], dtype)
        got = sn.function([x], x / 4, mode="reference")(v)
        assert got.dtype == floatX
        np.testing.assert_allclose(got, v.astype(float) / 4)


def test_theano_argument_order_of_reductions():
    x = T.bvector("x")
    assert T.sum(x, 0, "int32").dtype == "int32"
    assert T.mean(x, None, "float32").dtype == "float32"
    assert T.mean(T.matrix(), 0, None, False, True).ndim == 2       # (axis, dtype, op, keepdims)
