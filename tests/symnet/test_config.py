"""Config: each source (SYMNET_FLAGS, the file named by $SYMNETRC, ~/.symnetrc), their precedence,
errors naming flag, value and source, assignment and change_flags. Sources are loaded with
config.load_sources(config, environ=...) and temporary files; tests/conftest.py restores the
flags afterwards."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import symnet as sn

cfgmod = sys.modules["symnet.config"]
config = sn.config


def _write(path, text):
    path.write_text(text)
    return str(path)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty HOME, so the developer's own ~/.symnetrc does not leak into tests."""
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("HOME", str(h))
    return h


def test_defaults():
    flags = config._flags
    assert flags["floatX"].default == "float32" and flags["device"].default == "cpu"
    assert flags["mode"].default is None and flags["on_unused_input"].default == "raise"
    assert "floatX" in repr(config) and "device" in config.flags()


def test_symnet_flags_environment_variable(home):
    cfgmod.load_sources(config, environ={"SYMNET_FLAGS": "floatX=float64, device=cpu,llvm.threads=3"})
    assert config.floatX == "float64"
    assert config.source_of("floatX") == "SYMNET_FLAGS"
    assert config.llvm.threads == 3 and config.llvm__threads == 3


def test_symnetrc_file(home, tmp_path):
    rc = _write(tmp_path / "custom.rc", "[global]\nfloatX = float64\non_unused_input = warn\n[llvm]\nthreads = 4\n")
    cfgmod.load_sources(config, environ={"SYMNETRC": rc})
    assert config.floatX == "float64"
    assert config.on_unused_input == "warn"
    assert config.llvm.threads == 4
    assert config.source_of("floatX") == rc


def test_home_symnetrc(home):
    _write(home / ".symnetrc", "[global]\nfloatX = float64\n")
    cfgmod.load_sources(config, environ={})
    assert config.floatX == "float64"
    assert config.source_of("floatX") == os.path.join(str(home), ".symnetrc")


def test_precedence_env_over_symnetrc_over_home(home, tmp_path):
    _write(home / ".symnetrc", "[global]\nfloatX = float64\non_unused_input = warn\nprint_rewrites = 1\n")
    rc = _write(tmp_path / "rc", "[global]\nfloatX = float32\non_unused_input = ignore\n")
    cfgmod.load_sources(config, environ={"SYMNETRC": rc, "SYMNET_FLAGS": "on_unused_input=raise"})
    assert config.on_unused_input == "raise" and config.source_of("on_unused_input") == "SYMNET_FLAGS"
    assert config.floatX == "float32" and config.source_of("floatX") == rc
    assert config.print_rewrites is True and config.source_of("print_rewrites").endswith(".symnetrc")
    # code assignment beats everything loaded
    config.floatX = "float64"
    assert config.floatX == "float64" and config.source_of("floatX") == "code"


def test_unknown_flag_error_names_flag_value_and_source(home, tmp_path):
    with pytest.raises(sn.ConfigError) as e:
        cfgmod.load_sources(config, environ={"SYMNET_FLAGS": "floatY=float64"})
    msg = str(e.value)
    assert "floatY" in msg and "float64" in msg and "SYMNET_FLAGS" in msg
    rc = _write(tmp_path / "bad.rc", "[global]\nflaotX = float64\n")
    with pytest.raises(sn.ConfigError) as e:
        cfgmod.load_sources(config, environ={"SYMNETRC": rc})
    assert "flaotX" in str(e.value) and rc in str(e.value)


