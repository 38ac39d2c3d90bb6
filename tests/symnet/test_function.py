"""sn.function: argument checking (count, ndim, unsafe dtype casts, known dims) with messages that
name the input; updates (simultaneous, after the outputs); givens; default_update; repeatability;
no aliasing of inputs or shared values; no memory growth; kwargs; on_unused_input."""
from __future__ import annotations

import gc
import tracemalloc
import warnings

import numpy as np
import pytest

import symnet as sn


def F(inputs, outputs=None, **kw):
    return sn.function(inputs, outputs, mode="reference", **kw)


# --------------------------------------------------------------------------------------------
# Argument checking
# --------------------------------------------------------------------------------------------
def test_wrong_number_of_arguments_names_the_inputs():
    x, y = sn.vector("x"), sn.vector("y")
    f = F([x, y], x + y)
    with pytest.raises(TypeError) as e:
        f(np.ones(2, "float32"))
    assert "2 arguments" in str(e.value) and "'x'" in str(e.value) and "'y'" in str(e.value)
    with pytest.raises(TypeError, match="got 3"):
        f(np.ones(2, "float32"), np.ones(2, "float32"), np.ones(2, "float32"))


def test_wrong_ndim_names_the_input():
    x = sn.matrix("images")
    f = F([x], x * 2.0)
    with pytest.raises(ValueError) as e:
        f(np.ones(3, "float32"))
    assert "'images'" in str(e.value) and "2 dimensions" in str(e.value) and "(3,)" in str(e.value)


def test_unsafe_dtype_cast_is_a_type_error_unless_allowed():
    x = sn.vector("x", dtype="float32")
    f = F([x], x * 2.0)
    with pytest.raises(TypeError) as e:
        f(np.ones(3, dtype="float64"))
    msg = str(e.value)
    assert "'x'" in msg and "float64" in msg and "float32" in msg
    # Python floats and lists of them are accepted (Theano does the same)
    np.testing.assert_array_equal(f([1.5, 2.0, 3.0]), [3.0, 4.0, 6.0])
    assert f([1.5]).dtype == np.float32
    # safe casts are silent
    np.testing.assert_array_equal(f(np.array([1, 2], dtype="int8")), [2.0, 4.0])
    # allow_input_downcast=True accepts float64 arrays
    g = F([x], x * 2.0, allow_input_downcast=True)
    out = g(np.array([0.5, 1.0]))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [1.0, 2.0])
    # floats into an int input are never silently truncated
    i = sn.vector("i", dtype="int32")
    h = F([i], i + 1)
    with pytest.raises(TypeError, match="'i'"):
        h([1.5, 2.0])
    with pytest.raises(TypeError, match="'i'"):
        h(np.array([1, 2], dtype="int64"))
    np.testing.assert_array_equal(h([1, 2]), [2, 3])


def test_python_scalar_into_scalar_input():
    s = sn.scalar("s")
    f = F([s], s * 2.0)
    out = f(1.25)
    assert out.dtype == np.float32 and out.shape == () and out == 2.5
    with pytest.raises(ValueError, match="'s'"):
        f([1.0, 2.0])


def test_shape_contradicting_a_known_dim_names_the_input():
    x = sn.tensor((None, 784), name="pixels")
    f = F([x], x.sum())
    f(np.zeros((2, 784), "float32"))
    with pytest.raises(ValueError) as e:
        f(np.zeros((2, 783), "float32"))
    msg = str(e.value)
    assert "'pixels'" in msg and "(None, 784)" in msg and "(2, 783)" in msg


def test_errors_with_unnamed_inputs_give_position():
    x = sn.matrix()
    f = F([x], x + 1.0)
    with pytest.raises(ValueError, match="input 0"):
        f(np.ones(3, "float32"))


# --------------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------------
def test_single_output_list_output_and_no_output():
    x = sn.vector("x")
    v = np.ones(2, "float32")
    assert isinstance(F([x], x * 2.0)(v), np.ndarray)
    outs = F([x], [x * 2.0])(v)
    assert isinstance(outs, list) and len(outs) == 1
    outs = F([x], (x * 2.0, x + 1.0))(v)
    assert isinstance(outs, list) and len(outs) == 2
    W = sn.shared(np.zeros(2, "float32"), name="W")
    g = F([x], None, updates=[(W, W + x)])
    assert g(v) == []
    np.testing.assert_array_equal(W.get_value(), v)


def test_calling_twice_gives_the_same_result():
    x = sn.matrix("x")
    W = sn.shared(np.random.default_rng(0).standard_normal((3, 2)).astype("float32"), name="W")
    f = F([x], [sn.tanh(x @ W), sn.softmax(x @ W)])
    v = np.random.default_rng(1).standard_normal((4, 3)).astype("float32")
    a1, b1 = f(v)
    a2, b2 = f(v)
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(b1, b2)
    a1[...] = 7.0                                   # mutating an output does not affect the next call
    np.testing.assert_array_equal(f(v)[0], a2)


