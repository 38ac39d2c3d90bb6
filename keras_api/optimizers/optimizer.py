"""The Optimizer base class: Keras 3's update pipeline as symbolic updates.

One training step, in Keras 3's order, all written against the values the variables had before
the step (symnet applies every update at once, after the outputs):
  1. gradients clipped: clipnorm (per variable) > global_clipnorm > clipvalue;
  2. decoupled weight decay: w <- w - w * weight_decay * lr (lr evaluated at the current
     `iterations`, before the increment);
  3. the optimizer's update_step for each (gradient, variable);
  4. constraints applied to the new variable values;
  5. iterations <- iterations + 1.
``get_updates`` returns these as a list of (shared variable, new value expression) pairs."""
from __future__ import annotations

import re
import warnings
from typing import Any, Sequence

import numpy as np

import symnet as sn
from symnet.graph import SharedVariable, Variable

from .. import backend
from .._names import auto_name
from . import schedules as schedules_module


class Optimizer:
    """Base class. Subclasses define ``build_slots(params)`` and ``update_step(g, w, lr, i)``."""

    def __init__(self, learning_rate: Any, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None, gradient_accumulation_steps: int | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        if "lr" in kwargs:
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.", DeprecationWarning,
                          stacklevel=3)
            learning_rate = kwargs.pop("lr")
        if "decay" in kwargs:
            raise ValueError("Argument `decay` is no longer supported (as in Keras 3). Use a "
                             "keras.optimizers.schedules.LearningRateSchedule instead.")
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unknown arguments {sorted(kwargs)}")
        if use_ema:
            raise NotImplementedError("use_ema=True (keras_api/optimizers/optimizer.py)")
        if gradient_accumulation_steps:
            raise NotImplementedError("gradient_accumulation_steps (keras_api/optimizers/optimizer.py)")
        if loss_scale_factor is not None:
            raise NotImplementedError("loss_scale_factor (keras_api/optimizers/optimizer.py)")
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                             f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        self.name = name or auto_name(type(self).__name__)
        self.weight_decay, self.clipnorm, self.clipvalue = weight_decay, clipnorm, clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema, self.ema_momentum, self.ema_overwrite_frequency = use_ema, ema_momentum, ema_overwrite_frequency
        self.loss_scale_factor, self.gradient_accumulation_steps = loss_scale_factor, gradient_accumulation_steps
        self._iterations = sn.shared(np.int64(0), name=f"{self.name}/iteration")
        if isinstance(learning_rate, dict):
            learning_rate = schedules_module.deserialize(learning_rate)
        if isinstance(learning_rate, schedules_module.LearningRateSchedule):
            self._schedule: schedules_module.LearningRateSchedule | None = learning_rate
            self._learning_rate: SharedVariable | None = None
        elif callable(learning_rate):
            raise NotImplementedError("a plain callable learning_rate (use a LearningRateSchedule) "
                                      "(keras_api/optimizers/optimizer.py)")
        else:
            self._schedule = None
            self._learning_rate = sn.shared(np.asarray(float(learning_rate), dtype=backend.floatx()),
                                            name=f"{self.name}/learning_rate")
        self._slot_vars: list[SharedVariable] = []
        self._slots: dict[str, list[SharedVariable]] = {}
        self._params: list[SharedVariable] = []
        self._exclude_ids: set[int] = set()
        self._exclude_names: list[str] = []
        self.built = False
        self._apply_cache: dict = {}

    # -- state ------------------------------------------------------------------------------------
    @property
    def iterations(self) -> SharedVariable:
        return self._iterations

    @property
    def variables(self) -> list[SharedVariable]:
        """[iterations, learning_rate (unless a schedule), slots...] in Keras 3's order."""
        out = [self._iterations]
        if self._learning_rate is not None:
            out.append(self._learning_rate)
        return out + list(self._slot_vars)

    @property
    def learning_rate(self) -> float:
        """The current learning rate as a float (a schedule is evaluated at `iterations`)."""
        if self._schedule is not None:
            return float(self._schedule(int(self._iterations.get_value())))
        return float(self._learning_rate.get_value())

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if self._schedule is not None or isinstance(value, schedules_module.LearningRateSchedule):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` (or is being given one); "
                            "its learning rate cannot be set to a value after creation.")
        self._learning_rate.set_value(np.asarray(float(value), dtype=self._learning_rate.dtype))

    lr = learning_rate  # Keras 2 spelling (read/write)

    def _current_learning_rate(self) -> Variable:
        if self._schedule is not None:
            return self._schedule(self._iterations)
        return self._learning_rate

    def add_variable_from_reference(self, reference: SharedVariable, name: str, initial: float = 0.0) -> SharedVariable:
        value = np.full(reference.get_value(borrow=True).shape, initial, dtype=reference.dtype)
        ref = (reference.name or "variable").replace("/", "_").replace(":", "_")
        v = sn.shared(value, name=f"{self.name}/{ref}_{name}", shape=reference.static_shape)
        self._slot_vars.append(v)
        return v

    def add_slots(self, params: Sequence[SharedVariable], names: Sequence[str],
                  initial: Sequence[float] | None = None) -> None:
        """Per parameter, one slot per name, interleaved (Keras's add_optimizer_variables order)."""
        initial = list(initial) if initial is not None else [0.0] * len(names)
        for n in names:
            self._slots.setdefault(n, [])
        for p in params:
            for n, init in zip(names, initial):
                self._slots[n].append(self.add_variable_from_reference(p, n, init))

    def build(self, params: Sequence[SharedVariable]) -> None:
        if self.built:
            return
        self._params = list(params)
        self.build_slots(self._params)
        self.built = True

    def build_slots(self, params: list[SharedVariable]) -> None:
        """Create the optimizer's per-parameter variables (none by default)."""

    def exclude_from_weight_decay(self, var_list: Sequence[Any] | None = None,
                                  var_names: Sequence[str] | None = None) -> None:
        self._exclude_ids |= {id(v) for v in (var_list or [])}
        self._exclude_names += list(var_names or [])

    def _use_weight_decay(self, p: SharedVariable) -> bool:
        if id(p) in self._exclude_ids:
            return False
        return not any(re.search(n, p.name or "") for n in self._exclude_names)

    # -- the update pipeline ------------------------------------------------------------------------
    def _clip_by_norm(self, g: Variable) -> Variable:
        l2sum = sn.sum(sn.square(g))
        pred = sn.gt(l2sum, 0)
        l2norm = sn.switch(pred, sn.sqrt(sn.switch(pred, l2sum, sn.ones_like(l2sum))), l2sum)
        return g * float(self.clipnorm) / sn.maximum(l2norm, float(self.clipnorm))

    def _clip_gradients(self, grads: list[Variable]) -> list[Variable]:
        if self.clipnorm and self.clipnorm > 0:
            return [self._clip_by_norm(g) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            c = float(self.global_clipnorm)
            use_norm = sn.sqrt(sum((sn.sum(sn.square(g)) for g in grads[1:]), sn.sum(sn.square(grads[0]))))
            scale = c * sn.minimum(1.0 / use_norm, 1.0 / c) + (use_norm - use_norm)
            return [g * sn.cast(scale, g.dtype) for g in grads]
        if self.clipvalue is not None and self.clipvalue > 0:
            v = float(self.clipvalue)
            return [sn.clip(g, -v, v) for g in grads]
        return list(grads)

    def _set(self, slot: SharedVariable, value: Variable) -> Variable:
        """Record slot <- value for this step and return value (for later use in the same step)."""
        self._pending[slot] = value
        return value

    def before_update_steps(self) -> None:
        """Hook run once per step before the per-variable update_step calls (Nadam)."""

    def update_step(self, gradient: Variable, variable: Variable, learning_rate: Variable, index: int) -> Variable:
        raise NotImplementedError(f"{type(self).__name__}.update_step (keras_api/optimizers)")

    def get_updates(self, params: Sequence[SharedVariable], grads: Sequence[Variable],
                    constraints: dict | None = None) -> list[tuple[SharedVariable, Variable]]:
        """The symbolic updates of one training step (see the module docstring)."""
        params, grads = list(params), list(grads)
        if len(params) != len(grads):
            raise ValueError(f"{len(params)} variables but {len(grads)} gradients")
        if not self.built:
            self.build(params)
        index = {id(p): i for i, p in enumerate(self._params)}
        unknown = [p.name for p in params if id(p) not in index]
        if unknown:
            raise ValueError(f"Unknown variables: {unknown}. This optimizer can only be called for the variables it "
                             "was originally built with. When working with a new set of variables, you should "
                             "recreate a new optimizer instance.")
        updates: dict = {}
        self._pending = updates
        with sn.name_scope(self.name):
            keep = [(p, g) for p, g in zip(params, grads) if g is not None]
            if keep:
                params, grads = [p for p, _ in keep], [g for _, g in keep]
                grads = [sn.cast(g, p.dtype) for p, g in zip(params, grads)]
                grads = self._clip_gradients(grads)
                lr = self._current_learning_rate()
                current = []
                for p in params:
                    w = p
                    if self.weight_decay is not None and self._use_weight_decay(p):
                        w = p - p * float(self.weight_decay) * sn.cast(lr, p.dtype)
                    current.append(w)
                self.before_update_steps()
                for p, g, w in zip(params, grads, current):
                    new = self.update_step(g, w, sn.cast(lr, p.dtype), index[id(p)])
                    c = (constraints or {}).get(p) if constraints else None
                    if c is None:
                        c = getattr(p, "constraint", None)
                    if c is not None:
                        new = c(new)
                    updates[p] = new
            updates[self._iterations] = self._iterations + 1
        self._pending = None
        return list(updates.items())

    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[SharedVariable] | None = None) -> None:
        """Eager application: apply NumPy gradients (compiles one step function per variable set)."""
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built on "
                                 "a list of variables. Call `optimizer.build(trainable_variables)` first.")
            trainable_variables = self._params
        vs = list(trainable_variables)
        key = tuple(id(v) for v in vs)
        if key not in self._apply_cache:
            gs = [sn.tensor(v.static_shape if None not in v.static_shape else (None,) * v.ndim, dtype=v.dtype)
                  for v in vs]
            self._apply_cache[key] = sn.function(gs, [], updates=self.get_updates(vs, gs))
        self._apply_cache[key](*[np.asarray(g, dtype=v.dtype) for g, v in zip(grads, vs)])

    def apply_gradients(self, grads_and_vars: Sequence[tuple[Any, SharedVariable]]) -> SharedVariable:
        grads, variables = zip(*grads_and_vars)
        self.apply(list(grads), list(variables))
        return self._iterations

    # -- config -------------------------------------------------------------------------------------
    def get_config(self) -> dict:
        lr = schedules_module.serialize(self._schedule) if self._schedule is not None else self.learning_rate
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config: dict) -> "Optimizer":
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules_module.deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def const(value: float, dtype: str) -> Variable:
    """A constant of exactly `dtype` (sn.cast(0.999, 'float64') would round through floatX first)."""
    return sn.constant(np.asarray(value, dtype=dtype))
