"""Adagrad (Keras 3): learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7."""
from __future__ import annotations

from typing import Any

import symnet as sn

from .optimizer import Optimizer


class Adagrad(Optimizer):
    """acc += g^2; w -= lr g / sqrt(acc + epsilon)."""

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def build_slots(self, params):
        self.add_slots(params, ["accumulator"], [self.initial_accumulator_value])

    def update_step(self, gradient, variable, learning_rate, index):
        acc = self._slots["accumulator"][index]
        acc_new = self._set(acc, acc + sn.square(gradient))
        return variable - learning_rate * gradient / sn.sqrt(acc_new + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
