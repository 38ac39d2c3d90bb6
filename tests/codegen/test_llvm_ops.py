"""Differential tests: LLVM backend vs the reference backend, op by op and on whole graphs.

Compiled functions are shared across cases (module-level caches) to keep JIT time down."""
from __future__ import annotations

import numpy as np
import pytest

import symnet as sn

import os, sys
sys.path.insert(0, os.path.dirname(__file__))

from llvm_util import assert_same, check, ensure_llvm, pair

ensure_llvm()

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-40, -1e-42, 20.0, -20.0, 88.0, -100.0, 1e30, -1e30,
           np.inf, -np.inf, np.nan]
UNARY = ["exp", "log", "tanh", "sigmoid", "softplus", "sqrt", "abs", "neg", "sign", "floor", "ceil", "round",
         "expm1", "log1p", "sin", "cos", "erf", "relu", "sqr", "reciprocal", "isnan", "isinf", "elu", "step"]


def _unary(name, x):
    if name == "round":
        return sn.round(x)
    if name == "sqr":
        return sn.sqr(x)
    if name == "step":
        return sn.step(x)
    return getattr(sn, name)(x)


_cache: dict = {}


def _unary_fns(dtype):
    if dtype not in _cache:
        x = sn.vector("x", dtype=dtype)
        _cache[dtype] = pair([x], [_unary(n, x) for n in UNARY])
    return _cache[dtype]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unary_special_values(dtype):
    f, g = _unary_fns(dtype)
    rng = np.random.default_rng(0)
    x = np.concatenate([np.array(SPECIAL), rng.standard_normal(37) * 10, np.linspace(-30, 30, 61)]).astype(dtype)
    outs_f, outs_g = f(x), g(x)
    for name, a, b in zip(UNARY, outs_f, outs_g):
        tol = dict(rtol=5e-6, atol=1e-6) if dtype == "float32" else dict(rtol=1e-13, atol=1e-15)
        if name in ("sin", "cos"):  # argument reduction of huge inputs differs between libms
            keep = np.abs(x) < 1e4
            a, b = a[keep], b[keep]
        assert_same(a, b, what=name, **tol)
    # strided and reversed inputs take the general (non-unit-stride) path
    xs = np.repeat(x, 2)[::-2]
    for name, a, b in zip(UNARY, f(xs), g(xs)):
        if name not in ("sin", "cos"):
            assert_same(a, b, what=name + " strided", rtol=5e-6 if dtype == "float32" else 1e-13, atol=1e-6)


BINARY = ["add", "sub", "mul", "true_div", "floor_div", "mod", "maximum", "minimum", "pow",
          "eq", "neq", "lt", "le", "gt", "ge"]


def _binary_fns(dtype):
    key = ("bin", dtype)
    if key not in _cache:
        x = sn.vector("x", dtype=dtype)
        y = sn.vector("y", dtype=dtype)
        names = [n for n in BINARY if not (n == "pow" and dtype[0] in "iub")]
        outs = [getattr(sn, n)(x, y) for n in names]
        _cache[key] = (names,) + pair([x, y], outs)
    return _cache[key]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "uint8", "int8"])
def test_binary(dtype):
    names, f, g = _binary_fns(dtype)
    if dtype.startswith("float"):
        v = np.array(SPECIAL, dtype=dtype)
        x, y = np.meshgrid(v, v)
    else:
        info = np.iinfo(dtype)
        v = np.array(sorted(c for c in {0, 1, 2, 3, 7, -1, -2, -3, -7, info.min, info.max, info.min + 1}
                            if info.min <= c <= info.max), dtype=dtype)
        x, y = np.meshgrid(v, v)
    x, y = x.ravel(), y.ravel()
    for name, a, b in zip(names, f(x, y), g(x, y)):
        assert_same(a, b, what=name, rtol=1e-6 if dtype == "float32" else 1e-14)


