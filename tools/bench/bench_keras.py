"""Keras API benchmark: the 784-512-512-10 MLP (relu, softmax), RMSprop, batch 128, synthetic data,
trained through model.fit. Reports the first epoch's wall time (it includes compiling the train step)
and the steady-state ms/step (later epochs), for keras_api on symnet and, when installed, Keras 3 on
JAX and the same model in PyTorch (CPU, a plain training loop). Keras and PyTorch are optional: they
are measured in subprocesses so neither is imported next to symnet.

    python3 tools/bench/bench_keras.py [--steps 100] [--epochs 3] [--threads 2]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

KERAS_CODE = r'''
import json, os, sys, time
import numpy as np
steps, epochs, backend = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
if backend == "symnet":
    sys.path.insert(0, sys.argv[4])
    import keras_api as keras
    import symnet as sn
    mode = None
else:
    os.environ["KERAS_BACKEND"] = "jax"
    import keras
rng = np.random.default_rng(0)
n = 128 * steps
x = rng.random((n, 784), dtype=np.float32)
y = rng.integers(0, 10, n)
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(512, activation="relu"),
                          keras.layers.Dense(512, activation="relu"), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer=keras.optimizers.RMSprop(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
times = []
class T(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None): self.t = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None): times.append(time.perf_counter() - self.t)
t0 = time.perf_counter()
h = model.fit(x, y, batch_size=128, epochs=epochs, verbose=0, callbacks=[T()], shuffle=True)
total = time.perf_counter() - t0
info = {"first_epoch_s": total - sum(times[1:]), "epoch_s": times, "loss": [float(v) for v in h.history["loss"]]}
if backend == "symnet":
    info["mode"] = model._fns["train"][1][0].mode
else:
    info["mode"] = "keras " + keras.__version__ + " jax"
print("RESULT " + json.dumps(info))
'''

TORCH_CODE = r'''
import json, sys, time
import numpy as np
import torch
steps, epochs = int(sys.argv[1]), int(sys.argv[2])
torch.manual_seed(0)
rng = np.random.default_rng(0)
n = 128 * steps
x = torch.from_numpy(rng.random((n, 784), dtype=np.float32))
y = torch.from_numpy(rng.integers(0, 10, n))
model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(),
                            torch.nn.Linear(512, 10))
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
loss_fn = torch.nn.CrossEntropyLoss()
times, losses = [], []
t0 = time.perf_counter()
for epoch in range(epochs):
    t = time.perf_counter()
    perm = torch.randperm(n)
    total = 0.0
    for i in range(0, n, 128):
        idx = perm[i:i + 128]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        total += float(loss)
    losses.append(total / steps)
    times.append(time.perf_counter() - t)
print("RESULT " + json.dumps({"first_epoch_s": times[0], "epoch_s": times, "loss": losses,
                              "mode": "torch " + torch.__version__ + " cpu"}))
'''


def run(code: str, args: list[str], env: dict) -> dict | None:
    proc = subprocess.run([sys.executable, "-c", code] + args, capture_output=True, text=True, env=env, timeout=1200)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    err = (proc.stderr or "").strip().splitlines()
    print(f"  (not measured: {err[-1] if err else 'no output'})")
    return None


def available(module: str) -> bool:
    proc = subprocess.run([sys.executable, "-c", f"import importlib.util,sys; sys.exit(importlib.util.find_spec('{module}') is None)"])
    return proc.returncode == 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100, help="batches per epoch")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2, help="BLAS / intra-op threads for every framework")
    args = ap.parse_args()
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(args.threads)
    rows = []
    print(f"784-512-512-10 MLP, RMSprop, batch 128, {args.steps} steps/epoch, {args.epochs} epochs, "
          f"{args.threads} threads")
    r = run(KERAS_CODE, [str(args.steps), str(args.epochs), "symnet", ROOT], env)
    if r:
        rows.append(("keras_api (symnet, " + r["mode"] + ")", r))
    if available("keras") and available("jax"):
        r = run(KERAS_CODE, [str(args.steps), str(args.epochs), "jax"], env)
        if r:
            rows.append((r["mode"], r))
    else:
        print("  Keras 3 / JAX not installed: skipped")
    if available("torch"):
        env_t = dict(env)
        r = run(TORCH_CODE.replace("torch.manual_seed(0)", f"torch.manual_seed(0); torch.set_num_threads({args.threads})"),
                [str(args.steps), str(args.epochs)], env_t)
        if r:
            rows.append((r["mode"], r))
    else:
        print("  PyTorch not installed: skipped")
    if not rows:
        return
    base = None
    print(f"\n{'framework':44s} {'first epoch (s)':>16s} {'ms/step':>9s} {'ratio':>7s}  final loss")
    for name, r in rows:
        later = r["epoch_s"][1:] or r["epoch_s"]
        ms = 1000.0 * min(later) / args.steps
        if base is None:
            base = ms
        print(f"{name:44s} {r['first_epoch_s']:16.2f} {ms:9.2f} {base / ms:7.2f}  {r['loss'][-1]:.4f}")
    print("\nratio = symnet's ms/step / the framework's ms/step (below 1: symnet is faster); ms/step is the best "
          "later epoch divided by its steps")


if __name__ == "__main__":
    main()
