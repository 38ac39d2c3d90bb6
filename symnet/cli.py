"""The `symnet` command (also `python -m symnet`).

    symnet kernels FILE [NAME] [--ir | --asm | --cuda] [--dump DIR]
    symnet config
    symnet cache info | clear
    symnet bench

`kernels` runs FILE as a script (its `if __name__ == "__main__":` block is skipped) and prints the
compiled kernels of NAME: a compiled symnet Function or a Keras model (the train / test / predict
steps it has built, i.e. after fit, evaluate, predict or *_on_batch ran; `NAME.train` picks one).
Without NAME it lists what FILE defines. Errors are one line on stderr and exit status 2.
"""
from __future__ import annotations

import argparse
import os
import runpy
import sys
from typing import Any, Sequence

ROLES = ("train", "test", "predict")


class CLIError(Exception):
    """A user-level error: printed as one line, exit status 2."""


# ------------------------------------------------------------------------------------------
# kernels
# ------------------------------------------------------------------------------------------
def _model_functions(label: str, model: Any) -> list[tuple[str, Any]]:
    """(label.role, Function) of every step a Keras model has compiled so far."""
    from .function import Function
    out = []
    fns = getattr(model, "_fns", None) or {}
    for role in ROLES:
        if role in fns:
            built = fns[role][1]
            fn = built[0] if isinstance(built, tuple) else built
            if isinstance(fn, Function):
                out.append((f"{label}.{role}", fn))
    return out


def _is_model(v: Any) -> bool:
    return isinstance(getattr(v, "_fns", None), dict) and hasattr(v, "compiled_kernels")


def inspectable(ns: dict) -> dict[str, Any]:
    """The top-level names of a script namespace that hold a compiled Function or a Keras model."""
    from .function import Function
    return {k: v for k, v in ns.items() if not k.startswith("__") and (isinstance(v, Function) or _is_model(v))}


def select_functions(ns: dict, name: str, file: str) -> list[tuple[str, Any]]:
    """The Functions NAME (or NAME.role) stands for, with a clear error for anything else."""
    from .function import Function
    base, _, role = name.partition(".")
    found = inspectable(ns)
    if base not in ns:
        known = ", ".join(sorted(found)) or "no compiled symnet Function or Keras model"
        raise CLIError(f"{base!r} is not defined at the top level of {file}; it defines: {known}")
    value = ns[base]
    if isinstance(value, Function):
        if role:
            raise CLIError(f"{base!r} is a compiled symnet Function; {name!r} names no role of it")
        return [(base, value)]
    if not _is_model(value):
        raise CLIError(f"{base!r} is a {type(value).__name__}, not a compiled symnet Function or a Keras model")
    if role and role not in ROLES:
        raise CLIError(f"unknown role {role!r} in {name!r}; a Keras model has the roles {', '.join(ROLES)}")
    fns = _model_functions(base, value)
    if role:
        fns = [(k, f) for k, f in fns if k.endswith("." + role)]
    if not fns:
        what = f"its {role} step" if role else "any step"
        raise CLIError(f"{base!r} has not compiled {what} yet: call fit/evaluate/predict (or train_on_batch) on it "
                       f"in {file} first")
    return fns


def run_script(file: str) -> dict:
    if not os.path.isfile(file):
        raise CLIError(f"no such file: {file}")
    sys.path.insert(0, os.path.dirname(os.path.abspath(file)))
    try:
        return runpy.run_path(file, run_name="symnet_kernels")
    finally:
        sys.path.pop(0)


def print_kernels(label: str, f: Any, show_ir: bool, show_asm: bool, out: Any = None) -> None:
    out = out or sys.stdout
    kernels = f.kernels
    print(f"== {label}: mode={f.mode}, {len(kernels)} kernel{'' if len(kernels) == 1 else 's'}", file=out)
    if not kernels:
        print("  (nothing is compiled with this mode: the reference backend interprets the graph)", file=out)
    for k in kernels:
        ops = "; ".join(str(n.op) for n in k.nodes) or "(internal)"
        scopes = f"  scopes: {', '.join(k.scopes)}" if k.scopes else ""
        extra = f"  FALLBACK: {k.reason}" if k.reason else ""
        print(f"  {k.name:<24} {k.kind:<13} {ops}{scopes}{extra}", file=out)
        if show_ir:
            print(k.source, file=out)
        if show_asm and k.asm:
            print(k.asm, file=out)


