"""mnist_cnn benchmark (28x28x1; Conv2D 32 3x3 relu, Conv2D 64 3x3 relu, MaxPooling 2x2, Dropout 0.25,
Flatten, Dense 128 relu, Dropout 0.5, Dense 10 softmax; Adam; batch 128; synthetic data) through
model.fit: steady-state ms/step for keras_api on symnet, Keras 3 on JAX and the same model in PyTorch
(CPU, a plain training loop), plus predict() throughput. Each framework runs in its own interpreter
(none is a dependency of symnet) and the frameworks alternate round by round, so a change in the load
of a shared machine hits all of them; the table gives each one's median and range over the rounds.

    python3 tools/bench/bench_cnn.py [--steps 20] [--rounds 3] [--threads 2]
        [--keras-python /work/venvs/keras/bin/python] [--torch-python /work/venvs/torch/bin/python]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

KERAS_CODE = r'''
import json, os, sys, time
import numpy as np
steps, backend = int(sys.argv[1]), sys.argv[2]
if backend == "symnet":
    sys.path.insert(0, sys.argv[3])
    import keras_api as keras
else:
    os.environ["KERAS_BACKEND"] = "jax"
    import keras
L = keras.layers
rng = np.random.default_rng(0)
n = 128 * steps
x = rng.random((n, 28, 28, 1), dtype=np.float32)
y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(32, (3, 3), activation="relu"),
                          L.Conv2D(64, (3, 3), activation="relu"), L.MaxPooling2D((2, 2)), L.Dropout(0.25),
                          L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.5),
                          L.Dense(10, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x[:256], y[:256], batch_size=128, epochs=1, verbose=0)          # compile / warm up
t = time.perf_counter()
model.fit(x, y, batch_size=128, epochs=1, verbose=0, shuffle=True)
step_ms = (time.perf_counter() - t) / steps * 1000
model.predict(x[:256], batch_size=128, verbose=0)
t = time.perf_counter()
model.predict(x, batch_size=128, verbose=0)
print("RESULT " + json.dumps({"step_ms": step_ms, "predict_img_s": n / (time.perf_counter() - t)}))
'''

TORCH_CODE = r'''
import json, sys, time
import numpy as np
import torch
steps = int(sys.argv[1])
torch.manual_seed(0)
rng = np.random.default_rng(0)
n = 128 * steps
x = torch.from_numpy(rng.random((n, 1, 28, 28), dtype=np.float32))
y = torch.from_numpy(rng.integers(0, 10, n))
nn = torch.nn
model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
                      nn.Linear(128, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
loss_fn = nn.CrossEntropyLoss()
def epoch(count):
    perm = torch.randperm(n)
    for i in range(0, count * 128, 128):
        idx = perm[i:i + 128]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        float(loss)
epoch(2)
t = time.perf_counter()
epoch(steps)
step_ms = (time.perf_counter() - t) / steps * 1000
model.eval()
with torch.no_grad():
    t = time.perf_counter()
    for i in range(0, n, 128):
        model(x[i:i + 128])
print("RESULT " + json.dumps({"step_ms": step_ms, "predict_img_s": n / (time.perf_counter() - t)}))
'''


def run(python: str, code: str, args: list, env: dict) -> dict | None:
    try:
        proc = subprocess.run([python, "-c", code] + [str(a) for a in args], capture_output=True, text=True,
                              env=env, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"  (not measured: {e})")
        return None
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    err = (proc.stderr or "").strip().splitlines()
    print(f"  (not measured: {err[-1] if err else 'no output'})")
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20, help="timed batches per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2, help="BLAS / intra-op threads for every framework")
    ap.add_argument("--keras-python", default="/work/venvs/keras/bin/python")
    ap.add_argument("--torch-python", default="/work/venvs/torch/bin/python")
    args = ap.parse_args()
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(args.threads)
    ours_env = dict(env, SYMNET_FLAGS=",".join(f for f in [env.get("SYMNET_FLAGS", ""),
                                                          f"llvm__threads={args.threads}"] if f))
    frameworks = [("keras_api (symnet, LLVM)", sys.executable, KERAS_CODE, [args.steps, "symnet", ROOT], ours_env)]
    if os.path.exists(args.torch_python):
        frameworks.append(("PyTorch CPU", args.torch_python, TORCH_CODE, [args.steps], env))
    if os.path.exists(args.keras_python):
        frameworks.append(("Keras 3 / JAX", args.keras_python, KERAS_CODE, [args.steps, "jax"], env))
    results: dict[str, list] = {name: [] for name, *_ in frameworks}
    print(f"mnist_cnn, Adam, batch 128, {args.steps} timed steps x {args.rounds} rounds, {args.threads} threads; "
          f"load average at start {os.getloadavg()[0]:.1f}")
    for r in range(args.rounds):
        for name, python, code, fargs, fenv in frameworks:
            res = run(python, code, fargs, fenv)
            if res:
                results[name].append(res)
                print(f"  round {r + 1}: {name:28s} {res['step_ms']:8.1f} ms/step  "
                      f"predict {res['predict_img_s']:8.0f} img/s")
    print(f"\n{'framework':28s} {'ms/step (median)':>17s} {'range':>17s} {'predict img/s':>14s}")
    for name, rows in results.items():
        if rows:
            ms = [x["step_ms"] for x in rows]
            print(f"{name:28s} {statistics.median(ms):17.1f} {min(ms):8.1f}-{max(ms):<8.1f} "
                  f"{statistics.median(x['predict_img_s'] for x in rows):14.0f}")
    print(f"load average at end {os.getloadavg()[0]:.1f} (a shared machine: compare within a round)")


if __name__ == "__main__":
    main()
