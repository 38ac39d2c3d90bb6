"""Check an installed symnet (from a wheel or an sdist) the way a new user would meet it.

    VENV/bin/python tools/check_install.py [--checkout DIR]

Run with the interpreter of a fresh venv, from a directory outside the checkout. It fails (exit
status 1) unless: symnet, codegen and keras_api are imported from that venv (not from DIR), every
subpackage and module imports, the py.typed markers are installed, the `symnet` console script
and `python -m symnet` answer, and a tiny Keras model trains (loss goes down) on the LLVM backend.
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import shutil
import subprocess
import sys

PACKAGES = ("symnet", "codegen", "keras_api")


def check_location(checkout: str | None) -> None:
    for name in PACKAGES:
        mod = importlib.import_module(name)
        path = os.path.realpath(mod.__file__)
        if not path.startswith(os.path.realpath(sys.prefix)):
            raise AssertionError(f"{name} was imported from {path}, not from the venv at {sys.prefix}")
        if checkout and path.startswith(os.path.realpath(checkout) + os.sep):
            raise AssertionError(f"{name} was imported from the checkout ({path})")
        if not os.path.isfile(os.path.join(os.path.dirname(path), "py.typed")):
            raise AssertionError(f"{name}: py.typed is not installed next to {path}")


def import_everything() -> int:
    count = 0
    for name in PACKAGES:
        pkg = importlib.import_module(name)
        count += 1
        for info in pkgutil.walk_packages(pkg.__path__, prefix=name + "."):
            if info.name.endswith("__main__"):
                continue
            importlib.import_module(info.name)
            count += 1
    return count


def check_commands() -> None:
    exe = shutil.which("symnet", path=os.path.dirname(sys.executable))
    if exe is None:
        raise AssertionError(f"the `symnet` console script is not installed in {os.path.dirname(sys.executable)}")
    for cmd in ([exe, "config"], [sys.executable, "-m", "symnet", "--version"], [exe, "cache", "info"]):
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if res.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed ({res.returncode}): {res.stderr[-2000:]}")
    out = subprocess.run([exe, "config"], capture_output=True, text=True, timeout=120).stdout
    if "floatX" not in out or "Source:" not in out:
        raise AssertionError(f"`symnet config` printed no flags:\n{out}")


def train_tiny_model() -> tuple[float, float]:
    import numpy as np
    import keras_api as keras
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5, 3.0], "float32"))[:, None]
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    hist = model.fit(x, y, batch_size=16, epochs=15, verbose=0)
    losses = hist.history["loss"]
    if not losses[-1] < 0.5 * losses[0]:
        raise AssertionError(f"the tiny model did not learn: loss {losses[0]} -> {losses[-1]}")
    if model.compiled_kernels("train")[0].kind == "":
        raise AssertionError("no kernels compiled")
    return losses[0], losses[-1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkout")
    a = ap.parse_args()
    check_location(a.checkout)
    n = import_everything()
    check_commands()
    first, last = train_tiny_model()
    import symnet
    print(f"installed symnet {symnet.__version__} at {os.path.dirname(symnet.__file__)}: {n} modules import, "
          f"console script works, tiny model loss {first:.4f} -> {last:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
