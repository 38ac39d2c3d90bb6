"""LayerNormalization (Keras 3): per-sample mean/variance over `axis`, then gamma/beta.
rms_scaling follows Keras exactly: x * rsqrt(var(x) + epsilon) * gamma (no centering, no beta)."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import Layer
from ..convolutional import _utils as U


class LayerNormalization(Layer):
    def __init__(self, axis: Any = -1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 rms_scaling: bool = False, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from ... import constraints, initializers, regularizers
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"Expected an int or a list/tuple of ints for the argument 'axis', but received: {axis!r}")
        self.epsilon = float(epsilon)
        self.center, self.scale, self.rms_scaling = center, scale, rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer) if beta_regularizer is not None else None
        self.gamma_regularizer = regularizers.get(gamma_regularizer) if gamma_regularizer is not None else None
        self.beta_constraint = constraints.get(beta_constraint) if beta_constraint is not None else None
        self.gamma_constraint = constraints.get(gamma_constraint) if gamma_constraint is not None else None
        self.supports_masking = True
        self.gamma = self.beta = None

    def build(self, input_shape: Any) -> None:
        ndim = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not -ndim <= a < ndim:
                raise ValueError(f"Axis {a} is out of bounds for input shape {tuple(input_shape)}. "
                                 f"Received: axis={self.axis}")
        self._axes = sorted(a % ndim for a in axes)
        shape = tuple(input_shape[a] for a in self._axes)
        if any(d is None for d in shape):
            raise ValueError(f"Layer {self.name!r}: the normalized axes {self._axes} of the input "
                             f"{tuple(input_shape)} must have known sizes")
        # Keras keeps the axes as a sorted list once built (get_config then reports e.g. [-1])
        self.axis = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(name="gamma", shape=shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
                                         autocast=False)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(name="beta", shape=shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint,
                                        autocast=False)
        self.built = True

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        if x.dtype != self.compute_dtype:
            x = sn.cast(x, self.compute_dtype)
        axes = tuple(self._axes)
        pattern, i = [], 0
        for a in range(x.ndim):
            if a in axes:
                pattern.append(i)
                i += 1
            else:
                pattern.append("x")

        def bcast(w: Any) -> sn.Variable:
            return sn.cast(w.value, x.dtype).dimshuffle(pattern)

        mean = sn.mean(x, axis=axes, keepdims=True)
        var = sn.mean(sn.sqr(x - mean), axis=axes, keepdims=True)
        inv = 1.0 / sn.sqrt(var + sn.constant(self.epsilon, dtype=x.dtype))
        if self.rms_scaling:
            out = x * inv
            return out * bcast(self.gamma) if self.gamma is not None else out
        if self.gamma is not None:
            inv = inv * bcast(self.gamma)
        res = -mean * inv
        if self.beta is not None:
            res = res + bcast(self.beta)
        return x * inv + res

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict:
        from ... import constraints, initializers, regularizers
        config = super().get_config()
        config.update({
            "axis": self.axis, "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": U.serialize(initializers, self.beta_initializer),
            "gamma_initializer": U.serialize(initializers, self.gamma_initializer),
            "beta_regularizer": U.serialize(regularizers, self.beta_regularizer),
            "gamma_regularizer": U.serialize(regularizers, self.gamma_regularizer),
            "beta_constraint": U.serialize(constraints, self.beta_constraint),
            "gamma_constraint": U.serialize(constraints, self.gamma_constraint),
        })
        return config
