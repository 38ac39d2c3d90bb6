"""Adamax (Keras 3): learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7."""
from __future__ import annotations

from typing import Any

import symnet as sn

from .optimizer import Optimizer, const


class Adamax(Optimizer):
    """m += (g - m)(1 - b1); u = max(b2 u, |g|); w -= lr m / ((1 - b1^t)(u + epsilon))."""

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build_slots(self, params):
        self.add_slots(params, ["momentum", "norm"])

    def update_step(self, gradient, variable, learning_rate, index):
        dtype = variable.dtype
        local_step = sn.cast(self.iterations + 1, dtype)
        beta_1_power = sn.pow(const(self.beta_1, dtype), local_step)
        m, u = self._slots["momentum"][index], self._slots["norm"][index]
        m_new = self._set(m, m + (gradient - m) * (1.0 - self.beta_1))
        u_new = self._set(u, sn.maximum(self.beta_2 * u, sn.abs(gradient)))
        return variable - (learning_rate * m_new) / ((1.0 - beta_1_power) * (u_new + self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
