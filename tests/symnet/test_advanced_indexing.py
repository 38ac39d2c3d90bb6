"""NumPy advanced indexing on any axes (issue 8): x[i, j], x[i, 2], x[:, i], broadcasting index
arrays mixed with slices, integers and None, boolean masks; set/inc and gradients; the NLL idiom."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import symnet as sn
from symnet.ops.advanced_indexing import AdvancedIncSubtensor, AdvancedSubtensor
from symnet.ops.subtensor import AdvancedSubtensor1

MODES = ["reference", "llvm"]
X = np.arange(60.0).reshape(3, 4, 5)
I = np.array([0, 2, 1, 2])
J = np.array([[1], [3]])


def _both(inputs, outputs, values, modes=MODES):
    res = [sn.function(inputs, outputs, mode=m, on_unused_input="ignore")(*values) for m in modes]
    for other in res[1:]:
        np.testing.assert_array_equal(res[0], other)
    return res[0]


CASES = {
    "i_j": lambda x, i, j: (x[i, i], X[I, I]),
    "i_int": lambda x, i, j: (x[i, 2], X[I, 2]),
    "slice_i": lambda x, i, j: (x[:, i], X[:, I]),
    "broadcast_ij": lambda x, i, j: (x[:, j, i], X[:, J, I]),
    "separated": lambda x, i, j: (x[i, :, i], X[I, :, I]),
    "slice_between_ints": lambda x, i, j: (x[1, 1:3, i], X[1, 1:3, I]),
    "newaxis": lambda x, i, j: (x[None, :, i], X[None, :, I]),
    "negative": lambda x, i, j: (x[:, -1, i - 3], X[:, -1, I - 3]),
    "ellipsis": lambda x, i, j: (x[..., i], X[..., I]),
    "mask": lambda x, i, j: (x[x > 30], X[X > 30]),
    "mask_2d_then_slice": lambda x, i, j: (x[(x > 20)[:, :, 0], 1:], X[(X > 20)[:, :, 0], 1:]),
    "const_lists": lambda x, i, j: (x[[0, 1], [2, 3]], X[[0, 1], [2, 3]]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_values_match_numpy_on_both_backends(case):
    x, i, j = sn.tensor3("x", "float64"), sn.lvector("i"), sn.lmatrix("j")
    out, want = CASES[case](x, i, j)
    runtime_mask = case.startswith("mask")      # data-dependent shape: reference backend only
    got = _both([x, i, j], out, [X, I, J], ["reference"] if runtime_mask else MODES)
    np.testing.assert_array_equal(got, want)
    assert out.ndim == want.ndim
    for d, w in zip(out.static_shape, want.shape):
        assert d is None or d == w


@pytest.mark.parametrize("case", sorted(c for c in CASES if c != "mask_2d_then_slice"))
def test_gradients_match_finite_differences(case):
    def fun(x):
        i, j = sn.constant(I), sn.constant(J)
        return CASES[case](x, i, j)[0]
    sn.verify_grad(fun, [np.random.default_rng(0).standard_normal((3, 4, 5))], mode="reference")


def test_gradient_accumulates_repeated_positions():
    x = sn.matrix("x", "float64")
    i = sn.lvector("i")
    g = sn.grad(sn.sum(x[i, i] * 2.0), x)
    for m in MODES:
        got = sn.function([x, i], g, mode=m)(np.zeros((3, 3)), np.array([1, 1, 2]))
        np.testing.assert_array_equal(got, [[0, 0, 0], [0, 4, 0], [0, 0, 2]])


def test_set_and_inc_subtensor():
    x, i = sn.matrix("x", "float64"), sn.lvector("i")
    xv, iv = np.zeros((3, 4)), np.array([0, 2, 2])
    s = sn.set_subtensor(x[i, 1:3], 5.0)
    a = sn.inc_subtensor(x[:, i], sn.constant(np.ones(3)))
    m = sn.set_subtensor(x[sn.constant(np.ones((3, 4), bool))], 7.0)
    assert isinstance(s.owner.op, AdvancedIncSubtensor)
    vs, va, vm = _both([x, i], [s, a, m], [xv, iv])
    ws, wa = xv.copy(), xv.copy()
    ws[iv, 1:3] = 5
    np.add.at(wa, (slice(None), iv), np.ones(3))
    np.testing.assert_array_equal(vs, ws)
    np.testing.assert_array_equal(va, wa)
    np.testing.assert_array_equal(vm, np.full((3, 4), 7.0))
    sn.verify_grad(lambda x, y: sn.inc_subtensor(x[sn.constant(iv), 1:3], y),
                   [np.ones((3, 4)), np.ones((3, 2))], mode="reference")
    sn.verify_grad(lambda x, y: sn.set_subtensor(x[:, sn.constant(np.array([0, 3]))], y),
                   [np.ones((3, 4)), np.ones((3, 2))], mode="reference")


def test_axis0_arrays_keep_the_native_op():
    x, i = sn.matrix("x"), sn.lvector("i")
    assert isinstance(x[i].owner.op, AdvancedSubtensor1)
    assert isinstance(x[i, 1:].owner.inputs[0].owner.op, AdvancedSubtensor1)
    assert isinstance(x[:, i].owner.op, AdvancedSubtensor)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_nll_idiom_of_the_tutorials(dtype):
    x, y = sn.matrix("x", dtype), sn.lvector("y")
    p = sn.nnet.softmax(x)
    nll = -sn.mean(sn.log(p)[sn.arange(y.shape[0]), y])
    xv = np.array([[1000.0, -1000.0, 0.0], [0.0, 1.0, 2.0]], dtype)
    yv = np.array([1, 2])
    ls = xv.astype(float) - xv.max(1, keepdims=True)
    ls = ls - np.log(np.exp(ls).sum(1, keepdims=True))
    want = -ls[[0, 1], yv].mean()
    grad_want = (np.exp(ls) - np.eye(3)[yv]) / 2
    for opt in ("fast_run", None):
        with sn.config.change_flags(optimizer=opt):
            for m in MODES:
                v, g = sn.function([x, y], [nll, sn.grad(nll, x)], mode=m)(xv, yv)
                assert np.all(np.isfinite(g))
                np.testing.assert_allclose(g, grad_want, rtol=1e-5, atol=1e-6)
                if opt:
                    np.testing.assert_allclose(v, want, rtol=1e-5)


def test_constant_mask_has_a_static_shape_and_runs_on_llvm():
    x = sn.matrix("x", "float64")
    mask = np.array([[True, False, True], [False, False, True]])
    out = x[mask]
    assert out.static_shape == (3,)
    xv = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(_both([x], out, [xv]), xv[mask])


def test_runtime_mask_on_llvm_is_a_clear_error():
    x = sn.matrix("x", "float64")
    f = sn.function([x], x[x > 1], mode="llvm")
    with pytest.raises(NotImplementedError, match="data-dependent"):
        f(np.arange(6.0).reshape(2, 3))


def test_errors_name_the_problem():
    x = sn.matrix("x")
    with pytest.raises(IndexError, match="out of bounds"):
        sn.function([x], x[:, np.array([0, 5])], mode="reference")(np.zeros((2, 3), "float32"))
    with pytest.raises(TypeError, match="integer or boolean"):
        x[:, np.array([0.5])]
    with pytest.raises(IndexError, match="broadcast"):
        sn.matrix("y", shape=(4, 4))[np.array([0, 1]), np.array([0, 1, 2])]
    with pytest.raises(IndexError, match="boolean index did not match"):
        sn.matrix("z", shape=(2, 3))[np.ones(3, bool)]


_entry = st.one_of(st.just(slice(None)), st.just(slice(1, None)), st.just(slice(None, None, -1)),
                   st.integers(-2, 1), st.just("arr"), st.just("arr2"))


@given(entries=st.lists(_entry, min_size=1, max_size=3), newaxis=st.booleans())
def test_property_random_indices_match_numpy(entries, newaxis):
    rng = np.random.default_rng(1)
    xv = rng.standard_normal((3, 4, 2))
    arrays = {"arr": np.array([0, -1, 1]), "arr2": np.array([[1], [0]])}
    sym_entries = [sn.constant(arrays[e]) if isinstance(e, str) else e for e in entries]
    np_entries = [arrays[e] if isinstance(e, str) else e for e in entries]
    if newaxis:
        sym_entries.insert(1, None)
        np_entries.insert(1, None)
    try:
        want = xv[tuple(np_entries)]
    except IndexError:
        return
    x = sn.tensor3("x", "float64")
    out = x[tuple(sym_entries)]
    got = _both([x], out, [xv])
    np.testing.assert_array_equal(got, want)


def test_general_op_on_axis0_is_rewritten_to_the_native_op():
    from symnet.ops.advanced_indexing import advanced_getitem
    x, i = sn.matrix("x", "float64"), sn.lvector("i")
    out = advanced_getitem(x, [i, slice(None)])
    g = sn.grad(sn.sum(out * 3.0), x)
    f = sn.function([x, i], [out, g], mode="reference")
    kinds = {type(n.op).__name__ for n in f.fgraph.nodes}
    assert "AdvancedSubtensor1" in kinds and "AdvancedSubtensor" not in kinds and "AdvancedIncSubtensor" not in kinds
    v, gv = f(np.arange(6.0).reshape(3, 2), np.array([2, 2]))
    np.testing.assert_array_equal(v, [[4, 5], [4, 5]])
    np.testing.assert_array_equal(gv, [[0, 0], [0, 0], [6, 6]])
