"""Adam (with AMSGrad) and AdamW (Adam with Keras 3's decoupled weight decay, default 0.004)."""
from __future__ import annotations

from typing import Any

import symnet as sn

from .optimizer import Optimizer, const


class Adam(Optimizer):
    """alpha = lr sqrt(1 - b2^t) / (1 - b1^t) with t = iterations + 1;
    m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); (amsgrad: v_hat = max(v_hat, v), v = v_hat);
    w -= m alpha / (sqrt(v) + epsilon)."""

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def build_slots(self, params):
        self.add_slots(params, ["momentum", "velocity"])
        if self.amsgrad:
            self.add_slots(params, ["velocity_hat"])

    def update_step(self, gradient, variable, learning_rate, index):
        dtype = variable.dtype
        local_step = sn.cast(self.iterations + 1, dtype)
        beta_1_power = sn.pow(const(self.beta_1, dtype), local_step)
        beta_2_power = sn.pow(const(self.beta_2, dtype), local_step)
        m = self._slots["momentum"][index]
        v = self._slots["velocity"][index]
        alpha = learning_rate * sn.sqrt(1.0 - beta_2_power) / (1.0 - beta_1_power)
        m_new = self._set(m, m + (gradient - m) * (1.0 - self.beta_1))
        v_new = self._set(v, v + (sn.square(gradient) - v) * (1.0 - self.beta_2))
        if self.amsgrad:
            vh = self._slots["velocity_hat"][index]
            v_new = self._set(vh, sn.maximum(vh, v_new))
        return variable - (m_new * alpha) / (sn.sqrt(v_new) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay w <- w - w * weight_decay * lr before each step."""

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad,
                         name=name, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
