"""The bounds-checking build (llvm__check_bounds=1): correct results on every layout, and an access
outside a buffer becomes an IndexError instead of a read of foreign memory."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import symnet as sn

sys.path.insert(0, os.path.dirname(__file__))
from llvm_util import assert_same, ensure_llvm  # noqa: E402

ensure_llvm()


@pytest.fixture
def checked():
    from symnet.config import config
    old = config.llvm.check_bounds
    config.llvm.check_bounds = True
    yield
    config.llvm.check_bounds = old


def test_checked_build_gives_reference_results(checked):
    x, y, i = sn.matrix("x"), sn.matrix("y"), sn.ivector("i")
    outs = [sn.tanh(x) * y + 1, sn.dot(x, y.T), x.sum(axis=0), sn.argmax(x, axis=1), x[i] * 2,
            sn.inc_subtensor(x[i], y[:2]), sn.nnet.softmax(x)]
    f = sn.function([x, y, i], outs, mode="llvm")
    g = sn.function([x, y, i], outs, mode="reference")
    assert f.runner.check_bounds
    rng = np.random.default_rng(0)
    a = rng.standard_normal((5, 3)).astype(x.dtype)
    b = rng.standard_normal((5, 3)).astype(x.dtype)
    idx = np.array([4, -1], "int32")
    for args in ((a, b, idx), (a[::-1], b[:, ::-1], idx), (np.asfortranarray(a), b, idx)):
        for p, q in zip(f(*args), g(*args)):
            assert_same(p, q, rtol=1e-5, atol=1e-6)


def test_access_outside_a_buffer_is_an_index_error(checked):
    from codegen.llvm.regions import loop_operand, loop_region
    x = sn.vector("x")
    f = sn.function([x], x * 2.0, mode="llvm")
    a = np.arange(8, dtype=x.dtype)
    np.testing.assert_array_equal(f(a), a * 2)
    runner = f.runner
    plan = next(iter(runner._local.plans.values()))
    k, _, off = runner.items[runner.segments[0].name][0]
    # corrupt the plan: the input's byte offset moved past its end (what a wrong layout would do)
    plan.params[off + loop_region(k, runner.threads)["blocks"] + loop_operand(k, 0)] = a.nbytes
    with pytest.raises(IndexError, match="llvm__check_bounds"):
        f(a)
