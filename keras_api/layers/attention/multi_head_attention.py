"""MultiHeadAttention with Keras 3's arguments, sublayers (query/key/value/attention_output EinsumDense
kernels in Keras's shapes and order) and numbers, so weights saved by Keras load and predict the same.

Like Keras, the rank-4 case without dropout or returned scores goes through dot_product_attention
(masked logits -0.7 * float32 max); otherwise the scores are an einsum, a masked Softmax layer (masked
logits -1e9, masked probabilities 0) and dropout."""
from __future__ import annotations

import math
import string
from typing import Any

import numpy as np

import symnet as sn

from ..base import Layer
from ..dense import _ser
from ..dropout import Dropout
from ..einsum_dense import EinsumDense
from ..activations.softmax import Softmax
from .masks import expand_mask, prepare_attention_call


def _letter(i: int) -> str:
    return string.ascii_lowercase[i]


def build_attention_equation(rank: int, attn_axes: tuple) -> tuple[str, str, int]:
    """Keras's (dot-product equation, combine equation, scores rank) for projected tensors of `rank`."""
    target = "".join(_letter(i) for i in range(rank))
    batch_dims = tuple(np.delete(range(rank), attn_axes + (rank - 1,)))
    offset = rank
    source = ""
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source += target[i]
        else:
            source += _letter(offset)
            offset += 1
    product = "".join([target[i] for i in batch_dims] + [target[i] for i in attn_axes]
                      + [source[i] for i in attn_axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def build_proj_equation(free_dims: int, bound_dims: int, output_dims: int) -> tuple[str, str, int]:
    """Keras's projection equation: free axes kept, bound axes contracted, output axes added."""
    inp, kernel, out, bias = "", "", "", ""
    for i in range(free_dims):
        inp += _letter(i)
        out += _letter(i)
    for i in range(bound_dims):
        c = _letter(free_dims + i)
        inp += c
        kernel += c
    for i in range(output_dims):
        c = _letter(free_dims + bound_dims + i)
        kernel += c
        out += c
        bias += c
    return f"{inp},{kernel}->{out}", bias, len(out)


def output_shape_spec(output_rank: int, known_last_dims: list) -> list:
    return [None] * (output_rank - len(known_last_dims)) + list(known_last_dims)


class MultiHeadAttention(Layer):
    """Keras's MultiHeadAttention (Vaswani et al.): call(query, value, key=None, ...)."""

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None, dropout: float = 0.0,
                 use_bias: bool = True, output_shape: Any = None, attention_axes: Any = None,
                 sliding_window: int | None = None, flash_attention: bool | None = None,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, use_gate: bool = False,
                 seed: int | None = None, **kwargs: Any) -> None:
        if not isinstance(num_heads, int) or isinstance(num_heads, bool) or num_heads <= 0:
            raise ValueError("Received an invalid value for argument `num_heads`, expected a positive integer. "
                             f"Received: num_heads={num_heads}")
        if not isinstance(key_dim, int) or isinstance(key_dim, bool) or key_dim <= 0:
            raise ValueError("Received an invalid value for argument `key_dim`, expected a positive integer. "
                             f"Received: key_dim={key_dim}")
        if value_dim is not None and (not isinstance(value_dim, int) or value_dim <= 0):
            raise ValueError("Received an invalid value for argument `value_dim`, expected a positive integer or "
                             f"`None`. Received: value_dim={value_dim}")
        super().__init__(**kwargs)
        from ... import constraints, initializers, regularizers
        if flash_attention:
            raise NotImplementedError("keras_api MultiHeadAttention: flash_attention=True (a fused attention kernel) "
                                      "is not implemented; leave it None")
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._use_gate = use_gate
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(f"Invalid `output_shape`: {output_shape}. When specified, the `output_shape` "
                                 "should be of type tuple, list, or int.") from None
        self._output_shape = output_shape
        self._flash_attention = flash_attention
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer) if kernel_regularizer is not None else None
        self._bias_regularizer = regularizers.get(bias_regularizer) if bias_regularizer is not None else None
        self._activity_regularizer = regularizers.get(activity_regularizer) \
            if activity_regularizer is not None else None
        self._kernel_constraint = constraints.get(kernel_constraint) if kernel_constraint is not None else None
        self._bias_constraint = constraints.get(bias_constraint) if bias_constraint is not None else None
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"`attention_axes` must be an int, list, or tuple.Received: "
                             f"attention_axes={attention_axes}")
        self._attention_axes = attention_axes
        if sliding_window is not None and (not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError(f"`sliding_window` must be `None` or a positive integer. Received: "
                             f"sliding_window={sliding_window}")
        self._sliding_window = sliding_window
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))

    # -- Keras's read-only properties --------------------------------------------------------
    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)
    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    def get_config(self) -> dict:
        from ... import constraints, initializers, regularizers
        config = super().get_config()
        config.update({
            "num_heads": self._num_heads, "key_dim": self._key_dim, "value_dim": self._value_dim,
            "dropout": self._dropout, "use_bias": self._use_bias, "use_gate": self._use_gate,
            "output_shape": self._output_shape, "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            "kernel_initializer": _ser(initializers, self._kernel_initializer),
            "bias_initializer": _ser(initializers, self._bias_initializer),
            "kernel_regularizer": _ser(regularizers, self._kernel_regularizer),
            "bias_regularizer": _ser(regularizers, self._bias_regularizer),
            "activity_regularizer": _ser(regularizers, self._activity_regularizer),
            "kernel_constraint": _ser(constraints, self._kernel_constraint),
            "bias_constraint": _ser(constraints, self._bias_constraint),
            "seed": self.seed,
        })
        return config

    # -- building ---------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args and "query" in kwargs:         # layer(query=q, value=v), as Keras accepts
            args = (kwargs.pop("query"),)
        if len(args) < 2 and "value" in kwargs:
            args = args + (kwargs.pop("value"),)
        return super().__call__(*args, **kwargs)

    def _maybe_build(self, shapes: Any) -> None:
        """Built from call()'s query/value/key shapes (Keras builds from all three); see call."""

    def _common_kwargs(self) -> dict:
        return dict(kernel_regularizer=self._kernel_regularizer, bias_regularizer=self._bias_regularizer,
                    activity_regularizer=self._activity_regularizer, kernel_constraint=self._kernel_constraint,
                    bias_constraint=self._bias_constraint, dtype=self.dtype,
                    kernel_initializer=type(self._kernel_initializer).from_config(
                        self._kernel_initializer.get_config()),
                    bias_initializer=type(self._bias_initializer).from_config(self._bias_initializer.get_config()))

    def _projection(self, rank: int, last_dims: list, name: str, activation: Any = None) -> EinsumDense:
        equation, bias_axes, out_rank = build_proj_equation(rank - 1, bound_dims=1, output_dims=2)
        return EinsumDense(equation, output_shape=output_shape_spec(out_rank - 1, last_dims),
                           bias_axes=bias_axes if self._use_bias else None, name=name, activation=activation,
                           **self._common_kwargs())

    def build(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> None:
        if value_shape is None:
            raise ValueError(f"Layer {self.name!r}: MultiHeadAttention.build needs query_shape and value_shape")
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError("All dimensions of `value` and `key`, except the last one, must be equal. Received: "
                             f"value_shape={value_shape} and key_shape={key_shape}")
        with sn.name_scope(self.name):
            self._query_dense = self._projection(len(query_shape), [self._num_heads, self._key_dim], "query")
            self._query_dense._maybe_build(query_shape)
            self._key_dense = self._projection(len(key_shape), [self._num_heads, self._key_dim], "key")
            self._key_dense._maybe_build(key_shape)
            if self._use_gate:
                self._gate_dense = self._projection(len(query_shape), [self._num_heads, self._value_dim], "gate",
                                                    activation="sigmoid")
                self._gate_dense._maybe_build(query_shape)
            self._value_dense = self._projection(len(value_shape), [self._num_heads, self._value_dim], "value")
            self._value_dense._maybe_build(value_shape)
            out_rank = len(value_shape) + 1
            self._build_attention(out_rank)
            out_shape = self._output_shape if self._output_shape else [query_shape[-1]]
            equation, bias_axes, o_rank = build_proj_equation(len(query_shape) - 1, bound_dims=2,
                                                              output_dims=len(out_shape))
            self._output_dense = EinsumDense(equation, output_shape=output_shape_spec(o_rank - 1, list(out_shape)),
                                             bias_axes=bias_axes if self._use_bias else None,
                                             name="attention_output", **self._common_kwargs())
            dense_in = list(self._query_dense.compute_output_shape(query_shape))
            dense_in[-1] = self._value_dim
            self._output_dense._maybe_build(tuple(dense_in))
        self._build_shapes = [query_shape, value_shape, key_shape]
        self.built = True

    def _build_attention(self, rank: int) -> None:
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(a if a >= 0 else (rank - 1) + a for a in self._attention_axes)
        self._dot_product_equation, self._combine_equation, scores_rank = build_attention_equation(
            rank, self._attention_axes)
        norm_axes = tuple(range(scores_rank - len(self._attention_axes), scores_rank))
        self._softmax = Softmax(axis=norm_axes, dtype=self.dtype)
        self._dropout_layer = Dropout(rate=self._dropout, dtype=self.dtype, seed=self.seed)

    # -- calling ----------------------------------------------------------------------------
    def _masked_softmax(self, scores: sn.Variable, attention_mask: Any = None) -> sn.Variable:
        if attention_mask is not None:
            attention_mask = expand_mask(attention_mask, scores.ndim, len(self._attention_axes))
        return self._softmax(scores, mask=attention_mask)

    def _compute_attention(self, query: sn.Variable, key: sn.Variable, value: sn.Variable,
                           attention_mask: Any = None, training: bool | None = None,
                           return_attention_scores: bool = False, use_causal_mask: bool = False) -> tuple:
        use_dpa = not (self._dropout > 0.0 or return_attention_scores or query.ndim != 4)
        if use_dpa:
            if attention_mask is not None:
                attention_mask = expand_mask(attention_mask, 4, len(self._attention_axes))
            out = sn.nnet.dot_product_attention(query, key, value, mask=attention_mask,
                                                scale=self._inverse_sqrt_key_dim, is_causal=use_causal_mask)
            return out, None
        if use_causal_mask:
            from .masks import causal_mask
            c = causal_mask(query, value)
            attention_mask = c if attention_mask is None else sn.and_(attention_mask, c)
        query = query * sn.constant(self._inverse_sqrt_key_dim, dtype=query.dtype)
        scores = sn.einsum(self._dot_product_equation, key, query)
        scores = self._masked_softmax(scores, attention_mask)
        dropped = self._dropout_layer(scores, training=training) if self._dropout > 0.0 else scores
        return sn.einsum(self._combine_equation, dropped, value), scores

    def call(self, query: Any, value: Any, key: Any = None, query_mask: Any = None, value_mask: Any = None,
             key_mask: Any = None, attention_mask: Any = None, return_attention_scores: bool = False,
             training: bool | None = None, use_causal_mask: bool = False) -> Any:
        query, value, key, attention_mask, causal_only = prepare_attention_call(
            self, query, value, key, query_mask, value_mask, key_mask, attention_mask, use_causal_mask,
            self._sliding_window)
        gate = self._gate_dense(query) if self._use_gate else None
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        out, scores = self._compute_attention(q, k, v, attention_mask, training, return_attention_scores,
                                              use_causal_mask=causal_only)
        out = self._output_dense(out * gate if gate is not None else out)
        if return_attention_scores:
            return out, scores
        return out

    def compute_output_shape(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> tuple:
        query_shape = tuple(query_shape)
        if value_shape is not None:
            value_shape = tuple(value_shape)
            key_shape = value_shape if key_shape is None else tuple(key_shape)
            if value_shape[1:-1] != key_shape[1:-1]:
                raise ValueError("All dimensions of `value` and `key`, except the last one, must be equal. "
                                 f"Received: value_shape={value_shape} and key_shape={key_shape}")
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def get_build_config(self) -> dict | None:
        if self._build_shapes is None:
            return None
        q, v, k = self._build_shapes
        return {"query_shape": q, "value_shape": v, "key_shape": k}
