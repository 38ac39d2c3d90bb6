"""ModelCheckpoint: save the model (``.keras``) or its weights (``.weights.h5``) every epoch or when the
monitored value improves. Files are written to a temporary file next to the target and moved into place
with os.replace (atomic), so an interrupted save never destroys the previous checkpoint."""
from __future__ import annotations

import os
import warnings
from typing import Any

from .monitor_callback import MonitorCallback


class ModelCheckpoint(MonitorCallback):
    def __init__(self, filepath: str, monitor: str = "val_loss", verbose: int = 0, save_best_only: bool = False,
                 save_weights_only: bool = False, mode: str = "auto", save_freq: Any = "epoch",
                 initial_value_threshold: float | None = None) -> None:
        super().__init__(monitor, mode)
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.best = initial_value_threshold
        if save_freq != "epoch":
            raise NotImplementedError("keras_api ModelCheckpoint: only save_freq='epoch' is supported")
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must "
                                 f"end in `.weights.h5` (Keras weights format). Received: filepath={self.filepath}")
        else:
            if not self.filepath.endswith(".keras"):
                raise ValueError("The filepath provided must end in `.keras` (Keras model format). Received: "
                                 f"filepath={self.filepath}")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor_op is None and self.save_best_only:
            self._set_monitor_op()
        filepath = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=2)
                return
            if self._is_improvement(current, self.best):
                if self.verbose > 0:
                    prev = f"{self.best:.5f}" if self.best is not None else "inf"
                    print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {prev} to {current:.5f}, saving model "
                          f"to {filepath}")
                self.best = current
                self._save(filepath)
            elif self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
            return
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
        self._save(filepath)

    def _save(self, filepath: str) -> None:
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
