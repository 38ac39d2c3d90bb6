"""sn.grad and friends: errors (non-scalar cost, integer wrt), disconnected inputs, known_grads,
consider_constant, jacobian, hessian, and verify_grad itself (it must catch a wrong gradient)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import symnet as sn
from symnet.graph import Apply, Op
from symnet.types import TensorType


def F(inputs, outputs, **kw):
    return sn.function(inputs, outputs, mode="reference", **kw)


def test_grad_of_simple_expression():
    x = sn.vector("x", dtype="float64")
    y = sn.vector("y", dtype="float64")
    gx, gy = sn.grad(sn.sum(x * y + x ** 3), [x, y])
    a, b = np.array([1.0, -2.0]), np.array([0.5, 3.0])
    ox, oy = F([x, y], [gx, gy])(a, b)
    np.testing.assert_allclose(ox, b + 3 * a ** 2)
    np.testing.assert_allclose(oy, a)
    assert isinstance(sn.grad(sn.sum(x), x), sn.Variable)        # single wrt -> single result
    assert isinstance(sn.grad(sn.sum(x), [x]), list)


def test_non_scalar_cost_is_an_error():
    x = sn.matrix("x")
    with pytest.raises(TypeError, match="scalar") as e:
        sn.grad(x * 2.0, x)
    assert "2 dimensions" in str(e.value)


def test_integer_wrt_is_an_error():
    i = sn.vector("i", dtype="int64")
    x = sn.vector("x")
    with pytest.raises(TypeError, match="'i'.*int64"):
        sn.grad(sn.sum(x * i), i)
    with pytest.raises(TypeError, match="non-float"):
        sn.grad(sn.sum(i), x)


def test_disconnected_inputs_raise_warn_ignore():
    x, y = sn.vector("x", dtype="float64"), sn.vector("y", dtype="float64")
    cost = sn.sum(x ** 2)
    with pytest.raises(sn.DisconnectedInputError, match="'y'"):
        sn.grad(cost, [x, y])
    with pytest.warns(UserWarning, match="'y'"):
        gx, gy = sn.grad(cost, [x, y], disconnected_inputs="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gx, gy = sn.grad(cost, [x, y], disconnected_inputs="ignore")
    ox, oy = F([x, y], [gx, gy])(np.array([1.0, 2.0]), np.array([5.0, 6.0, 7.0]))
    np.testing.assert_array_equal(ox, [2.0, 4.0])
    np.testing.assert_array_equal(oy, np.zeros(3))              # zeros of y's runtime shape
    assert sn.grad(cost, y, disconnected_inputs="ignore", return_disconnected="none") is None
    with pytest.raises(ValueError, match="disconnected_inputs"):
        sn.grad(cost, x, disconnected_inputs="bogus")


def test_known_grads():
    x = sn.vector("x", dtype="float64")
    h = sn.tanh(x)
    gh = sn.vector("gh", dtype="float64")
    # with no cost: start the backward pass from h with a given gradient
    gx = sn.grad(None, x, known_grads={h: gh})
    a, g = np.array([0.3, -1.2]), np.array([2.0, -1.0])
    np.testing.assert_allclose(F([x, gh], gx)(a, g), g * (1 - np.tanh(a) ** 2))
    # with a cost as well: contributions add up
    cost = sn.sum(x)
    gx2 = sn.grad(cost, x, known_grads={h: gh})
    np.testing.assert_allclose(F([x, gh], gx2)(a, g), 1 + g * (1 - np.tanh(a) ** 2))
    with pytest.raises(ValueError, match="dims"):
        sn.grad(None, x, known_grads={h: sn.matrix("bad", dtype="float64")})
    with pytest.raises(ValueError, match="cost or known_grads"):
        sn.grad(None, x)


def test_consider_constant():
    x = sn.scalar("x", dtype="float64")
    y = x ** 2
    z = y * x                   # d/dx = 3x^2; with y constant: y = x^2
    g_full = sn.grad(z, x)
    g_const = sn.grad(z, x, consider_constant=[y])
    f = F([x], [g_full, g_const])
    a, b = f(3.0)
    assert a == pytest.approx(27.0) and b == pytest.approx(9.0)
    g_sg = sn.grad(sn.stop_gradient(y) * x, x)
    assert F([x], g_sg)(3.0) == pytest.approx(9.0)


def test_shared_variable_grad_and_multiple_paths():
    W = sn.shared(np.array([[1.0, 2.0], [3.0, 4.0]]), name="W")
    x = sn.vector("x", dtype="float64")
    h = W @ x
    cost = sn.sum(h * h) + sn.sum(W)          # W reached on two paths
    gW = sn.grad(cost, W)
    a = np.array([1.0, -1.0])
    hv = W.get_value() @ a
    np.testing.assert_allclose(F([x], gW)(a), 2 * np.outer(hv, a) + 1)


def test_jacobian():
    x = sn.vector("x", dtype="float64", shape=(3,))
    y = x ** 2 * sn.sum(x)
    J = sn.jacobian(y, x)
    a = np.array([1.0, 2.0, -1.0])
    s = a.sum()
    want = np.diag(2 * a * s) + (a ** 2)[:, None]
    np.testing.assert_allclose(F([x], J)(a), want)
    Js = sn.jacobian(sn.sum(x ** 2), x)                   # scalar expression: the gradient
    np.testing.assert_allclose(F([x], Js)(a), 2 * a)
    with pytest.raises(TypeError, match="vector"):
        sn.jacobian(sn.outer(x, x), x)


def test_hessian():
    x = sn.vector("x", dtype="float64", shape=(3,))
    A = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])
    cost = 0.5 * sn.dot(x, sn.dot(sn.constant(A), x)) + sn.sum(sn.sin(x))
    H = sn.hessian(cost, x)
    a = np.array([0.1, 0.2, 0.3])
    np.testing.assert_allclose(F([x], H)(a), A - np.diag(np.sin(a)), rtol=1e-12)
    with pytest.raises(TypeError, match="vectors"):
        sn.hessian(sn.sum(sn.matrix("m", dtype="float64")), sn.matrix("m2", dtype="float64"))


class _WrongGradOp(Op):
    """y = 2x with a deliberately wrong gradient (3): verify_grad must catch it."""

    def make_node(self, x):
        return Apply(self, [x], [x.type])

    def perform(self, node, inputs):
        return [inputs[0] * 2]

    def infer_shape(self, node, shapes, values):
        return [shapes[0]]

    def grad(self, inputs, output_grads):
        return [output_grads[0] * 3.0]


class _NoGradOp(_WrongGradOp):
    def grad(self, inputs, output_grads):
        return Op.grad(self, inputs, output_grads)


def test_verify_grad_detects_a_wrong_gradient():
    with pytest.raises(sn.GradientError, match="input 0"):
        sn.verify_grad(lambda x: _WrongGradOp()(x), [np.ones((2, 2))])
    sn.verify_grad(lambda x: x * 2.0, [np.ones((2, 2))])


def test_non_differentiable_op_names_itself():
    x = sn.vector("x", dtype="float64")
    with pytest.raises(TypeError, match="_NoGradOp.*not differentiable"):
        sn.grad(sn.sum(_NoGradOp()(x)), x)
    # not on the path to wrt: costs nothing, raises nothing
    y = sn.vector("y", dtype="float64")
    g = sn.grad(sn.sum(_NoGradOp()(x)) + sn.sum(y), y)
    np.testing.assert_array_equal(F([x, y], g)(np.zeros(3), np.zeros(2)), [1.0, 1.0])


def test_gradient_of_a_linear_function_still_depends_on_its_input():
    s = sn.scalar("s", dtype="float64")
    assert F([s], sn.grad(2.0 * s, s))(3.0) == 2.0          # s is not an unused input (as Theano)
    assert F([s], sn.grad(s, s))(3.0) == 1.0


def test_argmax_and_comparisons_are_not_connected():
    x = sn.vector("x", dtype="float64")
    cost = sn.sum(sn.cast(sn.argmax(x), "float64") + x * 0.0)
    g = F([x], sn.grad(cost, x))(np.array([1.0, 3.0]))
    np.testing.assert_array_equal(g, [0.0, 0.0])


def test_second_derivative_through_grad():
    x = sn.scalar("x", dtype="float64")
    g = sn.grad(sn.exp(x) * sn.sin(x), x)
    gg = sn.grad(g, x)
    v = 0.7
    assert F([x], gg)(v) == pytest.approx(2 * np.exp(v) * np.cos(v), rel=1e-12)


def test_verify_grad_float32_inputs_use_loose_tolerance():
    sn.verify_grad(sn.tanh, [np.random.default_rng(0).standard_normal((3,)).astype("float32")])
