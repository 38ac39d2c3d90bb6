"""keras_api.saving's object serialization: every kind of object round-trips through
serialize_keras_object / deserialize_keras_object with Keras 3's dict layout; custom objects via the
registry, custom_objects and custom_object_scope; Lambda bytecode only outside safe mode."""
import json

import numpy as np
import pytest

import keras_api as keras
from keras_api import layers
from keras_api.saving import (custom_object_scope, deserialize_keras_object, get_registered_name,
                              get_registered_object, register_keras_serializable, serialize_keras_object)


def roundtrip(obj, **kw):
    config = serialize_keras_object(obj)
    json.dumps(config)                      # JSON-able
    return config, deserialize_keras_object(json.loads(json.dumps(config)), **kw)


OBJECTS = [
    keras.initializers.GlorotUniform(seed=3), keras.initializers.Constant(0.5), keras.initializers.Zeros(),
    keras.initializers.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform"),
    keras.regularizers.L1L2(0.01, 0.02), keras.regularizers.L2(0.1), keras.constraints.MaxNorm(2.0),
    keras.constraints.NonNeg(), keras.losses.MeanSquaredError(), keras.losses.CategoricalCrossentropy(from_logits=True),
    keras.losses.BinaryCrossentropy(label_smoothing=0.1), keras.metrics.MeanAbsoluteError(),
    keras.metrics.CategoricalAccuracy(name="acc"), keras.optimizers.Adam(learning_rate=0.01, beta_1=0.8),
    keras.optimizers.SGD(momentum=0.9, nesterov=True), keras.optimizers.RMSprop(rho=0.8),
    keras.optimizers.schedules.ExponentialDecay(0.1, 100, 0.96, staircase=True),
    keras.optimizers.schedules.PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001]),
    keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.CosineDecay(0.1, 50)),
    layers.Dense(3, activation="relu", kernel_regularizer="l2", kernel_constraint="non_neg", use_bias=False),
    layers.Dropout(0.3, seed=1), layers.Activation("tanh"), layers.Flatten(), layers.Reshape((2, 3)),
    layers.Concatenate(axis=1), layers.Add(),
]


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: type(o).__name__)
def test_every_kind_round_trips(obj):
    config, back = roundtrip(obj)
    assert set(config) >= {"module", "class_name", "config", "registered_name"}
    assert config["class_name"] == type(obj).__name__ and config["registered_name"] is None
    assert config["module"].startswith("keras.")
    assert type(back) is type(obj)
    assert serialize_keras_object(back) == config


def test_public_module_names_match_keras():
    assert serialize_keras_object(layers.Dense(2))["module"] == "keras.layers"
    assert serialize_keras_object(keras.initializers.HeNormal())["module"] == "keras.initializers"
    assert serialize_keras_object(keras.optimizers.schedules.ExponentialDecay(1.0, 2, 0.5))["module"] == \
        "keras.optimizers.schedules"
    seq = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    assert serialize_keras_object(seq)["module"] == "keras"
    inp = keras.Input((2,))
    fn = keras.Model(inp, layers.Dense(1)(inp))
    config = serialize_keras_object(fn)
    assert (config["module"], config["class_name"], config["registered_name"]) == \
        ("keras.src.models.functional", "Functional", "Functional")
    assert config["build_config"] == {"input_shape": None}


def test_plain_values_and_special_types():
    assert serialize_keras_object(None) is None
    assert serialize_keras_object([1, "a", (2.5, True)]) == [1, "a", [2.5, True]]
    arr = np.arange(6, dtype="float32").reshape(2, 3)
    config, back = roundtrip(arr)
    assert config["class_name"] == "__numpy__"
    np.testing.assert_array_equal(back, arr) and back.dtype == np.float32
    assert roundtrip(b"xyz")[1] == b"xyz"
    assert deserialize_keras_object({"a": {"class_name": "Zeros", "config": {}, "module": "keras.initializers"}})[
        "a"].__class__ is keras.initializers.Zeros


def test_functions_serialize_by_public_name():
    config = serialize_keras_object(keras.activations.relu)
    assert config == {"module": "keras.activations", "class_name": "function", "config": "relu",
                      "registered_name": "relu"}
    assert deserialize_keras_object(config) is keras.activations.relu


def test_short_names_and_legacy_configs():
    assert isinstance(keras.initializers.get("glorot_uniform"), keras.initializers.GlorotUniform)
    assert isinstance(keras.initializers.deserialize({"class_name": "GlorotUniform", "config": {"seed": None}}),
                      keras.initializers.GlorotUniform)
    assert isinstance(keras.regularizers.get({"class_name": "L2", "config": {"l2": 0.5}}), keras.regularizers.L2)
    # Keras 2's layer form: no "module", string dtype
    layer = deserialize_keras_object({"class_name": "Dense", "config": {"units": 2, "dtype": "float32",
                                                                        "name": "d"}})
    assert isinstance(layer, layers.Dense) and layer.units == 2


