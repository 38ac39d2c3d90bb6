"""FTRL-proximal (Keras 3): learning_rate=0.001, learning_rate_power=-0.5,
initial_accumulator_value=0.1, l1/l2/l2-shrinkage regularization strengths 0, beta=0."""
from __future__ import annotations

from typing import Any

import symnet as sn

from .optimizer import Optimizer


class Ftrl(Optimizer):
    """g' = g + 2 l2_shrinkage w; acc' = acc + g^2;
    lin += g' - (acc'^(-p) - acc^(-p)) / lr * w; quad = acc'^(-p) / lr + 2 (l2 + beta / (2 lr));
    w = (clip(lin, -l1, l1) - lin) / quad."""

    def __init__(self, learning_rate: Any = 0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1, l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0, l2_shrinkage_regularization_strength: float = 0.0,
                 beta: float = 0.0, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, **kwargs)
        if initial_accumulator_value < 0.0:
            raise ValueError("`initial_accumulator_value` needs to be positive or zero. Received: "
                             f"initial_accumulator_value={initial_accumulator_value}.")
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        for n, v in (("l1_regularization_strength", l1_regularization_strength),
                     ("l2_regularization_strength", l2_regularization_strength),
                     ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength)):
            if v < 0.0:
                raise ValueError(f"`{n}` needs to be positive or zero. Received: {n}={v}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build_slots(self, params):
        self.add_slots(params, ["accumulator", "linear"], [self.initial_accumulator_value, 0.0])

    def update_step(self, gradient, variable, learning_rate, index):
        lr = learning_rate
        acc, lin = self._slots["accumulator"][index], self._slots["linear"][index]
        p = float(self.learning_rate_power)
        l1 = float(self.l1_regularization_strength)
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        grad_to_use = gradient + 2.0 * self.l2_shrinkage_regularization_strength * variable
        new_acc = acc + sn.square(gradient)
        lin_new = self._set(lin, lin + grad_to_use - (sn.pow(new_acc, -p) - sn.pow(acc, -p)) / lr * variable)
        quadratic = sn.pow(new_acc, -p) / lr + 2.0 * l2
        self._set(acc, new_acc)
        return (sn.clip(lin_new, -l1, l1) - lin_new) / quadratic

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
