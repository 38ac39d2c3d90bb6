"""TerminateOnNaN: stop training when the batch loss is NaN or infinite."""
from __future__ import annotations

import numpy as np

from .callback import Callback


class TerminateOnNaN(Callback):
    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
