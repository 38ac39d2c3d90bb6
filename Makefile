# Fresh machine: `make demo` (installs, trains a demo model) and `make test` (installs, runs the suite).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: install demo test test-bounds bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(PY)
	$(PY) -m pip install --quiet -e '.[test]'

demo: install
	$(PY) tools/demo.py

test: install
	$(PY) -m pytest -p no:cacheprovider tests

# the LLVM differential tests on the bounds-checking build of generated code (llvm__check_bounds)
test-bounds: install
	SYMNET_CHECK_BOUNDS=1 $(PY) -m pytest -p no:cacheprovider tests/codegen

bench: install
	$(PY) tools/bench/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info
