"""Recurrent benchmark: Embedding(20000, 128) + LSTM(128) + Dense(1, sigmoid), sequences of 80, batch 32,
Adam, synthetic token ids, trained through model.fit. Reports ms/step (best later epoch) and the first
epoch's time (it includes compiling), for keras_api on symnet, Keras 3 on JAX and PyTorch CPU
(nn.Embedding + nn.LSTM + nn.Linear, a plain loop), each in its own interpreter; and symnet's compile
time (first train_on_batch minus one step) at sequence length 400 vs 80.

    python3 tools/bench/bench_lstm.py [--steps 30] [--epochs 3] [--threads 2]
        [--keras-python /work/venvs/keras/bin/python] [--torch-python /work/venvs/torch/bin/python]

Figures on a shared, busy machine are noisy: run it more than once.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

KERAS_CODE = r'''
import json, os, sys, time
import numpy as np
steps, epochs, backend, seq = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
if backend == "symnet":
    sys.path.insert(0, sys.argv[5])
    import keras_api as keras
else:
    os.environ["KERAS_BACKEND"] = "jax"
    import keras
rng = np.random.default_rng(0)
n = 32 * steps
x = rng.integers(1, 20000, size=(n, seq)).astype("int32")
y = rng.integers(0, 2, size=(n, 1)).astype("float32")
keras.utils.set_random_seed(0)
def build():
    m = keras.Sequential([keras.Input((seq,), dtype="int32"), keras.layers.Embedding(20000, 128),
                          keras.layers.LSTM(128), keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer="adam", loss="binary_crossentropy")
    return m
info = {}
if epochs:
    model = build()
    times = []
    class T(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None): self.t = time.perf_counter()
        def on_epoch_end(self, epoch, logs=None): times.append(time.perf_counter() - self.t)
    t0 = time.perf_counter()
    h = model.fit(x, y, batch_size=32, epochs=epochs, verbose=0, callbacks=[T()], shuffle=True)
    info.update(first_epoch_s=time.perf_counter() - t0 - sum(times[1:]), epoch_s=times,
                loss=[float(v) for v in h.history["loss"]])
else:   # compile time: the first train_on_batch minus a steady step
    model = build()
    t0 = time.perf_counter(); model.train_on_batch(x[:32], y[:32]); first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i in range(3):
        model.train_on_batch(x[32 * (i + 1):32 * (i + 2)], y[32 * (i + 1):32 * (i + 2)])
    step = (time.perf_counter() - t0) / 3
    info.update(compile_s=first - step, step_s=step)
info["mode"] = ("keras " + keras.__version__ + " jax") if backend != "symnet" else "keras_api on symnet"
print("RESULT " + json.dumps(info))
'''

TORCH_CODE = r'''
import json, sys, time
import numpy as np
import torch
steps, epochs, threads = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.manual_seed(0); torch.set_num_threads(threads)
rng = np.random.default_rng(0)
n = 32 * steps
x = torch.from_numpy(rng.integers(1, 20000, size=(n, 80)))
y = torch.from_numpy(rng.integers(0, 2, size=(n, 1)).astype("float32"))
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(20000, 128)
        self.lstm = torch.nn.LSTM(128, 128, batch_first=True)
        self.out = torch.nn.Linear(128, 1)
    def forward(self, ids):
        _, (h, _) = self.lstm(self.emb(ids))
        return torch.sigmoid(self.out(h[-1]))
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
loss_fn = torch.nn.BCELoss()
times, losses = [], []
for epoch in range(epochs):
    t = time.perf_counter()
    perm = torch.randperm(n)
    total = 0.0
    for i in range(0, n, 32):
        idx = perm[i:i + 32]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        total += float(loss)
    losses.append(total / steps)
    times.append(time.perf_counter() - t)
print("RESULT " + json.dumps({"first_epoch_s": times[0], "epoch_s": times, "loss": losses,
                              "mode": "torch " + torch.__version__ + " cpu nn.LSTM"}))
'''


def run(python: str, code: str, args: list[str], env: dict) -> dict | None:
    try:
        proc = subprocess.run([python, "-c", code] + args, capture_output=True, text=True, env=env, timeout=3000)
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"  (not measured: {e})")
        return None
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    err = (proc.stderr or "").strip().splitlines()
    print(f"  (not measured with {python}: {err[-1] if err else 'no output'})")
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30, help="batches per epoch")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--keras-python", default="/work/venvs/keras/bin/python")
    ap.add_argument("--torch-python", default=next((p for p in ("/work/venvs/torch-rnn/bin/python",
                                                                  "/work/venvs/torch/bin/python")
                                                     if os.path.exists(p)), "python3"))
    ap.add_argument("--skip-compile", action="store_true", help="skip the length-400 compile measurement")
    args = ap.parse_args()
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(args.threads)
    print(f"Embedding(20000,128)+LSTM(128)+Dense(1), Adam, batch 32, seq 80, {args.steps} steps/epoch, "
          f"{args.epochs} epochs, {args.threads} threads (shared machine: noisy)")
    rows = []
    r = run(sys.executable, KERAS_CODE, [str(args.steps), str(args.epochs), "symnet", "80", ROOT], env)
    if r:
        rows.append((r["mode"], r))
    if os.path.exists(args.keras_python):
        r = run(args.keras_python, KERAS_CODE, [str(args.steps), str(args.epochs), "jax", "80"], env)
        if r:
            rows.append((r["mode"], r))
    r = run(args.torch_python, TORCH_CODE, [str(args.steps), str(args.epochs), str(args.threads)], env)
    if r:
        rows.append((r["mode"], r))
    if rows:
        base = None
        print(f"\n{'framework':36s} {'first epoch (s)':>16s} {'ms/step':>9s} {'ratio':>7s}  final loss")
        for name, r in rows:
            later = r["epoch_s"][1:] or r["epoch_s"]
            ms = 1000.0 * min(later) / args.steps
            base = ms if base is None else base
            print(f"{name:36s} {r['first_epoch_s']:16.2f} {ms:9.2f} {base / ms:7.2f}  {r['loss'][-1]:.4f}")
        print("ratio = symnet's ms/step / the framework's (below 1: symnet is faster)")
    if not args.skip_compile:
        print("\nsymnet compile time (first train_on_batch minus one step):")
        for seq in ("80", "400"):
            r = run(sys.executable, KERAS_CODE, ["4", "0", "symnet", seq, ROOT], env)
            if r:
                print(f"  seq {seq:>3s}: compile {r['compile_s']:.2f} s, step {1000 * r['step_s']:.1f} ms")


if __name__ == "__main__":
    main()
