"""Benchmarks of the LLVM backend (figures go to docs/benchmarks.md, "## LLVM backend").

    python3 tools/bench/bench_llvm.py [--quick]

1. y = tanh(x*a + b) * sigmoid(x) over 16,777,216 float32 vs np.copyto and the NumPy expression
2. float32 GEMM 1024^3 and 2048^3 vs numpy.matmul (GFLOP/s)
3. per-call overhead on tiny inputs (median) next to a NumPy call
4. 784-512-512-10 MLP training step (batch 128, softmax crossentropy, RMSprop in symnet) vs NumPy
5. cold and warm (cache hit) compile time of that training step
"""
from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))

import symnet as sn  # noqa: E402


def best(fn, repeat=7, number=1):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        ts.append((time.perf_counter() - t) / number)
    return min(ts)


def median_call(fn, n=20000):
    ts = []
    for _ in range(n):
        t = time.perf_counter_ns()
        fn()
        ts.append(time.perf_counter_ns() - t)
    return statistics.median(ts) / 1e3


def bench_elementwise(n=16_777_216):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(n).astype("float32")
    out = np.empty_like(x)
    a, b = np.float32(0.7), np.float32(0.1)
    xs = sn.vector("x", dtype="float32")
    as_ = sn.scalar("a", dtype="float32")
    bs = sn.scalar("b", dtype="float32")
    f = sn.function([xs, as_, bs], sn.tanh(xs * as_ + bs) * sn.sigmoid(xs))
    got = f(x, a, b)
    ref = np.tanh(x * a + b) * (1 / (1 + np.exp(-x)))
    err = float(np.max(np.abs(got - ref)))
    t_f = best(lambda: f(x, a, b))
    t_copy = best(lambda: np.copyto(out, x))
    t_np = best(lambda: np.tanh(x * a + b) * (1 / (1 + np.exp(-x))), repeat=3)
    return dict(t_llvm_ms=t_f * 1e3, t_copyto_ms=t_copy * 1e3, t_numpy_ms=t_np * 1e3,
                ratio_vs_copyto=t_f / t_copy, speedup_vs_numpy=t_np / t_f, max_abs_err=err)


def bench_gemm(n):
    rng = np.random.default_rng(1)
    A = rng.standard_normal((n, n)).astype("float32")
    B = rng.standard_normal((n, n)).astype("float32")
    a, b = sn.matrix("a", dtype="float32"), sn.matrix("b", dtype="float32")
    f = sn.function([a, b], a @ b)
    np.testing.assert_allclose(f(A, B), A @ B, rtol=1e-3, atol=1e-2)
    flops = 2.0 * n ** 3
    t_f = best(lambda: f(A, B), repeat=5)
    t_np = best(lambda: A @ B, repeat=5)
    return dict(n=n, gflops_llvm=flops / t_f / 1e9, gflops_numpy=flops / t_np / 1e9, ratio=t_np / t_f)


def bench_overhead():
    x = np.ones(4, "float32")
    xs = sn.vector("x", dtype="float32")
    f = sn.function([xs], xs + 1)
    g = sn.function([xs], xs + 1, mode="reference")
    f(x)
    return dict(llvm_us=median_call(lambda: f(x)), numpy_us=median_call(lambda: np.add(x, 1)),
                reference_us=median_call(lambda: g(x), n=5000),
                runner_only_us=median_call(lambda: f.runner([x])))


def mlp_step_symnet(params0, batch=128):
    params = [sn.shared(p.copy(), name=f"p{i}") for i, p in enumerate(params0)]
    accs = [sn.shared(np.zeros_like(p), name=f"acc{i}") for i, p in enumerate(params0)]
    x = sn.matrix("x", dtype="float32")
    t = sn.matrix("t", dtype="float32")
    W1, b1, W2, b2, W3, b3 = params
    h = sn.relu(x @ W1 + b1)
    h = sn.relu(h @ W2 + b2)
    p = sn.softmax(h @ W3 + b3)
    loss = sn.mean(sn.categorical_crossentropy(p, t))
    grads = sn.grad(loss, params)
    lr, rho, eps = np.float32(0.001), np.float32(0.9), np.float32(1e-7)
    updates = []
    for w, acc, g in zip(params, accs, grads):
        new_acc = rho * acc + (1 - rho) * g * g
        updates += [(acc, new_acc), (w, w - lr * g / (sn.sqrt(new_acc) + eps))]
    t0 = time.perf_counter()
    f = sn.function([x, t], loss, updates=updates)
    return f, time.perf_counter() - t0


