"""Nadam (Keras 3): Adam with Nesterov momentum and the 0.96 momentum schedule."""
from __future__ import annotations

from typing import Any

import numpy as np

import symnet as sn

from .. import backend
from .optimizer import Optimizer, const


class Nadam(Optimizer):
    """u_t = b1 (1 - 0.5 * 0.96^t), u_{t+1} likewise; the running product of u is kept in a
    variable updated once per step before the variable updates; then
    m_hat = u_{t+1} m / (1 - prod u_{..t+1}) + (1 - u_t) g / (1 - prod u_{..t}),
    v_hat = v / (1 - b2^t), w -= lr m_hat / (sqrt(v_hat) + epsilon)."""

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build_slots(self, params):
        self.add_slots(params, ["momentum", "velocity"])
        dtype = params[0].dtype if params else backend.floatx()
        self._u_product = sn.shared(np.asarray(1.0, dtype=dtype), name=f"{self.name}/u_product")
        self._slot_vars.append(self._u_product)

    def before_update_steps(self):
        dtype = self._u_product.dtype
        t = sn.cast(self.iterations + 1, dtype)
        self._u_product_new = self._set(self._u_product,
                                        self._u_product * self.beta_1 * (1.0 - 0.5 * sn.pow(const(0.96, dtype), t)))

    def update_step(self, gradient, variable, learning_rate, index):
        dtype = variable.dtype
        local_step = sn.cast(self.iterations + 1, dtype)
        next_step = sn.cast(self.iterations + 2, dtype)
        decay = const(0.96, dtype)
        b1, b2 = self.beta_1, self.beta_2
        u_t = b1 * (1.0 - 0.5 * sn.pow(decay, local_step))
        u_t_1 = b1 * (1.0 - 0.5 * sn.pow(decay, next_step))
        u_product_t = sn.cast(self._u_product_new, dtype)
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = sn.pow(const(b2, dtype), local_step)
        m, v = self._slots["momentum"][index], self._slots["velocity"][index]
        m_new = self._set(m, m + (gradient - m) * (1.0 - b1))
        v_new = self._set(v, v + (sn.square(gradient) - v) * (1.0 - b2))
        m_hat = u_t_1 * m_new / (1.0 - u_product_t_1) + (1.0 - u_t) * gradient / (1.0 - u_product_t)
        v_hat = v_new / (1.0 - beta_2_power)
        return variable - (m_hat * learning_rate) / (sn.sqrt(v_hat) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
