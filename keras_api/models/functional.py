"""Functional models: a graph of layer calls (Nodes) from keras.Input tensors to outputs.

The graph is recorded once when the model is made; calling the model replays the nodes in
topological order on symnet variables, so the same layers (and weights) serve training and
inference graphs, shared layers and nested models included."""
from __future__ import annotations

import warnings
from typing import Any

from ..layers.base import (InputSpec, KerasTensor, Layer, Node, flatten, map_struct, pack_like, unique_name)
from ..layers.input_layer import InputLayer
from ..trainers.trainer import Trainer
from .model import Model


class Functional(Model):
    """``keras.Model(inputs, outputs)``: inputs/outputs are KerasTensors, lists or dicts of them."""

    def __init__(self, inputs: Any = None, outputs: Any = None, name: str | None = None, trainable: bool = True,
                 **kwargs: Any) -> None:
        if "input" in kwargs:
            warnings.warn("Model(input=...) is the Keras 1 spelling; use Model(inputs=...)", DeprecationWarning,
                          stacklevel=2)
            inputs = kwargs.pop("input")
        if "output" in kwargs:
            warnings.warn("Model(output=...) is the Keras 1 spelling; use Model(outputs=...)", DeprecationWarning,
                          stacklevel=2)
            outputs = kwargs.pop("output")
        if kwargs:
            raise TypeError(f"Functional model got unexpected keyword arguments {sorted(kwargs)}")
        if inputs is None or outputs is None:
            raise ValueError("A functional model needs both `inputs` and `outputs`")
        Layer.__init__(self, name=name or unique_name("functional"), trainable=trainable)
        Trainer.__init__(self)
        if isinstance(inputs, tuple):
            inputs = list(inputs)
        if isinstance(outputs, tuple):
            outputs = list(outputs)
        for t in flatten(inputs) + flatten(outputs):
            if not isinstance(t, KerasTensor):
                raise ValueError(f"All `inputs` and `outputs` of a functional model must be KerasTensors (from "
                                 f"keras.Input and layer calls); received {t!r}")
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._inputs_flat = flatten(inputs)
        self._outputs_flat = flatten(outputs)
        self._build_graph()
        self.input_spec = [InputSpec(shape=t.shape) for t in self._inputs_flat]
        self.built = True

    # -- graph ------------------------------------------------------------------------------
    def _build_graph(self) -> None:
        input_ids = {id(t) for t in self._inputs_flat}
        visited: set[int] = set()
        post: list[Node] = []
        op_index: dict[int, int] = {}
        ops: dict[int, Layer] = {}

        def visit(tensor: KerasTensor) -> None:
            hist = tensor._keras_history
            if hist is None:
                raise ValueError(f"{tensor!r} was not produced by a Keras layer; functional models need tensors "
                                 "from keras.Input and layer calls")
            op, ni, _ = hist
            node = op._inbound_nodes[ni]
            if id(node) in visited:
                return
            visited.add(id(node))
            op_index.setdefault(id(op), len(op_index))
            ops[id(op)] = op
            if id(tensor) not in input_ids:
                if isinstance(op, InputLayer):
                    raise ValueError(f"Graph disconnected: cannot find parent for tensor {tensor!r} (input "
                                     f"{op.name!r} is used by the outputs but is not in the model's `inputs`)")
                for t in node.input_tensors:
                    visit(t)
            post.append(node)

        for t in self._outputs_flat:
            visit(t)
        for t in self._inputs_flat:       # inputs that no output depends on still belong to the model
            hist = t._keras_history
            if hist is not None and id(hist[0]._inbound_nodes[hist[1]]) not in visited:
                visit(t)
                post.insert(0, post.pop())
        node_depth: dict[int, int] = {}
        layer_depth: dict[int, int] = {}
        for node in reversed(post):
            d = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.operation), 0))
            layer_depth[id(node.operation)] = d
            node_depth[id(node)] = d
            for parent in node.parent_nodes:
                if any(parent is p for p in post):
                    node_depth[id(parent)] = max(d + 1, node_depth.get(id(parent), 0))
        self._nodes_post = post
        self._node_depth = node_depth
        order = sorted(ops.values(), key=lambda op: (-layer_depth.get(id(op), 0), op_index[id(op)]))
        self._operations = order

    def _sublayers(self) -> list[Layer]:
        return list(self._operations)

    @property
    def layers(self) -> list[Layer]:
        return list(self._operations)

    @property
    def inputs(self) -> list:
        return list(self._inputs_flat)

    @property
    def outputs(self) -> list:
        return list(self._outputs_flat)

    @property
    def input(self) -> Any:
        return self._inputs_struct

    @property
    def output(self) -> Any:
        return self._outputs_struct

    @property
    def input_names(self) -> list[str]:
        return [t._keras_history[0].name for t in self._inputs_flat]

    @property
    def output_names(self) -> list[str]:
        names = []
        for t in self._outputs_flat:
            op = t._keras_history[0]
            name = op.name
            while name in names:
                name = f"{op.name}_{len(names)}"
            names.append(name)
        return names

    @property
    def input_shape(self) -> Any:
        return map_struct(lambda t: t.shape, self._inputs_struct)

    @property
    def output_shape(self) -> Any:
        return map_struct(lambda t: t.shape, self._outputs_struct)

    # -- running ------------------------------------------------------------------------------
    def _order_inputs(self, inputs: Any) -> list:
        """Flat symbolic inputs in the order of self._inputs_flat (dicts are matched by input name)."""
        if isinstance(inputs, dict) and not isinstance(self._inputs_struct, dict):
            names = self.input_names
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(f"Missing data for input(s) {missing} of model {self.name!r}; expected keys {names}, "
                                 f"got {sorted(inputs)}")
            return [inputs[n] for n in names]
        flat = flatten(inputs)
        if len(flat) != len(self._inputs_flat):
            raise ValueError(f"Model {self.name!r} expects {len(self._inputs_flat)} input(s), but it received "
                             f"{len(flat)} input tensors")
        return flat

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        from ..layers.base import call_context, current_context
        flat = self._order_inputs(inputs)
        tensor_map = {id(kt): v for kt, v in zip(self._inputs_flat, flat)}
        outer = current_context()
        if training is None and outer is not None:
            training = outer.training
        with call_context(training, inherit_losses=True):
            for node in self._nodes_post:
                if isinstance(node.operation, InputLayer):
                    continue
                args = map_struct(lambda t: tensor_map[id(t)] if isinstance(t, KerasTensor) else t, node.call_args)
                kwargs = dict(node.call_kwargs)
                rest = kwargs.pop("rest", ())
                out = node.operation(args, *rest, **kwargs)
                for kt, v in zip(node.output_tensors, flatten(out)):
                    tensor_map[id(kt)] = v
        return pack_like(self._outputs_struct, [tensor_map[id(t)] for t in self._outputs_flat])

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self.output_shape

    def get_config(self) -> dict:
        """Keras 3's functional config (layers with inbound_nodes, input_layers, output_layers)."""
        from .functional_config import get_functional_config
        return get_functional_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Functional":
        from .functional_config import functional_from_config
        return functional_from_config(cls, config, custom_objects=custom_objects)

    def get_build_config(self) -> dict:
        return {"input_shape": None}

    def build_from_config(self, config: dict) -> None:
        """A functional model is built when it is made."""