def test_bad_value_error_names_flag_value_and_source(home, tmp_path):
    with pytest.raises(sn.ConfigError) as e:
        cfgmod.load_sources(config, environ={"SYMNET_FLAGS": "floatX=float16"})
    msg = str(e.value)
    assert "floatX" in msg and "float16" in msg and "SYMNET_FLAGS" in msg and "float32" in msg
    _write(home / ".symnetrc", "[global]\ndevice = tpu\n")
    with pytest.raises(sn.ConfigError) as e:
        cfgmod.load_sources(config, environ={})
    assert "device" in str(e.value) and "tpu" in str(e.value) and ".symnetrc" in str(e.value)
    (home / ".symnetrc").unlink()
    rc = _write(tmp_path / "t.rc", "[llvm]\nthreads = zero\n")
    with pytest.raises(sn.ConfigError) as e:
        cfgmod.load_sources(config, environ={"SYMNETRC": rc})
    assert "llvm__threads" in str(e.value) and "zero" in str(e.value) and rc in str(e.value)


def test_malformed_sources(home, tmp_path):
    with pytest.raises(sn.ConfigError, match="SYMNET_FLAGS"):
        cfgmod.load_sources(config, environ={"SYMNET_FLAGS": "floatX"})
    with pytest.raises(sn.ConfigError, match="not a file"):
        cfgmod.load_sources(config, environ={"SYMNETRC": str(tmp_path / "missing.rc")})
    rc = _write(tmp_path / "garbage.rc", "floatX = float64 without a section\n")
    with pytest.raises(sn.ConfigError, match="garbage.rc"):
        cfgmod.load_sources(config, environ={"SYMNETRC": rc})


def test_assignment_and_its_errors():
    config.floatX = "float64"
    assert sn.matrix("m").dtype == "float64"
    config.floatX = "float32"
    with pytest.raises(sn.ConfigError) as e:
        config.floatX = "float8"
    assert "floatX" in str(e.value) and "float8" in str(e.value) and "code" in str(e.value)
    assert config.floatX == "float32"
    with pytest.raises(sn.ConfigError, match="nonexistent"):
        config.nonexistent = 1
    with pytest.raises(AttributeError, match="no flag"):
        config.nonexistent_flag
    config.llvm.threads = 2
    assert config.llvm__threads == 2


def test_change_flags_restores_even_on_error():
    assert config.floatX == "float32"
    with config.change_flags(floatX="float64", on_unused_input="ignore"):
        assert config.floatX == "float64" and config.on_unused_input == "ignore"
        assert config.source_of("floatX") == "change_flags"
        assert sn.vector("v").dtype == "float64"
    assert config.floatX == "float32" and config.on_unused_input == "raise"
    with pytest.raises(RuntimeError):
        with config.change_flags(floatX="float64"):
            raise RuntimeError("boom")
    assert config.floatX == "float32"
    with pytest.raises(sn.ConfigError, match="bogus"):
        with config.change_flags(bogus=1):
            pass
    with pytest.raises(sn.ConfigError, match="float7"):
        with config.change_flags(floatX="float7"):
            pass
    assert config.floatX == "float32"


def test_late_registered_flag_honours_loaded_sources(home):
    cfgmod.load_sources(config, environ={"SYMNET_FLAGS": "floatX=float64"})
    # a backend registering a flag after the sources were read still gets its value from them
    saved = dict(cfgmod._loaded_sources[0][1])
    cfgmod._loaded_sources[0][1]["testonly_flag"] = "7"
    try:
        config.add("testonly_flag", 1, cfgmod._int_min(0), "test")
        assert config.testonly_flag == 7 and config.source_of("testonly_flag") == "SYMNET_FLAGS"
    finally:
        del config._flags["testonly_flag"]
        cfgmod._loaded_sources[0][1].clear()
        cfgmod._loaded_sources[0][1].update(saved)


def test_environment_is_read_at_import(tmp_path):
    env = dict(os.environ, SYMNET_FLAGS="floatX=float64", HOME=str(tmp_path))
    env.pop("SYMNETRC", None)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", "import symnet as sn; print(sn.config.floatX, sn.matrix().dtype)"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["float64", "float64"]
    env["SYMNET_FLAGS"] = "floatX=float128"
    out = subprocess.run([sys.executable, "-c", "import symnet"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode != 0 and "float128" in out.stderr and "SYMNET_FLAGS" in out.stderr
