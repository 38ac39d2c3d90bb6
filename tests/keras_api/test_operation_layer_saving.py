"""Functional models holding keras.ops calls and Python operators on KerasTensors (OperationLayer
nodes) round-trip through .keras and .h5 with identical predictions. Our format (Keras 3 writes its
own ops as keras.src.ops classes instead): class_name "OperationLayer", module "keras_api.ops.core",
config keys "operation" (the keras.ops name), "operation_module" and "arguments" ([args, kwargs]
with tensor places as {"class_name": "__operation_tensor__", "config": {"index": i}})."""
import json
import os

import numpy as np
import pytest

import keras_api as keras
from keras_api.ops.core import OperationLayer, deserialize_arguments, serialize_arguments, _Slot


def _model():
    inp = keras.Input((4,), name="x")
    h = keras.layers.Dense(3, name="d")(inp)
    z = keras.ops.mean(h * 2.0 + 1.0, axis=-1, keepdims=True)
    s = keras.ops.sum(keras.ops.square(h), axis=(1,), keepdims=True)
    z = keras.ops.concatenate([z, h[:, 1:], s, -h[..., :1]], axis=1)
    z = keras.ops.reshape(z, (-1, 5, 1))
    z = keras.ops.transpose(z, axes=(0, 2, 1))
    return keras.Model(inp, z)


@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_round_trip_identical_predictions(tmp_path, ext, fresh_session):
    model = _model()
    x = np.random.RandomState(0).rand(6, 4).astype("float32")
    want = model.predict(x, verbose=0)
    assert want.shape == (6, 1, 5)
    path = os.path.join(tmp_path, f"m.{ext}")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), want)
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    ops = [l for l in loaded.layers if isinstance(l, OperationLayer)]
    assert {l.op_name for l in ops} >= {"mean", "multiply", "add", "concatenate", "reshape", "transpose"}
    # the loaded model saves again, to the same config
    assert json.dumps(loaded.get_config(), sort_keys=True) == json.dumps(model.get_config(), sort_keys=True)


def test_config_format_is_json_and_names_the_op(fresh_session):
    model = _model()
    config = json.loads(json.dumps(model.get_config()))
    mean = next(l for l in config["layers"] if l["class_name"] == "OperationLayer" and l["config"]["operation"] == "mean")
    assert mean["module"] == "keras_api.ops.core"
    assert mean["config"]["arguments"] == [[{"class_name": "__operation_tensor__", "config": {"index": 0}}],
                                           {"axis": -1, "keepdims": True}]
    rebuilt = keras.Model.from_config(config)
    x = np.ones((2, 4), dtype="float32")
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_array_equal(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0))


def test_arguments_round_trip_tuples_slices_arrays():
    template = [[_Slot(0), (slice(None, None, None), slice(1, None, 2), Ellipsis)],
                {"axis": (0, 1), "k": [1, 2], "v": np.arange(3, dtype="int32"), "dtype": "float32", "n": None}]
    data = json.loads(json.dumps(serialize_arguments(template)))
    args, kwargs = deserialize_arguments(data)
    assert isinstance(args[0], _Slot) and args[0].i == 0
    assert args[1] == (slice(None, None, None), slice(1, None, 2), Ellipsis)
    assert kwargs["axis"] == (0, 1) and kwargs["k"] == [1, 2] and kwargs["n"] is None
    np.testing.assert_array_equal(kwargs["v"], np.arange(3))


def test_unsaveable_argument_and_unknown_op_raise_clearly():
    with pytest.raises(ValueError, match="cannot be saved.*Received: <object"):
        serialize_arguments([[_Slot(0), object()], {}], "add")
    with pytest.raises(ValueError, match="no keras.ops operation named 'no_such_op'"):
        OperationLayer.from_config({"name": "x", "operation": "no_such_op", "operation_module": None,
                                    "arguments": [[{"class_name": "__operation_tensor__", "config": {"index": 0}}],
                                                  {}]})
