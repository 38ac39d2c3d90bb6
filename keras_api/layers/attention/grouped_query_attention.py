"""GroupQueryAttention (Ainslie et al., 2023): num_query_heads query heads share num_key_value_heads
key/value heads. Keras's sublayers, equations and numbers (key/value repeated over the query groups)."""
from __future__ import annotations

import math
from typing import Any

import symnet as sn

from ..activations.softmax import Softmax
from ..base import Layer
from ..dense import _ser
from ..dropout import Dropout
from ..einsum_dense import EinsumDense
from .masks import causal_mask, expand_mask, prepare_attention_call


class GroupedQueryAttention(Layer):
    """Keras's GroupQueryAttention: call(query, value, key=None, ...) like MultiHeadAttention."""

    def __init__(self, head_dim: int, num_query_heads: int, num_key_value_heads: int, dropout: float = 0.0,
                 use_bias: bool = True, sliding_window: int | None = None, flash_attention: bool | None = None,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, use_gate: bool = False,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        from ... import constraints, initializers, regularizers
        if flash_attention:
            raise NotImplementedError("keras_api GroupQueryAttention: flash_attention=True is not implemented")
        self.supports_masking = True
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`.")
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = dropout
        self.use_bias = use_bias
        self.use_gate = use_gate
        if sliding_window is not None and (not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError(f"`sliding_window` must be `None` or a positive integer. Received: "
                             f"sliding_window={sliding_window}")
        self.sliding_window = sliding_window
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer) if kernel_regularizer is not None else None
        self.bias_regularizer = regularizers.get(bias_regularizer) if bias_regularizer is not None else None
        self.kernel_constraint = constraints.get(kernel_constraint) if kernel_constraint is not None else None
        self.bias_constraint = constraints.get(bias_constraint) if bias_constraint is not None else None
        self.seed = seed
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(self.head_dim))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args and "query" in kwargs:         # layer(query=q, value=v), as Keras accepts
            args = (kwargs.pop("query"),)
        if len(args) < 2 and "value" in kwargs:
            args = args + (kwargs.pop("value"),)
        return super().__call__(*args, **kwargs)

    def _maybe_build(self, shapes: Any) -> None:
        """Built from call()'s query/value/key shapes."""

    def _common_kwargs(self) -> dict:
        return dict(kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
                    activity_regularizer=self.activity_regularizer, kernel_constraint=self.kernel_constraint,
                    bias_constraint=self.bias_constraint, dtype=self.dtype,
                    kernel_initializer=type(self.kernel_initializer).from_config(self.kernel_initializer.get_config()),
                    bias_initializer=type(self.bias_initializer).from_config(self.bias_initializer.get_config()))

    def _dense(self, equation: str, output_shape: tuple, bias_axes: str, name: str, activation: Any = None
               ) -> EinsumDense:
        return EinsumDense(equation, output_shape=output_shape, bias_axes=bias_axes if self.use_bias else None,
                           name=name, activation=activation, **self._common_kwargs())

    def build(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> None:
        if value_shape is None:
            raise ValueError(f"Layer {self.name!r}: GroupQueryAttention.build needs query_shape and value_shape")
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self.feature_dim = query_shape[-1]
        with sn.name_scope(self.name):
            self._query_dense = self._dense("bqm,muh->bquh", (None, self.num_query_heads, self.head_dim), "uh",
                                            "query")
            self._query_dense._maybe_build(query_shape)
            self._key_dense = self._dense("bkm,mvh->bkvh", (None, self.num_key_value_heads, self.head_dim), "vh",
                                          "key")
            self._key_dense._maybe_build(key_shape)
            if self.use_gate:
                self._gate_dense = self._dense("bqm,muh->bquh", (None, self.num_query_heads, self.head_dim), "uh",
                                               "gate", activation="sigmoid")
                self._gate_dense._maybe_build(query_shape)
            self._value_dense = self._dense("bkm,mvh->bkvh", (None, self.num_key_value_heads, self.head_dim),
                                            "vh", "value")
            self._value_dense._maybe_build(value_shape)
            self._softmax = Softmax(axis=-1, dtype=self.dtype)
            self._dropout_layer = Dropout(rate=self.dropout, dtype=self.dtype, seed=self.seed)
            self._dot_product_equation = "bquh,bkuh->buqk"
            self._combine_equation = "buqk,bkuh->bquh"
            self._output_dense = self._dense("bquh,uhm->bqm", (None, self.feature_dim), "m", "attention_output")
            self._output_dense._maybe_build((None, None, self.num_query_heads, self.head_dim))
        self._build_shapes = [query_shape, value_shape, key_shape]
        self.built = True

    # (no public query_dense/... properties: Keras's GroupQueryAttention has none, so its weights file keys
    # the sublayers by their private names, _query_dense, ...)

    def _compute_attention(self, query: sn.Variable, key: sn.Variable, value: sn.Variable,
                           attention_mask: Any = None, training: bool | None = None,
                           return_attention_scores: bool = False, use_causal_mask: bool = False) -> tuple:
        use_dpa = not (self.dropout > 0.0 or return_attention_scores or query.ndim != 4)
        if use_dpa:
            if attention_mask is not None:
                attention_mask = expand_mask(attention_mask, 4, 1)
            out = sn.nnet.dot_product_attention(query, key, value, mask=attention_mask,
                                                scale=self._inverse_sqrt_head_dim, is_causal=use_causal_mask)
            return out, None
        if use_causal_mask:
            c = causal_mask(query, value)
            attention_mask = c if attention_mask is None else sn.and_(attention_mask, c)
        query = query * sn.constant(self._inverse_sqrt_head_dim, dtype=query.dtype)
        scores = sn.einsum(self._dot_product_equation, query, key)
        if attention_mask is not None:
            attention_mask = expand_mask(attention_mask, scores.ndim, 1)
        scores = self._softmax(scores, mask=attention_mask)
        dropped = self._dropout_layer(scores, training=training) if self.dropout > 0.0 else scores
        return sn.einsum(self._combine_equation, dropped, value), scores

    def call(self, query: Any, value: Any, key: Any = None, query_mask: Any = None, value_mask: Any = None,
             key_mask: Any = None, attention_mask: Any = None, return_attention_scores: bool = False,
             training: bool | None = None, use_causal_mask: bool = False) -> Any:
        query, value, key, attention_mask, causal_only = prepare_attention_call(
            self, query, value, key, query_mask, value_mask, key_mask, attention_mask, use_causal_mask,
            self.sliding_window)
        gate = self._gate_dense(query) if self.use_gate else None
        q = self._query_dense(query)
        k = sn.repeat(self._key_dense(key), self.num_repeats, axis=2)
        v = sn.repeat(self._value_dense(value), self.num_repeats, axis=2)
        out, scores = self._compute_attention(q, k, v, attention_mask, training, return_attention_scores,
                                              use_causal_mask=causal_only)
        out = self._output_dense(out * gate if gate is not None else out)
        if return_attention_scores:
            return out, scores
        return out

    def compute_output_shape(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> tuple:
        if value_shape is not None:
            key_shape = value_shape if key_shape is None else key_shape
            if query_shape[-1] != value_shape[-1]:
                raise ValueError("The last dimension of `query_shape` and `value_shape` must be equal, but are "
                                 f"{query_shape[-1]}, {value_shape[-1]}. Received: query_shape={query_shape}, "
                                 f"value_shape={value_shape}")
            if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
                raise ValueError("All dimensions of `value` and `key`, except the last one, must be equal. "
                                 f"Received: value_shape={value_shape} and key_shape={key_shape}")
        return tuple(query_shape)

    def get_config(self) -> dict:
        from ... import constraints, initializers, regularizers
        config = super().get_config()
        config.update({
            "head_dim": self.head_dim, "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias, "use_gate": self.use_gate,
            "sliding_window": self.sliding_window, "dropout": self.dropout,
            "kernel_initializer": _ser(initializers, self.kernel_initializer),
            "bias_initializer": _ser(initializers, self.bias_initializer),
            "kernel_regularizer": _ser(regularizers, self.kernel_regularizer),
            "bias_regularizer": _ser(regularizers, self.bias_regularizer),
            "activity_regularizer": _ser(regularizers, self.activity_regularizer),
            "kernel_constraint": _ser(constraints, self.kernel_constraint),
            "bias_constraint": _ser(constraints, self.bias_constraint),
            "seed": self.seed,
        })
        return config

    def get_build_config(self) -> dict | None:
        if self._build_shapes is None:
            return None
        q, v, k = self._build_shapes
        return {"query_shape": q, "value_shape": v, "key_shape": k}


GroupQueryAttention = GroupedQueryAttention
