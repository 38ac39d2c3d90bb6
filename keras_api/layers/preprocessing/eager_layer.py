"""Preprocessing layers that run in NumPy, not in the compiled graph (strings cannot be symbolic tensors).

Outside a model they take and return NumPy arrays. Inside a model they must consume a keras.Input
directly: the model then applies them to the NumPy data at its boundary (in fit/evaluate/predict and
in eager calls) and compiles the rest of the graph from their outputs (see Functional)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..base import KerasTensor, Layer, Node, get_uid


class EagerPreprocessingLayer(Layer):
    """Subclasses implement `transform(array) -> array` and `output_spec(input_shape) -> (shape, dtype)`."""

    _runs_eagerly = True

    def transform(self, data: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def output_spec(self, input_shape: tuple) -> tuple[tuple, str]:
        raise NotImplementedError

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args:
            raise TypeError(f"Layer {self.name!r} was called without inputs")
        inputs = args[0]
        if isinstance(inputs, KerasTensor):
            shape, dtype = self.output_spec(tuple(inputs.shape))
            out = KerasTensor(shape, dtype, name=f"keras_tensor_{get_uid('keras_tensor')}")
            Node(self, inputs, {}, out)
            self.built = True
            return out
        import symnet as sn
        if isinstance(inputs, sn.Variable) or hasattr(type(inputs), "__symnet_variable__"):
            raise TypeError(f"Layer {self.name!r} ({type(self).__name__}) runs in NumPy before the compiled graph: "
                            "inside a model it must take a keras.Input directly (the model applies it to the data "
                            "at its boundary); it cannot be applied to a symbolic tensor. Received: "
                            f"{inputs!r}")
        self.built = True
        return self.transform(self._as_numpy(inputs))

    def _as_numpy(self, data: Any) -> np.ndarray:
        if hasattr(data, "numpy") and not isinstance(data, np.ndarray):
            data = data.numpy()
        arr = np.asarray(data)
        if arr.dtype == object:
            try:
                arr = arr.astype(str)
            except (TypeError, ValueError):
                raise ValueError(f"Layer {self.name!r}: could not convert the input to an array of strings or "
                                 f"numbers. Received: {data!r}") from None
        if arr.dtype.kind == "S":
            arr = np.char.decode(arr, "utf-8")
        return arr

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return self.output_spec(tuple(input_shape))[0]
