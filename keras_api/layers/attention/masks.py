"""The attention masks Keras's MultiHeadAttention and GroupQueryAttention build: query/value/key
padding masks, the causal mask and the sliding window, combined into one boolean (B, T, S) mask."""
from __future__ import annotations

from typing import Any

import symnet as sn


def _as_bool(m: Any) -> sn.Variable:
    m = sn.graph.as_variable(m)
    return m if m.dtype == "bool" else sn.neq(m, 0)


def _seq_len(x: sn.Variable) -> Any:
    return x.type.shape[1] if x.type.shape[1] is not None else sn.shape(x)[1]


def causal_mask(query: sn.Variable, value: sn.Variable | None = None) -> sn.Variable:
    """(1, T, S): query position i sees value positions j <= i."""
    t = _seq_len(query)
    s = t if value is None else _seq_len(value)
    return sn.expand_dims(sn.ge(sn.expand_dims(sn.arange(t), 1), sn.expand_dims(sn.arange(s), 0)), 0)


def sliding_window_mask(query: sn.Variable, value: sn.Variable | None, window: int) -> sn.Variable:
    """(1, T, S): |i - j| < window."""
    t = _seq_len(query)
    s = t if value is None else _seq_len(value)
    diff = sn.expand_dims(sn.arange(t), 1) - sn.expand_dims(sn.arange(s), 0)
    return sn.expand_dims(sn.lt(sn.abs(diff), window), 0)


def combine_attention_mask(query: sn.Variable, value: sn.Variable, query_mask: Any = None, value_mask: Any = None,
                           key_mask: Any = None, attention_mask: Any = None, use_causal_mask: bool = False,
                           sliding_window: int | None = None) -> sn.Variable | None:
    """Keras's _compute_attention_mask: the AND of every mask given (None when there is none)."""
    auto = None

    def conj(a: Any, b: Any) -> Any:
        return b if a is None else sn.and_(a, b)
    if query_mask is not None:
        auto = sn.expand_dims(_as_bool(query_mask), -1)
    if value_mask is not None:
        auto = conj(auto, sn.expand_dims(_as_bool(value_mask), -2))
    if key_mask is not None:
        auto = conj(auto, sn.expand_dims(_as_bool(key_mask), -2))
    if use_causal_mask:
        auto = conj(auto, causal_mask(query, value))
    if sliding_window is not None:
        auto = conj(auto, sliding_window_mask(query, value, sliding_window))
    if attention_mask is not None:
        attention_mask = _as_bool(attention_mask)
    if auto is not None:
        attention_mask = auto if attention_mask is None else sn.and_(attention_mask, auto)
    return attention_mask


def expand_mask(mask: sn.Variable, rank: int, n_attention_axes: int) -> sn.Variable:
    """Insert the head axes Keras inserts (at -2 * n_attention_axes - 1) until the mask has `rank` dims."""
    axis = -n_attention_axes * 2 - 1
    while mask.ndim < rank:
        mask = sn.expand_dims(mask, mask.ndim + 1 + axis)
    return mask


def tensor_masks(query: Any, value: Any, key: Any, query_mask: Any, value_mask: Any, key_mask: Any) -> tuple:
    """Padding masks given explicitly, else the ones riding on the tensors (Embedding(mask_zero=True)),
    as Keras 3 fills `query_mask`/`value_mask`/`key_mask` from the inputs' masks."""
    from ..base import get_keras_mask
    if query_mask is None:
        query_mask = get_keras_mask(query)
    if value_mask is None:
        value_mask = get_keras_mask(value)
    if key_mask is None and key is not value:
        key_mask = get_keras_mask(key)
    return query_mask, value_mask, key_mask


def prepare_attention_call(layer: Any, query: Any, value: Any, key: Any, query_mask: Any, value_mask: Any,
                           key_mask: Any, attention_mask: Any, use_causal_mask: bool,
                           sliding_window: Any) -> tuple:
    """What MultiHeadAttention and GroupQueryAttention do before projecting: variables, the masks
    carried by the tensors, the layer built, and one attention mask. A purely causal call keeps no
    mask (``causal_only``): the dot-product path applies causality itself.
    Returns (query, value, key, attention_mask, causal_only)."""
    query, value = sn.graph.as_variable(query), sn.graph.as_variable(value)
    key = value if key is None else sn.graph.as_variable(key)
    query_mask, value_mask, key_mask = tensor_masks(query, value, key, query_mask, value_mask, key_mask)
    if not layer.built:
        layer.build(query.type.shape, value.type.shape, key.type.shape)
    causal_only = (use_causal_mask and query_mask is None and value_mask is None and key_mask is None
                   and attention_mask is None and sliding_window is None)
    if causal_only:
        attention_mask = None
    else:
        attention_mask = combine_attention_mask(query, value, query_mask, value_mask, key_mask, attention_mask,
                                                use_causal_mask, sliding_window)
    return query, value, key, attention_mask, causal_only