def test_mixed_dtypes_and_broadcasting():
    x = sn.matrix("x", dtype="float32")
    i = sn.vector("i", dtype="int32")
    c = sn.tensor((None, 1), dtype="float64", name="c")
    out = [x * i + c, sn.switch(x > 0, x, i), sn.cast(x, "int16"), sn.clip(x, -0.5, 0.5), x * 2 + 1.5,
           sn.and_(x > 0, i > 0), (x + c).sum(axis=1)]
    f, g = pair([x, i, c], out)
    rng = np.random.default_rng(1)
    for m, n in [(3, 5), (1, 1), (0, 4), (4, 0), (7, 33)]:
        X = (rng.standard_normal((m, n)) * 3).astype("float32")
        I = rng.integers(-3, 3, n).astype("int32")
        C = rng.standard_normal((m, 1))
        check(f, g, X, I, C)
    X = (rng.standard_normal((9, 6)) * 3).astype("float32")
    check(f, g, X[::2, ::-1], np.arange(6, dtype="int32")[::-1], rng.standard_normal((5, 1)))
    check(f, g, np.asfortranarray(X[:6]).T, np.arange(6, dtype="int32"), rng.standard_normal((6, 1)))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_reductions(dtype):
    key = ("red", dtype)
    if key not in _cache:
        x = sn.tensor3("x", dtype=dtype)
        outs = []
        for kind in ("sum", "prod", "max", "min", "mean"):
            for axis in (None, 0, 1, 2, (0, 2), (1, 2)):
                outs.append(getattr(sn, kind)(x, axis=axis, keepdims=axis == 1))
        for axis in (None, 0, 2):
            outs += [sn.argmax(x, axis=axis), sn.argmin(x, axis=axis)]
        outs += [sn.any(x > 0, axis=1), sn.all(x > 0, axis=(0, 2))]
        _cache[key] = pair([x], outs)
    f, g = _cache[key]
    rng = np.random.default_rng(2)
    shapes = [(2, 3, 4), (1, 1, 1), (3, 1, 5), (5, 7, 33), (2, 3, 600)]
    for shp in shapes:
        if dtype == "int32":
            X = rng.integers(-5, 5, shp).astype(dtype)
        elif np.prod(shp) > 100:   # keep prod finite: reordered products may over/underflow elsewhere
            X = (1 + 0.01 * rng.standard_normal(shp)).astype(dtype)
        else:
            X = (rng.standard_normal(shp) * 2).astype(dtype)
        check(f, g, X, rtol=1e-4 if dtype == "float32" else None)
        check(f, g, X[::-1, :, ::-1], rtol=1e-4 if dtype == "float32" else None)
        check(f, g, np.ascontiguousarray(X.transpose(2, 1, 0)).transpose(2, 1, 0), rtol=1e-4 if dtype == "float32" else None)
    if dtype.startswith("float"):
        X = rng.standard_normal((3, 4, 5)).astype(dtype)
        X[1, 2, 3] = np.nan
        X[0, 0, 0] = np.inf
        X[2, 3, 4] = -np.inf
        check(f, g, X)


def test_empty_max_raises_like_reference():
    x = sn.matrix("x")
    f, g = pair([x], sn.max(x, axis=1))
    for fn in (f, g):
        with pytest.raises(ValueError):
            fn(np.zeros((3, 0), dtype=x.dtype))
    assert f(np.zeros((0, 3), dtype=x.dtype)).shape == (0,)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matmul_cases(dtype):
    rng = np.random.default_rng(3)
    A = sn.matrix("A", dtype=dtype)
    B = sn.matrix("B", dtype=dtype)
    v = sn.vector("v", dtype=dtype)
    T3 = sn.tensor3("T", dtype=dtype)
    f, g = pair([A, B, v, T3], [A @ B, A @ v, v @ B, v @ v, T3 @ B, A.T @ A, sn.dot(A, B) + 1.0,
                                 T3 @ sn.transpose(T3, (0, 2, 1))])
    for m, k, n in [(3, 4, 5), (1, 1, 1), (0, 3, 2), (3, 0, 2), (17, 9, 33)]:
        a = rng.standard_normal((m, k)).astype(dtype)
        b = rng.standard_normal((k, n)).astype(dtype)
        vv = rng.standard_normal(k).astype(dtype)
        t = rng.standard_normal((2, m, k)).astype(dtype)
        check(f, g, a, b, vv, t, rtol=1e-4 if dtype == "float32" else 1e-10, atol=1e-5)
    a = rng.standard_normal((6, 8)).astype(dtype)
    b = rng.standard_normal((8, 5)).astype(dtype)
    # transposed and negatively strided operands
    check(f, g, a[:, ::-2].T.copy().T, b[::2], rng.standard_normal(4).astype(dtype)[::-1],
          rng.standard_normal((2, 4, 6)).astype(dtype).transpose(0, 2, 1)[:, ::-1, :4][:, :6],
          rtol=1e-4 if dtype == "float32" else 1e-10, atol=1e-5)


