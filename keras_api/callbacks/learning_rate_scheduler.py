"""LearningRateScheduler: set the learning rate at each epoch start from schedule(epoch, lr)."""
from __future__ import annotations

from typing import Callable

import numpy as np

from .callback import Callback


class LearningRateScheduler(Callback):
    def __init__(self, schedule: Callable, verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        opt = self.model.optimizer
        if not hasattr(opt, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        lr = float(opt.learning_rate)
        try:
            lr = self.schedule(epoch, lr)
        except TypeError:
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.floating, int, np.integer)) and not (
                isinstance(lr, np.ndarray) and lr.ndim == 0):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {lr}")
        opt.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
