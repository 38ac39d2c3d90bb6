"""keras.json handling: KERAS_HOME respected, floatx -> symnet floatX, epsilon, image_data_format;
to_categorical and set_random_seed."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import symnet as sn
from keras_api import backend as KB
from keras_api.utils.numerical_utils import normalize, to_categorical
from keras_api import random as KR

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(code, env):
    e = {k: v for k, v in os.environ.items() if k not in ("SYMNET_FLAGS", "SYMNETRC", "KERAS_HOME")}
    e.update(env)
    e["PYTHONPATH"] = ROOT
    out = subprocess.run([sys.executable, "-c", code], env=e, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_keras_json_read_from_keras_home(tmp_path):
    (tmp_path / "keras.json").write_text(json.dumps(
        {"floatx": "float64", "epsilon": 1e-5, "image_data_format": "channels_first", "backend": "jax"}))
    out = _run("import keras_api.backend as B, symnet as sn; print(B.floatx(), sn.config.floatX, B.epsilon(), "
               "B.image_data_format())", {"KERAS_HOME": str(tmp_path), "HOME": str(tmp_path / "nohome")})
    assert out == "float64 float64 1e-05 channels_first"


def test_home_keras_dir_and_symnet_flags_win(tmp_path):
    (tmp_path / ".keras").mkdir()
    (tmp_path / ".keras" / "keras.json").write_text(json.dumps({"floatx": "float64", "epsilon": 1e-3}))
    out = _run("import keras_api.backend as B; print(B.floatx(), B.epsilon())", {"HOME": str(tmp_path)})
    assert out == "float64 0.001"
    out = _run("import keras_api.backend as B; print(B.floatx(), B.epsilon())",
               {"HOME": str(tmp_path), "SYMNET_FLAGS": "floatX=float32"})
    assert out == "float32 0.001"


def test_no_file_gives_defaults_and_bad_value_names_the_file(tmp_path):
    out = _run("import keras_api.backend as B; print(B.floatx(), B.epsilon(), B.image_data_format())",
               {"KERAS_HOME": str(tmp_path)})
    assert out == "float32 1e-07 channels_last"
    assert not (tmp_path / "keras.json").exists()
    cfg = tmp_path / "keras.json"
    cfg.write_text(json.dumps({"image_data_format": "channels_middle"}))
    with pytest.raises(ValueError) as e:
        KB.load_config(str(cfg))
    assert "keras.json" in str(e.value) and "channels_middle" in str(e.value)
    KB.set_image_data_format("channels_last")


def test_set_floatx_maps_to_symnet_and_rejects_unsupported():
    with sn.config.change_flags(floatX="float32"):
        KB.set_floatx("float64")
        assert sn.config.floatX == "float64" and KB.floatx() == "float64"
    with pytest.raises(ValueError, match="float16"):
        KB.set_floatx("float16")
    with pytest.raises(ValueError):
        KB.set_floatx("int8")
    eps = KB.epsilon()
    KB.set_epsilon(1e-4)
    assert KB.epsilon() == 1e-4
    KB.set_epsilon(eps)


def test_to_categorical_and_normalize():
    y = to_categorical([0, 2, 1, 2])
    np.testing.assert_array_equal(y, np.eye(3)[[0, 2, 1, 2]])
    assert y.dtype == np.float64            # Keras 3 returns float64
    assert to_categorical(np.array([[1], [0]]), num_classes=4).shape == (2, 4)
    assert to_categorical(np.array([[1, 0], [2, 2]])).shape == (2, 2, 3)
    with pytest.raises(ValueError):
        to_categorical([0, 5], num_classes=3)
    n = normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(n, [[0.6, 0.8], [0.0, 0.0]])


def test_set_random_seed_seeds_numpy_and_python():
    import random
    KR.set_random_seed(5)
    a = (np.random.rand(), random.random())
    KR.set_random_seed(5)
    assert (np.random.rand(), random.random()) == a
    with pytest.raises(ValueError):
        KR.set_random_seed(1.5)