def test_softmax_logsoftmax_xent_and_grads():
    x = sn.matrix("x")
    t = sn.matrix("t")
    loss = sn.mean(sn.categorical_crossentropy(sn.softmax(x), t))
    outs = [sn.softmax(x), sn.log_softmax(x), sn.softmax(x, axis=0), loss, sn.grad(loss, x),
            sn.grad(sn.sum(sn.log_softmax(x) * t), x)]
    f, g = pair([x, t], outs)
    rng = np.random.default_rng(4)
    for shp in [(4, 5), (1, 1), (3, 1), (17, 10)]:
        X = (rng.standard_normal(shp) * 3).astype(x.dtype)
        T = np.eye(shp[1], dtype=x.dtype)[rng.integers(0, shp[1], shp[0])]
        check(f, g, X, T, rtol=1e-4, atol=1e-6)
    X = rng.standard_normal((3, 4)).astype(x.dtype)
    X[0, 0] = np.inf
    X[1, 1] = np.nan
    X[2] = -np.inf
    outs_f, outs_g = f(X, np.eye(4, dtype=x.dtype)[[0, 1, 2]]), g(X, np.eye(4, dtype=x.dtype)[[0, 1, 2]])
    for i in (0, 1, 2):
        assert_same(outs_f[i], outs_g[i], what=f"softmax-like {i} with inf/nan")


def test_views_and_data_movement():
    x = sn.matrix("x")
    y = sn.matrix("y")
    outs = [x[1:, ::2], x[::-1].T, x.reshape((-1,)), x.T.reshape((-1,)), sn.concatenate([x, y], axis=1),
            sn.concatenate([x, x * 2], axis=0), sn.set_subtensor(x[1:3], y[0]), sn.inc_subtensor(x[:, 0], 5.0),
            sn.expand_dims(x, 1) + 1, sn.zeros_like(x) + sn.sum(x), *sn.split(x, [1, 2], axis=1)]
    f, g = pair([x, y], outs)
    rng = np.random.default_rng(5)
    X = rng.standard_normal((4, 3)).astype(x.dtype)
    Y = rng.standard_normal((4, 3)).astype(x.dtype)
    check(f, g, X, Y)
    check(f, g, X[::-1], Y[:, ::-1])


def test_outputs_are_fresh_and_updates_simultaneous():
    a = sn.shared(np.arange(3, dtype="float32"), name="a")
    b = sn.shared(np.arange(3, 6, dtype="float32"), name="b")
    ensure_llvm()
    f = sn.function([], [a, a + 1], updates=[(a, b), (b, a * 10)], mode="llvm")
    o1 = f()
    np.testing.assert_array_equal(o1[0], [0, 1, 2])
    np.testing.assert_array_equal(a.get_value(), [3, 4, 5])
    np.testing.assert_array_equal(b.get_value(), [0, 10, 20])
    o1[0][:] = -1          # the returned array is ours: writing it must not touch `a`
    f()
    np.testing.assert_array_equal(a.get_value(), [0, 10, 20])
    np.testing.assert_array_equal(b.get_value(), [30, 40, 50])
    # a shape-changing update falls back to assignment
    c = sn.shared(np.zeros(2, dtype="float32"), name="c")
    h = sn.function([], [], updates=[(c, sn.concatenate([c, c + 1]))], mode="llvm")
    h()
    np.testing.assert_array_equal(c.get_value(), [0, 0, 1, 1])


