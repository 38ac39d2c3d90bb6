"""Every native kernel kind called with runtime shapes that do not fit together: a clean error at
plan time (ValueError / IndexError naming the op, the inputs and their shapes), never garbage.

The graphs have no static shapes, so only the buffer plan can catch the mismatch."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import symnet as sn

sys.path.insert(0, os.path.dirname(__file__))
from llvm_util import assert_same, ensure_llvm  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402

ensure_llvm()


def _xent_sparse():
    x, y = sn.matrix("x"), sn.ivector("y")
    return [x, y], sn.nnet.categorical_crossentropy(sn.nnet.softmax(x), y)


def _xent_dense():
    x, t = sn.matrix("x"), sn.matrix("t")
    return [x, t], sn.nnet.categorical_crossentropy(sn.nnet.softmax(x), t)


def _elemwise():
    x, y = sn.vector("x"), sn.vector("y")
    return [x, y], sn.tanh(x) * y


def _fused_reduce():
    x, y = sn.matrix("x"), sn.matrix("y")
    return [x, y], (x * y).sum(axis=1)


def _matmul():
    x, y = sn.matrix("x"), sn.matrix("y")
    return [x, y], sn.dot(x, y)


def _matvec():
    x, y = sn.matrix("x"), sn.vector("y")
    return [x, y], sn.dot(x, y)


def _batched_matmul():
    x, y = sn.tensor3("x"), sn.tensor3("y")
    return [x, y], sn.matmul(x, y)


def _gemm():
    x, y, c = sn.matrix("x"), sn.matrix("y"), sn.matrix("c")
    return [x, y, c], sn.dot(x, y) * 2.0 + c


def _join():
    x, y = sn.matrix("x"), sn.matrix("y")
    return [x, y], sn.concatenate([x, y], axis=0)


def _take():
    x, i = sn.matrix("x"), sn.ivector("i")
    return [x, i], x[i] * 2.0


def _advanced_inc():
    x, i, y = sn.matrix("x"), sn.ivector("i"), sn.matrix("y")
    return [x, i, y], sn.inc_subtensor(x[i], y)


def _inc_subtensor():
    x, y = sn.matrix("x"), sn.matrix("y")
    return [x, y], sn.inc_subtensor(x[1:3], y)


def _alloc():
    v, n = sn.vector("v"), sn.iscalar("n")
    return [v, n], sn.alloc(v, (n, 3)) + 1.0


f32 = lambda *s: np.ones(s, sn.config.floatX)  # noqa: E731
i32 = lambda *v: np.array(v, "int32")  # noqa: E731

CASES = {
    "xent_sparse_rows": (_xent_sparse, lambda: (f32(4, 3), i32(0, 1))),
    "xent_sparse_more_labels": (_xent_sparse, lambda: (f32(2, 3), i32(0, 1, 2, 0))),
    "xent_dense": (_xent_dense, lambda: (f32(4, 3), f32(2, 3))),
    "elemwise": (_elemwise, lambda: (f32(3), f32(4))),
    "fused_reduce": (_fused_reduce, lambda: (f32(3, 5), f32(3, 4))),
    "matmul_inner": (_matmul, lambda: (f32(2, 3), f32(4, 5))),
    "matvec_inner": (_matvec, lambda: (f32(2, 3), f32(4))),
    "batched_matmul": (_batched_matmul, lambda: (f32(2, 2, 3), f32(3, 3, 4))),
    "gemm_c": (_gemm, lambda: (f32(2, 3), f32(3, 4), f32(5, 4))),
    "join": (_join, lambda: (f32(2, 3), f32(2, 4))),
    "take_index": (_take, lambda: (f32(2, 3), i32(0, 5))),
    "advanced_inc_y": (_advanced_inc, lambda: (f32(4, 3), i32(0, 1), f32(3, 3))),
    "inc_subtensor_y": (_inc_subtensor, lambda: (f32(4, 3), f32(3, 3))),
    "alloc_value": (_alloc, lambda: (f32(4), np.int32(2))),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_mismatched_runtime_shapes_raise_cleanly(case):
    build, args = CASES[case]
    inputs, out = build()
    ref = sn.function(inputs, out, mode="reference")
    with pytest.raises((ValueError, IndexError)):
        ref(*args())
    f = sn.function(inputs, out, mode="llvm")
    with pytest.raises((ValueError, IndexError)) as err:
        r = f(*args())
        print("garbage:", r)
    msg = str(err.value)
    assert "shape" in msg or "index" in msg, msg


def test_error_names_op_inputs_shapes_and_source_line():
    inputs, out = _xent_sparse()
    f = sn.function(inputs, out, mode="llvm")
    with pytest.raises(ValueError) as err:
        f(f32(4, 3), i32(0, 1))
    msg = str(err.value)
    assert "SoftmaxCrossentropyWithLogits" in msg and "'x' (4, 3)" in msg and "'y' (2,)" in msg, msg
    assert "test_llvm_shape_checks.py" in msg, msg


def test_matching_labels_still_run():
    inputs, out = _xent_sparse()
    f = sn.function(inputs, out, mode="llvm")
    g = sn.function(inputs, out, mode="reference")
    x = np.arange(12, dtype=sn.config.floatX).reshape(4, 3) / 7
    y = i32(0, 2, 1, 1)
    assert_same(f(x, y), g(x, y))


# -- property: random (often mismatched) runtime shapes, LLVM agrees with the reference -----------
_compiled: dict = {}


def _fns(case):
    if case not in _compiled:
        inputs, out = CASES[case][0]()
        _compiled[case] = (inputs, sn.function(inputs, out, mode="llvm"), sn.function(inputs, out, mode="reference"))
    return _compiled[case]


def _arg(var, shape, rng):
    if var.ndim == 0:
        return np.array(rng.integers(0, 4), var.dtype)
    if var.dtype.startswith("int"):
        return rng.integers(-1, 4, size=shape[:var.ndim]).astype(var.dtype)
    return rng.standard_normal(shape[:var.ndim]).astype(var.dtype)


@settings(max_examples=120, deadline=None)
@given(case=st.sampled_from(sorted(set(k for k in CASES))), seed=st.integers(0, 2 ** 31),
       dims=st.lists(st.lists(st.integers(0, 4), min_size=3, max_size=3), min_size=3, max_size=3))
def test_random_runtime_shapes_match_reference_or_raise(case, seed, dims):
    inputs, f, g = _fns(case)
    rng = np.random.default_rng(seed)
    args = [_arg(v, tuple(d), rng) for v, d in zip(inputs, dims)]
    try:
        want = g(*args)
    except (ValueError, IndexError):
        with pytest.raises((ValueError, IndexError)):
            f(*args)
        return
    assert_same(f(*args), want, what=case)