def mlp_step_numpy(params, accs, X, T, lr=0.001, rho=0.9, eps=1e-7):
    W1, b1, W2, b2, W3, b3 = params
    a1 = X @ W1 + b1
    h1 = np.maximum(a1, 0)
    a2 = h1 @ W2 + b2
    h2 = np.maximum(a2, 0)
    z = h2 @ W3 + b3
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.sum(T * np.log(p), axis=1))
    dz = (p - T) / X.shape[0]
    g3, gb3 = h2.T @ dz, dz.sum(0)
    d2 = (dz @ W3.T) * (a2 > 0)
    g2, gb2 = h1.T @ d2, d2.sum(0)
    d1 = (d2 @ W2.T) * (a1 > 0)
    g1, gb1 = X.T @ d1, d1.sum(0)
    for w, acc, g in zip(params, accs, [g1, gb1, g2, gb2, g3, gb3]):
        acc *= rho
        acc += (1 - rho) * g * g
        w -= lr * g / (np.sqrt(acc) + eps)
    return loss


def bench_mlp():
    rng = np.random.default_rng(2)
    sizes = [784, 512, 512, 10]
    params0 = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        params0 += [(rng.standard_normal((a, b)) * np.sqrt(2 / a)).astype("float32"), np.zeros(b, "float32")]
    X = rng.standard_normal((128, 784)).astype("float32")
    T = np.eye(10, dtype="float32")[rng.integers(0, 10, 128)]
    from symnet.config import config
    old = config.cache_dir
    with tempfile.TemporaryDirectory() as d:
        config.cache_dir = d
        f, cold = mlp_step_symnet(params0)
        _, warm = mlp_step_symnet(params0)
    config.cache_dir = old
    f(X, T)
    t_f = best(lambda: f(X, T), repeat=20)
    params = [p.copy() for p in params0]
    accs = [np.zeros_like(p) for p in params0]
    t_np = best(lambda: mlp_step_numpy(params, accs, X, T), repeat=20)
    # the two agree on the first steps from the same start
    f2, _ = mlp_step_symnet(params0)
    p2 = [p.copy() for p in params0]
    a2 = [np.zeros_like(p) for p in params0]
    l_sn = [float(f2(X, T)) for _ in range(3)]
    l_np = [float(mlp_step_numpy(p2, a2, X, T)) for _ in range(3)]
    res = dict(ms_llvm=t_f * 1e3, ms_numpy=t_np * 1e3, speedup=t_np / t_f, compile_cold_s=cold,
               compile_warm_s=warm, kernels=len(f.kernels), losses_symnet=l_sn, losses_numpy=l_np)
    try:
        pt_res = bench_pytensor(params0, X, T)
    except Exception as e:        # PyTensor is optional; say why it is missing
        pt_res = {"pytensor_error": f"{type(e).__name__}: {str(e).splitlines()[0][:120]}"}
    if pt_res:
        res.update(pt_res)
    return res


def _pytensor():
    """PyTensor with its C linker (its default numba backend needs an older llvmlite), or None."""
    try:
        import pytensor
        from pytensor.compile.mode import Mode
        return pytensor, Mode(linker="cvm", optimizer="fast_run")
    except Exception:
        return None


def bench_pytensor(params0, X, T):
    got = _pytensor()
    if got is None:
        return None
    pytensor, mode = got
    import pytensor.tensor as pt
    x = pt.vector("x", dtype="float32")
    f = pytensor.function([x], x + 1, mode=mode)
    tiny = np.ones(4, "float32")
    f(tiny)
    overhead = median_call(lambda: f(tiny))
    params = [pytensor.shared(p.copy()) for p in params0]
    accs = [pytensor.shared(np.zeros_like(p)) for p in params0]
    xs, ts = pt.matrix("x", dtype="float32"), pt.matrix("t", dtype="float32")
    W1, b1, W2, b2, W3, b3 = params
    h = pt.maximum(xs @ W1 + b1, 0)
    h = pt.maximum(h @ W2 + b2, 0)
    p = pt.special.softmax(h @ W3 + b3, axis=-1)
    loss = pt.mean(-pt.sum(ts * pt.log(p), axis=1))
    grads = pytensor.grad(loss, params)
    lr, rho, eps = np.float32(0.001), np.float32(0.9), np.float32(1e-7)
    updates = []
    for w, acc, g in zip(params, accs, grads):
        new_acc = rho * acc + (1 - rho) * g * g
        updates += [(acc, new_acc), (w, w - lr * g / (pt.sqrt(new_acc) + eps))]
    t0 = time.perf_counter()
    step = pytensor.function([xs, ts], loss, updates=updates, mode=mode)
    compile_s = time.perf_counter() - t0
    step(X, T)
    return dict(pytensor_overhead_us=overhead, pytensor_ms=best(lambda: step(X, T), repeat=20) * 1e3,
                pytensor_compile_s=compile_s, pytensor_version=pytensor.__version__)


def main():
    quick = "--quick" in sys.argv
    import llvmlite.binding as llvm
    from codegen.llvm import jit
    jit.target_machine()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"LLVM cpu {llvm.get_host_cpu_name()}, python {platform.python_version()}, numpy {np.__version__}")
    print("elementwise:", bench_elementwise(1 << 20 if quick else 16_777_216))
    for n in ((256,) if quick else (1024, 2048)):
        print("gemm:", bench_gemm(n))
    print("overhead:", bench_overhead())
    print("mlp:", bench_mlp())


if __name__ == "__main__":
    main()