def test_layer_config_from_keras_315_is_accepted():
    """A Dense config exactly as Keras 3.15 writes it (DTypePolicy dict, quantization_config)."""
    config = {"module": "keras.layers", "class_name": "Dense", "config": {
        "name": "hidden", "trainable": True, "dtype": {"module": "keras", "class_name": "DTypePolicy",
                                                        "config": {"name": "float32"}, "registered_name": None},
        "units": 16, "activation": "tanh", "use_bias": True,
        "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                               "config": {"seed": None, "input_axes": None, "output_axes": None},
                               "registered_name": None},
        "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {},
                             "registered_name": None},
        "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None, "bias_constraint": None,
        "quantization_config": None}, "registered_name": None, "build_config": {"input_shape": [None, 12]}}
    layer = deserialize_keras_object(config)
    assert layer.name == "hidden" and layer.built and layer.kernel.shape == (12, 16)


def test_unknown_class_error_names_decorator():
    with pytest.raises(TypeError, match="Could not locate class 'Nope'.*register_keras_serializable"):
        deserialize_keras_object({"module": "my_pkg", "class_name": "Nope", "config": {}, "registered_name": "X>Nope"})


def test_registered_custom_layer_round_trips():
    @register_keras_serializable(package="Tests", name="Scale")
    class ScaleLayer(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    assert get_registered_name(ScaleLayer) == "Tests>Scale"
    assert get_registered_object("Tests>Scale") is ScaleLayer
    config, back = roundtrip(ScaleLayer(3.0))
    assert config["registered_name"] == "Tests>Scale" and config["class_name"] == "ScaleLayer"
    assert isinstance(back, ScaleLayer) and back.factor == 3.0


def test_custom_objects_and_scope():
    class Twice(layers.Layer):
        def call(self, x):
            return x * 2

    config = serialize_keras_object(Twice(name="tw"))
    assert config["registered_name"] == "Twice"
    with pytest.raises(TypeError, match="Could not locate"):
        deserialize_keras_object(config)
    assert isinstance(deserialize_keras_object(config, custom_objects={"Twice": Twice}), Twice)
    with custom_object_scope({"Twice": Twice}):
        assert isinstance(deserialize_keras_object(config), Twice)
    with keras.saving.CustomObjectScope({"Twice": Twice}):
        assert isinstance(deserialize_keras_object(config), Twice)
    with pytest.raises(TypeError):
        deserialize_keras_object(config)


def test_sequential_from_config_with_input():
    m = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="relu"), layers.Dropout(0.2), layers.Dense(2)])
    config = m.get_config()
    assert config["layers"][0]["class_name"] == "InputLayer" and config["build_input_shape"] == [None, 4]
    m2 = keras.Sequential.from_config(config)
    assert m2.built and [l.name for l in m2.layers] == [l.name for l in m.layers]
    assert m2.get_config() == config
    assert [w.shape for w in m2.weights] == [w.shape for w in m.weights]


def test_sequential_from_config_without_input_and_keras2_list():
    m = keras.Sequential([layers.Dense(3), layers.Dense(1)])
    m2 = keras.Sequential.from_config(m.get_config())
    assert not m2.built and len(m2.layers) == 2
    m3 = keras.Sequential.from_config([{"class_name": "Dense", "config": {"units": 2, "name": "x"}}])
    assert m3.layers[0].units == 2


def test_functional_round_trip_shared_layers_and_nested_model():
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    shared = layers.Dense(2, name="shared")
    inner_in = keras.Input((2,))
    inner = keras.Model(inner_in, layers.Dense(2, name="inner_dense")(inner_in), name="inner")
    h = layers.Concatenate()([shared(layers.Dense(2)(a)), shared(b)])
    out = layers.Dense(1, name="out")(h)
    model = keras.Model([a, b], {"out": out, "nested": inner(shared(b))})
    config = model.get_config()
    shared_cfg = next(l for l in config["layers"] if l["name"] == "shared")
    assert len(shared_cfg["inbound_nodes"]) == 3
    inner_cfg = next(l for l in config["layers"] if l["name"] == "inner")
    assert inner_cfg["inbound_nodes"][0]["args"][0]["config"]["keras_history"][0] == "shared"
    back = keras.Model.from_config(json.loads(json.dumps(config)))
    assert back.get_config() == config
    back.set_weights(model.get_weights())
    x = [np.random.rand(4, 3).astype("float32"), np.random.rand(4, 2).astype("float32")]
    p1, p2 = model.predict(x, verbose=0), back.predict(x, verbose=0)
    for k in p1:
        np.testing.assert_array_equal(p1[k], p2[k])


