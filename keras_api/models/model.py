"""Model: a Layer with the training API (compile/fit/evaluate/predict from the Trainer).

``keras.Model(inputs, outputs)`` returns a Functional model; subclassing Model and writing
``call()`` works as in Keras (the graph is traced from the data's shapes on first use)."""
from __future__ import annotations

from typing import Any

from ..layers.base import Layer, unique_name
from ..trainers.trainer import Trainer


def _is_functional_init(args: tuple, kwargs: dict) -> bool:
    return (len(args) >= 2 or (len(args) == 1 and ("outputs" in kwargs or "output" in kwargs))
            or "inputs" in kwargs or "input" in kwargs)


class Model(Trainer, Layer):
    """Groups layers into an object with training and inference features."""

    def __new__(cls, *args: Any, **kwargs: Any) -> "Model":
        if cls is Model and _is_functional_init(args, kwargs):
            from .functional import Functional
            return Functional.__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if _is_functional_init(args, kwargs):
            raise NotImplementedError("keras_api.Model: subclasses of Model that also pass inputs/outputs to "
                                      "Model.__init__ are not supported; subclass keras.Model and write call()")
        name = kwargs.pop("name", None)
        trainable = kwargs.pop("trainable", True)
        dtype = kwargs.pop("dtype", None)
        if args or kwargs:
            raise TypeError(f"Model.__init__ got unexpected arguments {args} {kwargs}")
        Layer.__init__(self, name=name or unique_name(_snake(type(self).__name__)), trainable=trainable, dtype=dtype)
        Trainer.__init__(self)

    # -- structure ------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        return self._sublayers()

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: index={index}, name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(self.layers)} layers.")
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: {[l.name for l in self.layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def summary(self, line_length: int | None = None, positions: list | None = None, print_fn: Any = None,
                expand_nested: bool = False, show_trainable: bool = False, layer_range: Any = None) -> None:
        """Print Keras 3's summary table (Layer (type), Output Shape, Param #) and the parameter counts."""
        from .summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable, layer_range=layer_range)

    # -- saving -----------------------------------------------------------------------------
    def save_weights(self, filepath: str, overwrite: bool = True, max_shard_size: Any = None) -> None:
        """Keras 3 ``.weights.h5`` (or a legacy Keras 2 ``.h5``), written atomically."""
        from ..saving import saving_api
        saving_api.save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def load_weights(self, filepath: str, skip_mismatch: bool = False, **kwargs: Any) -> None:
        """From ``.weights.h5``, ``.keras`` or legacy ``.h5`` (``by_name=`` for legacy files only, as in Keras)."""
        from ..saving import saving_api
        saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def save(self, filepath: str, overwrite: bool = True, zipped: bool | None = None, **kwargs: Any) -> None:
        """The whole model: ``.keras`` (Keras 3's zip) or legacy ``.h5``; written atomically."""
        from ..saving import saving_api
        saving_api.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def to_json(self, **kwargs: Any) -> str:
        """The model's config as JSON (Keras 3's serialize_keras_object form)."""
        import json
        from ..saving.serialization_lib import serialize_keras_object
        return json.dumps(serialize_keras_object(self), **kwargs)

    def get_config(self) -> dict:
        return Layer.get_config(self)

    def build_from_config(self, config: dict) -> None:
        """A subclassed model is built by tracing call() once on placeholders of the saved input shape,
        which builds every sublayer (so that a weights file can be loaded into it)."""
        from ..saving.serialization_lib import to_shape
        shape = to_shape(config.get("input_shape")) if config else None
        if shape is not None and not self.built:
            Layer.compute_output_shape(self, shape)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Model":
        """A functional config (layers + input_layers) builds a functional model, as in Keras."""
        if isinstance(config, dict) and "layers" in config and "input_layers" in config and \
                "output_layers" in config:
            from .functional import Functional
            from .functional_config import functional_from_config
            return functional_from_config(Functional if cls is Model else cls, config,
                                          custom_objects=custom_objects)
        return super().from_config(config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _snake(name: str) -> str:
    from .._names import snake_case
    return snake_case(name)
