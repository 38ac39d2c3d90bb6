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
