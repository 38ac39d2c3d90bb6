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
    """Base class for stateful metrics (Keras 3 API, symbolic updates).

    Built-in metrics return their (shared, new value) pairs from ``update_state``; Keras 3 style
    subclasses call ``variable.assign*`` and return None. Every subclass's ``update_state`` is wrapped
    (``__init_subclass__``) so both kinds give the trainer the same list of updates, and so that
    called with NumPy data outside a graph it updates the state at once (Keras's eager use)."""

    def __init__(self, dtype: str | None = None, name: str | None = None) -> None:
        self.name = name or auto_name(type(self).__name__)
        self._dtype = _dtype_name(dtype)
        self._variables: list[SharedVariable] = []
        self._initial: list[np.ndarray] = []
        self._result_fn = None
        self._symbolic_use = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "update_state" in cls.__dict__:
            cls.update_state = _wrap_update_state(cls.__dict__["update_state"])
        if "result" in cls.__dict__:
            cls.result = _wrap_result(cls.__dict__["result"])

    @property
    def dtype(self) -> str:
        return self._dtype or backend.floatx()

    @property
    def variables(self) -> list[SharedVariable]:
        return list(self._variables)

    def add_variable(self, shape: tuple = (), initializer: Any = "zeros", dtype: str | None = None,
                     aggregation: str = "sum", name: str | None = None) -> SharedVariable:
        """A state variable (Keras 3 signature); ``assign``/``assign_add``/``assign_sub`` update it."""
        from .metric_state import MetricVariable
        value = _initial_value(initializer, tuple(shape), _dtype_name(dtype) or self.dtype)
        v = MetricVariable(value, name=f"{self.name}/{name or 'variable'}")
        v.aggregation = aggregation
        self._variables.append(v)
        self._initial.append(value.copy())
        return v

    def add_weight(self, *args: Any, **kwargs: Any) -> SharedVariable:
        """Keras 3's ``add_weight(shape=(), initializer=None, dtype=None, name=None)``, and tf.keras's
        order with the name first (``add_weight("total", shape=..., initializer=...)``)."""
        order = ("name", "shape", "initializer", "dtype") if args and isinstance(args[0], str) else \
            ("shape", "initializer", "dtype", "name")
        if len(args) > len(order):
            raise TypeError(f"{type(self).__name__}.add_weight() takes at most {len(order)} positional arguments. "
                            f"Received: {len(args)}")
        for key, value in zip(order, args):
            if key in kwargs:
                raise TypeError(f"{type(self).__name__}.add_weight() got multiple values for argument '{key}'")
            kwargs[key] = value
        unknown = set(kwargs) - {"name", "shape", "initializer", "dtype", "aggregation", "synchronization",
                                 "trainable"}
        if unknown:
            raise TypeError(f"{type(self).__name__}.add_weight() got unexpected keyword arguments {sorted(unknown)}")
        initializer = kwargs.get("initializer")
        return self.add_variable(shape=kwargs.get("shape") or (), dtype=kwargs.get("dtype"),
                                 initializer="zeros" if initializer is None else initializer,
                                 aggregation=kwargs.get("aggregation", "sum"), name=kwargs.get("name"))

    def reset_state(self) -> None:
        for v, init in zip(self._variables, self._initial):
            v.set_value(init.copy())

    def reset_states(self) -> None:
        """Keras 2's name of reset_state."""
        self.reset_state()

    def update_state(self, *args: Any, **kwargs: Any) -> list[tuple[SharedVariable, Variable]]:
        raise NotImplementedError(f"{type(self).__name__}.update_state (keras_api/metrics)")

    def result(self) -> Variable:
        raise NotImplementedError(f"{type(self).__name__}.result (keras_api/metrics)")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Keras: update the state with this batch, then return the result."""
        self.update_state(*args, **kwargs)
        return self.result()

    def result_value(self) -> Any:
        """The current result as NumPy (compiles result() once): for tests and eager use."""
        if self._result_fn is None:
            from .metric_state import recording
            with recording():                     # the symbolic result, not the eager wrapper's value
                res = self.result()
            self._result_fn = (sn.function([], list(res.values()) if isinstance(res, dict) else res),
                               list(res) if isinstance(res, dict) else None)
        fn, keys = self._result_fn
        out = fn()
        return dict(zip(keys, out)) if keys is not None else out

    def update_state_value(self, *args: Any, **kwargs: Any) -> None:
        """Eager update with NumPy arrays (compiles one function per call signature)."""
        _eager_update(self, type(self).update_state, [None if a is None else np.asarray(a) for a in args],
                      {k: (None if v is None else np.asarray(v)) for k, v in kwargs.items()})

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> "Metric":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def _dtype_name(dtype: Any) -> str | None:
    if dtype is None:
        return None
    if isinstance(dtype, dict):
        return dtype.get("config", {}).get("name")
    return str(getattr(dtype, "name", dtype))


def _initial_value(initializer: Any, shape: tuple, dtype: str) -> np.ndarray:
    """Keras initializers (names, objects, callables) or a number -> the initial array."""
    if isinstance(initializer, (int, float, np.number)) or (isinstance(initializer, np.ndarray)):
        return np.broadcast_to(np.asarray(initializer, dtype=dtype), shape).copy()
    from .. import initializers
    init = initializers.get(initializer)
    return np.asarray(init(shape, dtype=dtype), dtype=dtype).reshape(shape)


def _placeholder(a: np.ndarray, dtype: str | None = None) -> Variable:
    dtype = dtype or str(a.dtype)
    return sn.tensor(((None,) + a.shape[1:]) if a.ndim else (), dtype=dtype)


def _eager_update(metric: Metric, update_fn: Callable, args: list, kwargs: dict) -> None:
    """Compile update_state for this call signature once (batch axis None) and run it on the data."""
    for a in [v for v in args + list(kwargs.values()) if v is not None]:
        if a.dtype == object:
            raise TypeError(f"{type(metric).__name__}.update_state: expected numeric arrays, "
                            f"received dtype=object")
    cache = metric.__dict__.setdefault("_eager_cache", {})
    key = (update_fn, tuple(None if a is None else (a.dtype.str, a.shape[1:]) for a in args),
           tuple(sorted((k, None if v is None else (v.dtype.str, v.shape[1:])) for k, v in kwargs.items())))
    if key not in cache:
        ins = [None if a is None else _placeholder(a) for a in args]
        kw_ins = {k: (None if v is None else _placeholder(v, metric.dtype if k == "sample_weight" else None))
                  for k, v in kwargs.items()}
        ups = update_fn(metric, *ins, **kw_ins)
        metric._symbolic_use = False
        flat_in = [v for v in ins if v is not None] + [kw_ins[k] for k in sorted(kw_ins) if kw_ins[k] is not None]
        cache[key] = sn.function(flat_in, [], updates=ups, on_unused_input="ignore")
    values = [a for a in args if a is not None] + [np.asarray(kwargs[k], dtype=metric.dtype) if k == "sample_weight" else kwargs[k]
                           for k in sorted(kwargs) if kwargs[k] is not None]
    cache[key](*values)


def _wrap_update_state(fn: Callable) -> Callable:
    import functools
    from .metric_state import active_recorder, is_symbolic, recording

    @functools.wraps(fn)
    def update_state(self: Metric, *args: Any, **kwargs: Any) -> Any:
        rec = active_recorder()
        if rec is not None:                      # nested (super() or an inner metric): record what it returns
            ret = fn(self, *args, **kwargs)
            for var, expr in (ret or []):
                rec.record(var, expr)
            return ret
        if not (is_symbolic(args) or is_symbolic(kwargs)):   # eager: NumPy data or Python lists
            _eager_update(self, update_state, [None if a is None else np.asarray(a) for a in args],
                          {k: (None if v is None else np.asarray(v)) for k, v in kwargs.items()})
            return None
        self._symbolic_use = True
        with recording() as rec:
            ret = fn(self, *args, **kwargs)
            for var, expr in (ret or []):
                rec.record(var, expr)
        return list(rec.pending.items())
    return update_state


def _wrap_result(fn: Callable) -> Callable:
    import functools
    from .metric_state import active_recorder

    @functools.wraps(fn)
    def result(self: Metric) -> Any:
        if active_recorder() is not None or getattr(self, "_symbolic_use", False) or _graph_results.depth:
            return fn(self)
        return _eager_result(self)
    return result


class _GraphResults:
    depth = 0


_graph_results = _GraphResults()


def _eager_result(metric: Metric) -> Any:
    """The result's current value (Keras's eager ``metric.result()``): EagerTensors (a dict of them)."""
    from ..layers.base import EagerTensor
    value = metric.result_value()
    if isinstance(value, dict):
        return {k: np.asarray(v).view(EagerTensor) for k, v in value.items()}
    return np.asarray(value).view(EagerTensor)


def symbolic_results(metric: Metric) -> list[tuple[str, Variable]]:
    """(log name, symbolic result) pairs for the trainer: a dict result gives one entry per key,
    as Keras 3's logs do."""
    _graph_results.depth += 1
    try:
        res = metric.result()
    finally:
        _graph_results.depth -= 1
    metric._symbolic_use = False
    if isinstance(res, dict):
        return [(str(k), sn.graph.as_variable(v)) for k, v in res.items()]
    return [(metric.name, sn.graph.as_variable(res))]


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
