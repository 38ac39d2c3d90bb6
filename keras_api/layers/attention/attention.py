"""Attention (Luong-style dot-product or concat scores) with Keras 3's arguments and numbers."""
from __future__ import annotations

import warnings
from typing import Any

import symnet as sn

from ..base import Layer


class Attention(Layer):
    """call([query, value] or [query, value, key], mask=[query_mask, value_mask], ...)."""

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        causal = kwargs.pop("causal", None)
        super().__init__(**kwargs)
        if causal is not None:
            warnings.warn("`causal` is the Keras 2 argument of Attention; Keras 3 takes "
                          "`use_causal_mask=True` in call(). Using it as the call default.", DeprecationWarning,
                          stacklevel=2)
        self._causal_default = bool(causal)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        if self.score_mode not in ["dot", "concat"]:
            raise ValueError("Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                             f"Received: score_mode={score_mode}")
        from symnet.random import RandomStream
        if seed is None:
            from ...random import global_rng
            seed = int(global_rng().integers(0, 2 ** 31 - 1))
        self._stream = RandomStream(int(seed))
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        self._validate_inputs(input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(), initializer="ones")
        self.built = True

    def _calculate_scores(self, query: sn.Variable, key: sn.Variable) -> sn.Variable:
        if self.score_mode == "dot":
            scores = sn.matmul(query, sn.ops.blas.swap_last(key))
            if self.scale is not None:
                scores = scores * self.scale.value
            return scores
        q = sn.expand_dims(query, query.ndim - 1)
        k = sn.expand_dims(key, key.ndim - 2)
        inner = q + k if self.scale is None else self.scale.value * (q + k)
        return self.concat_score_weight.value * sn.sum(sn.tanh(inner), axis=-1)

    def _apply_scores(self, scores: sn.Variable, value: sn.Variable, scores_mask: Any = None,
                      training: bool | None = False) -> tuple:
        if scores_mask is not None:
            padding = sn.not_(scores_mask)
            max_value = 65504.0 if scores.dtype == "float16" else 1.0e9
            if padding.ndim == 2:
                padding = sn.expand_dims(padding, 1)
            scores = sn.where(padding, scores - sn.constant(max_value, dtype=scores.dtype), scores)
        weights = sn.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            keep = 1.0 - self.dropout
            u = self._stream.uniform(size=weights.shape, dtype=weights.dtype)
            weights = weights * sn.cast(u < keep, weights.dtype) / sn.constant(keep, dtype=weights.dtype)
        return sn.matmul(weights, value), weights

    def _calculate_score_mask(self, scores: sn.Variable, v_mask: Any, use_causal_mask: bool) -> Any:
        if v_mask is not None:
            v_mask = sn.graph.as_variable(v_mask)
            v_mask = v_mask if v_mask.dtype == "bool" else sn.neq(v_mask, 0)
        if not use_causal_mask:
            return v_mask
        shp = sn.shape(scores)
        t = scores.type.shape[-2] if scores.type.shape[-2] is not None else shp[scores.ndim - 2]
        s = scores.type.shape[-1] if scores.type.shape[-1] is not None else shp[scores.ndim - 1]
        causal = sn.expand_dims(sn.ge(sn.expand_dims(sn.arange(t), 1), sn.expand_dims(sn.arange(s), 0)), 0)
        if v_mask is not None:
            return sn.and_(sn.expand_dims(v_mask, v_mask.ndim - 1), causal)
        return causal

    def call(self, inputs: Any, mask: Any = None, training: bool | None = False,
             return_attention_scores: bool = False, use_causal_mask: bool | None = None) -> Any:
        self._validate_inputs(inputs, mask)
        if use_causal_mask is None:
            use_causal_mask = self._causal_default
        q = sn.graph.as_variable(inputs[0])
        v = sn.graph.as_variable(inputs[1])
        k = sn.graph.as_variable(inputs[2]) if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._calculate_scores(q, k)
        scores_mask = self._calculate_score_mask(scores, v_mask, use_causal_mask)
        out, weights = self._apply_scores(scores, v, scores_mask, training)
        if q_mask is not None:
            q_mask = sn.graph.as_variable(q_mask)
            q_mask = q_mask if q_mask.dtype == "bool" else sn.neq(q_mask, 0)
            out = sn.where(sn.expand_dims(q_mask, q_mask.ndim), out, sn.constant(0.0, dtype=out.dtype))
        if return_attention_scores:
            return out, weights
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (*input_shape[0][:-1], input_shape[1][-1])

    def _validate_inputs(self, inputs: Any, mask: Any = None) -> None:
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely [query, value] or "
                             f"[query, value, key]. Received: inputs={inputs}.")
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] or "
                             f"[query, value, key]. Received length: {len(inputs)}.")
        if mask is not None:
            if not isinstance(mask, list):
                raise ValueError(f"{name} layer mask must be a list, namely [query_mask, value_mask]. "
                                 f"Received: mask={mask}.")
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(f"{name} layer accepts mask list of length 2 or 3. Received: inputs={inputs}, "
                                 f"mask={mask}.")

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"use_scale": self.use_scale, "score_mode": self.score_mode, "dropout": self.dropout,
                       "seed": self.seed})
        return config
