"""TensorType and variables: static shapes, broadcasting and promotion rules, filter (the run-time
checks), constants and shared variables, name scopes and provenance on nodes."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

import symnet as sn
from symnet.types import TensorType, broadcast_shapes, normalize_axes, upcast, upgrade_to_float


def test_constructors_and_static_shapes():
    assert sn.scalar("s").type == TensorType("float32", ())
    assert sn.vector("v").type.shape == (None,)
    assert sn.matrix("m", dtype="int32").type == TensorType("int32", (None, None))
    assert sn.tensor3().ndim == 3 and sn.tensor4().ndim == 4
    t = sn.tensor(shape=(None, 784), name="x")
    assert t.type.shape == (None, 784) and t.static_shape == (None, 784) and t.name == "x"
    assert t.broadcastable == (False, False)
    assert sn.tensor((1, None)).broadcastable == (True, False)
    assert str(t.type) == "float32[?, 784]"
    with pytest.raises(TypeError, match="unsupported dtype"):
        sn.tensor((2,), dtype="complex64")
    with pytest.raises(ValueError, match="negative"):
        sn.tensor((-1,))
    with pytest.raises(TypeError, match="shape"):
        sn.tensor()


@settings(max_examples=30, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=4, min_side=0, max_side=4))
def test_static_broadcast_matches_numpy(shapes):
    ins, out = shapes
    assert broadcast_shapes(*ins) == out
    # unknown dims: the result is unknown exactly where no input has a known size other than 1
    masked = [tuple(None if d != 1 else 1 for d in s) for s in ins]
    res = broadcast_shapes(*masked)
    assert len(res) == len(out)
    assert all(r is None or r == 1 for r in res)


def test_broadcast_mismatch_message():
    with pytest.raises(ValueError) as e:
        broadcast_shapes((None, 3), (4,), context="adding")
    assert "(None, 3)" in str(e.value) and "(4,)" in str(e.value) and "adding" in str(e.value)


def test_promotion_rules():
    assert upcast("float32", "int64") == "float64"
    assert upcast("float32", "int8") == "float32"
    assert upcast("int8", "uint8") == "int16"
    assert upgrade_to_float("int8") == "float32" and upgrade_to_float("int64") == "float64"
    assert upgrade_to_float("float16") == "float16"
    assert normalize_axes(None, 3) == (0, 1, 2)
    assert normalize_axes((-1, 0), 3) == (0, 2)
    with pytest.raises(ValueError):
        normalize_axes(3, 3)


def test_filter_checks_and_converts():
    t = TensorType("float32", (None, 3))
    out = t.filter([[1, 2, 3]], name="x")
    assert out.dtype == np.float32 and out.shape == (1, 3)
    with pytest.raises(TypeError, match="x"):
        t.filter(np.ones((1, 3)), name="x")
    assert t.filter(np.ones((1, 3)), name="x", allow_downcast=True).dtype == np.float32
    with pytest.raises(ValueError, match="dim 1 is 4"):
        t.filter(np.ones((1, 4), "float32"), name="x")
    ti = TensorType("int8", (None,))
    with pytest.raises(TypeError):
        ti.filter([1000])                              # does not fit: not silently wrapped
    np.testing.assert_array_equal(ti.filter([1, -2]), [1, -2])


def test_constants():
    c = sn.constant(np.arange(3, dtype="int32"))
    assert c.dtype == "int32" and c.type.shape == (3,)
    with pytest.raises(ValueError):
        c.data[0] = 5                                  # constants are read-only
    assert sn.constant(2.5).dtype == "float32"
    assert sn.constant(2.5, dtype="float64").dtype == "float64"
    assert sn.constant(True).dtype == "bool"
    with pytest.raises(TypeError):
        sn.constant(sn.vector())
    with pytest.raises(TypeError):
        sn.constant(object())


def test_shared_variables():
    s = sn.shared(np.ones((2, 3), "float64"), name="w")
    assert s.dtype == "float64" and s.type.shape == (None, None)
    assert sn.shared([1.0, 2.0]).dtype == "float32"                 # Python floats take floatX
    assert sn.shared(np.zeros(3), shape=(3,)).type.shape == (3,)
    assert sn.shared(np.zeros((1, 3)), broadcastable=(True, False)).type.shape == (1, None)
    arr = np.zeros(3, "float32")
    b = sn.shared(arr, borrow=True)
    assert b.get_value(borrow=True) is arr
    c = sn.shared(arr)
    assert c.get_value(borrow=True) is not arr
    with pytest.raises(ValueError, match="'fixed'"):
        sn.shared(np.zeros(3), shape=(3,), name="fixed").set_value(np.zeros(4))


def test_variable_protocol():
    x = sn.vector("x")
    with pytest.raises(TypeError, match="truth value"):
        bool(x > 0)
    with pytest.raises(TypeError, match="iterate"):
        iter(x)
    assert (x == x) is True and (x != sn.vector()) is True   # identity, as in Theano
    assert {x: 1}[x] == 1
    with pytest.raises(NotImplementedError):
        x.nonzero()
    assert x.copy(name="y").name == "y"


def test_name_scope_and_source_line_on_nodes():
    x = sn.matrix("x")
    with sn.name_scope("model"):
        with sn.name_scope("dense_1"):
            y = x * 2.0
        z = y + 1.0
    w = z - 1.0
    assert y.owner.tag["scope"] == "model/dense_1"
    assert z.owner.tag["scope"] == "model"
    assert w.owner.tag["scope"] == ""
    assert y.owner.tag["trace"].startswith(__file__) and ":" in y.owner.tag["trace"]


def test_errors_point_at_the_users_line():
    x = sn.matrix("x")
    W = sn.matrix("W")
    f = sn.function([x, W], x @ W, mode="reference")
    with pytest.raises(ValueError) as e:
        f(np.ones((2, 3), "float32"), np.ones((4, 2), "float32"))
    assert __file__ in str(e.value)
