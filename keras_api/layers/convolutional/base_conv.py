"""BaseConv: the N-d convolution layer behind Conv1D/2D/3D (Keras 3's arguments, defaults,
get_config keys and kernel layout (*kernel_size, in_channels // groups, filters))."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import InputSpec, Layer
from . import _utils as U


class BaseConv(Layer):
    """activation(conv(inputs, kernel) + bias), computed channels-first with symnet's AbstractConv
    (filter_flip=False: Keras's cross-correlation)."""

    def __init__(self, rank: int, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, lora_rank: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        from ... import activations, constraints, initializers, regularizers
        self.rank = rank
        if filters is not None and (not isinstance(filters, int) or filters <= 0):
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly positive value. "
                             f"Received filters={filters}.")
        self.filters = filters
        self.groups = groups
        self.kernel_size = U.standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = U.standardize_tuple(strides, rank, "strides")
        self.dilation_rate = U.standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = U.standardize_padding(padding, allow_causal=rank == 1)
        self.data_format = U.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer) if kernel_regularizer is not None else None
        self.bias_regularizer = regularizers.get(bias_regularizer) if bias_regularizer is not None else None
        self.kernel_constraint = constraints.get(kernel_constraint) if kernel_constraint is not None else None
        self.bias_constraint = constraints.get(bias_constraint) if bias_constraint is not None else None
        if lora_rank:
            raise NotImplementedError(f"keras_api.layers.{type(self).__name__}: lora_rank is not supported")
        self.lora_rank = lora_rank
        self.input_spec = InputSpec(min_ndim=rank + 2)
        if self.filters is not None and self.filters % self.groups != 0:
            raise ValueError(f"The number of filters must be evenly divisible by the number of groups. Received: "
                             f"groups={self.groups}, filters={self.filters}.")
        if not all(self.kernel_size):
            raise ValueError(f"The argument `kernel_size` cannot contain 0. Received kernel_size={self.kernel_size}.")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
                             f"strides={self.strides} and dilation_rate={self.dilation_rate}")

    # -- weights ---------------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        channels = U.channel_dim(input_shape, self.data_format)
        if channels is None:
            raise ValueError(f"Layer {self.name!r}: the channel dimension of the inputs should be defined. "
                             f"Received input_shape={tuple(input_shape)}")
        if channels % self.groups != 0:
            raise ValueError(f"The number of input channels must be evenly divisible by the number of groups. "
                             f"Received groups={self.groups}, but the input has {channels} channels (full input "
                             f"shape is {tuple(input_shape)}).")
        self._check_output_size(input_shape)
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (channels // self.groups, self.filters),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint) \
            if self.use_bias else None
        axis = -1 if self.data_format == "channels_last" else 1
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={axis: channels})
        self.built = True

    def _check_output_size(self, input_shape: Any) -> None:
        out = self.compute_output_shape(input_shape)
        if any(d is not None and d <= 0 for d in out[1:]):
            raise ValueError(f"Computed output size would be negative. Received `inputs shape={tuple(input_shape)}`, "
                             f"`kernel shape={self.kernel_size}`, `dilation_rate={self.dilation_rate}`.")

    # -- computation ------------------------------------------------------------------------
    def _filters_channels_first(self, kernel: sn.Variable) -> sn.Variable:
        """(*k, in, out) -> (out, in, *k), the layout of symnet's conv op."""
        r = self.rank
        return kernel.dimshuffle([r + 1, r] + list(range(r)))

    def convolve(self, x_cf: sn.Variable, filters_cf: sn.Variable, groups: int) -> sn.Variable:
        """Channels-first correlation with Keras's padding rule."""
        from symnet.ops.conv import CONV_OPS
        spatial = x_cf.type.shape[2:]
        pads = U.conv_pads(self.padding, spatial, self.kernel_size, self.strides, self.dilation_rate, self.name)
        op = CONV_OPS[self.rank][0](self.rank, pads, self.strides, False, self.dilation_rate, groups)
        return op(x_cf, filters_cf)

    def add_bias(self, y_cf: sn.Variable) -> sn.Variable:
        if self.bias is not None:
            y_cf = y_cf + self.bias.value.dimshuffle(["x", 0] + ["x"] * self.rank)
        return y_cf

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        if x.dtype != self.compute_dtype:
            x = sn.cast(x, self.compute_dtype)
        y = self.convolve(U.to_channels_first(x, self.data_format),
                          self._filters_channels_first(self.kernel.value), self.groups)
        return U.activate_then_restore(self.add_bias(y), self.activation, self.data_format)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        spatial = U.spatial_dims(input_shape, self.data_format, self.rank)
        out = tuple(U.conv_output_length(n, k, self.padding, s, d) for n, k, s, d in
                    zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        if self.data_format == "channels_last":
            return (input_shape[0],) + out + (self.filters,)
        return (input_shape[0], self.filters) + out

    # -- config ------------------------------------------------------------------------------
    def get_config(self) -> dict:
        from ... import activations, constraints, initializers, regularizers
        config = super().get_config()
        config.update({
            "filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
            "padding": self.padding, "data_format": self.data_format, "dilation_rate": self.dilation_rate,
            "groups": self.groups, "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
            "kernel_initializer": U.serialize(initializers, self.kernel_initializer),
            "bias_initializer": U.serialize(initializers, self.bias_initializer),
            "kernel_regularizer": U.serialize(regularizers, self.kernel_regularizer),
            "bias_regularizer": U.serialize(regularizers, self.bias_regularizer),
            "activity_regularizer": U.serialize(regularizers, self.activity_regularizer),
            "kernel_constraint": U.serialize(constraints, self.kernel_constraint),
            "bias_constraint": U.serialize(constraints, self.bias_constraint),
        })
        return config
