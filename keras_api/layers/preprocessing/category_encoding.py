"""CategoryEncoding: integer category ids -> one_hot / multi_hot / count vectors of num_tokens."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import Layer


class CategoryEncoding(Layer):
    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot", sparse: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if output_mode == "binary":       # Keras 2's name
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens is not known "
                             "beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise NotImplementedError("CategoryEncoding: sparse=True is not supported by keras_api")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        if x.dtype.startswith("float"):
            x = sn.cast(x, "int64")
        if x.ndim == 0:
            x = sn.expand_dims(x, 0)
        if x.ndim > 2:
            raise ValueError("When output_mode is not `'int'`, maximum supported output rank is 2. Received "
                             f"output_mode {self.output_mode} and input shape {x.type.shape}, which would result "
                             f"in output rank {x.ndim}.")
        oh = sn.one_hot(x, self.num_tokens, dtype=self.compute_dtype)
        if self.output_mode == "one_hot":
            return sn.squeeze(oh, 1) if x.ndim == 2 and x.type.shape[-1] == 1 else oh
        counts = sn.sum(oh, axis=-2)       # rank 1: one sample
        return sn.minimum(counts, 1.0) if self.output_mode == "multi_hot" else counts

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        if not input_shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and not (len(input_shape) == 2 and input_shape[-1] == 1):
            return input_shape + (self.num_tokens,)
        return input_shape[:-1] + (self.num_tokens,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode})
        return config
