"""Theano's module spellings (issue 8): symnet.tensor as theano.tensor, tensor.nnet,
shared_randomstreams, sandbox.rng_mrg, ifelse (lazy on both backends), In/Out, gradient,
truthiness, printing.pydotprint."""
import importlib

import numpy as np
import pytest

import symnet as sn
import symnet.tensor as T
from symnet.graph import Apply, Op
from symnet.ifelse import ifelse
from symnet.sandbox.rng_mrg import MRG_RandomStreams
from symnet.tensor.shared_randomstreams import RandomStreams

MODES = ["reference", "llvm"]


def test_tensor_namespace_is_theano_tensor():
    import symnet.tensor.nnet as nnet_module
    assert T.nnet is sn.nnet and nnet_module is sn.nnet
    for name in ["matrix", "dmatrix", "ivector", "lscalar", "fmatrix", "dot", "tanh", "mean", "neq", "argmax",
                 "grad", "cast", "switch", "arange", "zeros_like", "concatenate", "set_subtensor",
                 "inc_subtensor", "sqr", "sqrt", "abs_", "maximum", "clip", "log1p", "flatten", "reshape",
                 "shape_padleft", "shape_padright", "addbroadcast", "as_tensor_variable", "TensorVariable",
                 "sgn", "inv", "largest", "smallest", "batched_dot", "jacobian", "hessian", "stack", "join"]:
        assert hasattr(T, name), name
    x = T.matrix("x")
    assert isinstance(x, T.TensorVariable)
    assert T.shape_padleft(x).static_shape == (1, None, None)
    assert T.addbroadcast(T.matrix(), 1).static_shape == (None, 1)
    assert T.flatten(T.tensor3(), outdim=2).ndim == 2
    assert sn.tensor(shape=(None, 3)).static_shape == (None, 3)       # still the constructor too


def test_random_streams_spellings():
    for cls, seed in ((RandomStreams, 1), (MRG_RandomStreams, None)):
        rng = cls(seed) if seed is not None else cls()
        u = rng.uniform((3, 4), low=-1.0, high=1.0)
        b = rng.binomial(size=(100,), n=1, p=0.3, dtype="int8")
        f = sn.function([], [u, b])
        uv, bv = f()
        assert uv.shape == (3, 4) and np.all((uv >= -1) & (uv < 1)) and bv.dtype == np.int8
        assert not np.array_equal(f()[0], uv)                 # the state advances
    assert MRG_RandomStreams().normal((2,)).dtype == sn.config.floatX


class CountingOp(Op):
    """Identity that counts its evaluations (to check laziness)."""

    calls = 0

    def make_node(self, x):
        x = sn.as_variable(x) if hasattr(sn, "as_variable") else x
        return Apply(self, [x], [x.type])

    def perform(self, node, inputs):
        CountingOp.calls += 1
        return [np.array(inputs[0])]

    def infer_shape(self, node, input_shapes, input_values):
        return [input_shapes[0]]

    def grad(self, inputs, output_grads):
        return output_grads


@pytest.mark.parametrize("mode", MODES)
def test_ifelse_runs_only_the_chosen_branch(mode):
    a, b = T.dscalar("a"), T.dscalar("b")
    x, y = T.dmatrix("x"), T.dmatrix("y")
    z = ifelse(T.lt(a, b), T.mean(CountingOp()(x)), T.mean(y))
    f = sn.function([a, b, x, y], [z, sn.grad(z, x), sn.grad(z, y)], mode=mode)
    X, Y = np.ones((3, 4)), np.full((3, 4), 2.0)
    CountingOp.calls = 0
    v, gx, gy = f(3.0, 2.0, X, Y)
    assert v == 2.0 and CountingOp.calls == 0
    np.testing.assert_array_equal(gx, 0)
    np.testing.assert_allclose(gy, 1 / 12)
    v, gx, gy = f(1.0, 2.0, X, Y)
    assert v == 1.0 and CountingOp.calls >= 1
    np.testing.assert_allclose(gx, 1 / 12)


