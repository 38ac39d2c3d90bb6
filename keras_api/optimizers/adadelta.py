"""Adadelta (Keras 3): learning_rate=0.001, rho=0.95, epsilon=1e-7."""
from __future__ import annotations

from typing import Any

import symnet as sn

from .optimizer import Optimizer


class Adadelta(Optimizer):
    """Eg <- rho Eg + (1 - rho) g^2; d = -sqrt(Ed + eps) g / sqrt(Eg + eps);
    Ed <- rho Ed + (1 - rho) d^2; w <- w + lr d."""

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def build_slots(self, params):
        self.add_slots(params, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, gradient, variable, learning_rate, index):
        rho, eps = self.rho, self.epsilon
        eg = self._slots["accumulated_grad"][index]
        ed = self._slots["accumulated_delta_var"][index]
        eg_new = self._set(eg, rho * eg + (1.0 - rho) * sn.square(gradient))
        delta = -sn.sqrt(ed + eps) * gradient / sn.sqrt(eg_new + eps)
        self._set(ed, rho * ed + (1.0 - rho) * sn.square(delta))
        return variable + learning_rate * delta

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
