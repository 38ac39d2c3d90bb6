"""Scaled dot-product attention as a plain graph of einsum, where and softmax (keras.ops semantics).

It differentiates and lowers through those ops' rules; a fused (flash-attention-style) kernel is a
later rewrite of this graph, not a different API."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..graph import Variable, as_variable

_LARGE_NEGATIVE = -0.7 * 3.38953e38     # Keras's masked-logit value (float16 uses 65500 * -0.7)


def large_negative(dtype: str) -> float:
    """The value masked logits get: Keras's -0.7 * (largest float32), or -0.7 * 65500 in float16."""
    return -0.7 * 65500.0 if dtype == "float16" else _LARGE_NEGATIVE


def causal_mask(t: Any, s: Any) -> Variable:
    """(T, S) boolean lower-triangular mask (query i sees keys j <= i), as np.tril(ones((T, S)))."""
    from .. import basic as T
    return T.ge(T.expand_dims(T.arange(t), 1), T.expand_dims(T.arange(s), 0))


def apply_masks(logits: Variable, mask: Any, is_causal: bool) -> Variable:
    """Set logits where `mask` is False (or above the diagonal when causal) to a large negative."""
    from .. import basic as T
    if mask is None and not is_causal:
        return logits
    keep = None
    if mask is not None:
        keep = as_variable(mask)
        if keep.dtype != "bool":
            keep = T.neq(keep, 0)
    if is_causal:
        shp = T.shape(logits)
        tdim = logits.type.shape[-2] if logits.type.shape[-2] is not None else shp[logits.ndim - 2]
        sdim = logits.type.shape[-1] if logits.type.shape[-1] is not None else shp[logits.ndim - 1]
        c = causal_mask(tdim, sdim)
        keep = c if keep is None else T.and_(keep, c)
    fill = np.asarray(large_negative(logits.dtype), dtype=logits.dtype)
    return T.where(keep, logits, fill)


def dot_product_attention(query: Any, key: Any, value: Any, bias: Any = None, mask: Any = None,
                          scale: float | None = None, is_causal: bool = False) -> Variable:
    """keras.ops.dot_product_attention: query (B, T, N, H), key/value (B, S, K, H) with N a multiple
    of K (grouped-query attention); returns (B, T, N, H).

    logits = einsum('BTNH,BSNH->BNTS') * scale (default 1/sqrt(H)) + bias; masked (mask False, or
    causal) logits become -0.7 * float32 max; softmax over S; then the weighted sum of values."""
    from .. import basic as T
    from ..types import upcast
    from .einsum import einsum
    from .nnet import softmax
    q, k, v = as_variable(query), as_variable(key), as_variable(value)
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4:
        raise ValueError("`dot_product_attention` only supports 4D inputs. Received: "
                         f"query.shape={q.type.shape}, key.shape={k.type.shape}, value.shape={v.type.shape}.")
    dtype = upcast(q.dtype, k.dtype, v.dtype)
    if not dtype.startswith("float"):
        dtype = upcast(dtype, "float32")
    q, k, v = (T.cast(x, dtype) if x.dtype != dtype else x for x in (q, k, v))
    head = k.type.shape[-1]
    if scale is None:
        if head is None:
            scale = T.true_div(1.0, T.sqrt(T.cast(T.shape(k)[3], dtype)))
        else:
            scale = 1.0 / float(np.sqrt(head))
    n, kh = q.type.shape[2], k.type.shape[2]
    grouped = n is not None and kh is not None and n != kh
    if grouped:
        if n % kh:
            raise ValueError(f"dot_product_attention: the number of query heads ({n}) must be a multiple of the "
                             f"number of key/value heads ({kh}). Received: query.shape={q.type.shape}, "
                             f"key.shape={k.type.shape}")
        g = n // kh
        shp = T.shape(q)
        qb = q.type.shape[0] if q.type.shape[0] is not None else shp[0]
        qt = q.type.shape[1] if q.type.shape[1] is not None else shp[1]
        qh = q.type.shape[3] if q.type.shape[3] is not None else shp[3]
        q5 = T.reshape(q, (qb, qt, kh, g, qh))
        logits = einsum("BTKGH,BSKH->BKGTS", q5, k)
        lshp = T.shape(logits)
        logits = T.reshape(logits, (qb, n, qt, logits.type.shape[4] if logits.type.shape[4] is not None
                                     else lshp[4]))
    else:
        logits = einsum("BTNH,BSNH->BNTS", q, k)
    logits = logits * T.cast(as_variable(scale), dtype) if isinstance(scale, Variable) else \
        logits * np.asarray(scale, dtype=dtype)
    if bias is not None:
        logits = logits + T.cast(as_variable(bias), dtype)
    logits = apply_masks(logits, mask, is_causal)
    probs = softmax(logits, axis=-1)
    if grouped:
        pshp = T.shape(probs)
        pb = probs.type.shape[0] if probs.type.shape[0] is not None else pshp[0]
        pt = probs.type.shape[2] if probs.type.shape[2] is not None else pshp[2]
        ps = probs.type.shape[3] if probs.type.shape[3] is not None else pshp[3]
        p5 = T.reshape(probs, (pb, kh, n // kh, pt, ps))
        out = einsum("BKGTS,BSKH->BTKGH", p5, v)
        oshp = T.shape(out)
        return T.reshape(out, (pb, pt, n, v.type.shape[3] if v.type.shape[3] is not None else oshp[4]))
    return einsum("BNTS,BSNH->BTNH", probs, v)
