"""The reference-backend baseline: one SGD training step of a 784-512-512-10 MLP (relu hidden
layers, softmax + categorical crossentropy averaged over the batch), batch 128, float32.

It times the step compiled with sn.function(mode='reference') against the same step written by
hand in NumPy (forward, backward, update), alternating the two step by step so both see the same
load, and prints the median (and min) ms/step of each and their ratio.
Before timing, it checks that both compute the same loss and the same updated weights from the
same start, so the two columns measure the same work.

    python3 tools/bench/bench_reference.py [--steps 50] [--warmup 5] [--optimizer fast_run|None]
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

SIZES = (784, 512, 512, 10)
BATCH = 128
LR = 0.01


def init_params(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    params = []
    for a, b in zip(SIZES[:-1], SIZES[1:]):
        params.append((rng.standard_normal((a, b)) * np.sqrt(2.0 / a)).astype("float32"))
        params.append(np.zeros(b, "float32"))
    return params


def batch(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, SIZES[0])).astype("float32")
    t = np.eye(SIZES[-1], dtype="float32")[rng.integers(0, SIZES[-1], BATCH)]
    return x, t


# ------------------------------------------------------------------------------------------
# Hand-written NumPy
# ------------------------------------------------------------------------------------------
def numpy_step(params: list[np.ndarray], x: np.ndarray, t: np.ndarray) -> np.float32:
    """Forward, backward and SGD update in place; returns the loss (before the update)."""
    n_layers = len(params) // 2
    acts = [x]
    h = x
    for i in range(n_layers):
        z = h @ params[2 * i] + params[2 * i + 1]
        if i < n_layers - 1:
            h = np.maximum(z, np.float32(0))
            acts.append(h)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    loss = np.mean(-np.sum(t * np.log(p), axis=1))
    dz = (p - t) * np.float32(1.0 / x.shape[0])
    for i in reversed(range(n_layers)):
        W = params[2 * i]
        gW = acts[i].T @ dz
        gb = dz.sum(axis=0)
        if i > 0:
            dz = (dz @ W.T) * (acts[i] > 0)
        W -= np.float32(LR) * gW
        params[2 * i + 1] -= np.float32(LR) * gb
    return loss


# ------------------------------------------------------------------------------------------
# symnet, reference backend
# ------------------------------------------------------------------------------------------
def symnet_step(params: list[np.ndarray]):
    """(train function, shared variables) for the same step built from symnet ops."""
    import symnet as sn
    x = sn.tensor((None, SIZES[0]), dtype="float32", name="x")
    t = sn.tensor((None, SIZES[-1]), dtype="float32", name="t")
    shared = []
    for i, p in enumerate(params):
        shared.append(sn.shared(p.copy(), name=f"{'W' if i % 2 == 0 else 'b'}{i // 2}", shape=p.shape))
    h = x
    n_layers = len(shared) // 2
    for i in range(n_layers):
        with sn.name_scope(f"dense_{i + 1}"):
            z = h @ shared[2 * i] + shared[2 * i + 1]
            h = sn.relu(z) if i < n_layers - 1 else sn.softmax(z)
    loss = sn.mean(sn.categorical_crossentropy(h, t))
    grads = sn.grad(loss, shared)
    train = sn.function([x, t], loss, updates=[(p, p - LR * g) for p, g in zip(shared, grads)],
                        mode="reference", name="mlp_sgd_step")
    return train, shared


def interleaved_ms(fns: list, steps: int, warmup: int) -> list[list[float]]:
    """Per-step times of each function, alternating between them step by step so that both see
    the same machine load (this box is shared); sorted ascending."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(steps):
        for fn, ts in zip(fns, times):
            t0 = time.perf_counter()
            fn()
            ts.append((time.perf_counter() - t0) * 1e3)
    return [sorted(ts) for ts in times]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=50, help="timed steps (the median is reported)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--optimizer", default=None,
                    help="config.optimizer for the symnet compile (default: the config's value)")
    args = ap.parse_args(argv)

    import symnet as sn
    if args.optimizer is not None:
        sn.config.optimizer = args.optimizer
    params = init_params()
    x, t = batch()

    t0 = time.perf_counter()
    train, shared = symnet_step(params)
    compile_ms = (time.perf_counter() - t0) * 1e3

    # Same start, one step each: the losses and the updated weights must agree.
    ref = [p.copy() for p in params]
    loss_np = numpy_step(ref, x, t)
    loss_sn = train(x, t)
    if not np.allclose(loss_sn, loss_np, rtol=1e-4):
        raise SystemExit(f"loss mismatch: symnet {loss_sn} vs numpy {loss_np}")
    for s, r in zip(shared, ref):
        if not np.allclose(s.get_value(), r, rtol=1e-4, atol=1e-6):
            raise SystemExit(f"weights {s.name} differ after one step")

    t_sn, t_np = interleaved_ms([lambda: train(x, t), lambda: numpy_step(ref, x, t)], args.steps, args.warmup)
    med_sn, med_np = float(np.median(t_sn)), float(np.median(t_np))
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    print(f"MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, float32, SGD; {args.steps} steps each, interleaved, "
          f"after {args.warmup} warm-up; optimizer={sn.config.optimizer}; "
          f"{len(train.fgraph.nodes)} graph nodes; compile {compile_ms:.0f} ms")
    print(f"symnet reference  : median {med_sn:7.2f} ms/step  (min {t_sn[0]:.2f}, max {t_sn[-1]:.2f})")
    print(f"hand-written NumPy: median {med_np:7.2f} ms/step  (min {t_np[0]:.2f}, max {t_np[-1]:.2f})")
    print(f"ratio reference / NumPy: median {med_sn / med_np:.2f}x, min {t_sn[0] / t_np[0]:.2f}x")


if __name__ == "__main__":
    main()
