"""Functional models to and from Keras 3's config: every layer's serialized config with its
``inbound_nodes`` (the call arguments, KerasTensors as ``__keras_tensor__`` with
``keras_history = [layer name, node index, tensor index]``), plus ``input_layers`` and
``output_layers``. Node indices count only the nodes inside this model, as Keras does (a nested
functional model's own first node is skipped)."""
from __future__ import annotations

from typing import Any

from ..layers.base import KerasTensor, flatten, map_struct
from ..saving import serialization_lib as sl


def _skips_first_node(layer: Any) -> bool:
    from .functional import Functional
    from .sequential import Sequential
    return isinstance(layer, Functional) and not isinstance(layer, Sequential)


def _node_reindexing(model: Any) -> dict[int, int]:
    """id(node) -> the node's index among its layer's nodes that belong to `model`."""
    in_model = {id(n) for n in model._nodes_post}
    mapping: dict[int, int] = {}
    for layer in model.layers:
        kept = 1 if _skips_first_node(layer) else 0
        for node in layer._inbound_nodes:
            if id(node) in in_model:
                mapping[id(node)] = kept
                kept += 1
    return mapping


def get_functional_config(model: Any) -> dict:
    mapping = _node_reindexing(model)

    def tensor_config(t: KerasTensor) -> list:
        op, ni, ti = t._keras_history
        return [op.name, mapping.get(id(op._inbound_nodes[ni]), ni), ti]

    def ser_arg(value: Any) -> Any:
        if isinstance(value, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(value.shape), "dtype": value.dtype, "keras_history": tensor_config(value)}}
        if isinstance(value, (list, tuple)):
            return [ser_arg(v) for v in value]
        if isinstance(value, dict):
            return {k: ser_arg(v) for k, v in value.items()}
        return sl.serialize_keras_object(value)

    in_model = {id(n) for n in model._nodes_post}
    layer_configs = []
    for layer in model.layers:
        config = sl.serialize_keras_object(layer)
        config["name"] = layer.name
        nodes = []
        for node in layer._inbound_nodes:
            if id(node) not in in_model or type(layer).__name__ == "InputLayer":
                continue
            kwargs = dict(node.call_kwargs)
            rest = list(kwargs.pop("rest", ()))
            nodes.append({"args": [ser_arg(node.call_args)] + [ser_arg(r) for r in rest],
                          "kwargs": {k: ser_arg(v) for k, v in kwargs.items()}})
        config["inbound_nodes"] = nodes
        layer_configs.append(config)

    def map_tensors(struct: Any) -> Any:
        if isinstance(struct, KerasTensor):
            return [tensor_config(struct)]
        return map_struct(tensor_config, struct)

    return {"name": model.name, "trainable": model.trainable, "layers": layer_configs,
            "input_layers": map_tensors(model._inputs_struct), "output_layers": map_tensors(model._outputs_struct)}


def functional_from_config(cls: type, config: dict, custom_objects: dict | None = None) -> Any:
    from .. import models
    created: dict[str, Any] = {}
    pending: dict[str, list] = {}
    order: list[str] = []
    for layer_data in config["layers"]:
        name = layer_data["name"]
        if "module" not in layer_data:   # Keras 2 (legacy) config of one layer
            from ..saving.legacy_config import deserialize_legacy
            layer = deserialize_legacy(layer_data, custom_objects=custom_objects)
        else:
            layer = sl.deserialize_keras_object(layer_data, custom_objects=custom_objects)
        created[name] = layer
        order.append(name)
        pending[name] = list(layer_data.get("inbound_nodes", []))

    def resolve(value: Any) -> Any:
        """Node arguments back to tensors; IndexError when a parent node is not made yet."""
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            name, ni, ti = value["config"]["keras_history"]
            return _tensor(created, name, ni, ti)
        if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) and \
                isinstance(value[1], int) and isinstance(value[2], int) and value[0] in created:
            return _tensor(created, *value)        # Keras 2 node data [name, node, tensor, kwargs]
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict) and ("class_name" not in value or "config" not in value):
            return {k: resolve(v) for k, v in value.items()}
        return sl.deserialize_keras_object(value, custom_objects=custom_objects)

    def process(layer: Any, node_data: Any) -> None:
        if isinstance(node_data, dict):
            args = [resolve(a) for a in node_data.get("args", [])]
            kwargs = {k: resolve(v) for k, v in node_data.get("kwargs", {}).items()}
        else:   # Keras 2: a list of [layer name, node index, tensor index, kwargs]
            from ..saving.legacy_config import legacy_node_args
            args, kwargs = legacy_node_args(node_data, lambda n, i, t: _tensor(created, n, i, t))
        layer(*args, **kwargs)

    progress = True
    while any(pending.values()) and progress:
        progress = False
        for name in order:
            layer = created[name]
            while pending[name]:
                try:
                    process(layer, pending[name][0])
                except IndexError:
                    break
                pending[name].pop(0)
                progress = True
    stuck = [n for n in order if pending[n]]
    if stuck:
        raise ValueError(f"Cannot rebuild the functional model {config.get('name')!r} from its config: the inputs "
                         f"of layer(s) {stuck} refer to layers or nodes that the config does not define")

    def map_tensors(struct: Any) -> Any:
        if isinstance(struct, list) and len(struct) == 3 and isinstance(struct[0], str) and \
                not isinstance(struct[1], (list, dict)):
            return _tensor(created, *struct)
        if isinstance(struct, dict):
            return {k: map_tensors(v) for k, v in struct.items()}
        if isinstance(struct, tuple):
            return tuple(map_tensors(v) for v in struct)
        return [map_tensors(v) for v in struct]

    inputs = map_tensors(config["input_layers"])
    outputs = map_tensors(config["output_layers"])
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    if isinstance(outputs, list) and len(outputs) == 1:
        outputs = outputs[0]
    target = models.Functional if cls is None else cls
    return target(inputs=inputs, outputs=outputs, name=config.get("name"), trainable=config.get("trainable", True))


def _tensor(created: dict, name: str, node_index: int, tensor_index: int) -> KerasTensor:
    if name not in created:
        raise ValueError(f"The config refers to layer {name!r}, which it does not define")
    layer = created[name]
    if _skips_first_node(layer):
        node_index -= 1
    nodes = layer._inbound_nodes
    if node_index >= len(nodes):
        raise IndexError(node_index)
    return flatten(nodes[node_index].outputs)[tensor_index]
