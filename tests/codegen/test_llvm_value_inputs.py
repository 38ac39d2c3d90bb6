"""Integer scalar inputs that set shapes or view offsets (a minibatch index, a length) run natively:
their values join the buffer plan's signature. LLVM against the reference backend."""
import os
import sys

import numpy as np
import pytest

import symnet as sn

sys.path.insert(0, os.path.dirname(__file__))
from llvm_util import assert_same, ensure_llvm  # noqa: E402


def both(inputs, outputs, **kw):
    ensure_llvm()
    return (sn.function(inputs, outputs, mode="llvm", **kw), sn.function(inputs, outputs, mode="reference", **kw))


@pytest.mark.parametrize("k", [0, 1, 3, 5, 7, -2])
def test_slice_reshape_arange_by_int_input(k):
    x, n = sn.dvector("x"), sn.lscalar("n")
    f, r = both([x, n], [x[:n] * 2, x[n:], sn.arange(sn.maximum(n, 0))])
    xv = np.arange(6.0)
    for p, q in zip(f(xv, k), r(xv, k)):
        assert_same(p, q)
    assert all(not k.reason for k in f.kernels), [k.reason for k in f.kernels if k.reason]


def test_minibatch_index_with_givens_is_native():
    data = sn.shared(np.arange(40.0).reshape(20, 2), "data")
    i, x = sn.lscalar("i"), sn.dmatrix("x")
    f, r = both([i], (x ** 2).sum(), givens={x: data[i * 5:(i + 1) * 5]})
    for idx in (0, 3, 1, 3):
        assert_same(f(idx), r(idx))
    assert f.runner.program.value_inputs == [0]
    assert all(not k.reason for k in f.kernels)


def test_int_input_used_as_data_does_not_key_the_plan():
    x, k = sn.dvector("x"), sn.lscalar("k")
    f, r = both([x, k], x * k)
    assert f.runner.program.value_inputs == []
    for kv in range(5):
        assert_same(f(np.ones(3), kv), r(np.ones(3), kv))
