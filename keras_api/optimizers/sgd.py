"""SGD with optional momentum and Nesterov momentum (Keras 3's update rule)."""
from __future__ import annotations

from typing import Any

from .optimizer import Optimizer


class SGD(Optimizer):
    """m <- momentum * m - lr * g; w <- w + m (Nesterov: w <- w + momentum * m - lr * g);
    without momentum w <- w - lr * g."""

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float | None = None, clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, **kwargs)
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            if not (isinstance(momentum, int) and momentum in (0, 1)):
                raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum, self.nesterov = float(momentum), nesterov

    def build_slots(self, params):
        if self.momentum != 0:
            self.add_slots(params, ["momentum"])

    def update_step(self, gradient, variable, learning_rate, index):
        if self.momentum == 0:
            return variable - gradient * learning_rate
        m = self._slots["momentum"][index]
        m_new = self._set(m, m * self.momentum - gradient * learning_rate)
        if self.nesterov:
            return variable + (m_new * self.momentum - gradient * learning_rate)
        return variable + m_new

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
