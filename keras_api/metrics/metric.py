"""The Metric base class and the reducing metrics Mean, Sum and MeanMetricWrapper.

A metric's state lives in symnet shared variables; ``update_state`` returns symbolic
(shared, new value) pairs that the trainer puts into its compiled step, ``result()`` is a symbolic
scalar, ``reset_state()`` zeroes the state on the host. Averages follow Keras 3 exactly: per-sample
values (mean over the non-batch axes) times sample weights are summed into ``total``; ``count``
grows by the sum of the (broadcast) weights, or by the batch size without weights."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

import symnet as sn
from symnet.graph import SharedVariable, Variable

from .. import backend
from .._names import auto_name
from ..losses.loss import squeeze_or_expand_to_same_rank, to_tensor


def divide_no_nan(a: Any, b: Any) -> Variable:
    safe = sn.switch(sn.eq(b, 0), sn.ones_like(b), b)
    return sn.switch(sn.eq(b, 0), sn.zeros_like(a / safe), a / safe)


def reduce_to_samplewise_values(values: Any, sample_weight: Any, reduce_fn: Callable, dtype: str):
    values = to_tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        w_nd, v_nd = sample_weight.ndim, values.ndim
        if v_nd > w_nd:
            values = reduce_fn(values, axis=tuple(range(w_nd, v_nd)))
        sample_weight = sn.broadcast_to(sample_weight, values.shape) if sample_weight.ndim < values.ndim or \
            sample_weight.static_shape != values.static_shape else sample_weight
        values = values * sample_weight
        if w_nd > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, w_nd)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Metric:
    """Base class for stateful metrics (Keras 3 API, symbolic updates)."""

    def __init__(self, name: str | None = None, dtype: str | None = None) -> None:
        self.name = name or auto_name(type(self).__name__)
        self._dtype = dtype
        self._variables: list[SharedVariable] = []
        self._initial: list[np.ndarray] = []
        self._result_fn = None

    @property
    def dtype(self) -> str:
        return self._dtype or backend.floatx()

    @property
    def variables(self) -> list[SharedVariable]:
        return list(self._variables)

    def add_variable(self, shape: tuple = (), initializer: Any = 0.0, dtype: str | None = None,
                     name: str | None = None) -> SharedVariable:
        value = np.full(tuple(shape), initializer, dtype=dtype or self.dtype)
        v = sn.shared(value, name=f"{self.name}/{name}", shape=tuple(shape))
        self._variables.append(v)
        self._initial.append(value.copy())
        return v

    def reset_state(self) -> None:
        for v, init in zip(self._variables, self._initial):
            v.set_value(init.copy())

    def update_state(self, *args: Any, **kwargs: Any) -> list[tuple[SharedVariable, Variable]]:
        raise NotImplementedError(f"{type(self).__name__}.update_state (keras_api/metrics)")

    def result(self) -> Variable:
        raise NotImplementedError(f"{type(self).__name__}.result (keras_api/metrics)")

    def result_value(self) -> Any:
        """The current result as NumPy (compiles result() once): for tests and eager use."""
        if self._result_fn is None:
            self._result_fn = sn.function([], self.result())
        return self._result_fn()

    def update_state_value(self, *args: Any, **kwargs: Any) -> None:
        """Eager update with NumPy arrays (compiles one function per call signature)."""
        arrays = [np.asarray(a) for a in args]
        sw = kwargs.get("sample_weight")
        key = tuple((a.dtype.str, a.shape[1:]) for a in arrays) + ((None,) if sw is None else (np.shape(sw)[1:],))
        cache = self.__dict__.setdefault("_eager_cache", {})
        if key not in cache:
            ins = [sn.tensor((None,) + a.shape[1:], dtype=str(a.dtype)) if a.ndim else sn.tensor((), str(a.dtype))
                   for a in arrays]
            swa = None if sw is None else np.asarray(sw)
            sw_in = None if sw is None else sn.tensor(((None,) + swa.shape[1:]) if swa.ndim else (), dtype=self.dtype)
            ups = self.update_state(*ins, sample_weight=sw_in)
            cache[key] = sn.function(ins + ([sw_in] if sw_in is not None else []), [], updates=ups)
        cache[key](*arrays, *([np.asarray(sw, dtype=self.dtype)] if sw is not None else []))

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self._dtype}

    @classmethod
    def from_config(cls, config: dict) -> "Metric":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class Sum(Metric):
    """total += sum(weighted per-sample values)."""

    def __init__(self, name: str = "sum", dtype: str | None = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), 0.0, name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, sn.sum, self.dtype)
        return [(self.total, self.total + sn.sum(values))]

    def result(self):
        return sn.identity(self.total)


class Mean(Metric):
    """total / count with Keras 3's sample weighting."""

    def __init__(self, name: str = "mean", dtype: str | None = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), 0.0, name="total")
        self.count = self.add_variable((), 0.0, name="count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, sn.mean, self.dtype)
        if sample_weight is not None:
            num = sn.sum(sample_weight)
        elif values.ndim >= 1:
            num = sn.cast(values.shape[0], self.dtype)
        else:
            num = 1.0
        return [(self.total, self.total + sn.sum(values)), (self.count, self.count + sn.cast(num, self.dtype))]

    def result(self):
        return divide_no_nan(self.total, self.count)


class MeanMetricWrapper(Mean):
    """Mean of fn(y_true, y_pred, **kwargs) over all samples seen."""

    def __init__(self, fn: Callable, name: str | None = None, dtype: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name or getattr(fn, "__name__", None) or "mean_metric_wrapper", dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}
