"""RMSprop (Keras 3): rho=0.9, momentum=0.0, epsilon=1e-7, centered=False."""
from __future__ import annotations

from typing import Any

import symnet as sn

from .optimizer import Optimizer


class RMSprop(Optimizer):
    """v <- rho v + (1 - rho) g^2; denominator v + eps (centered: v - a^2 + eps with
    a <- rho a + (1 - rho) g); increment = lr g / sqrt(denominator); with momentum
    mom <- momentum mom + increment and w <- w - mom, else w <- w - increment."""

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-7,
                 centered: bool = False, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def build_slots(self, params):
        self.add_slots(params, ["velocity"])
        if self.momentum > 0:
            self.add_slots(params, ["momentum"])
        if self.centered:
            self.add_slots(params, ["average_gradient"])

    def update_step(self, gradient, variable, learning_rate, index):
        rho = self.rho
        v = self._slots["velocity"][index]
        v_new = self._set(v, rho * v + (1.0 - rho) * sn.square(gradient))
        if self.centered:
            a = self._slots["average_gradient"][index]
            a_new = self._set(a, rho * a + (1.0 - rho) * gradient)
            denominator = v_new - sn.square(a_new) + self.epsilon
        else:
            denominator = v_new + self.epsilon
        increment = learning_rate * gradient / sn.sqrt(denominator)
        if self.momentum > 0:
            m = self._slots["momentum"][index]
            m_new = self._set(m, self.momentum * m + increment)
            return variable - m_new
        return variable - increment

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": self.centered}
