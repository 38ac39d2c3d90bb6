"""BatchNormalization (Keras 3): batch statistics while training (moving statistics updated inside
the compiled train step through Layer.add_state_update), moving statistics otherwise.

Keras's rules: moving = moving * momentum + batch * (1 - momentum) with the biased batch variance;
output = x * inv + (beta - mean * inv), inv = gamma / sqrt(var + epsilon); a layer with
trainable=False always normalises with its moving statistics. When the input is the channels-last
transpose of a channels-first tensor (a conv layer's output), the statistics are computed on that
tensor and the result transposed back, so the transposes around it still cancel."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import InputSpec, Layer
from ..convolutional import _utils as U


def channels_first_source(x: sn.Variable) -> sn.Variable | None:
    """x_cf when x is the channels-last transpose (0, 2, .., n-1, 1) of x_cf, else None."""
    from symnet.ops.shape import DimShuffle
    if x.owner is None or not isinstance(x.owner.op, DimShuffle) or x.ndim < 3:
        return None
    if tuple(x.owner.op.pattern) != tuple([0] + list(range(2, x.ndim)) + [1]):
        return None
    return x.owner.inputs[0]


class BatchNormalization(Layer):
    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 moving_mean_initializer: Any = "zeros", moving_variance_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, synchronized: bool = False, renorm: bool = False,
                 renorm_clipping: Any = None, renorm_momentum: float = 0.99, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from ... import constraints, initializers, regularizers
        self.axis = int(axis)
        if renorm:
            raise NotImplementedError("keras_api.layers.BatchNormalization: renorm=True is not supported")
        self.synchronized = synchronized
        self.renorm, self.renorm_clipping, self.renorm_momentum = renorm, renorm_clipping, renorm_momentum
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer) if beta_regularizer is not None else None
        self.gamma_regularizer = regularizers.get(gamma_regularizer) if gamma_regularizer is not None else None
        self.beta_constraint = constraints.get(beta_constraint) if beta_constraint is not None else None
        self.gamma_constraint = constraints.get(gamma_constraint) if gamma_constraint is not None else None
        self.supports_masking = True
        self.gamma = self.beta = None

    def build(self, input_shape: Any) -> None:
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(f"Invalid axis for layer {self.name!r}: {self.axis}; the input has rank {ndim} "
                             f"(input shape {tuple(input_shape)})")
        self._axis = self.axis % ndim
        dim = input_shape[self._axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension but the layer "
                             f"received an input with shape {tuple(input_shape)}.")
        shape = (dim,)
        if self.scale:
            self.gamma = self.add_weight(name="gamma", shape=shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
                                         autocast=False)
        if self.center:
            self.beta = self.add_weight(name="beta", shape=shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint,
                                        autocast=False)
        self.moving_mean = self.add_weight(name="moving_mean", shape=shape, initializer=self.moving_mean_initializer,
                                           trainable=False, autocast=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=shape,
                                               initializer=self.moving_variance_initializer, trainable=False,
                                               autocast=False)
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: dim})
        self.built = True

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        x = sn.graph.as_variable(inputs)
        if x.dtype != self.compute_dtype:
            x = sn.cast(x, self.compute_dtype)
        axis = self._axis
        source = channels_first_source(x) if axis == x.ndim - 1 and mask is None else None
        if source is not None:       # normalise the channels-first tensor and transpose back
            return U.to_data_format(self._normalize(source, 1, training, None), "channels_last")
        return self._normalize(x, axis, training, mask)

    def _normalize(self, x: sn.Variable, axis: int, training: bool | None, mask: Any) -> sn.Variable:
        reduce_axes = tuple(a for a in range(x.ndim) if a != axis)
        pattern = ["x" if a != axis else 0 for a in range(x.ndim)]

        def bcast(v: sn.Variable) -> sn.Variable:
            return sn.cast(v, x.dtype).dimshuffle(pattern)

        if training and self.trainable:
            mean, var = self._moments(x, reduce_axes, mask)
            m = sn.constant(self.momentum, dtype=self.moving_mean.dtype)
            self.add_state_update(self.moving_mean, self.moving_mean.value * m + sn.cast(mean, m.dtype) * (1.0 - m))
            self.add_state_update(self.moving_variance,
                                  self.moving_variance.value * m + sn.cast(var, m.dtype) * (1.0 - m))
        else:
            mean, var = self.moving_mean.value, self.moving_variance.value
        inv = 1.0 / sn.sqrt(bcast(var) + sn.constant(self.epsilon, dtype=x.dtype))
        if self.gamma is not None:
            inv = inv * bcast(self.gamma.value)
        res = -bcast(mean) * inv
        if self.beta is not None:
            res = res + bcast(self.beta.value)
        return x * inv + res

    def _moments(self, x: sn.Variable, axes: tuple, mask: Any) -> tuple:
        if mask is None:
            mean = sn.mean(x, axis=axes)
            pattern = ["x" if a in axes else 0 for a in range(x.ndim)]
            var = sn.mean(sn.sqr(x - mean.dimshuffle(pattern)), axis=axes)
            return mean, var
        m = sn.cast(sn.graph.as_variable(mask), x.dtype)
        if m.ndim != x.ndim - 1:
            raise ValueError(f"The mask provided should be one dimension less than the inputs. Received: "
                             f"mask.shape={m.type.shape}, inputs.shape={x.type.shape}")
        m = sn.expand_dims(m, x.ndim - 1)
        count = sn.sum(m * sn.ones_like(x), axis=axes)
        mean = sn.sum(x * m, axis=axes) / count
        pattern = ["x" if a in axes else 0 for a in range(x.ndim)]
        var = sn.sum(m * sn.sqr(x - mean.dimshuffle(pattern)), axis=axes) / count
        return mean, var

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict:
        from ... import constraints, initializers, regularizers
        config = super().get_config()
        config.update({
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale,
            "beta_initializer": U.serialize(initializers, self.beta_initializer),
            "gamma_initializer": U.serialize(initializers, self.gamma_initializer),
            "moving_mean_initializer": U.serialize(initializers, self.moving_mean_initializer),
            "moving_variance_initializer": U.serialize(initializers, self.moving_variance_initializer),
            "beta_regularizer": U.serialize(regularizers, self.beta_regularizer),
            "gamma_regularizer": U.serialize(regularizers, self.gamma_regularizer),
            "beta_constraint": U.serialize(constraints, self.beta_constraint),
            "gamma_constraint": U.serialize(constraints, self.gamma_constraint),
            "synchronized": self.synchronized, "renorm": self.renorm, "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        })
        return config
