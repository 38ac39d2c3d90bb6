"""AdditiveAttention (Bahdanau-style): scores = sum(scale * tanh(query + key)) over the features."""
from __future__ import annotations

from typing import Any

import symnet as sn

from .attention import Attention


class AdditiveAttention(Attention):
    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs: Any) -> None:
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape: Any) -> None:
        self._validate_inputs(input_shape)
        dim = input_shape[0][-1]
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(dim,), initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query: sn.Variable, key: sn.Variable) -> sn.Variable:
        q = sn.expand_dims(query, query.ndim - 1)
        k = sn.expand_dims(key, key.ndim - 2)
        t = sn.tanh(q + k)
        return sn.sum(self.scale.value * t if self.use_scale else t, axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["score_mode"]
        return config
