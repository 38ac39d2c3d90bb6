"""BaseConvTranspose: Conv1D/2D/3DTranspose (Keras 3); kernel (*kernel_size, filters, in_channels).

The result is symnet's AbstractConv_gradInputs (the input gradient of the forward convolution whose
kernel is this layer's), with the padding JAX's Keras backend uses: the transposed convolution pads
the dilated input by (left, right) = Keras's conversion rule, which is a forward convolution with
padding (dk - 1 - left, dk - 1 - right); a negative right pad appends zeros."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import InputSpec
from . import _utils as U
from .base_conv import BaseConv


def jax_transpose_pads(k: int, stride: int, dilation: int, padding: str, output_padding: int | None) -> tuple:
    """Keras's _convert_conv_transpose_padding_args_from_keras_to_jax for one axis."""
    dk = (k - 1) * dilation + 1
    if padding == "valid":
        op = max(dk, stride) - dk if output_padding is None else output_padding
        return dk - 1, dk - 1 + op
    pad_len = stride + dk - 2 if output_padding is None else dk + dk % 2 - 2 + output_padding
    left = min(pad_len // 2 + pad_len % 2, dk - 1)
    return left, pad_len - left


def transpose_output_length(n: int | None, k: int, stride: int, dilation: int, padding: str,
                            output_padding: int | None) -> int | None:
    if n is None:
        return None
    left, right = jax_transpose_pads(k, stride, dilation, padding, output_padding)
    return (n - 1) * stride + 1 + left + right - ((k - 1) * dilation + 1) + 1


class BaseConvTranspose(BaseConv):
    def __init__(self, rank: int, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = 1,
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(rank=rank, filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=1, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        if self.padding == "causal":
            raise ValueError(f"The `padding` argument must be one of ['same', 'valid']. Received: padding=causal")
        if output_padding is None:
            self.output_padding = None
        else:
            self.output_padding = U.standardize_tuple(output_padding, rank, "output_padding", allow_zero=True)
            for p, s in zip(self.output_padding, self.strides):
                if p >= s:
                    raise ValueError(f"Strides must be greater than output padding. Received strides="
                                     f"{self.strides}, output_padding={self.output_padding}.")

    def _op(self, i: int) -> int | None:
        return None if self.output_padding is None else self.output_padding[i]

    def build(self, input_shape: Any) -> None:
        channels = U.channel_dim(input_shape, self.data_format)
        if channels is None:
            raise ValueError(f"Layer {self.name!r}: the channel dimension of the inputs should be defined. "
                             f"Received input_shape={tuple(input_shape)}")
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (self.filters, channels),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
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
        x_cf = U.to_channels_first(x, self.data_format)
        r = self.rank
        # forward-conv filters (O=in_channels, C=filters, *k) from the kernel (*k, filters, in_channels)
        w = self.kernel.value.dimshuffle([r + 1, r] + list(range(r)))
        pads, extra, lengths = [], [], []
        for i in range(r):
            dk = (self.kernel_size[i] - 1) * self.dilation_rate[i] + 1
            left, right = jax_transpose_pads(self.kernel_size[i], self.strides[i], self.dilation_rate[i],
                                             self.padding, self._op(i))
            lo, hi = dk - 1 - left, dk - 1 - right
            n = x_cf.type.shape[2 + i]
            if n is None:
                n = x_cf.shape[2 + i]
            lengths.append((n - 1) * self.strides[i] + 1 + left + min(right, dk - 1) - dk + 1)
            pads.append((lo, max(hi, 0)))
            extra.append(max(-hi, 0))
        op = CONV_OPS[r][2](r, tuple(pads), self.strides, False, self.dilation_rate, 1)
        y = op(w, x_cf, lengths)
        if any(extra):
            y = sn.pad(y, [(0, 0), (0, 0)] + [(0, e) for e in extra])
        return U.activate_then_restore(self.add_bias(y), self.activation, self.data_format)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        spatial = U.spatial_dims(input_shape, self.data_format, self.rank)
        out = tuple(transpose_output_length(n, self.kernel_size[i], self.strides[i], self.dilation_rate[i],
                                            self.padding, self._op(i)) for i, n in enumerate(spatial))
        if self.data_format == "channels_last":
            return (input_shape[0],) + out + (self.filters,)
        return (input_shape[0], self.filters) + out

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("groups")
        keys = list(config)
        out = {}
        for k in keys:
            out[k] = config[k]
            if k == "padding":
                out["output_padding"] = self.output_padding
        return out
