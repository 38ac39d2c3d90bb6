"""Bad input gives an error that says what the user did (the op, the variable, the values), at the
boundary, the same on the reference and the LLVM backend (issue 17, item 6)."""
from __future__ import annotations

import numpy as np
import pytest

import symnet as sn

MODES = ["reference", "llvm"]


@pytest.fixture(autouse=True)
def _llvm():
    from codegen import backends
    if "llvm" not in backends.available():
        backends.register("llvm", "codegen.llvm.backend:LLVMBackend")


@pytest.mark.parametrize("mode", MODES)
def test_zeros_negative_dimension_names_it(mode):
    n = sn.scalar("n", dtype="int32")
    f = sn.function([n], sn.zeros((n, 3)), mode=mode)
    with pytest.raises(ValueError, match=r"dimension 0 of the shape \('n'\) is negative; Received: shape=\(-1, 3\)"):
        f(-1)
    assert f(2).shape == (2, 3)


@pytest.mark.parametrize("mode", MODES)
def test_zeros_dimension_too_big_for_the_input_dtype(mode):
    n = sn.scalar("n", dtype="int32")
    f = sn.function([n], sn.zeros((n, 3)), mode=mode)
    with pytest.raises(OverflowError, match=r"'n'.*4294967296 is out of bounds for int32"):
        f(2 ** 32)
    n64 = sn.scalar("m", dtype="int64")
    g = sn.function([n64], sn.zeros((n64, 3)), mode=mode)
    with pytest.raises(ValueError, match=r"shape \(4611686018427387904, 3\) \('m', 3\) is too large"):
        g(2 ** 62)
    with pytest.raises(OverflowError, match=r"'m'.*out of bounds for int64"):
        g(2 ** 64)


def test_zeros_negative_constant_dimension_at_build_time():
    with pytest.raises(ValueError, match=r"negative dimension.*Received: shape=\(-1, 3\)"):
        sn.zeros((-1, 3))


@pytest.mark.parametrize("mode", MODES)
def test_arange_zero_step(mode):
    n = sn.scalar("step", dtype="int64")
    f = sn.function([n], sn.arange(0, 5, n), mode=mode)
    with pytest.raises(ZeroDivisionError, match=r"arange: the step \('step'\) must not be zero; "
                                                 r"Received: start=0, stop=5, step=0"):
        f(0)
    np.testing.assert_array_equal(f(2), [0, 2, 4])
    with pytest.raises(ZeroDivisionError, match=r"step \(0\) must not be zero"):
        sn.arange(0, 5, 0)


@pytest.mark.parametrize("mode", MODES)
def test_reshape_names_variable_and_both_shapes(mode):
    x = sn.matrix("x")
    f = sn.function([x], x.reshape((5, -1)), mode=mode)
    with pytest.raises(ValueError, match=r"cannot reshape 'x' of shape \(3, 4\) into \(5, -1\)"):
        f(np.zeros((3, 4), "float32"))
    assert f(np.zeros((5, 4), "float32")).shape == (5, 4)
    g = sn.function([x], x.reshape((5, 3)), mode=mode)
    with pytest.raises(ValueError, match=r"cannot reshape 'x' of shape \(3, 4\) into \(5, 3\) \(12 elements, not 15\)"):
        g(np.zeros((3, 4), "float32"))


@pytest.mark.parametrize("mode", MODES)
def test_string_for_a_float_vector(mode):
    v = sn.vector("v", dtype="float32")
    f = sn.function([v], v * 2, mode=mode)
    with pytest.raises(TypeError, match=r"'v'.*expected float32 values, got strings \(dtype <U1\)"):
        f(np.array(["a", "b"]))
    with pytest.raises(TypeError, match=r"'v'.*expected float32 values, got strings.*Received: 'abc'"):
        f("abc")
    with pytest.raises(TypeError, match=r"'v'.*got Python objects"):
        f(np.array([object(), 1.0], dtype=object))
    np.testing.assert_array_equal(f([1.0, 2]), [2.0, 4.0])       # plain lists still convert


def test_bool_negation_is_numpys_type_error_at_build_time():
    b = sn.vector("b", dtype="bool")
    msg = "The numpy boolean negative, the `-` operator, is not supported, use the `~` operator"
    with pytest.raises(TypeError, match=msg):
        -b
    with pytest.raises(TypeError, match=msg):
        sn.neg(b)
    f = sn.function([b], ~b)                                     # the supported spelling works
    np.testing.assert_array_equal(f(np.array([True, False])), [False, True])
