#!/usr/bin/env bash
# Build symnet's sdist and wheel (python -m build: the wheel is built from the sdist, so a file
# missing from the sdist fails here), install the wheel with its dependencies from PyPI into a fresh
# venv outside the checkout and run tools/check_install.py there: every module imports, py.typed is
# installed, the `symnet` command works and a tiny Keras model trains. (tests/test_install.py
# also installs the sdist itself, borrowing the dependencies of the test venv.)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/symnet-install.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

"$PYTHON" -m venv "$WORK/buildenv"
"$WORK/buildenv/bin/python" -m pip install --quiet build
"$WORK/buildenv/bin/python" -m build --outdir "$WORK/dist" "$ROOT"

venv="$WORK/venv"
"$PYTHON" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet "$(ls "$WORK"/dist/symnet-*.whl)"
(cd "$WORK" && "$venv/bin/python" "$ROOT/tools/check_install.py" --checkout "$ROOT")
