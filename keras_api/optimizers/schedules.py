"""Keras 3 learning-rate schedules. ``schedule(step)`` works on a symnet variable (the optimizer's
``iterations``, giving a symbolic learning rate inside the compiled train step) and on plain
numbers (giving a float, e.g. for callbacks and ``optimizer.learning_rate``)."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

import symnet as sn

from .. import backend


class _Ops:
    """The few operations schedules need, on symnet variables or on NumPy scalars."""

    def __init__(self, symbolic: bool) -> None:
        self.symbolic = symbolic

    def cast(self, x: Any) -> Any:
        return sn.cast(x, backend.floatx()) if self.symbolic else np.asarray(x, dtype="float64")

    def floor(self, x: Any) -> Any:
        return sn.floor(x) if self.symbolic else np.floor(x)

    def cos(self, x: Any) -> Any:
        return sn.cos(x) if self.symbolic else np.cos(x)

    def minimum(self, x: Any, y: Any) -> Any:
        return sn.minimum(x, y) if self.symbolic else np.minimum(x, y)

    def pow(self, x: Any, y: Any) -> Any:
        return sn.pow(x, y) if self.symbolic else np.power(x, y)

    def where(self, c: Any, a: Any, b: Any) -> Any:
        return sn.switch(c, a, b) if self.symbolic else np.where(c, a, b)

    def le(self, a: Any, b: Any) -> Any:
        return sn.le(a, b) if self.symbolic else np.less_equal(a, b)

    def lt(self, a: Any, b: Any) -> Any:
        return sn.lt(a, b) if self.symbolic else np.less(a, b)

    def gt(self, a: Any, b: Any) -> Any:
        return sn.gt(a, b) if self.symbolic else np.greater(a, b)

    def and_(self, a: Any, b: Any) -> Any:
        return sn.and_(a, b) if self.symbolic else np.logical_and(a, b)

    def out(self, x: Any) -> Any:
        if self.symbolic:
            return sn.cast(x, backend.floatx()) if isinstance(x, sn.Variable) else sn.constant(float(x))
        return float(np.asarray(x, dtype=backend.floatx()))


def _ops(step: Any) -> _Ops:
    return _Ops(isinstance(step, sn.Variable))


class LearningRateSchedule:
    """Base class: ``__call__(step) -> learning rate``; subclasses give get_config."""

    def __call__(self, step: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.__call__ (keras_api/optimizers/schedules.py)")

    def get_config(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__}.get_config (keras_api/optimizers/schedules.py)")

    @classmethod
    def from_config(cls, config: dict) -> "LearningRateSchedule":
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """initial_learning_rate * decay_rate ** (step / decay_steps) (integer division if staircase)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                 name: str = "ExponentialDecay") -> None:
        if decay_steps <= 0:
            raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}")
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        o = _ops(step)
        p = o.cast(step) / float(self.decay_steps)
        if self.staircase:
            p = o.floor(p)
        return o.out(float(self.initial_learning_rate) * o.pow(float(self.decay_rate), p))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] for step <= boundaries[0], values[i+1] for boundaries[i] < step <= boundaries[i+1],
    values[-1] after the last boundary."""

    def __init__(self, boundaries: Sequence[float], values: Sequence[float], name: str = "PiecewiseConstant") -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of values. Received: "
                             f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length "
                             f"{len(values)}.")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step):
        o = _ops(step)
        s = o.cast(step)
        out = o.cast(float(self.values[-1]))
        # build from the last interval back so the first matching predicate wins
        for i in range(len(self.boundaries) - 1, 0, -1):
            lo, hi = float(self.boundaries[i - 1]), float(self.boundaries[i])
            out = o.where(o.and_(o.gt(s, lo), o.le(s, hi)), float(self.values[i]), out)
        if self.boundaries:
            out = o.where(o.le(s, float(self.boundaries[0])), float(self.values[0]), out)
        return o.out(out)

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay from initial_learning_rate (or, with warmup, a linear warmup to warmup_target
    over warmup_steps, then cosine decay from warmup_target) to alpha * that rate."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0, name: str = "CosineDecay",
                 warmup_target: float | None = None, warmup_steps: int = 0) -> None:
        if decay_steps <= 0:
            raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}")
        self.initial_learning_rate, self.decay_steps, self.alpha = initial_learning_rate, decay_steps, alpha
        self.name, self.warmup_target, self.warmup_steps = name, warmup_target, warmup_steps

    def _decay(self, o, step, decay_steps, decay_from_lr):
        completed_fraction = step / float(decay_steps)
        cosine_decayed = 0.5 * (1.0 + o.cos(math.pi * completed_fraction))
        decayed = (1.0 - self.alpha) * cosine_decayed + self.alpha
        return decay_from_lr * decayed

    def _warmup(self, step):
        completed_fraction = step / float(self.warmup_steps)
        delta = float(self.warmup_target) - float(self.initial_learning_rate)
        return delta * completed_fraction + float(self.initial_learning_rate)

    def __call__(self, step):
        o = _ops(step)
        s = o.cast(step)
        if self.warmup_target is None:
            s = o.minimum(s, float(self.decay_steps))
            return o.out(self._decay(o, s, self.decay_steps, float(self.initial_learning_rate)))
        s = o.minimum(s, float(self.decay_steps + self.warmup_steps))
        warm = self._warmup(s) if self.warmup_steps else s * 0.0 + float(self.warmup_target)
        decay = self._decay(o, s - float(self.warmup_steps), self.decay_steps, float(self.warmup_target))
        return o.out(o.where(o.lt(s, float(self.warmup_steps)), warm, decay))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class InverseTimeDecay(LearningRateSchedule):
    """initial_learning_rate / (1 + decay_rate * step / decay_steps) (floored ratio if staircase)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                 name: str = "InverseTimeDecay") -> None:
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        o = _ops(step)
        p = o.cast(step) / float(self.decay_steps)
        if self.staircase:
            p = o.floor(p)
        return o.out(float(self.initial_learning_rate) / (1.0 + float(self.decay_rate) * p))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


ALL_OBJECTS = {c.__name__: c for c in (ExponentialDecay, PiecewiseConstantDecay, CosineDecay, InverseTimeDecay)}


def serialize(schedule: LearningRateSchedule) -> dict:
    from ..saving import serialization_lib
    return serialization_lib.serialize_keras_object(schedule)


def deserialize(config: dict, custom_objects: dict | None = None) -> LearningRateSchedule:
    from ..saving import serialization_lib
    return serialization_lib.deserialize_keras_object(config, module_objects=ALL_OBJECTS, custom_objects=custom_objects,
                                                      printable_module_name="learning rate schedule")
