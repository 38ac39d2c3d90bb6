# Fresh machine: `make demo` (installs, trains a demo model) and `make test` (installs, runs the suite).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: install demo test test-bounds bench install-check keras-test ci clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 'setuptools>=70.1'

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
	$(PY) -m symnet bench

# the wheel and the sdist installed into fresh venvs outside the checkout (.ci/install_check.sh)
install-check:
	PYTHON=$(PYTHON) .ci/install_check.sh

# the comparison tests against real Keras 3 + JAX, in their own venv (.ci/keras_tests.sh)
keras-test:
	PYTHON=$(PYTHON) .ci/keras_tests.sh

ci:
	.ci/run

clean:
	rm -rf $(VENV) .venv-keras build dist *.egg-info
