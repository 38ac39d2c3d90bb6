"""What Layer.from_config does to a config before calling the class (Keras 3's Layer.from_config):
a serialized DTypePolicy becomes its dtype name, and Keras 3.15 keys this library has no
counterpart for are accepted when they hold their default."""
from __future__ import annotations

from typing import Any

# keys Keras 3.15 writes that are only meaningful with a non-default value
_DEFAULT_ONLY = {"quantization_config": None}


def layer_kwargs_from_config(cls: type, config: dict) -> dict:
    config = dict(config)
    dtype = config.get("dtype")
    if isinstance(dtype, dict):
        inner = dtype.get("config", {})
        config["dtype"] = inner.get("name") if isinstance(inner, dict) else inner
    for key, default in _DEFAULT_ONLY.items():
        if key in config:
            if config[key] != default:
                raise NotImplementedError(f"{cls.__name__}.from_config: `{key}`={config[key]!r} is not supported by "
                                          "keras_api (only the default is)")
            if not _accepts(cls, key):
                config.pop(key)
    return config


def _accepts(cls: type, key: str) -> bool:
    import inspect
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return False
    return key in params


def serialize(layer: Any) -> dict:
    """keras.layers.serialize: the layer's serialize_keras_object dict."""
    from .serialization_lib import serialize_keras_object
    return serialize_keras_object(layer)


def deserialize(config: dict, custom_objects: dict | None = None) -> Any:
    """keras.layers.deserialize: a layer (or model) from its config dict."""
    from .. import layers
    from .serialization_lib import deserialize_keras_object
    table = {k: v for k, v in vars(layers).items() if isinstance(v, type)}
    return deserialize_keras_object(config, custom_objects=custom_objects, module_objects=table,
                                    printable_module_name="layer")
