"""Shared logic of callbacks that watch a logged value (EarlyStopping, ModelCheckpoint): the
direction of improvement ('auto' picks max for accuracy-like metrics, min for losses/errors)."""
from __future__ import annotations

import operator
import warnings
from typing import Any

from .callback import Callback

_UP = ("acc", "accuracy", "auc", "precision", "recall", "true_positives", "true_negatives", "cosine_similarity")
_DOWN = ("loss", "error", "crossentropy", "hinge", "divergence", "poisson", "log_cosh", "logcosh", "false_positives",
         "false_negatives", "mse", "mae", "mape", "msle", "rmse")


class MonitorCallback(Callback):
    def __init__(self, monitor: str = "val_loss", mode: str = "auto", baseline: Any = None,
                 min_delta: float = 0.0) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.", stacklevel=3)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self) -> None:
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            name = self.monitor[4:] if self.monitor.startswith("val_") else self.monitor
            for m in getattr(self.model, "metrics", []) or []:
                if getattr(m, "name", None) == name and getattr(m, "_direction", None) in ("up", "down"):
                    self.monitor_op = operator.gt if m._direction == "up" else operator.lt
            if self.monitor_op is None:
                if name == "loss" or name.endswith("_loss") or any(name.endswith(s) for s in _DOWN):
                    self.monitor_op = operator.lt
                elif any(name.endswith(s) for s in _UP):
                    self.monitor_op = operator.gt
            if self.monitor_op is None:
                raise ValueError(f"{type(self).__name__} callback received monitor={self.monitor}, but Keras isn't able "
                                 "to automatically determine whether that metric should be maximized or minimized. "
                                 "Pass `mode='max'` in order to monitor based on the highest metric value, or pass "
                                 "`mode='min'` in order to use the lowest value.")
        if self.monitor_op is operator.lt:
            self.min_delta = -abs(self.min_delta)

    def _is_improvement(self, value: float, reference: float | None) -> bool:
        if reference is None:
            return True
        return bool(self.monitor_op(value - self.min_delta, reference))