def _mlp_step(mode, params0, X, T, steps=3):
    rng = np.random.default_rng(6)
    params = [sn.shared(p.copy(), name=f"p{i}") for i, p in enumerate(params0)]
    accs = [sn.shared(np.zeros_like(p), name=f"acc{i}") for i, p in enumerate(params0)]
    x = sn.matrix("x")
    t = sn.matrix("t")
    W1, b1, W2, b2, W3, b3 = params
    h = sn.relu(x @ W1 + b1)
    h = sn.tanh(h @ W2 + b2)
    p = sn.softmax(h @ W3 + b3)
    loss = sn.mean(sn.categorical_crossentropy(p, t))
    grads = sn.grad(loss, params)
    lr, rho, eps = 0.01, 0.9, 1e-7
    updates = []
    for w, acc, gr in zip(params, accs, grads):
        new_acc = rho * acc + (1 - rho) * gr * gr
        updates += [(acc, new_acc), (w, w - lr * gr / (sn.sqrt(new_acc) + eps))]
    f = sn.function([x, t], loss, updates=updates, mode=mode)
    losses = [float(f(X, T)) for _ in range(steps)]
    return losses, [w.get_value() for w in params]


def test_mlp_training_step_matches_reference():
    ensure_llvm()
    rng = np.random.default_rng(7)
    sizes = [20, 16, 12, 5]
    params0 = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        params0 += [(rng.standard_normal((a, b)) * 0.3).astype("float32"), np.zeros(b, "float32")]
    X = rng.standard_normal((9, 20)).astype("float32")
    T = np.eye(5, dtype="float32")[rng.integers(0, 5, 9)]
    l1, w1 = _mlp_step("llvm", params0, X, T)
    l2, w2 = _mlp_step("reference", params0, X, T)
    np.testing.assert_allclose(l1, l2, rtol=1e-4)
    for a, b in zip(w1, w2):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_explicit_fallback_is_listed_and_correct():
    from symnet.random import RandomStream
    x = sn.matrix("x")
    res = {}
    for mode in ("llvm", "reference"):
        ensure_llvm()
        f = sn.function([x], [sn.tanh(x) * RandomStream(7).binomial(size=x.shape, n=3, p=0.4, dtype="float32"),
                              sn.tanh(x).sum()], mode=mode)
        res[mode] = [f(np.ones((3, 4), "float32")), f(np.ones((3, 4), "float32"))]
        if mode == "llvm":
            fb = [k for k in f.kernels if k.kind == "FallbackStep"]
            assert fb and "RandomVariable" in repr(fb[0]) and "binomial" in fb[0].reason
            assert "fallback" in fb[0].source and any(k.kind == "LoopKernel" for k in f.kernels)
    for a, b in zip(res["llvm"], res["reference"]):
        for u, v in zip(a, b):
            assert_same(u, v)


def test_sparse_crossentropy_native():
    x = sn.matrix("x")
    i = sn.vector("i", dtype="int64")
    loss = sn.mean(sn.sparse_categorical_crossentropy(sn.softmax(x), i))
    f, g = pair([x, i], [loss, sn.grad(loss, x)])
    X = np.random.default_rng(11).standard_normal((5, 4)).astype(x.dtype)
    I = np.array([3, 0, 1, 2, 3])
    check(f, g, X, I, rtol=1e-5)
    check(f, g, X[::-1].T.copy().T, I[::-1], rtol=1e-5)
    for fn in (f, g):
        with pytest.raises(IndexError):
            fn(X, np.array([0, 4, 1, 1, 1]))


@pytest.mark.skipif(os.environ.get("SYMNET_CHECK_BOUNDS", "") not in ("", "0"),
                    reason="the bounds-checking build runs the checked scalar path only")
def test_kernels_inspection_and_vector_code(tmp_path):
    x = sn.vector("x", dtype="float32")
    a = sn.scalar("a", dtype="float32")
    with sn.name_scope("dense_7"):
        y = sn.maximum(x * a + 1.0, 0.0) * x
    from symnet.config import config
    config.dump_kernels = str(tmp_path)
    config.optimizer = None          # unfused nodes keep the scope they were built in
    f, _ = pair([x, a], y)
    config.dump_kernels = ""
    assert f.kernels
    k = f.kernels[0]
    assert "define" in k.source and k.nodes
    assert "dense_7" in "".join(k.scopes)
    asm = "\n".join(k.asm for k in f.kernels)
    assert "zmm" in asm or "ymm" in asm, "the elementwise loop was not vectorised"
    assert (tmp_path / "index.tsv").exists() and list(tmp_path.glob("*/*.s"))


