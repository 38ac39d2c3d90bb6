"""docs/supported.md lists exactly what the code exports (every layer, loss, metric, optimizer, callback,
keras.ops and K function, symnet op and backend): regenerate with python3 tools/supported_doc.py."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_supported_page_is_up_to_date():
    res = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "supported_doc.py"), "--check"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr


def test_every_exported_layer_is_listed():
    import inspect
    import keras_api as keras
    text = open(os.path.join(ROOT, "docs", "supported.md")).read()
    for name, cls in vars(keras.layers).items():
        if inspect.isclass(cls) and issubclass(cls, keras.layers.Layer) and cls is not keras.layers.Layer:
            assert f"`{name}`" in text, f"layer {name} is exported but docs/supported.md does not list it"


def test_readme_links_the_page_below_the_two_commands():
    readme = open(os.path.join(ROOT, "README.md")).read()
    head = readme.split("```")[1]
    assert head.strip().splitlines()[:2][0].startswith("make demo") and "make test" in head
    assert "docs/supported.md" in readme