def cmd_kernels(a: argparse.Namespace) -> int:
    ns = run_script(a.file)
    if a.cuda:      # the CUDA C of the functions, printed without a GPU (codegen/cuda)
        from codegen.cuda import print_functions
        fns = select_functions(ns, a.name, a.file) if a.name is not None else [
            item for k, v in inspectable(ns).items()
            for item in (_model_functions(k, v) if _is_model(v) else [(k, v)])]
        print(print_functions(fns))
        return 0
    if a.name is None:
        found = inspectable(ns)
        if not found:
            print(f"{a.file} defines no compiled symnet Function or Keras model at the top level")
            return 1
        print(f"{a.file} defines:")
        for k, v in found.items():
            if _is_model(v):
                roles = [lbl.split(".", 1)[1] for lbl, _ in _model_functions(k, v)]
                done = f"compiled steps: {', '.join(roles)}" if roles else "no step compiled yet"
                print(f"  {k:<20} Keras model {getattr(v, 'name', '')!r} ({done})")
            else:
                print(f"  {k:<20} symnet Function{' ' + repr(v.name) if v.name else ''}, mode={v.mode}, "
                      f"{len(v.kernels)} kernels")
        print(f"show one with: symnet kernels {a.file} NAME [--ir|--asm]")
        return 0
    for label, f in select_functions(ns, a.name, a.file):
        print_kernels(label, f, a.ir, a.asm)
        if a.dump:
            if not hasattr(f.runner, "dump"):
                raise CLIError(f"--dump: {label} was compiled with mode={f.mode}, which has no kernels to write")
            f.runner.dump(a.dump, label=label)
            print(f"  written to {os.path.join(a.dump, label)}")
    return 0


# ------------------------------------------------------------------------------------------
# config, cache, bench
# ------------------------------------------------------------------------------------------
def format_config() -> str:
    """Every flag with its doc, value and source (Theano's `print(theano.config)` layout)."""
    from .config import config
    lines = []
    for name, value, source, doc in config.describe():
        lines += [name, f"    Doc:    {doc}", f"    Value:  {value!r}", f"    Source: {source}", ""]
    return "\n".join(lines)


def cmd_config(a: argparse.Namespace) -> int:
    print(format_config())
    return 0


def cmd_cache(a: argparse.Namespace) -> int:
    from codegen.cache import default_cache
    cache = default_cache()
    entries = cache.entries()
    if a.action == "info":
        total = sum(size for _, size, _ in entries)
        print(f"directory: {cache.directory}{'' if os.path.isdir(cache.directory) else ' (not created yet)'}")
        print(f"entries:   {len(entries)}")
        print(f"size:      {total} bytes ({total / 2 ** 20:.1f} MiB)")
    else:
        cache.clear()
        print(f"removed {len(entries)} entries from {cache.directory}")
    return 0


def cmd_bench(a: argparse.Namespace) -> int:
    from . import bench
    bench.run()
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    ap = argparse.ArgumentParser(prog="symnet", description="symnet: inspect kernels, flags, the compile cache; "
                                                            "run the quick benchmark")
    ap.add_argument("--version", action="version", version=f"symnet {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="{kernels,config,cache,bench}")
    k = sub.add_parser("kernels", help="print the compiled kernels of a function or Keras model built in FILE")
    k.add_argument("file", help="a Python file, run as a script (its __main__ block is skipped)")
    k.add_argument("name", nargs="?", help="a top-level name: a compiled Function, a Keras model or MODEL.ROLE "
                                           "(train, test, predict); omitted: list what FILE defines")
    show = k.add_mutually_exclusive_group()
    show.add_argument("--ir", action="store_true", help="also print each kernel's LLVM IR")
    show.add_argument("--asm", action="store_true", help="also print each kernel's assembly")
    show.add_argument("--cuda", action="store_true", help="print the CUDA C of the functions (one translation unit; no GPU needed)")
    k.add_argument("--dump", metavar="DIR", help="write module.ll and one .ll/.s per kernel to DIR/<name>/")
    k.set_defaults(handler=cmd_kernels)
    sub.add_parser("config", help="every flag, its value and where the value came from").set_defaults(
        handler=cmd_config)
    c = sub.add_parser("cache", help="the on-disk cache of compiled code")
    c.add_argument("action", choices=("info", "clear"))
    c.set_defaults(handler=cmd_cache)
    sub.add_parser("bench", help="the quick benchmark (a few seconds)").set_defaults(handler=cmd_bench)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `symnet` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except CLIError as e:
        print(f"symnet {args.command}: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:          # `symnet kernels ... --asm | head`
        sys.stderr = open(os.devnull, "w")
        return 0


if __name__ == "__main__":
    sys.exit(main())
