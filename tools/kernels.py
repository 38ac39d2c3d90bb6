"""Print the compiled kernels of a function (or Keras model) built in a Python file.

    python3 tools/kernels.py FILE.py [NAME] [--asm | --ir | --cuda] [--dump DIR]

The same as `symnet kernels ...` (symnet/cli.py), kept for checkouts without an installed package.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def main(argv: list[str] | None = None) -> int:
    from symnet.cli import main as cli_main
    return cli_main(["kernels", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
