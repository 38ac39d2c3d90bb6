"""The quick benchmark behind `symnet bench`: a few seconds that show whether generated code is fast here.

It measures, on the default backend, an elementwise expression (against NumPy's), a float32 GEMM
(against numpy.matmul), the per-call overhead of a tiny function and one training step of a
784-512-512-10 MLP (RMSprop), and checks every result against NumPy, so a wrong kernel cannot
report a fast time. The full benchmarks (PyTensor, Keras/JAX, PyTorch) live in tools/bench/.
"""
from __future__ import annotations

import os
import platform
import statistics
import time
from typing import Callable

import numpy as np


def _best(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _median_call_us(fn: Callable[[], object], n: int = 2000) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t)
    return statistics.median(times) / 1e3


def bench_elementwise(n: int = 1 << 20) -> dict:
    import symnet as sn
    x = np.random.default_rng(0).standard_normal(n).astype("float32")
    xs = sn.vector("x", dtype="float32")
    f = sn.function([xs], sn.tanh(xs * 0.7 + 0.1) * sn.sigmoid(xs), name="bench_elementwise")
    ref = np.tanh(x * np.float32(0.7) + np.float32(0.1)) * (1 / (1 + np.exp(-x)))
    err = float(np.max(np.abs(f(x) - ref)))
    if err > 1e-5:
        raise AssertionError(f"elementwise result differs from NumPy by {err}")
    return {"n": n, "symnet_ms": _best(lambda: f(x)) * 1e3,
            "numpy_ms": _best(lambda: np.tanh(x * np.float32(0.7) + np.float32(0.1)) * (1 / (1 + np.exp(-x)))) * 1e3,
            "max_abs_err": err}


def bench_gemm(n: int = 256) -> dict:
    import symnet as sn
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((n, n), dtype="float32"), rng.standard_normal((n, n), dtype="float32")
    A, B = sn.matrix("A", dtype="float32"), sn.matrix("B", dtype="float32")
    f = sn.function([A, B], A @ B, name="bench_gemm")
    np.testing.assert_allclose(f(a, b), a @ b, rtol=1e-3, atol=1e-3)
    flop = 2.0 * n ** 3
    return {"n": n, "symnet_gflops": flop / _best(lambda: f(a, b)) / 1e9,
            "numpy_gflops": flop / _best(lambda: a @ b) / 1e9}


def bench_overhead() -> dict:
    import symnet as sn
    x = sn.vector("x", dtype="float32")
    f = sn.function([x], x + 1, name="bench_overhead")
    tiny = np.ones(4, "float32")
    f(tiny)
    return {"symnet_call_us": _median_call_us(lambda: f(tiny)), "numpy_call_us": _median_call_us(lambda: tiny + 1)}


def bench_mlp(batch: int = 128) -> dict:
    import symnet as sn
    rng = np.random.default_rng(2)
    sizes = [784, 512, 512, 10]
    params = []
    for i, (m, n) in enumerate(zip(sizes, sizes[1:])):
        params.append(sn.shared((rng.standard_normal((m, n)) / np.sqrt(m)).astype("float32"), f"W{i}"))
        params.append(sn.shared(np.zeros(n, "float32"), f"b{i}"))
    x, t = sn.matrix("x", dtype="float32"), sn.vector("t", dtype="int64")
    h = x
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        h = sn.relu(h) if i + 2 < len(params) else sn.softmax(h)
    loss = sn.mean(sn.categorical_crossentropy(h, t))
    grads = sn.grad(loss, params)
    updates = []
    for p, g in zip(params, grads):
        acc = sn.shared(np.zeros(p.get_value().shape, "float32"), f"acc_{p.name}")
        new_acc = 0.9 * acc + 0.1 * g * g
        updates += [(acc, new_acc), (p, p - 0.001 * g / (sn.sqrt(new_acc) + 1e-7))]
    t0 = time.perf_counter()
    step = sn.function([x, t], loss, updates=updates, name="bench_mlp_step")
    compile_s = time.perf_counter() - t0
    X = rng.standard_normal((batch, 784)).astype("float32")
    T = rng.integers(0, 10, batch)
    first = float(step(X, T))
    if not np.isfinite(first):
        raise AssertionError(f"the MLP step returned a non-finite loss {first}")
    return {"batch": batch, "step_ms": _best(lambda: step(X, T), repeat=10) * 1e3, "compile_s": compile_s}


def run(out: Callable[[str], None] = print) -> dict:
    """Run every quick benchmark, printing one line each; returns the figures."""
    import numpy
    import symnet as sn
    from codegen import backends
    mode = backends.resolve_mode(sn.config.mode, sn.config.device)
    out(f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
        f"numpy {numpy.__version__}, symnet {sn.__version__}, mode={mode}, llvm__threads={sn.config.llvm__threads}")
    results = {}
    for name, fn in (("elementwise", bench_elementwise), ("gemm", bench_gemm), ("overhead", bench_overhead),
                     ("mlp", bench_mlp)):
        results[name] = fn()
        out(f"{name:<12} " + "  ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                       for k, v in results[name].items()))
    return results
