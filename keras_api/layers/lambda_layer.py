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
        config = super().get_config()
        config.update({"function": getattr(self.function, "__name__", repr(self.function)),
                       "output_shape": self._output_shape, "arguments": self.arguments})
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Lambda":
        raise NotImplementedError("keras_api.layers.Lambda.from_config: deserializing Python functions is not "
                                  "supported (Keras also refuses it unless safe_mode=False)")
