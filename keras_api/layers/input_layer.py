"""InputLayer and keras.Input: the entry points of functional models."""
from __future__ import annotations

from typing import Any, Sequence

from .base import KerasTensor, Layer, Node, _standardize_dtype, unique_name


class InputLayer(Layer):
    """Holds a model input's shape and dtype; its output is the KerasTensor given to layers."""

    def __init__(self, shape: Sequence | None = None, batch_size: int | None = None, dtype: Any = None,
                 sparse: bool | None = None, batch_shape: Sequence | None = None, input_tensor: Any = None,
                 optional: bool = False, name: str | None = None, **kwargs: Any) -> None:
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        if kwargs.pop("ragged", False):
            raise NotImplementedError("keras_api.layers.InputLayer: ragged inputs are not supported")
        super().__init__(name=name or unique_name("input_layer"), dtype=dtype, **kwargs)
        if sparse:
            raise NotImplementedError("keras_api.layers.InputLayer: sparse inputs are not supported")
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_shape is None:
            if shape is None:
                if input_tensor is None:
                    raise ValueError("You must pass a `shape` argument.")
                batch_shape = input_tensor.shape
            else:
                if isinstance(shape, int):
                    shape = (shape,)
                batch_shape = (batch_size,) + tuple(shape)
        self._batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self.dtype = self.compute_dtype = _standardize_dtype(dtype)
        self.sparse = False
        self.optional = optional
        self.built = True
        if input_tensor is not None and isinstance(input_tensor, KerasTensor):
            self._output = input_tensor
        else:
            self._output = KerasTensor(self._batch_shape, self.dtype, name=self.name)
            Node(self, [], {}, self._output)

    @property
    def batch_shape(self) -> tuple:
        return self._batch_shape

    def call(self, inputs: Any = None) -> Any:
        return inputs

    def get_config(self) -> dict:
        return {"batch_shape": list(self._batch_shape), "dtype": self.dtype, "sparse": False, "ragged": False,
                "name": self.name, "optional": self.optional}


def Input(shape: Sequence | None = None, batch_size: int | None = None, dtype: Any = None,
          sparse: bool | None = None, batch_shape: Sequence | None = None, name: str | None = None,
          tensor: Any = None, optional: bool = False) -> KerasTensor:
    """``keras.Input(shape=(784,))``: a symbolic tensor of shape (None, 784) for functional models."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                       name=name, input_tensor=tensor, optional=optional)
    return layer._output
