"""Sequential: a plain stack of layers, built into a functional graph once its input shape is known
(from an Input, the first layer's input_shape/input_dim/batch_input_shape, or the first data)."""
from __future__ import annotations

from typing import Any, Sequence

from ..layers.base import KerasTensor, Layer, unique_name
from ..layers.input_layer import InputLayer
from ..trainers.trainer import Trainer
from .functional import Functional
from .model import Model


class Sequential(Model):
    def __init__(self, layers: Sequence[Layer] | None = None, trainable: bool = True, name: str | None = None) -> None:
        Layer.__init__(self, name=name or unique_name("sequential"), trainable=trainable)
        Trainer.__init__(self)
        self._layers: list[Layer] = []
        self._functional: Functional | None = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    # -- editing --------------------------------------------------------------------------
    def add(self, layer: Any, rebuild: bool = True) -> None:
        if isinstance(layer, KerasTensor) and layer._keras_history is not None and \
                isinstance(layer._keras_history[0], InputLayer):
            layer = layer._keras_history[0]
        if not isinstance(layer, Layer):
            raise ValueError(f"Only instances of `keras.Layer` can be added to a Sequential model. Received: "
                             f"{layer} (of type {type(layer)})")
        if isinstance(layer, InputLayer) and self._layers:
            if isinstance(self._layers[0], InputLayer):
                raise ValueError(f"Sequential model '{self.name}' has already been configured to use input shape "
                                 f"{self._layers[0].batch_shape}. You cannot add a different Input layer to it.")
            raise ValueError("An InputLayer can only be added as the first layer of a Sequential model")
        if not self._layers and not isinstance(layer, InputLayer) and layer._input_shape_arg is not None:
            self._layers.append(InputLayer(batch_shape=layer._input_shape_arg))
        if any(l.name == layer.name for l in self._layers):
            raise ValueError(f"All layers added to a Sequential model should have unique names. Name "
                             f"'{layer.name}' is already the name of a layer in this model. Update the `name` "
                             "argument to pass a unique name.")
        self._layers.append(layer)
        if rebuild:
            self._maybe_rebuild()
        else:
            self.built = False

    def pop(self, rebuild: bool = True) -> Layer:
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layers.pop()
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self) -> None:
        self.built = False
        self._functional = None
        self._reset_compiled_functions()
        if self._layers and isinstance(self._layers[0], InputLayer) and len(self._layers) > 1:
            self.build(self._layers[0].batch_shape)

    def build(self, input_shape: Any = None) -> None:
        if not self._layers or (len(self._layers) == 1 and isinstance(self._layers[0], InputLayer)):
            raise ValueError(f"Sequential model {self.name} cannot be built because it has no layers. Call "
                             "`model.add(layer)`.")
        if isinstance(self._layers[0], InputLayer):
            inp = self._layers[0]
        else:
            if input_shape is None:
                raise ValueError("You must provide an `input_shape` argument.")
            if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (tuple, list)):
                input_shape = input_shape[0]
            inp = InputLayer(batch_shape=tuple(input_shape))
            self._layers.insert(0, inp)
        x = inp._output
        for layer in self._layers[1:]:
            x = layer(x)
        self._functional = Functional(inp._output, x)
        self.input_spec = self._functional.input_spec
        self.built = True

    def _sublayers(self) -> list[Layer]:
        return [l for l in getattr(self, "_layers", []) if not isinstance(l, InputLayer)]

    @property
    def layers(self) -> list[Layer]:
        return self._sublayers()

    # -- functional view ----------------------------------------------------------------------
    def _require_built(self, what: str) -> Functional:
        if self._functional is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined {what} yet.")
        return self._functional

    @property
    def inputs(self) -> list:
        return self._require_built("inputs").inputs

    @property
    def outputs(self) -> list:
        return self._require_built("outputs").outputs

    @property
    def input(self) -> Any:
        return self._require_built("input").input

    @property
    def output(self) -> Any:
        return self._require_built("output").output

    @property
    def input_shape(self) -> Any:
        return self._require_built("input shape").input_shape

    @property
    def output_shape(self) -> Any:
        return self._require_built("output shape").output_shape

    @property
    def input_names(self) -> list[str]:
        return self._require_built("inputs").input_names

    @property
    def output_names(self) -> list[str]:
        if self._functional is None:
            return [self.layers[-1].name] if self.layers else ["output_0"]
        return self._functional.output_names

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        if self._functional is None:
            import symnet as sn
            shape = tuple(sn.graph.as_variable(inputs).type.shape)
            self.build((None,) + shape[1:])
        return self._functional.call(inputs, training=training)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._functional is None:
            self.build(input_shape)
        return self._functional.output_shape

    def get_config(self) -> dict:
        """Keras 3's Sequential config: every layer (InputLayer included) serialized, and the input shape."""
        from ..saving.serialization_lib import serialize_keras_object
        config = Layer.get_config(self)
        config["layers"] = [serialize_keras_object(l) for l in self._layers]
        if self._functional is not None:
            config["build_input_shape"] = list(self._layers[0].batch_shape)
        return config

    @classmethod
    def from_config(cls, config: Any, custom_objects: dict | None = None) -> "Sequential":
        from ..saving import serialization_lib as sl
        from ..saving.legacy_config import deserialize_legacy
        if isinstance(config, dict) and "layers" in config:
            name, layer_configs = config.get("name"), config["layers"]
            build_input_shape = config.get("build_input_shape")
        else:                       # Keras 1/2: the config is the list of layers
            name, layer_configs, build_input_shape = None, config, None
        model = cls(name=name, trainable=config.get("trainable", True) if isinstance(config, dict) else True)
        for layer_config in layer_configs:
            if "module" not in layer_config:
                layer = deserialize_legacy(layer_config, custom_objects=custom_objects)
            else:
                layer = sl.deserialize_keras_object(layer_config, custom_objects=custom_objects)
            model.add(layer, rebuild=False)
        model._maybe_rebuild()
        if model._functional is None and isinstance(build_input_shape, (list, tuple)) and build_input_shape:
            model.build(sl.to_shape(build_input_shape))
        return model

    def get_build_config(self) -> dict | None:
        if self._functional is None:
            return None
        return {"input_shape": list(self._layers[0].batch_shape)}

    def build_from_config(self, config: dict) -> None:
        from ..saving.serialization_lib import to_shape
        shape = to_shape(config.get("input_shape")) if config else None
        if self._functional is None and shape is not None:
            self.build(shape)