def test_lambda_needs_safe_mode_off():
    layer = layers.Lambda(lambda x: x * 3 + 1)
    config = serialize_keras_object(layer)
    assert config["config"]["function"]["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="safe_mode"):
        deserialize_keras_object(config)
    with pytest.raises(ValueError, match="safe_mode"):
        layers.Lambda.from_config(config["config"])
    back = deserialize_keras_object(config, safe_mode=False)
    np.testing.assert_allclose(back(np.ones((1, 2), "float32")), [[4.0, 4.0]])


def test_lambda_with_named_function_is_safe():
    @register_keras_serializable(package="Tests")
    def double_it(x):
        return x * 2

    layer = layers.Lambda(double_it)
    back = deserialize_keras_object(serialize_keras_object(layer))
    assert back.function is double_it


def test_compile_config_round_trip():
    m = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.Adam(learning_rate=keras.optimizers.schedules.InverseTimeDecay(0.1, 5, 0.5)),
              loss=keras.losses.Huber(delta=0.5), metrics=["mae"], loss_weights=None)
    config = serialize_keras_object(m)
    cc = config["compile_config"]
    assert set(cc) == {"optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
                       "steps_per_execution", "jit_compile"}
    back = deserialize_keras_object(json.loads(json.dumps(config)))
    assert back.compiled and isinstance(back.optimizer, keras.optimizers.Adam)
    assert isinstance(back.optimizer._schedule, keras.optimizers.schedules.InverseTimeDecay)
    assert isinstance(back.loss, keras.losses.Huber) and back.loss.get_config() == m.loss.get_config()
    assert back.optimizer.built    # its variables exist, so a weights file can fill them


def test_clone_model_and_json():
    m = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.Dense(1)])
    c = keras.models.clone_model(m)
    assert [l.name for l in c.layers] == [l.name for l in m.layers]
    assert c.layers[0] is not m.layers[0]
    assert not np.array_equal(c.get_weights()[0], m.get_weights()[0])     # new layers, new weights
    assert all(a.shape == b.shape for a, b in zip(c.get_weights(), m.get_weights()))
    inp = keras.Input((3,))
    f = keras.Model(inp, layers.Dense(2)(layers.Dense(3)(inp)))
    fc = keras.models.clone_model(f, clone_function=lambda l: l.__class__.from_config(l.get_config()))
    assert [type(l) for l in fc.layers] == [type(l) for l in f.layers] and fc.layers[1] is not f.layers[1]
    js = m.to_json()
    back = keras.models.model_from_json(js)
    assert back.get_config() == m.get_config()
    with pytest.raises(ValueError, match="not valid JSON"):
        keras.models.model_from_json("{nope")


def test_custom_activation_and_layers_serialize():
    def swishy(x):
        return x * keras.activations.sigmoid(x)

    layer = layers.Dense(2, activation=swishy)
    config = keras.layers.serialize(layer)
    assert config["config"]["activation"] == "swishy"
    with pytest.raises(TypeError, match="Could not interpret activation function identifier: 'swishy'"):
        keras.layers.deserialize(config)          # Keras wraps the layer's error in a TypeError too
    with custom_object_scope({"swishy": swishy}):
        assert keras.layers.deserialize(config).activation is swishy
    assert isinstance(keras.layers.deserialize({"class_name": "Dense", "config": {"units": 3}}), layers.Dense)


def _every_class():
    import inspect
    tables = [keras.initializers.ALL_OBJECTS, keras.regularizers.ALL_OBJECTS, keras.constraints.ALL_OBJECTS,
              keras.losses.CLASSES, keras.metrics.CLASSES, keras.optimizers.ALL_OBJECTS]
    seen = []
    for table in tables:
        for cls in table.values():
            if inspect.isclass(cls) and cls not in seen:
                seen.append(cls)
    return seen


@pytest.mark.parametrize("cls", _every_class(), ids=lambda c: c.__name__)
def test_every_registered_class_round_trips_with_defaults(cls):
    try:
        obj = cls()
    except TypeError:
        pytest.skip(f"{cls.__name__} has required arguments (covered with arguments above)")
    config = serialize_keras_object(obj)
    back = deserialize_keras_object(json.loads(json.dumps(config)))
    assert type(back) is cls
    assert serialize_keras_object(back) == config
