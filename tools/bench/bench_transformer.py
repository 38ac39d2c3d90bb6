"""Transformer encoder block benchmark (issue 15): embedding 128, 4 heads (key_dim 32), feed-forward 256,
sequence 128, batch 32, trained through fit with Adam on a regression target. The block is
x + MHA(x, x) -> h; h + Dense(128)(Dense(256, relu)(h)) -> mean over the sequence -> Dense(1);
the embeddings are the float input (Embedding/LayerNormalization are not in this branch's keras_api).
Reports steady-state ms/step for keras_api (symnet/LLVM), Keras 3/JAX and PyTorch CPU
(nn.MultiheadAttention in a plain loop), each in its own subprocess.

    python3 tools/bench/bench_transformer.py [--steps 10] [--epochs 3] [--seq 128]
      [--keras-python /work/venvs/keras/bin/python] [--torch-python /work/venvs/torch/bin/python]
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
steps, epochs, seq, backend = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
if backend == "symnet":
    sys.path.insert(0, sys.argv[5])
    import keras_api as keras
    import symnet as sn
    mean_seq = lambda t: sn.mean(t, axis=1)
else:
    os.environ["KERAS_BACKEND"] = "jax"
    import keras
    mean_seq = lambda t: keras.ops.mean(t, axis=1)
import numpy as np
rng = np.random.default_rng(0)
n = 32 * steps
x = rng.standard_normal((n, seq, 128)).astype("float32")
y = rng.standard_normal((n, 1)).astype("float32")
keras.utils.set_random_seed(0)
inp = keras.Input((seq, 128))
h = keras.layers.Add()([inp, keras.layers.MultiHeadAttention(4, 32)(inp, inp)])
ff = keras.layers.Dense(128)(keras.layers.Dense(256, activation="relu")(h))
h = keras.layers.Add()([h, ff])
out = keras.layers.Dense(1)(keras.layers.Lambda(mean_seq)(h))
model = keras.Model(inp, out)
model.compile(optimizer="adam", loss="mse")
times = []
class T(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None): self.t = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None): times.append(time.perf_counter() - self.t)
t0 = time.perf_counter()
model.fit(x, y, batch_size=32, epochs=epochs, verbose=0, callbacks=[T()], shuffle=False)
total = time.perf_counter() - t0
print("RESULT " + json.dumps({"first_epoch_s": total - sum(times[1:]),
                              "ms_per_step": 1000 * min(times[1:]) / steps if len(times) > 1 else None}))
'''

TORCH_CODE = r'''
import json, sys, time
import torch
steps, epochs, seq = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.manual_seed(0)
class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.att = torch.nn.MultiheadAttention(128, 4, batch_first=True)
        self.ff = torch.nn.Sequential(torch.nn.Linear(128, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128))
        self.out = torch.nn.Linear(128, 1)
    def forward(self, x):
        h = x + self.att(x, x, x, need_weights=False)[0]
        h = h + self.ff(h)
        return self.out(h.mean(dim=1))
model = Block()
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
x = torch.randn(32 * steps, seq, 128)
y = torch.randn(32 * steps, 1)
times = []
for epoch in range(epochs):
    t = time.perf_counter()
    for i in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x[32 * i:32 * (i + 1)]), y[32 * i:32 * (i + 1)])
        loss.backward()
        opt.step()
    times.append(time.perf_counter() - t)
print("RESULT " + json.dumps({"first_epoch_s": times[0], "ms_per_step": 1000 * min(times[1:]) / steps}))
'''


def _run(cmd: list[str]) -> dict | str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    except subprocess.TimeoutExpired:
        return "timed out"
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return "failed: " + (proc.stderr.strip().splitlines() or ["?"])[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--keras-python", default="/work/venvs/keras/bin/python")
    ap.add_argument("--torch-python", default="/work/venvs/torch/bin/python")
    args = ap.parse_args()
    common = [str(args.steps), str(args.epochs), str(args.seq)]
    results = {"keras_api (symnet, LLVM)": _run([sys.executable, "-c", KERAS_CODE, *common, "symnet", ROOT])}
    if os.path.exists(args.keras_python):
        results["Keras 3 / JAX"] = _run([args.keras_python, "-c", KERAS_CODE, *common, "jax"])
    if os.path.exists(args.torch_python):
        results["PyTorch CPU"] = _run([args.torch_python, "-c", TORCH_CODE, *common])
    print(f"transformer block: embedding 128, 4 heads, ff 256, seq {args.seq}, batch 32, {args.steps} steps/epoch")
    for name, r in results.items():
        if isinstance(r, dict):
            ms = r["ms_per_step"]
            print(f"  {name:26s} {ms:8.1f} ms/step   (first epoch {r['first_epoch_s']:.1f} s)" if ms is not None
                  else f"  {name:26s} first epoch {r['first_epoch_s']:.1f} s")
        else:
            print(f"  {name:26s} {r}")


if __name__ == "__main__":
    main()
