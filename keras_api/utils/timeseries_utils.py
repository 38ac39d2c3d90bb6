"""Sliding windows over a time series: timeseries_dataset_from_array (Keras 3) and the legacy
TimeseriesGenerator (Keras 2). Both return a PyDataset of NumPy batches, which fit/evaluate/predict
accept and which can be iterated over (Keras returns a tf.data or grain dataset instead)."""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from .py_dataset import PyDataset


class TimeseriesDataset(PyDataset):
    """Batches of (windows, targets) (or windows only when targets is None)."""

    def __init__(self, windows: list[np.ndarray], targets: list | None, batch_size: int | None) -> None:
        super().__init__()
        self._windows, self._targets = windows, targets
        self._batch_size = batch_size or max(len(windows), 1)

    def __len__(self) -> int:
        return int(np.ceil(len(self._windows) / self._batch_size))

    def __getitem__(self, i: int) -> Any:
        if i < 0 or i >= len(self):
            raise IndexError(f"batch index {i} out of range for {len(self)} batches")
        lo, hi = i * self._batch_size, (i + 1) * self._batch_size
        x = np.stack(self._windows[lo:hi])
        if self._targets is None:
            return x
        return x, np.stack([np.asarray(t) for t in self._targets[lo:hi]])

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]


def _check(name: str, value: int, data_len: int) -> None:
    if value <= 0:
        raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")
    if value >= data_len:
        raise ValueError(f"`{name}` must be lower than the length of the data. Received: {name}={value}, for data "
                         f"of length {data_len}")


def timeseries_dataset_from_array(data: Any, targets: Any, sequence_length: int, sequence_stride: int = 1,
                                  sampling_rate: int = 1, batch_size: int | None = 128, shuffle: bool = False,
                                  seed: int | None = None, start_index: int | None = None,
                                  end_index: int | None = None, format: str = "tf") -> TimeseriesDataset:
    """Window i starts at start_index + p_i (p_i = 0, stride, 2*stride, ...) and takes sequence_length
    steps sampling_rate apart; its target is targets[start_index + p_i]."""
    n = len(data)
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= n:
            raise ValueError(f"`start_index` must be lower than the length of the data. Received: "
                             f"start_index={start_index}, for data of length {n}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: start_index={start_index}, "
                             f"and end_index={end_index} ")
        if end_index >= n:
            raise ValueError(f"`end_index` must be lower than the length of the data. Received: end_index={end_index}, "
                             f"for data of length {n}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    _check("sampling_rate", sampling_rate, n)
    _check("sequence_stride", sequence_stride, n)
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    start = start_index or 0
    end = end_index if end_index is not None else n
    num_seqs = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    positions = np.arange(0, max(num_seqs, 0), sequence_stride)
    if shuffle:
        rng = np.random.RandomState(seed if seed is not None else np.random.randint(int(1e6)))
        rng.shuffle(positions)
    data_slice = np.asarray(data[start:end])
    windows = [data_slice[np.arange(p, p + sequence_length * sampling_rate, sampling_rate)] for p in positions]
    target_values = None
    if targets is not None:
        target_slice = np.asarray(targets[start:])
        target_values = [target_slice[p] for p in positions]
    return TimeseriesDataset(windows, target_values, batch_size)


class TimeseriesGenerator(PyDataset):
    """Keras 2's keras.preprocessing.sequence.TimeseriesGenerator: batches of (samples, targets) where
    the sample for row r is data[r - length:r:sampling_rate] and its target targets[r]."""

    def __init__(self, data: Any, targets: Any, length: int, sampling_rate: int = 1, stride: int = 1,
                 start_index: int = 0, end_index: int | None = None, shuffle: bool = False, reverse: bool = False,
                 batch_size: int = 128) -> None:
        super().__init__()
        if len(data) != len(targets):
            raise ValueError(f"Data and targets have to be of same length. Data length is {len(data)} while target "
                             f"length is {len(targets)}")
        self.data, self.targets, self.length = data, targets, length
        self.sampling_rate, self.stride = sampling_rate, stride
        self.start_index = start_index + length
        self.end_index = len(data) - 1 if end_index is None else end_index
        self.shuffle, self.reverse, self.batch_size = shuffle, reverse, batch_size
        if self.start_index > self.end_index:
            raise ValueError(f"`start_index+length={self.start_index} > end_index={self.end_index}` is disallowed, as "
                             "no part of the sequence would be left to be used as current step.")

    def __len__(self) -> int:
        return (self.end_index - self.start_index + self.batch_size * self.stride) // (self.batch_size * self.stride)

    def __getitem__(self, index: int) -> tuple:
        if self.shuffle:
            rows = np.random.randint(self.start_index, self.end_index + 1, size=self.batch_size)
        else:
            i = self.start_index + self.batch_size * self.stride * index
            rows = np.arange(i, min(i + self.batch_size * self.stride, self.end_index + 1), self.stride)
        samples = np.array([self.data[row - self.length:row:self.sampling_rate] for row in rows])
        targets = np.array([self.targets[row] for row in rows])
        return (samples[:, ::-1, ...], targets) if self.reverse else (samples, targets)
