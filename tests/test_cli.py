"""The `symnet` command (symnet/cli.py, `python -m symnet`, tools/kernels.py), config refusals, dump names."""
import os
import subprocess
import sys

import numpy as np
import pytest

import symnet as sn
from symnet import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCRIPT = '''
import numpy as np
import symnet as sn
import keras_api as keras
x = sn.vector("x")
f = sn.function([x], sn.tanh(x) * 2, name="double_tanh")
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="relu", name="hidden")])
model.compile(loss="mse", optimizer="sgd")
model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
unused = 3
if __name__ == "__main__":
    raise SystemExit("the __main__ block must not run")
'''


@pytest.fixture
def script(tmp_path):
    p = tmp_path / "built.py"
    p.write_text(SCRIPT)
    return str(p)


def run_cli(*argv):
    return subprocess.run([sys.executable, "-m", "symnet", *argv], capture_output=True, text=True, timeout=300,
                          cwd=ROOT)


def test_kernels_lists_what_the_file_defines(script, capsys):
    assert cli.main(["kernels", script]) == 0
    out = capsys.readouterr().out
    assert "f " in out and "'double_tanh'" in out and "model" in out and "compiled steps: train" in out
    assert "unused" not in out


def test_kernels_of_a_function_and_a_model_role(script, capsys):
    assert cli.main(["kernels", script, "f", "--ir"]) == 0
    out = capsys.readouterr().out
    assert "== f: mode=" in out and "define" in out
    assert cli.main(["kernels", script, "model.train", "--asm"]) == 0
    out = capsys.readouterr().out
    assert "== model.train" in out and "scopes: hidden" in out


@pytest.mark.parametrize("argv,message", [
    (["nope"], "'nope' is not defined at the top level"),
    (["unused"], "is a int, not a compiled symnet Function"),
    (["model.test"], "has not compiled its test step yet"),
    (["model.bogus"], "unknown role 'bogus'"),
])
def test_kernels_errors_are_one_clear_line(script, capsys, argv, message):
    assert cli.main(["kernels", script, *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_kernels_dump_folder_is_named_after_the_function(script, tmp_path, capsys):
    out_dir = tmp_path / "dump"
    assert cli.main(["kernels", script, "f", "--dump", str(out_dir)]) == 0
    assert (out_dir / "f" / "module.ll").exists() and (out_dir / "index.tsv").exists()


def test_dump_kernels_flag_names_folders_after_the_function_or_role(tmp_path):
    import keras_api as keras
    with sn.config.change_flags(dump_kernels=str(tmp_path), mode="llvm"):
        x = sn.vector("x")
        sn.function([x], x + 1, name="my_step")
        sn.function([x], x * 3, name="my_step")
        sn.function([x], x * 4)
        m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        m.compile(loss="mse", optimizer="sgd")
        m.fit(np.ones((2, 2)), np.ones((2, 1)), verbose=0)
        m.predict(np.ones((2, 2)), verbose=0)
    names = sorted(os.listdir(tmp_path))
    assert {"my_step", "my_step_2", "function", "train_step", "predict_step", "index.tsv"} <= set(names)


def test_compiled_kernels_items_have_asm_and_reason():
    import keras_api as keras
    with sn.config.change_flags(mode="llvm"):
        m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        m.compile(loss="mse", optimizer="sgd")
        m.fit(np.ones((2, 2)), np.ones((2, 1)), verbose=0)
        ks = m.compiled_kernels("train")
    assert ks and all(isinstance(k.reason, str) for k in ks)
    native = [k for k in ks if not k.reason]
    assert native and any(k.asm.strip() for k in native) and "define" in native[0].llvm_ir


def test_config_prints_every_flag_value_and_source():
    res = run_cli("config")
    assert res.returncode == 0
    for name, value, source, doc in sn.config.describe():
        assert name in res.stdout
    assert "Source: default" in res.stdout and "Doc:" in res.stdout
    env_res = subprocess.run([sys.executable, "-m", "symnet", "config"], capture_output=True, text=True,
                             env=dict(os.environ, SYMNET_FLAGS="floatX=float64"), cwd=ROOT, timeout=300)
    block = env_res.stdout.split("floatX\n", 1)[1].split("\n\n", 1)[0]
    assert "'float64'" in block and "Source: SYMNET_FLAGS" in block


def test_cache_info_and_clear(tmp_path):
    env = dict(os.environ, SYMNET_FLAGS=f"cache_dir={tmp_path / 'c'}")
    run = lambda *a: subprocess.run([sys.executable, "-m", "symnet", *a], capture_output=True, text=True,  # noqa
                                    env=env, cwd=ROOT, timeout=300)
    code = "import symnet as sn, numpy as np; x = sn.vector('x'); sn.function([x], x + 1)(np.ones(3, 'float32'))"
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, timeout=300)
    info = run("cache", "info")
    assert info.returncode == 0 and str(tmp_path / "c") in info.stdout
    n = int(info.stdout.split("entries:")[1].split()[0])
    assert n >= 1
    cleared = run("cache", "clear")
    assert f"removed {n} entries" in cleared.stdout
    assert "entries:   0" in run("cache", "info").stdout


def test_bench_runs_and_checks_results():
    from symnet import bench
    lines = []
    res = bench.run(out=lines.append)
    assert set(res) == {"elementwise", "gemm", "overhead", "mlp"} and len(lines) == 5
    assert res["mlp"]["step_ms"] > 0


def test_tools_kernels_delegates(script):
    res = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "kernels.py"), script, "nope"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 2 and "'nope' is not defined" in res.stderr


def test_python_m_symnet_version_and_usage():
    res = run_cli("--version")
    assert res.returncode == 0 and sn.__version__ in res.stdout
    assert run_cli().returncode == 2


@pytest.mark.skipif("cuda" in __import__("codegen.backends").backends.available(),
                    reason="a CUDA backend is registered: the flags accept cuda")
@pytest.mark.parametrize("flag", ["mode", "device"])
def test_config_refuses_cuda_until_the_backend_exists(flag):
    with pytest.raises(sn.ConfigError, match="the CUDA backend is not built yet"):
        setattr(sn.config, flag, "cuda")
    res = subprocess.run([sys.executable, "-c", "import symnet"], capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, SYMNET_FLAGS=f"{flag}=cuda"), cwd=ROOT)
    assert res.returncode != 0 and "CUDA backend is not built yet" in res.stderr and "SYMNET_FLAGS" in res.stderr
