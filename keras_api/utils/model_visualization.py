"""plot_model / model_to_dot: the model's layer graph through pydot (and Graphviz's `dot` to write
images). Both are optional: without them the error names the missing package and how to install it."""
from __future__ import annotations

import os
from typing import Any


def _pydot() -> Any:
    try:
        import pydot
    except ImportError:
        raise ImportError("You must install pydot (`pip install pydot`) for `plot_model` to work.") from None
    return pydot


def _label(layer: Any, show_shapes: bool, show_dtype: bool, show_layer_names: bool,
           show_layer_activations: bool, show_trainable: bool) -> str:
    parts = [f"{layer.name} ({type(layer).__name__})" if show_layer_names else type(layer).__name__]
    if show_layer_activations and hasattr(layer, "activation"):
        parts.append(f"activation: {getattr(layer.activation, '__name__', layer.activation)}")
    if show_shapes:
        from ..models.summary import layer_output_shape
        parts.append(f"output: {layer_output_shape(layer)}")
    if show_dtype:
        parts.append(f"dtype: {getattr(layer, 'dtype', '?')}")
    if show_trainable:
        parts.append(f"trainable: {layer.trainable}")
    return "\n".join(parts)


def model_to_dot(model: Any, show_shapes: bool = False, show_dtype: bool = False, show_layer_names: bool = True,
                 rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200, subgraph: bool = False,
                 show_layer_activations: bool = False, show_trainable: bool = False, splines: str = "ortho",
                 **kwargs: Any) -> Any:
    pydot = _pydot()
    if expand_nested:
        raise NotImplementedError("keras_api plot_model: expand_nested=True is not supported")
    dot = pydot.Dot(graph_type="digraph", rankdir=rankdir, dpi=dpi, splines=splines)
    layers = list(getattr(model, "_functional", None).layers if getattr(model, "_functional", None) is not None
                  else model.layers)
    for layer in layers:
        dot.add_node(pydot.Node(str(id(layer)), label=_label(layer, show_shapes, show_dtype, show_layer_names,
                                                             show_layer_activations, show_trainable), shape="record"))
    for layer in layers:
        for node in layer._inbound_nodes:
            for t in node.input_tensors:
                parent = t._keras_history[0]
                if any(parent is l for l in layers):
                    dot.add_edge(pydot.Edge(str(id(parent)), str(id(layer))))
    return dot


def plot_model(model: Any, to_file: str = "model.png", show_shapes: bool = False, show_dtype: bool = False,
               show_layer_names: bool = False, rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False, splines: str = "ortho",
               **kwargs: Any) -> Any:
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling `build()` or by calling "
                         "the model on a batch of data.")
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                       rankdir=rankdir, expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations, show_trainable=show_trainable, splines=splines)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    try:
        dot.write(to_file, format=extension)
    except (FileNotFoundError, OSError) as e:
        if extension == "dot":
            raise
        raise ImportError("You must install graphviz (the `dot` program, e.g. `apt-get install graphviz`) for "
                          f"`plot_model` to write {extension} files: {e}") from None
    return dot
