"""Print the compiled kernels of a function (or Keras model) built in a Python file.

    python3 tools/kernels.py FILE.py [NAME] [--asm] [--ir] [--dump DIR] [--cuda]

FILE.py is run as a script (as __main__ is not: its `if __name__ == "__main__"` block is
skipped); NAME names a variable in it holding a compiled symnet Function, or a Keras model (the train /
test / predict functions it has built, i.e. after fit, evaluate, predict or *_on_batch ran).
Without NAME, every Function found at the top level is listed.
Each kernel shows its name, kind, the graph nodes it came from and their name scopes (Keras
layer names); --ir adds the LLVM IR, --asm the assembly; --dump DIR writes everything to DIR.
--cuda prints instead the CUDA C of each function (codegen.cuda.print_function: one translation
unit that `nvcc -cubin -arch=sm_90` compiles; no GPU, driver or pycuda needed).
"""
from __future__ import annotations

import argparse
import os
import runpy
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def _functions(ns: dict, name: str | None) -> list:
    from symnet.function import Function
    items = [(name, ns[name])] if name else [(k, v) for k, v in ns.items() if isinstance(v, Function)]
    if name and name not in ns:
        raise SystemExit(f"{name!r} is not defined at the top level of the file")
    out = []
    for k, v in items:
        if isinstance(v, Function):
            out.append((k, v))
            continue
        fns = getattr(v, "_fns", None)          # Keras models: the functions built so far
        if isinstance(fns, dict):
            for role, (_, built) in fns.items():
                fn = built[0] if isinstance(built, tuple) else built
                if isinstance(fn, Function):
                    out.append((f"{k}.{role}", fn))
            if not fns:
                raise SystemExit(f"{k!r} has no compiled functions yet: call fit/evaluate/predict (or "
                                 "train_on_batch) on it in the file first")
        if not out:
            raise SystemExit(f"{k!r} is a {type(v).__name__}, not a compiled symnet Function or Keras model")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("name", nargs="?")
    ap.add_argument("--asm", action="store_true")
    ap.add_argument("--ir", action="store_true")
    ap.add_argument("--dump")
    ap.add_argument("--cuda", action="store_true", help="print the CUDA C translation unit of each function")
    a = ap.parse_args(argv)
    ns = runpy.run_path(a.file, run_name="symnet_kernels")
    if a.cuda:
        print_cuda(_functions(ns, a.name))
        return
    for label, f in _functions(ns, a.name):
        print(f"== {label}: mode={f.mode}, {len(f.kernels)} kernels")
        for k in f.kernels:
            ops = "; ".join(str(n.op) for n in k.nodes) or "(internal)"
            scopes = f"  scopes: {', '.join(k.scopes)}" if k.scopes else ""
            extra = f"  FALLBACK: {k.reason}" if k.reason else ""
            print(f"  {k.name:<24} {k.kind:<13} {ops}{scopes}{extra}")
            if a.ir:
                print(k.source)
            if a.asm and k.asm:
                print(k.asm)
        if a.dump and hasattr(f.runner, "dump"):
            f.runner.dump(a.dump, label=label)
            print(f"  written to {os.path.join(a.dump, label)}")


def print_cuda(functions: list) -> None:
    """One translation unit for all `functions` ([(label, Function)]): the helpers once, then each
    function's kernels with its label as the prefix of their C names."""
    from codegen.cuda import PRELUDE_TEXT, print_function
    import re
    parts = [PRELUDE_TEXT]
    for label, f in functions:
        parts.append(f"// == {label}")
        prefix = re.sub(r"\W", "_", label) + "_" if len(functions) > 1 else ""
        parts.append(print_function(f, prefix=prefix, prelude=False))
    print("\n".join(parts))


if __name__ == "__main__":
    main()