def test_outputs_never_alias_inputs_or_shared_values():
    x = sn.matrix("x")
    W = sn.shared(np.arange(6, dtype="float32").reshape(2, 3), name="W")
    c = sn.constant(np.ones((2, 3), "float32"))
    f = F([x], [x, W, x.T, W[0], sn.reshape(x, (-1,)), c, sn.identity(x)])
    v = np.arange(6, dtype="float32").reshape(2, 3)
    outs = f(v)
    for o in outs:
        assert not np.shares_memory(o, v)
        assert not np.shares_memory(o, W.get_value(borrow=True))
        assert not np.shares_memory(o, c.data)
        o[...] = -5                                  # writable and independent
    np.testing.assert_array_equal(v, np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(W.get_value(), np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(f(v)[5], np.ones((2, 3)))


def test_input_arrays_are_not_modified():
    x = sn.vector("x")
    i = sn.vector("i", dtype="int64")
    v = np.array([1.0, 2.0, 3.0], "float32")
    f = F([x, i], [sn.inc_subtensor(x[i], 1.0), sn.set_subtensor(x[1:], 0.0), x * 2.0])
    f(v, np.array([0, 0]))
    np.testing.assert_array_equal(v, [1.0, 2.0, 3.0])


def test_repeated_calls_do_not_grow_memory():
    x = sn.matrix("x")
    W = sn.shared(np.zeros((20, 10), "float32"), name="W")
    cost = sn.mean(sn.sum(sn.softmax(sn.tanh(x @ W)), axis=1))
    f = F([x], cost, updates=[(W, W - 0.01 * sn.grad(cost, W))])
    v = np.random.default_rng(0).standard_normal((16, 20)).astype("float32")
    for _ in range(20):
        f(v)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(200):
            f(v)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert grown < 64 * 1024, f"memory grew by {grown} bytes over 200 calls"


def test_kwargs_by_input_name():
    x, y = sn.scalar("x"), sn.scalar("y")
    f = F([x, y], x - y)
    assert f(y=1.0, x=3.0) == 2.0
    assert f(3.0, y=1.0) == 2.0
    with pytest.raises(TypeError, match="'z'"):
        f(x=1.0, z=2.0)
    with pytest.raises(TypeError, match="two values"):
        f(1.0, x=2.0)
    with pytest.raises(TypeError, match="missing"):
        f(x=1.0)


def test_on_unused_input():
    x, y = sn.vector("x"), sn.vector("unused")
    with pytest.raises(sn.UnusedInputError, match="'unused'"):
        F([x, y], x * 2.0)
    with pytest.warns(UserWarning, match="'unused'"):
        f = F([x, y], x * 2.0, on_unused_input="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = F([x, y], x * 2.0, on_unused_input="ignore")
    np.testing.assert_array_equal(f(np.ones(2, "float32"), np.ones(5, "float32")), [2.0, 2.0])
    with sn.config.change_flags(on_unused_input="ignore"):
        F([x, y], x * 2.0)


def test_missing_input_is_an_error_naming_it():
    x, y = sn.vector("x"), sn.vector("y")
    with pytest.raises(sn.MissingInputError, match="'y'"):
        F([x], x + y)


def test_bad_inputs_at_compile_time():
    x = sn.vector("x")
    with pytest.raises(TypeError, match="computed"):
        F([x * 2.0], x)
    with pytest.raises(TypeError, match="shared"):
        F([sn.shared(np.zeros(2), name="s")], x, on_unused_input="ignore")
    with pytest.raises(ValueError, match="twice"):
        F([x, x], x)
    with pytest.raises(ValueError, match="unknown mode"):
        sn.function([x], x, mode="nonsense")


# --------------------------------------------------------------------------------------------
# Updates, givens, default updates
# --------------------------------------------------------------------------------------------
def test_updates_are_applied_after_outputs_and_simultaneously():
    a = sn.shared(np.float64(1.0), name="a")
    b = sn.shared(np.float64(2.0), name="b")
    f = F([], [a, b, a + b], updates=[(a, b), (b, a)])          # swap
    out = f()
    np.testing.assert_array_equal(out, [1.0, 2.0, 3.0])          # outputs see the old values
    assert a.get_value() == 2.0 and b.get_value() == 1.0
    f()
    assert a.get_value() == 1.0 and b.get_value() == 2.0
    assert a.get_value().shape == () and a.get_value().dtype == np.float64


def test_update_by_dict_and_sgd_step():
    W = sn.shared(np.ones((2, 2), "float32"), name="W")
    x = sn.matrix("x")
    cost = sn.sum((x @ W) ** 2)
    g = sn.grad(cost, W)
    f = F([x], cost, updates={W: W - 0.1 * g})
    v = np.eye(2, dtype="float32")
    c0 = f(v)
    np.testing.assert_allclose(W.get_value(), np.ones((2, 2)) - 0.1 * 2 * np.ones((2, 2)), rtol=1e-6)
    assert W.get_value().dtype == np.float32
    assert f(v) < c0


def test_update_errors():
    W = sn.shared(np.ones((2, 2), "float32"), name="W")
    x = sn.matrix("x")
    with pytest.raises(TypeError, match="'W'.*float64"):
        F([x], None, updates=[(W, sn.cast(x, "float64"))])
    with pytest.raises(TypeError, match="not a shared variable"):
        F([x], None, updates=[(x, x + 1.0)])
    with pytest.raises(ValueError, match="twice"):
        F([x], None, updates=[(W, W + x), (W, W - x)])
    with pytest.raises(TypeError, match="dims"):
        F([x], None, updates=[(W, sn.sum(x))])


def test_givens():
    x = sn.vector("x")
    y = sn.vector("y")
    z = sn.scalar("z")
    out = sn.sum(x * 2.0)
    f = F([y], out, givens={x: y + 1.0})
    assert f(np.array([1.0, 2.0], "float32")) == 10.0
    # replace a variable by a shared variable's slice (Theano's minibatch idiom)
    data = sn.shared(np.arange(10, dtype="float32"), name="data")
    i = sn.scalar("i", dtype="int64")
    g = F([i], out, givens=[(x, data[i * 2:(i + 1) * 2])])
    assert g(1) == (2 + 3) * 2
    with pytest.raises(TypeError, match="types differ"):
        F([z], out, givens={x: z})


def test_default_update():
    counter = sn.shared(np.int64(0), name="counter")
    counter.default_update = counter + 1
    x = sn.scalar("x")
    f = F([x], x * sn.cast(counter, "float32"))
    assert f(2.0) == 0.0
    assert f(2.0) == 2.0
    assert counter.get_value() == 2
    g = F([x], x * sn.cast(counter, "float32"), no_default_updates=True)
    g(1.0)
    assert counter.get_value() == 2
    h = F([x], x * sn.cast(counter, "float32"), updates=[(counter, counter + 10)])   # explicit wins
    h(1.0)
    assert counter.get_value() == 12


def test_shared_variable_set_value_between_calls():
    W = sn.shared(np.ones(3, "float32"), name="W")
    f = F([], W * 2.0)
    np.testing.assert_array_equal(f(), [2, 2, 2])
    W.set_value(np.array([1.0, 2.0, 3.0, 4.0], "float32"))       # shape unknown statically: may change
    np.testing.assert_array_equal(f(), [2, 4, 6, 8])
    with pytest.raises(TypeError, match="'W'"):
        W.set_value(np.ones(3, "float64"))
    with pytest.raises(ValueError, match="'W'"):
        W.set_value(np.ones((3, 1), "float32"))
    v = W.get_value()
    v[0] = 100
    assert W.get_value()[0] == 1.0                                # get_value copies by default


def test_eval_convenience():
    x = sn.vector("x")
    np.testing.assert_array_equal((x * 2.0).eval({x: np.array([1.0, 2.0], "float32")}), [2.0, 4.0])
    assert sn.constant(3.0).eval() == 3.0


def test_outputs_and_updates_never_alias_each_other():
    x = sn.vector("x")
    y = x * 2.0
    a, b = F([x], [y, y])(np.ones(2, "float32"))
    assert not np.shares_memory(a, b)
    W = sn.shared(np.ones(2, "float32"), name="W")
    new_W = W * 3.0
    out = F([], new_W, updates=[(W, new_W)])()
    assert not np.shares_memory(out, W.get_value(borrow=True))
    out[0] = 100.0                                       # the caller's array is theirs alone
    np.testing.assert_array_equal(W.get_value(), [3.0, 3.0])
    C = sn.shared(np.ones(2, "float32"), name="C")
    D = sn.shared(np.ones(2, "float32"), name="D")
    F([], [], updates=[(C, C + D), (D, C + D)])()
    assert not np.shares_memory(C.get_value(borrow=True), D.get_value(borrow=True))
    V = sn.shared(np.ones(2, "float32"), name="V")
    inp = np.array([5.0, 6.0], "float32")
    F([x], [], updates=[(V, x)])(inp)
    assert not np.shares_memory(V.get_value(borrow=True), inp)


def test_allow_input_downcast_false_refuses_even_python_floats():
    x = sn.scalar("x")
    f = F([x], x * 2.0, allow_input_downcast=False)
    with pytest.raises(TypeError, match="'x'"):
        f(1.5)
    assert f(np.float32(1.5)) == 3.0
    assert F([x], x * 2.0)(1.5) == 3.0                 # the default (None) accepts Python floats


def test_reference_backend_checks_each_perform_against_its_type():
    from symnet.graph import Apply, Op

    class WrongDtype(Op):
        def make_node(self, x):
            return Apply(self, [x], [x.type])

        def perform(self, node, inputs):
            return [inputs[0].astype("float64")]

    x = sn.vector("x")
    f = F([x], WrongDtype()(x))
    with pytest.raises(RuntimeError, match="WrongDtype.*float64"):
        f(np.ones(2, "float32"))
