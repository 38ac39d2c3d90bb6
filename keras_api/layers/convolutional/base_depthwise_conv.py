"""BaseDepthwiseConv: DepthwiseConv1D/2D (Keras 3). Kernel (*kernel_size, in_channels,
depth_multiplier); output channel c * depth_multiplier + m, as a grouped convolution with one group
per input channel."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import InputSpec
from . import _utils as U
from .base_conv import BaseConv


class BaseDepthwiseConv(BaseConv):
    def __init__(self, rank: int, depth_multiplier: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 depthwise_constraint: Any = None, bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(rank=rank, filters=None, kernel_size=kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=depthwise_constraint, bias_constraint=bias_constraint, **kwargs)
        if not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError(f"Invalid value for argument `depth_multiplier`. Expected a strictly positive value. "
                             f"Received depth_multiplier={depth_multiplier}.")
        self.depth_multiplier = depth_multiplier

    def build(self, input_shape: Any) -> None:
        channels = U.channel_dim(input_shape, self.data_format)
        if channels is None:
            raise ValueError(f"Layer {self.name!r}: the channel dimension of the inputs should be defined. "
                             f"Received input_shape={tuple(input_shape)}")
        self.in_channels = channels
        self.filters = channels * self.depth_multiplier
        self._check_output_size(input_shape)
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint) \
            if self.use_bias else None
        axis = -1 if self.data_format == "channels_last" else 1
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={axis: channels})
        self.built = True

    def depthwise_filters(self) -> sn.Variable:
        """(*k, in, dm) -> (in*dm, 1, *k)."""
        r = self.rank
        k = sn.reshape(self.kernel.value, self.kernel_size + (1, self.filters))
        return k.dimshuffle([r + 1, r] + list(range(r)))

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        if x.dtype != self.compute_dtype:
            x = sn.cast(x, self.compute_dtype)
        y = self.convolve(U.to_channels_first(x, self.data_format), self.depthwise_filters(), self.in_channels)
        return U.activate_then_restore(self.add_bias(y), self.activation, self.data_format)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        channels = U.channel_dim(input_shape, self.data_format)
        self.filters = None if channels is None else channels * self.depth_multiplier
        return super().compute_output_shape(input_shape)

    def get_config(self) -> dict:
        from ... import constraints, initializers, regularizers
        config = super().get_config()
        for k in ("filters", "groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(k)
        out = {}
        for k, v in config.items():
            if k == "kernel_size":
                out["depth_multiplier"] = self.depth_multiplier
            out[k] = v
            if k == "use_bias":
                out["depthwise_initializer"] = U.serialize(initializers, self.kernel_initializer)
            if k == "bias_initializer":
                out["depthwise_regularizer"] = U.serialize(regularizers, self.kernel_regularizer)
            if k == "activity_regularizer":
                out["depthwise_constraint"] = U.serialize(constraints, self.kernel_constraint)
        return _order(out, ["trainable", "dtype", "depth_multiplier", "kernel_size", "strides", "padding",
                            "data_format", "dilation_rate", "activation", "use_bias", "depthwise_initializer",
                            "bias_initializer", "depthwise_regularizer", "bias_regularizer", "activity_regularizer",
                            "depthwise_constraint", "bias_constraint"])


def _order(config: dict, keys: list) -> dict:
    """Keras's key order (name first, then `keys`, then anything else)."""
    out = {k: config[k] for k in ["name"] + keys if k in config}
    out.update({k: v for k, v in config.items() if k not in out})
    return out
