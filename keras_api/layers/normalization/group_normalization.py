"""GroupNormalization (Wu & He, 2018): mean/variance over each group of channels and the other
non-batch axes; groups=-1 is instance normalization, groups=1 layer normalization over all axes."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import InputSpec, Layer
from ..dense import _ser


class GroupNormalization(Layer):
    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any) -> None:
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError("Received an invalid value for argument `groups`, expected a positive integer (or "
                             f"`-1` for instance normalization). Received: groups={groups}")
        super().__init__(**kwargs)
        from ... import constraints, initializers, regularizers
        self.supports_masking = True
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer) if beta_regularizer is not None else None
        self.gamma_regularizer = regularizers.get(gamma_regularizer) if gamma_regularizer is not None else None
        self.beta_constraint = constraints.get(beta_constraint) if beta_constraint is not None else None
        self.gamma_constraint = constraints.get(gamma_constraint) if gamma_constraint is not None else None

    def build(self, input_shape: Any) -> None:
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension but the layer "
                             f"received an input with shape {tuple(input_shape)}.")
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the number of channels ({dim}).")
        if dim % self.groups != 0:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the number of channels "
                             f"({dim}).")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        self.gamma = self.add_weight(shape=(dim,), name="gamma", initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer, constraint=self.gamma_constraint) \
            if self.scale else None
        self.beta = self.add_weight(shape=(dim,), name="beta", initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer, constraint=self.beta_constraint) \
            if self.center else None
        self.built = True

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        ndim = x.ndim
        axis = self.axis % ndim
        dims = [x.type.shape[i] if x.type.shape[i] is not None else sn.shape(x)[i] for i in range(ndim)]
        dim = x.type.shape[axis]
        group_shape = [-1] + dims[1:]
        group_shape[axis] = dim // self.groups
        group_shape.insert(axis, self.groups)
        g = sn.reshape(x, tuple(group_shape))
        compute = "float64" if x.dtype == "float64" else "float32"
        g = sn.cast(g, compute) if g.dtype != compute else g
        red = [i for i in range(1, ndim + 1) if i != axis]     # every axis but the batch and the group index
        mean = sn.mean(g, axis=tuple(red), keepdims=True)
        var = sn.mean(sn.square(g - mean), axis=tuple(red), keepdims=True)
        bshape = [1] * ndim
        bshape[axis] = dim // self.groups
        bshape.insert(axis, self.groups)
        inv = 1.0 / sn.sqrt(var + sn.constant(self.epsilon, dtype=compute))
        if self.gamma is not None:
            inv = inv * sn.cast(sn.reshape(self.gamma.value, tuple(bshape)), compute)
        res = -mean * inv
        if self.beta is not None:
            res = res + sn.cast(sn.reshape(self.beta.value, tuple(bshape)), compute)
        out = g * inv + res
        out = sn.reshape(out, tuple(dims[:1] if x.type.shape[0] is not None else [sn.shape(x)[0]]) + tuple(dims[1:]))
        return sn.cast(out, self.compute_dtype) if out.dtype != self.compute_dtype else out

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self.axis >= len(input_shape) or self.axis < -len(input_shape):
            raise ValueError(f"Axis {self.axis} is out of bounds for input shape {input_shape}. "
                             f"Received: axis={self.axis}")
        return input_shape

    def get_config(self) -> dict:
        from ... import constraints, initializers, regularizers
        config = super().get_config()
        config.update({
            "groups": self.groups, "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale,
            "beta_initializer": _ser(initializers, self.beta_initializer),
            "gamma_initializer": _ser(initializers, self.gamma_initializer),
            "beta_regularizer": _ser(regularizers, self.beta_regularizer),
            "gamma_regularizer": _ser(regularizers, self.gamma_regularizer),
            "beta_constraint": _ser(constraints, self.beta_constraint),
            "gamma_constraint": _ser(constraints, self.gamma_constraint),
        })
        return config
