"""Turning fit/evaluate/predict arguments into per-batch NumPy arrays, as Keras's array adapter does:
x/y as arrays, lists or dicts keyed by input/output name; validation_split takes the last samples
(before shuffling); class_weight becomes per-sample weights; shuffling draws from NumPy's global
generator once per epoch."""
from __future__ import annotations

import math
from typing import Any, Iterator, Sequence

import numpy as np

import symnet as sn


def _floatx() -> str:
    return sn.config.floatX


def to_array(a: Any, dtype_hint: str | None = None) -> np.ndarray:
    """NumPy array with Keras's conversions: float64/bool/Python floats -> floatx (or the input's float dtype)."""
    if hasattr(a, "numpy") and not isinstance(a, np.ndarray):
        a = a.numpy()
    if hasattr(a, "__next__") or (hasattr(a, "__iter__") and not isinstance(a, (np.ndarray, list, tuple))
                                  and not hasattr(a, "__array__")):
        raise NotImplementedError(f"keras_api data adapters: {type(a).__name__} inputs (tf.data datasets, torch "
                                  "DataLoaders, generators nested inside x) are not supported; pass NumPy arrays, "
                                  "lists or dicts of arrays, or x as a Python generator or keras.utils.PyDataset")
    arr = np.asarray(a)
    if arr.dtype == object:
        raise ValueError(f"Unrecognized data type: could not convert {type(a).__name__} to a numeric array")
    if arr.dtype.kind == "b" and dtype_hint == "bool":    # boolean model inputs (attention masks) stay boolean
        return arr
    if arr.dtype.kind in "fb" or (dtype_hint is not None and np.dtype(dtype_hint).kind == "f" and arr.dtype.kind in "iu"):
        target = dtype_hint if dtype_hint is not None and np.dtype(dtype_hint).kind == "f" else _floatx()
        arr = arr.astype(target, copy=False)
    elif dtype_hint is not None and np.dtype(dtype_hint).kind in "iu" and arr.dtype.kind in "iu":
        arr = arr.astype(dtype_hint, copy=False)   # int64 token ids into an int32 Input, as Keras converts
    return arr


def standardize(data: Any, names: Sequence[str] | None, what: str, dtypes: Sequence[str] | None = None
                ) -> list[np.ndarray] | None:
    """Flat list of arrays in the order of `names` (the model's input or output names)."""
    if data is None:
        return None
    if isinstance(data, dict):
        if names is None:
            return [to_array(data[k]) for k in sorted(data)]
        unknown = [k for k in data if k not in names]
        missing = [n for n in names if n not in data]
        if unknown:
            raise ValueError(f"Unknown entries in {what} dictionary: {unknown}. Only expected the following keys: "
                             f"{list(names)}")
        if missing and what == "x":
            raise ValueError(f"Missing data for {what} key(s) {missing}; expected keys {list(names)}")
        return [to_array(data[n], (dtypes or [None] * len(names))[i]) if n in data else None
                for i, n in enumerate(names)]
    if isinstance(data, (list, tuple)) and data and all(
            isinstance(e, (np.ndarray, list, tuple)) or hasattr(e, "__array__") for e in data) and \
            names is not None and len(names) > 1:
        if len(data) != len(names):
            raise ValueError(f"The model expects {len(names)} {'inputs' if what == 'x' else 'outputs'} "
                             f"({', '.join(names)}), but {what} has {len(data)} entries")
        return [to_array(d, (dtypes or [None] * len(names))[i]) for i, d in enumerate(data)]
    return [to_array(data, (dtypes or [None])[0])]


def check_lengths(x: list, y: list | None, sw: list | None) -> int:
    sizes = {"x": [len(a) for a in x if a is not None]}
    if y:
        sizes["y"] = [len(a) for a in y if a is not None]
    if sw:
        sizes["sample_weight"] = [len(a) for a in sw if a is not None]
    all_sizes = {s for v in sizes.values() for s in v}
    if len(all_sizes) > 1:
        msg = "Data cardinality is ambiguous. Make sure all arrays contain the same number of samples."
        for k, v in sizes.items():
            msg += f"\n'{k}' sizes: {', '.join(str(s) for s in v)}"
        raise ValueError(msg)
    if not all_sizes:
        raise ValueError("Expected input data `x` to be non-empty.")
    return all_sizes.pop()


def class_weight_to_sample_weight(y: np.ndarray, class_weight: dict) -> np.ndarray:
    """Keras's rule: one-hot targets use argmax, others the (rounded) class index."""
    if y.ndim > 1 and y.shape[-1] > 1:
        idx = np.argmax(y, axis=-1)
    else:
        idx = np.round(y.reshape(len(y), -1)[:, 0]).astype(np.int64) if y.ndim > 1 else np.round(y).astype(np.int64)
    max_class = max(int(k) for k in class_weight)
    table = np.ones(max(max_class, int(idx.max(initial=0))) + 1, dtype=_floatx())
    for k, v in class_weight.items():
        table[int(k)] = v
    return table[idx].astype(_floatx())


def split_validation(arrays: list, validation_split: float) -> tuple[list, list]:
    """The last `validation_split` fraction of the samples (taken before any shuffling)."""
    if not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    n = next(len(a) for group in arrays if group for a in group if a is not None)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to split it into a "
                         f"validation and training set as specified by `validation_split={validation_split}`. Either "
                         "provide more data, or a different value for the `validation_split` argument.")
    train = [[a[:split_at] if a is not None else None for a in g] if g is not None else None for g in arrays]
    val = [[a[split_at:] if a is not None else None for a in g] if g is not None else None for g in arrays]
    return train, val


