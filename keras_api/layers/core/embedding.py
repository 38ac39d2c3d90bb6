"""Embedding: integer ids -> rows of a (input_dim, output_dim) table.

The lookup is integer indexing on axis 0 (AdvancedSubtensor1), so the gradient is a scatter-add
of the output gradient into the rows used (AdvancedIncSubtensor1, native on LLVM), not a dense
one-hot product."""
from __future__ import annotations

import warnings
from typing import Any

import symnet as sn

from ..base import Layer


class Embedding(Layer):
    """Keras 3's Embedding(input_dim, output_dim, embeddings_initializer='uniform', ..., mask_zero)."""

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 embeddings_regularizer: Any = None, embeddings_constraint: Any = None, mask_zero: bool = False,
                 weights: Any = None, lora_rank: int | None = None, lora_alpha: float | None = None,
                 quantization_config: Any = None, **kwargs: Any) -> None:
        for arg, val in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(val, int) or isinstance(val, bool) or val <= 0:
                raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={val} "
                                 f"(of type {type(val).__name__}).")
        if kwargs.pop("input_length", None) is not None:
            warnings.warn("Argument `input_length` is deprecated. Just remove it.", stacklevel=2)
        if lora_rank:
            raise NotImplementedError("keras_api.layers.Embedding: lora_rank is not supported")
        if quantization_config is not None:
            raise NotImplementedError("keras_api.layers.Embedding: quantization_config is not supported")
        super().__init__(**kwargs)
        from ..rnn._common import get_opt
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = get_opt("initializers", embeddings_initializer)
        self.embeddings_regularizer = get_opt("regularizers", embeddings_regularizer)
        self.embeddings_constraint = get_opt("constraints", embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.autocast = False
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha
        self.quantization_config = None
        if weights is not None:
            self.build()
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def build(self, input_shape: Any = None) -> None:
        if self.built:
            return
        self._embeddings = self.add_weight(shape=(self.input_dim, self.output_dim), name="embeddings",
                                           initializer=self.embeddings_initializer,
                                           regularizer=self.embeddings_regularizer,
                                           constraint=self.embeddings_constraint, trainable=True)
        self.built = True

    @property
    def embeddings(self) -> Any:
        if not self.built:
            raise AttributeError("You must build the layer before accessing `embeddings`.")
        return self._embeddings

    def call(self, inputs: Any) -> Any:
        ids = sn.graph.as_variable(inputs)
        if ids.dtype not in ("int32", "int64"):
            ids = sn.cast(ids, "int32")
        table = self._embeddings.value
        flat = sn.reshape(ids, [-1], ndim=1) if ids.ndim != 1 else ids
        rows = table[flat]
        if ids.ndim == 1:
            return rows
        from ..rnn._common import dim
        return sn.reshape(rows, [dim(ids, i) for i in range(ids.ndim)] + [self.output_dim], ndim=ids.ndim + 1)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if not self.mask_zero:
            return None
        return sn.neq(sn.graph.as_variable(inputs), 0)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self) -> dict:
        from ..rnn._common import ser
        config = {
            "input_dim": self.input_dim, "output_dim": self.output_dim,
            "embeddings_initializer": ser("initializers", self.embeddings_initializer),
            "embeddings_regularizer": ser("regularizers", self.embeddings_regularizer),
            "activity_regularizer": ser("regularizers", self.activity_regularizer),
            "embeddings_constraint": ser("constraints", self.embeddings_constraint),
            "mask_zero": self.mask_zero, "quantization_config": None,
        }
        return {**super().get_config(), **config}
