"""DropoutRNNCell: the dropout masks of a recurrent cell, drawn once per sequence (Keras 3).

The RNN layer asks for the masks before the loop (one mask for the step inputs, one for the
previous state), so every time step of one sequence uses the same masks; the masks are then
loop-invariant values the step reads."""
from __future__ import annotations

from typing import Any

import symnet as sn


class DropoutRNNCell:
    """Mixin of SimpleRNNCell, LSTMCell and GRUCell (needs self.dropout, self.recurrent_dropout,
    self._stream)."""

    def _make_stream(self, seed: Any) -> None:
        from symnet.random import RandomStream
        from ...random import global_rng
        s = int(global_rng().integers(0, 2 ** 31 - 1)) if seed is None else int(seed)
        self._stream = RandomStream(s)
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    def _create_dropout_mask(self, step_input: Any, rate: float) -> Any:
        x = sn.graph.as_variable(step_input)
        keep = 1.0 - rate
        u = self._stream.uniform(size=x.shape, dtype=x.dtype)
        return sn.cast(u < keep, x.dtype) / sn.constant(keep, dtype=x.dtype)

    def get_dropout_mask(self, step_input: Any) -> Any:
        if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_input: Any) -> Any:
        if getattr(self, "_recurrent_dropout_mask", None) is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(step_input, self.recurrent_dropout)
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self) -> None:
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        self._recurrent_dropout_mask = None