class BatchIterator:
    """Yields (step, index array) per batch; shuffles once per pass; `steps_per_epoch` continues from where
    the previous epoch stopped and restarts (reshuffling) when the data runs out, as Keras does for arrays."""

    def __init__(self, n: int, batch_size: int, shuffle: Any = True, steps_per_epoch: int | None = None) -> None:
        self.n = n
        self.batch_size = max(1, int(batch_size))
        self.shuffle = shuffle
        self.steps_per_epoch = steps_per_epoch
        self._pending: Iterator[np.ndarray] | None = None

    @property
    def num_batches(self) -> int:
        if self.steps_per_epoch:
            return int(self.steps_per_epoch)
        return int(math.ceil(self.n / self.batch_size))

    def _pass(self) -> Iterator[np.ndarray]:
        if self.shuffle == "batch":
            order = np.arange(self.n)
            batches = [order[i:i + self.batch_size] for i in range(0, self.n, self.batch_size)]
            for j in np.random.permutation(len(batches)):
                yield np.random.permutation(batches[j])
            return
        order = np.random.permutation(self.n) if self.shuffle else np.arange(self.n)
        for i in range(0, self.n, self.batch_size):
            yield order[i:i + self.batch_size]

    def epoch(self) -> Iterator[tuple[int, np.ndarray]]:
        if not self.steps_per_epoch:
            for step, idx in enumerate(self._pass()):
                yield step, idx
            return
        for step in range(int(self.steps_per_epoch)):
            if self._pending is None:
                self._pending = self._pass()
            idx = next(self._pending, None)
            if idx is None:
                self._pending = self._pass()
                idx = next(self._pending)
            yield step, idx


def take(arrays: list | None, idx: np.ndarray, contiguous: bool) -> list | None:
    if arrays is None:
        return None
    if contiguous:
        lo, hi = int(idx[0]), int(idx[-1]) + 1
        return [a[lo:hi] if a is not None else None for a in arrays]
    return [a[idx] if a is not None else None for a in arrays]


# -- batch sources: Python generators/iterators and PyDataset ----------------------------------------
def is_batch_source(data: Any) -> bool:
    """True for data that yields whole batches (a generator, an iterator, a PyDataset/Sequence)."""
    from ..utils.py_dataset import PyDataset
    if isinstance(data, PyDataset):
        return True
    return hasattr(data, "__next__") and hasattr(data, "__iter__") and not isinstance(data, (np.ndarray, list,
                                                                                                 tuple, dict))


def unpack_batch(batch: Any) -> tuple:
    """Keras's unpack_x_y_sample_weight: a list counts as a tuple; one element is x only."""
    if isinstance(batch, list):
        batch = tuple(batch)
    if not isinstance(batch, tuple):
        return batch, None, None
    if len(batch) == 1:
        return batch[0], None, None
    if len(batch) == 2:
        return batch[0], batch[1], None
    if len(batch) == 3:
        return batch
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, found: "
                     f"a tuple of {len(batch)} elements")


class BatchSource:
    """Batches per epoch from a generator (continuing across epochs, `steps` at a time or until it
    runs out) or a PyDataset (indexed, its batch order shuffled per epoch when `shuffle`)."""

    def __init__(self, data: Any, steps: int | None = None, shuffle: Any = False) -> None:
        from ..utils.py_dataset import PyDataset
        self.data = data
        self.is_dataset = isinstance(data, PyDataset)
        self.steps = int(steps) if steps else None
        self.shuffle = bool(shuffle)
        self.exhausted = False
        if self.is_dataset and self.steps is None and data.num_batches is None:
            raise ValueError("This PyDataset has no __len__ (it is infinite): pass `steps_per_epoch` / `steps`")

    @property
    def num_batches(self) -> int | None:
        if self.steps is not None:
            return self.steps
        return self.data.num_batches if self.is_dataset else None

    def on_epoch_begin(self) -> None:
        if self.is_dataset:
            self.data.on_epoch_begin()

    def on_epoch_end(self) -> None:
        if self.is_dataset:
            self.data.on_epoch_end()

    def epoch(self) -> Iterator[tuple[int, tuple]]:
        """(step, (x, y, sample_weight)) for one epoch; sets `exhausted` when a generator ran dry early."""
        import itertools
        import random
        if self.is_dataset:
            n = self.data.num_batches
            if n is None:
                indices: Any = itertools.count()
            else:
                indices = list(range(n))
                if self.shuffle:
                    random.shuffle(indices)
            if self.steps is not None:
                indices = itertools.islice(itertools.cycle(indices) if n else indices, self.steps)
            for step, i in enumerate(indices):
                yield step, unpack_batch(self.data[i])
            return
        step = 0
        while self.steps is None or step < self.steps:
            try:
                batch = next(self.data)
            except StopIteration:
                self.exhausted = True
                return
            yield step, unpack_batch(batch)
            step += 1


def ints_to_float_inputs(fn: Any, arrays: list) -> list:
    """Integer data (token ids) fed to a float model input (a Sequential built from the data's shape,
    e.g. Embedding first) is converted, as Keras converts it to the input's float dtype."""
    return [a.astype(v.dtype) if getattr(a, "dtype", None) is not None and a.dtype.kind in "iu" and
            v.dtype.startswith("float") else a for a, v in zip(arrays, fn.inputs)]
