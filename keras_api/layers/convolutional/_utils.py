"""Shared argument handling and layout helpers of the convolution and pooling layers.

Layout: symnet's conv/pool ops are channels-first (NC*S). A channels_last layer transposes its
input to channels-first, computes there (bias and activation included) and transposes back; the
canonicalize rewrite ``dimshuffle_merge`` then cancels the back-to-back transposes between two
such layers, so a stack of conv/pool layers carries the channels-first layout through the graph."""
from __future__ import annotations

import math
from typing import Any, Sequence

import symnet as sn


def standardize_tuple(value: Any, n: int, name: str, allow_zero: bool = False) -> tuple:
    """Keras's standardize_tuple: an int or n ints, each > 0 (>= 0 with allow_zero)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,) * n
    try:
        value = tuple(value)
    except TypeError:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}") from None
    if len(value) != n or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}")
    bad = [v for v in value if v < 0 or (v == 0 and not allow_zero)]
    if bad:
        req = "{'>=0'}" if allow_zero else "{'>0'}"
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value} including "
                         f"values {set(bad)} that do not satisfy `value {req}`")
    return value


def standardize_padding(padding: Any, allow_causal: bool = False) -> str:
    if not isinstance(padding, str):
        raise ValueError(f"The `padding` argument must be a string. Received: padding={padding}")
    p = padding.lower()
    allowed = {"valid", "same", "causal"} if allow_causal else {"valid", "same"}
    if p not in allowed:
        raise ValueError(f"The `padding` argument must be one of {sorted(allowed)}. Received: padding={padding}")
    return p


def standardize_data_format(data_format: str | None) -> str:
    if data_format is None:
        from ... import backend
        return backend.image_data_format()
    df = str(data_format).lower()
    if df not in ("channels_first", "channels_last"):
        raise ValueError(f"The `data_format` argument must be one of {{'channels_first', 'channels_last'}}. "
                         f"Received: data_format={data_format}")
    return df


def to_channels_first(x: sn.Variable, data_format: str) -> sn.Variable:
    if data_format == "channels_first":
        return x
    return x.dimshuffle([0, x.ndim - 1] + list(range(1, x.ndim - 1)))


def to_data_format(x: sn.Variable, data_format: str) -> sn.Variable:
    """Back from channels-first to the layer's data format."""
    if data_format == "channels_first":
        return x
    return x.dimshuffle([0] + list(range(2, x.ndim)) + [1])


def spatial_dims(shape: Sequence, data_format: str, rank: int) -> tuple:
    return tuple(shape[1:1 + rank]) if data_format == "channels_last" else tuple(shape[2:2 + rank])


def channel_dim(shape: Sequence, data_format: str) -> Any:
    return shape[-1] if data_format == "channels_last" else shape[1]


def same_pads(size: int | None, k: int, stride: int, dilation: int, layer: str) -> tuple[int, int]:
    """TensorFlow/JAX 'SAME': total = max((ceil(n/s) - 1)*s + dk - n, 0), low = total // 2."""
    dk = dilation * (k - 1) + 1
    if size is None:
        if stride == 1:
            total = dk - 1
            return total // 2, total - total // 2
        raise NotImplementedError(f"Layer {layer!r}: padding='same' with strides > 1 needs the spatial size of the "
                                  "input to be known when the layer is called")
    total = max((math.ceil(size / stride) - 1) * stride + dk - size, 0)
    return total // 2, total - total // 2


def conv_pads(padding: str, spatial: Sequence, kernel: Sequence, strides: Sequence, dilation: Sequence,
              layer: str) -> tuple:
    """(low, high) pads per spatial axis for Keras's 'valid' / 'same' / 'causal'."""
    if padding == "valid":
        return tuple((0, 0) for _ in kernel)
    if padding == "causal":
        return tuple((d * (k - 1), 0) for k, d in zip(kernel, dilation))
    return tuple(same_pads(n, k, s, d, layer) for n, k, s, d in zip(spatial, kernel, strides, dilation))


def conv_output_length(n: int | None, k: int, padding: str, stride: int, dilation: int) -> int | None:
    """Keras's compute_conv_output_shape for one axis."""
    if n is None:
        return None
    dk = dilation * (k - 1) + 1
    if padding == "valid":
        return (n - dk) // stride + 1
    return (n - 1) // stride + 1   # same / causal


# Keras activations that act elementwise: applied channels-first, before the transpose back, so
# consecutive layers' transposes meet and cancel. Any other activation (softmax over the channel
# axis, user callables) runs after it, in the layer's data format.
ELEMENTWISE_ACTIVATIONS = frozenset({
    "relu", "leaky_relu", "relu6", "elu", "selu", "softplus", "softsign", "silu", "swish", "gelu", "tanh",
    "sigmoid", "exponential", "hard_sigmoid", "hard_silu", "hard_swish", "mish", "linear"})


def activate_then_restore(y_cf: sn.Variable, activation: Any, data_format: str) -> sn.Variable:
    """activation(y) in the layer's data format, with elementwise activations applied channels-first."""
    from ... import activations
    name = getattr(activation, "__name__", None)
    if name in ELEMENTWISE_ACTIVATIONS and activations._ALL.get(name) is activation:
        return to_data_format(activation(y_cf), data_format)
    return activation(to_data_format(y_cf, data_format))


def serialize(module: Any, obj: Any) -> Any:
    from ..dense import _ser
    return _ser(module, obj)
