"""Lambda: wraps a function of symnet tensors as a layer."""
from __future__ import annotations

from typing import Any, Callable

from .base import Layer


class Lambda(Layer):
    """``Lambda(lambda x: x * 2)``: `function` receives symnet Variables (and `arguments` as keywords)."""

    def __init__(self, function: Callable, output_shape: Any = None, mask: Any = None,
                 arguments: dict | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: `function` must be callable, got {function!r}")
        self.function = function
        self._output_shape = output_shape
        self.mask = mask
        self.arguments = dict(arguments or {})
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        return self.function(inputs, **self.arguments)

    def get_config(self) -> dict:
        """Keras 3's form: a lambda as ``__lambda__`` bytecode, a named function by its registered name."""
        from ..saving.serialization_lib import serialize_keras_object
        config = super().get_config()
        config.update({"function": serialize_keras_object(self.function),
                       "output_shape": serialize_keras_object(self._output_shape),
                       "arguments": serialize_keras_object(self.arguments)})
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None, safe_mode: bool | None = None) -> "Lambda":
        """A Python lambda in the config is bytecode: rebuilt only with safe_mode=False."""
        from ..saving import serialization_lib as sl
        from ..saving.layer_config import layer_kwargs_from_config
        if safe_mode is None:
            safe_mode = sl.in_safe_mode()
        config = layer_kwargs_from_config(cls, config)
        for key in ("function", "output_shape"):
            value = config.get(key)
            if isinstance(value, dict) and value.get("class_name") == "__lambda__" and safe_mode is not False:
                raise ValueError(f"The `{key}` of this `Lambda` layer is a Python lambda. Deserializing it is unsafe "
                                 "(safe_mode=True). If you trust the source of the config artifact, you can override "
                                 "this error by passing `safe_mode=False` to `from_config()` or to the loading "
                                 "function, or calling `keras.config.enable_unsafe_deserialization()`.")
            if value is not None:
                config[key] = sl.deserialize_keras_object(value, custom_objects=custom_objects, safe_mode=False)
        shape = config.get("output_shape")
        if isinstance(shape, list) and all(isinstance(e, (int, type(None))) for e in shape):
            config["output_shape"] = tuple(shape)
        if "arguments" in config:
            config["arguments"] = sl.deserialize_keras_object(config["arguments"], custom_objects=custom_objects)
        return cls(**config)
