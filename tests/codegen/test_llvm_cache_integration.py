"""The LLVM backend with the on-disk compile cache: hit, truncated entry rebuilt, two processes
compiling the same function at once."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

import symnet as sn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _build():
    x = sn.vector("x", dtype="float64")
    return sn.function([x], sn.log1p(sn.exp(x)) * 2 - x, mode="llvm")


def test_truncated_entry_is_rebuilt(tmp_path):
    from symnet.config import config
    config.cache_dir = str(tmp_path)
    f1 = _build()
    assert not f1.runner.compiled.cache_hit
    entries = [p for p in tmp_path.rglob("*.bin")]
    assert entries
    for p in entries:                       # damage every entry: cut it in half
        data = p.read_bytes()
        p.write_bytes(data[: len(data) // 2])
    f2 = _build()
    assert not f2.runner.compiled.cache_hit  # detected, never loaded
    X = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(f2(X), np.log1p(np.exp(X)) * 2 - X, rtol=1e-12)
    f3 = _build()
    assert f3.runner.compiled.cache_hit      # and written again


def test_two_processes_compile_the_same_function(tmp_path):
    code = ("import numpy as np, symnet as sn\n"
            "x = sn.vector('x', dtype='float64')\n"
            "f = sn.function([x], sn.tanh(x) * 3 + sn.exp(-x), mode='llvm')\n"
            "X = np.linspace(-2, 2, 9)\n"
            "assert np.allclose(f(X), np.tanh(X) * 3 + np.exp(-X))\n"
            "print('ok')\n")
    env = dict(os.environ, SYMNET_FLAGS=f"cache_dir={tmp_path}", PYTHONPATH=ROOT)
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and "ok" in out, err
    assert list(tmp_path.rglob("*.bin"))
