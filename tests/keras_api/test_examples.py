"""Every program in examples/ runs to completion (each asserts its own result)."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = sorted(f for f in os.listdir(os.path.join(ROOT, "examples")) if f.endswith(".py") and not f.startswith("_"))


def test_examples_exist():
    assert {"mlp_sequential.py", "mlp_sequential_add.py", "functional_api.py", "binary_classifier.py",
            "digits_mlp.py"} <= set(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs(name):
    if name.startswith("digits_"):   # the scikit-learn digits examples
        pytest.importorskip("sklearn")
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "examples", name)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
