"""Discretization: bucket index of each value among sorted bin boundaries (np.digitize), boundaries given
or learned by adapt() from approximate quantiles (Keras's weighted-summary algorithm)."""
from __future__ import annotations

from typing import Any

import numpy as np

import symnet as sn

from ..base import Layer


def _summary(values: np.ndarray, epsilon: float) -> np.ndarray:
    """(2, n): sorted values taken every `elements * epsilon` positions and the count each stands for."""
    values = np.sort(values.reshape(-1))
    step = max(values.size * epsilon, 1)
    picked = values[int(step - 1)::int(step)]
    return np.stack([picked, np.full(picked.shape, step)])


def _compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """Re-bin a summary at cumulative-weight fractions epsilon, 2 epsilon, ..., 1 (linear interpolation)."""
    if summary.shape[1] * epsilon < 1:
        return summary
    targets = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    frac = cum / cum[-1]
    bins = np.interp(targets, frac, summary[0])
    cum_at = np.interp(targets, frac, cum)
    return np.stack([bins, np.diff(np.concatenate([[0.0], cum_at]))]).astype("float32")


class Discretization(Layer):
    def __init__(self, bin_boundaries: Any = None, num_bins: int | None = None, epsilon: float = 0.01,
                 output_mode: str = "int", sparse: bool = False, dtype: Any = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(dtype=dtype, name=name, **kwargs)
        if sparse:
            raise NotImplementedError("Discretization: sparse=True is not supported by keras_api")
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError("Invalid value for argument `output_mode`. Expected one of ['int', 'one_hot', "
                             f"'multi_hot', 'count']. Received: output_mode={output_mode}")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = list(bin_boundaries) if bin_boundaries is not None else None
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def adapt(self, data: Any, steps: int | None = None) -> None:
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`, "
                             "use `num_bins` instead.")
        summary = _compress(_summary(np.asarray(data, dtype="float64"), self.epsilon), self.epsilon)
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def _depth(self) -> int:
        return len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins

    def call(self, inputs: Any) -> Any:
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at construction time or call "
                             "`adapt(dataset)` before you can start using the `Discretization` layer.")
        x = sn.graph.as_variable(inputs)
        idx = None
        for b in self.bin_boundaries:           # np.digitize: the number of boundaries <= x
            step = sn.cast(sn.ge(x, sn.constant(b, dtype=x.dtype if x.dtype.startswith("float") else "float64")),
                           "int64")
            idx = step if idx is None else idx + step
        if idx is None:
            idx = sn.cast(sn.zeros_like(x), "int64")
        if self.output_mode == "int":
            return idx
        depth = self._depth()
        oh = sn.one_hot(idx, depth, dtype=self.compute_dtype)
        if self.output_mode == "one_hot":
            return oh if not (x.ndim == 2 and x.type.shape[-1] == 1) else sn.squeeze(oh, 1)
        counts = sn.sum(oh, axis=-2)       # rank 1: one sample
        return sn.minimum(counts, 1.0) if self.output_mode == "multi_hot" else counts

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self.output_mode == "int":
            return input_shape
        depth = self._depth()
        if self.output_mode == "one_hot" and not (len(input_shape) == 2 and input_shape[-1] == 1):
            return tuple(input_shape) + (depth,)
        return tuple(input_shape[:-1]) + (depth,)

    def get_config(self) -> dict:
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse, "name": self.name, "dtype": self.dtype}


