"""Keras 2 (tf.keras) model configs: layers without "module" and functional nodes as lists of
``[layer name, node index, tensor index, kwargs]``."""
from __future__ import annotations

from typing import Any, Callable

from . import serialization_lib as sl


def deserialize_legacy(config: dict, custom_objects: dict | None = None) -> Any:
    """One layer or model config in the Keras 2 form ({"class_name", "config"}, no "module")."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Improper config format for a layer: {config!r} (expected a dict with 'class_name' and "
                         "'config')")
    return sl.deserialize_keras_object(config, custom_objects=custom_objects)


def legacy_node_args(node_data: list, get_tensor: Callable) -> tuple[list, dict]:
    """Keras 2 inbound node -> (args, kwargs) for calling the layer."""
    tensors, kwargs = [], {}
    for entry in node_data:
        name, node_index, tensor_index = entry[0], entry[1], entry[2]
        if len(entry) > 3 and entry[3]:
            kwargs = dict(entry[3])
        tensors.append(get_tensor(name, node_index, tensor_index))
    return ([tensors[0]] if len(tensors) == 1 else [tensors]), kwargs
