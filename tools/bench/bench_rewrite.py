"""Benchmark the rewrite pipeline on the graph of a 784-512-512-10 MLP training step.

The graph: relu MLP forward, softmax + categorical crossentropy (mean over the batch), the
gradient w.r.t. all six weights, RMSprop updates (Keras defaults: rho=0.9, epsilon=1e-7) for the
weights and their accumulators. Reports the rewrite time (best of N), node counts before and
after, and how many elementwise kernels are left after fusion. With --pytensor, the same graph is
built in PyTensor (if importable) and compiled with its fast_run rewrites, side by side.

    python3 tools/bench/bench_rewrite.py [--repeat 5] [--pytensor]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

SIZES = (784, 512, 512, 10)


def mlp_step_graph(sn):
    """(inputs, outputs, updates) of one training step built with symnet ops."""
    rng = np.random.default_rng(0)
    x = sn.matrix("x", "float32")
    y = sn.matrix("y", "float32")
    params, accs = [], []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        params.append(sn.shared((rng.normal(size=(a, b)) * 0.05).astype("float32"), name=f"W{i}"))
        params.append(sn.shared(np.zeros(b, "float32"), name=f"b{i}"))
    h = x
    for i in range(len(SIZES) - 1):
        z = sn.dot(h, params[2 * i]) + params[2 * i + 1]
        h = sn.relu(z) if i < len(SIZES) - 2 else sn.softmax(z)
    loss = sn.mean(sn.categorical_crossentropy(h, y))
    grads = sn.grad(loss, params)
    lr, rho, eps = 0.001, 0.9, 1e-7
    updates = []
    for p, g in zip(params, grads):
        a = sn.shared(np.zeros(p.get_value().shape, "float32"), name=f"{p.name}_rms")
        a_new = rho * a + (1 - rho) * sn.sqr(g)
        updates += [(a, a_new), (p, p - lr * g / (sn.sqrt(a_new) + eps))]
    return [x, y], [loss], updates


def count_elemwise_kernels(fgraph) -> int:
    from symnet.ops.elemwise import Elemwise
    from symnet.ops.fused import FusedReduce
    return sum(isinstance(n.op, (Elemwise, FusedReduce)) for n in fgraph.nodes)


def bench_symnet(repeat: int) -> dict:
    import symnet as sn
    from symnet.graph import FunctionGraph
    from symnet.rewrite import rewrite_graph
    inputs, outputs, updates = mlp_step_graph(sn)
    all_outputs = outputs + [e for _, e in updates]
    before = FunctionGraph(inputs, all_outputs)
    n_before, k_before = len(before.nodes), count_elemwise_kernels(before)
    times, fg = [], None
    for _ in range(repeat):
        fg = FunctionGraph(inputs, all_outputs)
        t0 = time.perf_counter()
        rewrite_graph(fg, "fast_run")
        times.append(time.perf_counter() - t0)
    ops: dict[str, int] = {}
    for n in fg.nodes:
        ops[type(n.op).__name__] = ops.get(type(n.op).__name__, 0) + 1
    # the numbers are unchanged: one step with and without rewrites from the same state
    rng = np.random.default_rng(1)
    xv = rng.normal(size=(64, 784)).astype("float32")
    yv = np.eye(10, dtype="float32")[rng.integers(0, 10, 64)]
    res = []
    for level in (None, "fast_run"):
        with sn.config.change_flags(optimizer=level):
            f = sn.function(inputs, outputs, mode="reference")
        res.append(f(xv, yv)[0])
    return {"rewrite_s": min(times), "rewrite_s_all": times, "nodes_before": n_before, "nodes_after": len(fg.nodes),
            "elemwise_before": k_before, "elemwise_after": count_elemwise_kernels(fg), "ops_after": ops,
            "phase_s": dict(getattr(fg, "rewrite_times", {})), "loss_none": float(res[0]),
            "loss_fast_run": float(res[1])}


def bench_pytensor(repeat: int) -> dict | None:
    try:
        import pytensor
        import pytensor.tensor as pt
        from pytensor.graph.fg import FunctionGraph as PFG
        from pytensor.compile.mode import get_mode
    except ImportError as e:
        return {"error": f"pytensor not importable: {e}"}
    rng = np.random.default_rng(0)
    x = pt.matrix("x", dtype="float32")
    y = pt.matrix("y", dtype="float32")
    params = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        params.append(pytensor.shared((rng.normal(size=(a, b)) * 0.05).astype("float32"), name=f"W{i}"))
        params.append(pytensor.shared(np.zeros(b, "float32"), name=f"b{i}"))
    h = x
    for i in range(len(SIZES) - 1):
        z = pt.dot(h, params[2 * i]) + params[2 * i + 1]
        h = pt.nnet.relu(z) if hasattr(pt, "nnet") else pt.maximum(z, 0)
        if i == len(SIZES) - 2:
            h = pt.special.softmax(z, axis=-1)
    loss = pt.mean(-pt.sum(y * pt.log(h), axis=-1))
    grads = pytensor.grad(loss, params)
    outs = [loss]
    for p, g in zip(params, grads):
        a = pytensor.shared(np.zeros(p.get_value().shape, "float32"))
        a_new = 0.9 * a + 0.1 * pt.sqr(g)
        outs += [a_new, p - 0.001 * g / (pt.sqrt(a_new) + 1e-7)]
    mode = get_mode("FAST_RUN")
    times, fg = [], None
    for _ in range(repeat):
        fg = PFG(outputs=outs, clone=True)   # inputs: x, y and the shared variables
        try:   # let PyTensor's inplace rewrites run too, as in its function()
            from pytensor.compile.aliasing import add_supervisor_to_fgraph
            from pytensor.compile.io import In
            add_supervisor_to_fgraph(fg, [In(i, mutable=False) for i in fg.inputs])
        except Exception:
            pass
        n_before = len(fg.apply_nodes)
        t0 = time.perf_counter()
        mode.optimizer.rewrite(fg)
        times.append(time.perf_counter() - t0)
    ops: dict[str, int] = {}
    for n in fg.apply_nodes:
        name = type(n.op).__name__
        ops[name] = ops.get(name, 0) + 1
    elem = sum(v for k, v in ops.items() if "Elemwise" in k or k in ("Composite", "CAReduce", "Sum"))
    return {"version": pytensor.__version__, "rewrite_s": min(times), "nodes_before": n_before,
            "nodes_after": len(fg.apply_nodes), "elemwise_after": elem, "ops_after": ops}


def pytensor_in_subprocess(repeat: int, path: str | None) -> dict:
    """PyTensor pins an older llvmlite (through numba) than codegen needs: install it apart
    (pip install --target DIR pytensor) and run it in its own process with DIR on the path."""
    import json
    import subprocess
    env = dict(os.environ)
    if path:
        env["PYTHONPATH"] = path + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("PYTENSOR_FLAGS", "cxx=")
    r = subprocess.run([sys.executable, __file__, "--pytensor-child", "--repeat", str(repeat)], env=env,
                       capture_output=True, text=True, timeout=600)
    for line in r.stdout.splitlines()[::-1]:
        if line.startswith("{"):
            return json.loads(line)
    return {"error": (r.stderr.strip().splitlines() or ["no output"])[-1]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pytensor", action="store_true", help="also run PyTensor's fast_run rewrites")
    ap.add_argument("--pytensor-path", default=None, help="a pip --target folder holding pytensor")
    ap.add_argument("--pytensor-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.pytensor_child:
        import json
        print(json.dumps(bench_pytensor(args.repeat)))
        return
    r = bench_symnet(args.repeat)
    print(f"symnet: rewrite {r['rewrite_s'] * 1000:.0f} ms (best of {args.repeat}; first run "
          f"{r['rewrite_s_all'][0] * 1000:.0f} ms, before the sympy cache is warm; phases of the last run "
          + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in r["phase_s"].items()) + ")")
    print(f"  nodes {r['nodes_before']} -> {r['nodes_after']}; elementwise kernels {r['elemwise_before']} -> "
          f"{r['elemwise_after']}")
    print(f"  ops after: {dict(sorted(r['ops_after'].items()))}")
    print(f"  loss without / with rewrites: {r['loss_none']:.7f} / {r['loss_fast_run']:.7f}")
    if args.pytensor:
        p = pytensor_in_subprocess(args.repeat, args.pytensor_path)
        if "error" in p:
            print(f"pytensor: {p['error']}")
        else:
            print(f"pytensor {p['version']}: rewrite {p['rewrite_s'] * 1000:.0f} ms (best of {args.repeat}); nodes "
                  f"{p['nodes_before']} -> {p['nodes_after']}; elementwise kernels after {p['elemwise_after']}")
            print(f"  ops after: {dict(sorted(p['ops_after'].items()))}")


if __name__ == "__main__":
    main()
