"""Index, slice and shape values computed from shared variables or integer expressions of the
inputs run natively: evaluated when the plan is made, the plan keyed on them (issue 17 item 3).
Each case raised NotImplementedError at call time before."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import symnet as sn

sys.path.insert(0, os.path.dirname(__file__))
from llvm_util import assert_same, ensure_llvm  # noqa: E402

ensure_llvm()
FX = sn.config.floatX


def _no_index_fallbacks(f):
    bad = [k for k in f.runner.kernels if k.kind == "FallbackStep"]
    assert not bad, bad


def test_minibatch_slice_from_shared_counter():
    data = sn.shared(np.arange(40, dtype=FX).reshape(10, 4), name="data")
    idx = sn.shared(np.int64(0), name="idx")
    m = sn.matrix("m")
    outs = {}
    for mode in ("llvm", "reference"):
        idx.set_value(np.int64(0))
        f = sn.function([], (m * 2).sum(axis=1), givens={m: data[idx * 2:(idx + 1) * 2]},
                        updates={idx: idx + 1}, mode=mode)
        outs[mode] = [f() for _ in range(4)]
        if mode == "llvm":
            _no_index_fallbacks(f)
    for a, b in zip(outs["llvm"], outs["reference"]):
        assert_same(a, b)


def test_index_by_shared_updated_each_call():
    v = sn.vector("v")
    c = sn.shared(np.int32(0), name="c")
    res = {}
    for mode in ("llvm", "reference"):
        c.set_value(np.int32(0))
        f = sn.function([v], v[c] * 3, updates={c: (c + 1) % 3}, mode=mode)
        res[mode] = [f(np.array([1, 2, 5], FX)) for _ in range(5)]
    for a, b in zip(res["llvm"], res["reference"]):
        assert_same(a, b)


@pytest.mark.parametrize("case", ["zeros_sum", "slice_bounds", "reshape_max"])
def test_shapes_and_bounds_from_integer_vector_input(case):
    x = sn.vector("x")
    iv = sn.ivector("iv")
    if case == "zeros_sum":
        out = sn.zeros((iv.sum(),)) + 1.5
        inputs, calls = [iv], [(np.array([1, 2], "int32"),), (np.array([3, 4], "int32"),),
                               (np.array([0, 0], "int32"),)]
    elif case == "slice_bounds":
        out = x[iv[0]:iv[1]] * 2
        xs = np.arange(7, dtype=FX)
        inputs, calls = [x, iv], [(xs, np.array([1, 4], "int32")), (xs, np.array([-3, 7], "int32")),
                                  (xs, np.array([5, 2], "int32"))]
    else:
        x2 = sn.vector("x2")
        out = x2.reshape((sn.max(iv), -1)).sum(axis=0)
        xs = np.arange(12, dtype=FX)
        inputs, calls = [x2, iv], [(xs, np.array([2, 1], "int32")), (xs, np.array([3, 4], "int32"))]
    f = sn.function(inputs, out, mode="llvm")
    g = sn.function(inputs, out, mode="reference")
    _no_index_fallbacks(f)
    for args in calls:
        assert_same(f(*args), g(*args))


def test_bad_runtime_shape_value_is_a_clean_error():
    x = sn.vector("x")
    iv = sn.ivector("iv")
    f = sn.function([x, iv], x.reshape((sn.max(iv), -1)), mode="llvm")
    with pytest.raises(ValueError):
        f(np.arange(12, dtype=FX), np.array([5, 1], "int32"))
