"""BaseSeparableConv: SeparableConv1D/2D (Keras 3): a depthwise convolution (kernel (*k, in,
depth_multiplier)) then a 1x1 pointwise one (kernel (1.., in*depth_multiplier, filters)) and a bias;
weights in Keras's order depthwise_kernel, pointwise_kernel, bias."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import InputSpec
from . import _utils as U
from .base_conv import BaseConv
from .base_depthwise_conv import _order


class BaseSeparableConv(BaseConv):
    def __init__(self, rank: int, depth_multiplier: int, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None, dilation_rate: Any = 1,
                 activation: Any = None, use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, pointwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None, pointwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        from ... import constraints, initializers, regularizers
        super().__init__(rank=rank, filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=depthwise_constraint, bias_constraint=bias_constraint, **kwargs)
        if not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError(f"Invalid value for argument `depth_multiplier`. Expected a strictly positive value. "
                             f"Received depth_multiplier={depth_multiplier}.")
        self.depth_multiplier = depth_multiplier
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer) if pointwise_regularizer is not None else None
        self.pointwise_constraint = constraints.get(pointwise_constraint) if pointwise_constraint is not None else None

    def build(self, input_shape: Any) -> None:
        channels = U.channel_dim(input_shape, self.data_format)
        if channels is None:
            raise ValueError(f"Layer {self.name!r}: the channel dimension of the inputs should be defined. "
                             f"Received input_shape={tuple(input_shape)}")
        self.in_channels = channels
        self._check_output_size(input_shape)
        mid = channels * self.depth_multiplier
        self.depthwise_kernel = self.add_weight(name="depthwise_kernel",
                                                shape=self.kernel_size + (channels, self.depth_multiplier),
                                                initializer=self.kernel_initializer,
                                                regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.pointwise_kernel = self.add_weight(name="pointwise_kernel",
                                                shape=(1,) * self.rank + (mid, self.filters),
                                                initializer=self.pointwise_initializer,
                                                regularizer=self.pointwise_regularizer,
                                                constraint=self.pointwise_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint) \
            if self.use_bias else None
        axis = -1 if self.data_format == "channels_last" else 1
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={axis: channels})
        self.built = True

    def call(self, inputs: Any) -> Any:
        from symnet.ops.conv import CONV_OPS
        x = sn.graph.as_variable(inputs)
        if x.dtype != self.compute_dtype:
            x = sn.cast(x, self.compute_dtype)
        r, mid = self.rank, self.in_channels * self.depth_multiplier
        dw = sn.reshape(self.depthwise_kernel.value, self.kernel_size + (1, mid)).dimshuffle([r + 1, r] + list(range(r)))
        y = self.convolve(U.to_channels_first(x, self.data_format), dw, self.in_channels)
        pw = self.pointwise_kernel.value.dimshuffle([r + 1, r] + list(range(r)))
        y = CONV_OPS[r][0](r, "valid", 1, False, 1, 1)(y, pw)
        return U.activate_then_restore(self.add_bias(y), self.activation, self.data_format)

    def get_config(self) -> dict:
        from ... import constraints, initializers, regularizers
        config = super().get_config()
        for k in ("groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(k)
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": U.serialize(initializers, self.kernel_initializer),
            "pointwise_initializer": U.serialize(initializers, self.pointwise_initializer),
            "depthwise_regularizer": U.serialize(regularizers, self.kernel_regularizer),
            "pointwise_regularizer": U.serialize(regularizers, self.pointwise_regularizer),
            "depthwise_constraint": U.serialize(constraints, self.kernel_constraint),
            "pointwise_constraint": U.serialize(constraints, self.pointwise_constraint),
        })
        return _order(config, ["trainable", "dtype", "depth_multiplier", "filters", "kernel_size", "strides",
                               "padding", "data_format", "dilation_rate", "activation", "use_bias",
                               "depthwise_initializer", "pointwise_initializer", "bias_initializer",
                               "depthwise_regularizer", "pointwise_regularizer", "bias_regularizer",
                               "activity_regularizer", "depthwise_constraint", "pointwise_constraint",
                               "bias_constraint"])
