"""keras.models.clone_model: the same architecture with new layers (fresh weights), as Keras 3."""
from __future__ import annotations

from typing import Any, Callable

from ..layers.base import KerasTensor, flatten, map_struct, pack_like


def _default_clone(layer: Any) -> Any:
    return layer.__class__.from_config(layer.get_config())


def clone_model(model: Any, input_tensors: Any = None, clone_function: Callable | None = None,
                call_function: Callable | None = None, recursive: bool = False, **kwargs: Any) -> Any:
    from ..saving import serialization_lib as sl
    from .functional import Functional
    from .sequential import Sequential
    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s) {sorted(kwargs)} for clone_model()")
    if call_function is not None:
        raise NotImplementedError("keras_api clone_model: call_function is not supported")
    fn = clone_function or _default_clone
    if recursive:
        inner = fn

        def fn(layer: Any) -> Any:   # noqa: F811  (nested models are cloned the same way)
            if isinstance(layer, (Sequential, Functional)):
                return clone_model(layer, clone_function=clone_function, recursive=True)
            return inner(layer)
    if isinstance(model, Sequential):
        return _clone_sequential(model, input_tensors, fn)
    if isinstance(model, Functional):
        return _clone_functional(model, input_tensors, fn)
    if clone_function is not None or input_tensors is not None:
        raise ValueError("Arguments `clone_function` and `input_tensors` are only supported for Sequential models or "
                         f"Functional models. Received model of type '{type(model).__name__}', with "
                         f"clone_function={clone_function} and input_tensors={input_tensors}")
    config = sl.serialize_keras_object(model)
    return sl.deserialize_keras_object(config, custom_objects={type(model).__name__: type(model)})


def _clone_sequential(model: Any, input_tensors: Any, fn: Callable) -> Any:
    from ..layers.input_layer import Input, InputLayer
    from .sequential import Sequential
    layers = [fn(l) for l in model._layers if not isinstance(l, InputLayer)]
    first = model._layers[0] if model._layers else None
    if input_tensors is not None:
        tensor = flatten(input_tensors)[0]
        if not isinstance(tensor, KerasTensor):
            raise ValueError(f"Argument `input_tensors` must be a KerasTensor. Received: input_tensors={input_tensors}")
        return Sequential([tensor] + layers, name=model.name, trainable=model.trainable)
    if isinstance(first, InputLayer):
        head = [Input(batch_shape=first.batch_shape, dtype=first.dtype, name=first.name)]
    else:
        head = []
    return Sequential(head + layers, name=model.name, trainable=model.trainable)


def _clone_functional(model: Any, input_tensors: Any, fn: Callable) -> Any:
    from ..layers.input_layer import Input, InputLayer
    from .functional import Functional
    if input_tensors is not None:
        new_inputs = flatten(input_tensors)
        if len(new_inputs) != len(model._inputs_flat):
            raise ValueError(f"clone_model: the model has {len(model._inputs_flat)} inputs, input_tensors has "
                             f"{len(new_inputs)}")
    else:
        new_inputs = []
        for t in model._inputs_flat:
            layer = t._keras_history[0]
            new_inputs.append(Input(batch_shape=layer.batch_shape, dtype=layer.dtype, name=layer.name))
    tensor_map = {id(old): new for old, new in zip(model._inputs_flat, new_inputs)}
    clones: dict[int, Any] = {}
    for node in model._nodes_post:
        op = node.operation
        if isinstance(op, InputLayer):
            continue
        if id(op) not in clones:
            clones[id(op)] = fn(op)
        args = map_struct(lambda t: tensor_map[id(t)] if isinstance(t, KerasTensor) else t, node.call_args)
        kwargs = dict(node.call_kwargs)
        rest = kwargs.pop("rest", ())
        out = clones[id(op)](args, *rest, **kwargs)
        for old, new in zip(node.output_tensors, flatten(out)):
            tensor_map[id(old)] = new
    inputs = pack_like(model._inputs_struct, new_inputs)
    outputs = pack_like(model._outputs_struct, [tensor_map[id(t)] for t in model._outputs_flat])
    return Functional(inputs, outputs, name=model.name, trainable=model.trainable)