def test_threads_share_a_function():
    import threading
    x = sn.matrix("x")
    f, g = pair([x], [sn.tanh(x @ x.T).sum(axis=1), sn.exp(x).max()])
    rng = np.random.default_rng(8)
    data = [rng.standard_normal((int(n), 7)).astype(x.dtype) for n in rng.integers(1, 60, 24)]
    want = [g(d) for d in data]
    got = [None] * len(data)
    errors = []

    def work(j):
        try:
            for _ in range(5):
                for i in range(j, len(data), 4):
                    got[i] = f(data[i])
        except Exception as e:   # pragma: no cover - reported below
            errors.append(e)
    ts = [threading.Thread(target=work, args=(j,)) for j in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    for a, b in zip(got, want):
        for u, v in zip(a, b):
            assert_same(u, v, rtol=1e-4)


def test_large_kernel_uses_two_threads_and_is_correct():
    x = sn.vector("x", dtype="float32")
    f, g = pair([x], [sn.tanh(x * 0.5 + 1.0) * sn.sigmoid(x), sn.sum(x * x)])
    X = np.random.default_rng(9).standard_normal(300_001).astype("float32")
    check(f, g, X, rtol=1e-4)
    runner = f.runner
    plan = next(iter(runner._local.plans.values()))
    from codegen.llvm.regions import loop_region
    k, _, off = runner.items[runner.segments[0].name][0]
    assert plan.params[off + loop_region(k, runner.threads)["nblocks"]] == 2, \
        "a 300k-element kernel should be split in two blocks"


def test_compile_cache_hit(tmp_path):
    from symnet.config import config
    config.cache_dir = str(tmp_path / "cache")
    x = sn.vector("x")
    ensure_llvm()
    f1 = sn.function([x], sn.exp(x) * 3 + x, mode="llvm")
    f2 = sn.function([x], sn.exp(x) * 3 + x, mode="llvm")
    assert not f1.runner.compiled.cache_hit
    assert f2.runner.compiled.cache_hit
    X = np.linspace(-3, 3, 11).astype(x.dtype)
    np.testing.assert_allclose(f2(X), np.exp(X) * 3 + X, rtol=1e-5)


def test_random_matches_reference_bit_for_bit():
    from symnet.random import RandomStream
    for dtype in ("float32", "float64"):
        res = {}
        for mode in ("llvm", "reference"):
            rs = RandomStream(1234)
            x = sn.matrix("x", dtype=dtype)
            u = rs.uniform(size=x.shape, low=-1.0, high=2.0, dtype=dtype)
            z = rs.normal(size=(3, 5), avg=1.0, std=2.0, dtype=dtype)
            ensure_llvm()
            f = sn.function([x], [x * u, z], mode=mode)
            if mode == "llvm":
                assert not [k for k in f.kernels if k.kind == "FallbackStep"]
            X = np.ones((4, 7), dtype)
            res[mode] = [f(X), f(X), f(X[:2])]     # the state advances between calls
        for a, b in zip(res["llvm"], res["reference"]):
            np.testing.assert_array_equal(a[0], b[0])
            np.testing.assert_allclose(a[1], b[1], rtol=1e-6 if dtype == "float32" else 1e-13)


def test_gather_scatter_and_index_errors():
    from symnet.ops.subtensor import AdvancedIncSubtensor1
    x = sn.matrix("x")
    i = sn.vector("i", dtype="int32")
    y = sn.matrix("y")
    f, g = pair([x, i, y], [x[i] * 2, AdvancedIncSubtensor1(False)(x, y, i), AdvancedIncSubtensor1(True)(x, y[0], i),
                            sn.grad(sn.sum(x[i] ** 2), x)])
    assert not [k for k in f.kernels if k.kind == "FallbackStep"]
    X = np.arange(12, dtype=x.dtype).reshape(4, 3)
    Y = np.random.default_rng(10).standard_normal((4, 3)).astype(x.dtype)
    for I in ([3, 0, -1, 3], [2]):
        I = np.array(I, dtype="int32")
        check(f, g, X, I, Y[:len(I)])
    check(f, g, X[::-1], np.array([1, 1, 1], dtype="int32"), Y[:3, ::-1])
    with pytest.raises(IndexError, match="out of bounds"):
        f(X, np.array([0, 4], dtype="int32"), Y[:2])
    check(f, g, X, np.array([-4, 3], dtype="int32"), Y[:2])   # the function still works after an error
