"""symnet installs from a wheel and from an sdist into a fresh venv and works there (not only editable).

The wheel and the sdist are built with setuptools' PEP 517 hooks (no network), each is installed with
`pip --no-deps` into a new venv outside the checkout, and the dependencies (numpy, llvmlite, ...) are
borrowed from this interpreter's site-packages through a .pth file appended after the venv's own
site-packages, so the installed copy is the one imported. tools/check_install.py then imports every
module, checks py.typed, runs the `symnet` command and trains a tiny model. Skipped only where a
venv or pip cannot be made (no ensurepip); .ci/install_check.sh does the same with PyPI dependencies.
"""
import os
import shutil
import site
import subprocess
import sys
import sysconfig

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BUILD = r'''
import os, sys
from setuptools import build_meta
src, out = sys.argv[1], sys.argv[2]     # (build_meta rewrites sys.argv)
os.chdir(src)
names = [build_meta.build_sdist(out), build_meta.build_wheel(out)]
open(os.path.join(out, "names.txt"), "w").write("\n".join(names))
'''


def _can_make_venvs() -> bool:
    try:
        import ensurepip  # noqa: F401
        import setuptools
    except ImportError:
        return False
    if tuple(int(p) for p in setuptools.__version__.split(".")[:2]) >= (70, 1):
        return True          # bdist_wheel is part of setuptools from 70.1
    import importlib.util
    return importlib.util.find_spec("wheel") is not None


pytestmark = pytest.mark.skipif(not _can_make_venvs(), reason="this Python cannot make venvs with pip "
                                "(no ensurepip) or cannot build wheels (setuptools < 70.1 without `wheel`; "
                                "`make install` upgrades setuptools)")


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """(sdist path, wheel path) built from a copy of the checkout, so build output never lands in it."""
    work = tmp_path_factory.mktemp("dists")
    src = work / "src"
    ignore = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".hypothesis")
    shutil.copytree(ROOT, src, ignore=ignore)
    out = work / "out"
    out.mkdir()
    res = subprocess.run([sys.executable, "-c", BUILD, str(src), str(out)], capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    sdist_name, wheel_name = (out / "names.txt").read_text().split()
    return out / sdist_name, out / wheel_name


def _site_packages(venv) -> str:
    return sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})


def _install_and_check(tmp_path, dist) -> str:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    # an sdist is built with this interpreter's setuptools (a fresh venv's may be too old for bdist_wheel,
    # or absent on Python >= 3.12); pip refuses to touch packages outside its own venv
    pip_env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(__import__("setuptools").__file__)))
    res = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                          "--no-build-isolation", str(dist)], capture_output=True, text=True, timeout=600,
                         env=pip_env)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    # the dependencies come from this interpreter: plain path lines, so its editable symnet is not seen
    deps = [p for p in site.getsitepackages() if os.path.isdir(p)]
    with open(os.path.join(_site_packages(venv), "zz_symnet_test_deps.pth"), "w") as f:
        f.write("\n".join(deps) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = str(venv / "bin") + os.pathsep + env.get("PATH", "")
    res = subprocess.run([str(py), os.path.join(ROOT, "tools", "check_install.py"), "--checkout", ROOT],
                         cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-4000:]
    return res.stdout


def test_wheel_installs_and_trains(dists, tmp_path):
    sdist, wheel = dists
    out = _install_and_check(tmp_path, wheel)
    assert "tiny model loss" in out and str(tmp_path) in out


def test_sdist_installs_and_trains(dists, tmp_path):
    sdist, wheel = dists
    out = _install_and_check(tmp_path, sdist)
    assert "tiny model loss" in out and str(tmp_path) in out


def test_wheel_holds_every_package_and_py_typed(dists):
    import zipfile
    _, wheel = dists
    names = set(zipfile.ZipFile(wheel).namelist())
    for top in ("symnet", "codegen", "keras_api"):
        assert f"{top}/py.typed" in names
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            if "__pycache__" in dirpath:
                continue
            for fname in files:
                if fname.endswith(".py"):
                    rel = os.path.relpath(os.path.join(dirpath, fname), ROOT).replace(os.sep, "/")
                    assert rel in names, f"{rel} is missing from the wheel"
    entry = [n for n in names if n.endswith("entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry[0]).decode()
    assert "symnet = symnet.cli:main" in text
