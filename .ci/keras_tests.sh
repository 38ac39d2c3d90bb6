#!/usr/bin/env bash
# The comparison tests against real Keras 3 (JAX backend): a second venv (.venv-keras) holds
# symnet[test] plus keras and jax from PyPI; Keras stays a test-only tool, never a dependency.
# Every test file gated by SYMNET_TEST_KERAS=1 runs here.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="${KERAS_VENV:-.venv-keras}"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e '.[test]' 'keras>=3' 'jax[cpu]'
mapfile -t files < <(grep -l 'SYMNET_TEST_KERAS' -r tests --include='*.py' | sort)
# tests that run the Keras side in a subprocess use this venv's Python too
KPY="$(cd "$VENV/bin" && pwd)/python"
SYMNET_TEST_KERAS=1 KERAS_BACKEND=jax SYMNET_KERAS_PYTHON="$KPY" KERAS_PYTHON="$KPY" "$VENV/bin/python" -m pytest -p no:cacheprovider -rs "${files[@]}"