def test_ifelse_lists_and_errors():
    c = T.iscalar("c")
    x = T.dvector("x")
    outs = ifelse(c, [x * 2, x.sum()], [x * 3, x.max()])
    f = sn.function([c, x], outs, mode="reference")
    np.testing.assert_array_equal(f(1, np.array([1.0, 2.0]))[0], [2, 4])
    np.testing.assert_array_equal(f(0, np.array([1.0, 2.0]))[1], 2.0)
    with pytest.raises(TypeError, match="differs"):
        ifelse(c, x, T.dmatrix())
    with pytest.raises(ValueError, match="outputs"):
        ifelse(c, [x, x], [x])


def test_in_and_out():
    x, y = T.dscalar("x"), T.dscalar("y")
    f = sn.function([x, sn.In(y, value=1.0, name="scale")], sn.Out(x * y, borrow=True))
    assert f(2.0) == 2.0 and f(2.0, 3.0) == 6.0 and f(2.0, scale=4.0) == 8.0 and f(x=5.0) == 5.0
    with pytest.raises(TypeError, match="missing"):
        f()
    g = sn.function([sn.In(x, value=2.0)], [sn.Out(x + 1), x * 2])
    assert g() == [3.0, 4.0]


def test_gradient_module():
    G = importlib.import_module("symnet.gradient")
    assert sn.gradient is G and G.grad is sn.grad
    x = T.dvector("x")
    xv = np.array([1.0, 2.0])
    g = sn.function([x], sn.grad(T.sum(G.grad_clip(x * 3, -1, 1) ** 2 * 5), x))(xv)
    np.testing.assert_allclose(g, [3.0, 3.0])           # 30x clipped to 1, times 3
    for f in (G.zero_grad, G.consider_constant):
        out = sn.function([x], [f(x), sn.grad(T.sum(f(x) ** 2) + T.sum(x), x)])(xv)
        np.testing.assert_allclose(out[0], xv)
        np.testing.assert_allclose(out[1], [1.0, 1.0])
    with pytest.raises(sn.grad.__globals__["DisconnectedInputError"]):
        sn.grad(T.sum(G.disconnected_grad(x)), x)
    assert np.all(sn.function([x], sn.grad(T.sum(G.disconnected_grad(x)) + T.sum(x), x))(xv) == 1)


def test_truthiness_is_theanos():
    x, W = T.matrix("x"), sn.shared(np.zeros((2, 2)), "W")
    assert bool(x) and bool(W) and bool(x + 1) and bool(T.lt(x, 0)) and not (not x)
    for cmp in (lambda: x < 1, lambda: x <= 1, lambda: x > 1, lambda: x >= 1):
        with pytest.raises(TypeError, match="boolean operations"):
            bool(cmp())
    a, b, c = T.scalar(), T.scalar(), T.scalar()
    with pytest.raises(TypeError):
        a < b < c


def test_pydotprint_without_pydot_is_a_clear_error(tmp_path):
    x = T.dvector("x")
    f = sn.function([x], T.tanh(x) * 2, mode="reference")
    try:
        import pydot  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match="pydot"):
            sn.printing.pydotprint(f, outfile=str(tmp_path / "g.png"))
        return
    sn.printing.pydotprint(f, outfile=str(tmp_path / "g.dot"), format="raw", print_output_file=False)
    assert "tanh" in (tmp_path / "g.dot").read_text()


def test_hard_sigmoid():
    x = T.dvector("x")
    np.testing.assert_allclose(T.nnet.hard_sigmoid(x).eval({x: np.array([-5.0, 0.0, 1.0, 5.0])}), [0, 0.5, 0.7, 1])


def test_alloc_random_integers_and_multinomial():
    n = T.lscalar("n")
    a = T.alloc(np.float32(0.5), n, 3)
    assert a.dtype == "float32" and sn.function([n], a)(2).shape == (2, 3)
    rng = MRG_RandomStreams(3)
    r = rng.random_integers((2000,), low=2, high=4)
    p = T.dmatrix("p")
    m = rng.multinomial(pvals=p)
    f = sn.function([p], [r, m])
    pv = np.tile([[0.2, 0.5, 0.3]], (4000, 1))
    rv, mv = f(pv)
    assert set(np.unique(rv)) == {2, 3, 4} and rv.dtype == np.int64
    assert mv.shape == pv.shape and np.all(mv.sum(1) == 1)
    np.testing.assert_allclose(mv.mean(0), [0.2, 0.5, 0.3], atol=0.03)
    assert RandomStreams(1).random_integers((5,), 0, 9).dtype == "int64"
