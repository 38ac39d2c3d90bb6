"""Simplify: identities (safe ones always, unsafe ones behind config.rewrite_unsafe_math) and the
bounded sympy pass with its probe check."""
import numpy as np
import pytest

import symnet as sn
from symnet.ops.blas import MatMul

from rw_util import apply_rewrite, before_after, fgraph, same_numbers, show

rng = np.random.default_rng(1)
X = rng.normal(size=(3, 4)).astype("float32")
Y = rng.normal(size=(3, 4)).astype("float32")


@pytest.mark.parametrize("build", [lambda x: x * 1.0, lambda x: 1.0 * x, lambda x: x + 0.0, lambda x: 0.0 + x,
                                   lambda x: x - 0.0, lambda x: x / 1.0, lambda x: x ** 1.0])
def test_neutral_element(build):
    x = sn.matrix("x", "float32")
    y = sn.exp(build(x))
    before, after, fg = before_after([x], [y], "neutral_element")
    assert after.count("Elemwise") == 1
    same_numbers([x], [y], fg, [X])


def test_neutral_element_keeps_broadcast_shape():
    x = sn.vector("x", "float32")
    y = x * sn.constant(np.ones((2, 1), "float32"))      # (2, n): x alone would be the wrong shape
    before, after, fg = before_after([x], [y], "neutral_element")
    assert fg.outputs[0].type.shape == (2, None)
    same_numbers([x], [y], fg, [X[0]])


def test_log_of_exp():
    x = sn.matrix("x", "float32")
    y = sn.log(sn.exp(x))
    before, after, fg = before_after([x], [y], "log_of_exp")
    assert "log" not in after and "exp" not in after
    big = np.array([[100.0, -200.0, 0.0, 1.0]], "float32")   # exp overflows; the rewrite is exact
    with sn.config.change_flags(optimizer=None):
        raw = sn.function([x], y, mode="reference")(big)
    assert np.isinf(raw).any()
    from rw_util import run_fg
    np.testing.assert_array_equal(run_fg(fg, [big])[0], big)


def test_unsafe_identities_only_behind_flag():
    x = sn.matrix("x", "float32")
    y = (x - x) + x / x + sn.exp(sn.log(x)) + x * 0.0
    before, after, fg = before_after([x], [y], "unsafe_identities", expect_fire=False)
    with sn.config.change_flags(rewrite_unsafe_math=True):
        before, after, fg = before_after([x], [y], "unsafe_identities")
    assert "true_div" not in after and "Elemwise{log}" not in after
    Xp = np.abs(X) + 0.5            # inside the domain where the identities hold
    same_numbers([x], [y], fg, [Xp])
    # and outside it they differ: this is why they are behind the flag
    from rw_util import run_fg
    bad = np.array([[np.inf, 0.0, -1.0, np.nan]], "float32")
    with sn.config.change_flags(optimizer=None):
        raw = sn.function([x], y, mode="reference")(bad)
    assert np.isnan(raw).all() and not np.isnan(run_fg(fg, [bad])[0]).all()


def test_sum_of_fill():
    x = sn.matrix("x", "float32")
    c = sn.scalar("c", "float32")
    y = sn.sum(sn.second(x, c), axis=1)
    before, after, fg = before_after([x, c], [y], "sum_of_fill")
    assert "Reduce" in before and "Reduce" not in after
    same_numbers([x, c], [y], fg, [X, np.float32(1.5)])
    z = sn.mean(sn.second(x, c))
    before, after, fg = before_after([x, c], [z], "sum_of_fill")
    same_numbers([x, c], [z], fg, [X, np.float32(1.5)])
    n = sn.scalar("n", "int64")
    w = sn.sum(sn.broadcast_to(c, (n, 4)), axis=0)      # sum of a broadcast_to (Alloc)
    before, after, fg = before_after([c, n], [w], "sum_of_fill")
    assert "Reduce" not in after
    same_numbers([c, n], [w], fg, [np.float32(1.5), 5])


def test_dot_of_transposes():
    a, b = sn.matrix("a", "float32"), sn.matrix("b", "float32")
    y = sn.dot(a.T, b.T)
    before, after, fg = before_after([a, b], [y], "matmul_of_transposes")
    assert after.splitlines()[0].startswith("DimShuffle{1,0}")
    same_numbers([a, b], [y], fg, [X, Y.T.copy()], rtol=1e-5)


def test_sympy_collects_terms():
    x = sn.matrix("x", "float32")
    y = sn.exp(x + x + x + x)
    before, after, fg = before_after([x], [y], "sympy_simplify")
    assert before.count("Elemwise{add}") == 3 and "Elemwise{add}" not in after
    same_numbers([x], [y], fg, [X], rtol=1e-6)


def test_sympy_cancels_positive_leaves_only():
    x, g = sn.matrix("x", "float32"), sn.matrix("g", "float32")
    s = sn.softmax(x)
    y = (g / s) * s + 1.0        # s > 0 in exact arithmetic: cancelled
    before, after, fg = before_after([x, g], [y], "sympy_simplify")
    assert "true_div" in before and "true_div" not in after and "Softmax" not in after
    same_numbers([x, g], [y], fg, [X, Y])
    v = sn.matrix("v", "float32")   # a plain variable may be 0, inf or nan: not cancelled
    before, after, fg = before_after([v, g], [(g / v) * v + 1.0], "sympy_simplify", expect_fire=False)
    with sn.config.change_flags(rewrite_unsafe_math=True):
        before, after, fg = before_after([v, g], [(g / v) * v + 1.0], "sympy_simplify")
    assert "true_div" not in after


def test_sympy_budget_and_size_cap():
    from symnet.rewrite import simplify
    x = sn.matrix("x", "float32")
    y = x
    for k in range(60):       # a long chain: over MAX_SYMPY_OPS once in sympy, left alone
        y = sn.sin(y * (k + 2.0) + x)
    fg = fgraph([x], [y])
    fg.sympy_budget = [0.0]    # no time left: nothing is attempted
    assert apply_rewrite(fg, "sympy_simplify") == 0
