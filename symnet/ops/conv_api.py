"""Theano's convolution functions (``theano.tensor.nnet.conv2d`` and friends) on the ops of conv.py.

Signatures, argument names and defaults follow Theano 1.0's ``abstract_conv``: shapes are
channels-first, ``input_shape``/``filter_shape`` are optional hints (checked against the static
shapes when given), ``filter_flip=True`` is true convolution.
"""
from __future__ import annotations

from typing import Any, Sequence

from ..graph import Variable, as_variable, describe
from .conv import CONV_OPS, BorderMode


def _check_hint(v: Variable, hint: Sequence | None, what: str, fn: str) -> None:
    """A shape hint must agree with the statically known dims (None entries are free)."""
    if hint is None:
        return
    hint = tuple(hint)
    if len(hint) != v.ndim:
        raise ValueError(f"{fn}: {what} has {len(hint)} entries but {describe(v)} has {v.ndim} dims")
    for h, d in zip(hint, v.type.shape):
        if isinstance(h, int) and d is not None and h != d:
            raise ValueError(f"{fn}: {what} {hint} does not match the shape {v.type.shape} of {describe(v)}")


def _conv(n: int, fn: str, input: Any, filters: Any, input_shape, filter_shape, border_mode, subsample,
          filter_flip, filter_dilation, num_groups) -> Variable:
    x, w = as_variable(input), as_variable(filters)
    _check_hint(x, input_shape, "input_shape", fn)
    _check_hint(w, filter_shape, "filter_shape", fn)
    return CONV_OPS[n][0](n, border_mode, subsample, filter_flip, filter_dilation, num_groups)(x, w)


def conv1d(input: Any, filters: Any, input_shape: Sequence | None = None, filter_shape: Sequence | None = None,
           border_mode: BorderMode = "valid", subsample: Any = (1,), filter_flip: bool = True,
           filter_dilation: Any = (1,), num_groups: int = 1) -> Variable:
    """1-d convolution: input (batch, channels, width), filters (out, in/groups, width)."""
    return _conv(1, "conv1d", input, filters, input_shape, filter_shape, border_mode, subsample, filter_flip,
                 filter_dilation, num_groups)


def conv2d(input: Any, filters: Any, input_shape: Sequence | None = None, filter_shape: Sequence | None = None,
           border_mode: BorderMode = "valid", subsample: Any = (1, 1), filter_flip: bool = True,
           filter_dilation: Any = (1, 1), num_groups: int = 1) -> Variable:
    """2-d convolution (Theano's nnet.conv2d): input (batch, channels, rows, cols), filters
    (out, in/groups, rows, cols)."""
    return _conv(2, "conv2d", input, filters, input_shape, filter_shape, border_mode, subsample, filter_flip,
                 filter_dilation, num_groups)


def conv3d(input: Any, filters: Any, input_shape: Sequence | None = None, filter_shape: Sequence | None = None,
           border_mode: BorderMode = "valid", subsample: Any = (1, 1, 1), filter_flip: bool = True,
           filter_dilation: Any = (1, 1, 1), num_groups: int = 1) -> Variable:
    """3-d convolution (Theano's nnet.conv3d): input (batch, channels, depth, rows, cols)."""
    return _conv(3, "conv3d", input, filters, input_shape, filter_shape, border_mode, subsample, filter_flip,
                 filter_dilation, num_groups)


def _spatial(shape: Any, n: int, what: str, fn: str) -> Any:
    """The spatial part of a full (batch, channels, *spatial) shape given as a tuple or an int vector."""
    if isinstance(shape, (tuple, list)):
        if len(shape) != n + 2:
            raise ValueError(f"{fn}: {what} must have {n + 2} entries (batch, channels, {n} spatial). "
                             f"Received: {what}={tuple(shape)}")
        return list(shape[2:])
    v = as_variable(shape)
    if v.ndim != 1 or v.type.shape[0] not in (n, n + 2):
        raise ValueError(f"{fn}: {what} must be an int vector of {n + 2} (or {n} spatial) entries, got {describe(v)}")
    return v[2:] if v.type.shape[0] == n + 2 else v


def conv_grad_wrt_inputs(n: int, output_grad: Any, filters: Any, input_shape: Any, filter_shape=None,
                         border_mode: BorderMode = "valid", subsample: Any = None, filter_flip: bool = True,
                         filter_dilation: Any = None, num_groups: int = 1) -> Variable:
    fn = f"conv{n}d_grad_wrt_inputs"
    w = as_variable(filters)
    _check_hint(w, filter_shape, "filter_shape", fn)
    op = CONV_OPS[n][2](n, border_mode, subsample, filter_flip, filter_dilation, num_groups)
    return op(w, output_grad, _spatial(input_shape, n, "input_shape", fn))


def conv_grad_wrt_weights(n: int, input: Any, output_grad: Any, filter_shape: Any, input_shape=None,
                          border_mode: BorderMode = "valid", subsample: Any = None, filter_flip: bool = True,
                          filter_dilation: Any = None, num_groups: int = 1) -> Variable:
    fn = f"conv{n}d_grad_wrt_weights"
    x = as_variable(input)
    _check_hint(x, input_shape, "input_shape", fn)
    op = CONV_OPS[n][1](n, border_mode, subsample, filter_flip, filter_dilation, num_groups)
    return op(x, output_grad, _spatial(filter_shape, n, "filter_shape", fn))


def conv2d_grad_wrt_inputs(output_grad: Any, filters: Any, input_shape: Any, filter_shape: Sequence | None = None,
                           border_mode: BorderMode = "valid", subsample: Any = (1, 1), filter_flip: bool = True,
                           filter_dilation: Any = (1, 1), num_groups: int = 1) -> Variable:
    """The gradient of conv2d with respect to its input (Theano's name); `input_shape` is the full
    (batch, channels, rows, cols) shape of that input."""
    return conv_grad_wrt_inputs(2, output_grad, filters, input_shape, filter_shape, border_mode, subsample,
                                filter_flip, filter_dilation, num_groups)


def conv2d_grad_wrt_weights(input: Any, output_grad: Any, filter_shape: Any, input_shape: Sequence | None = None,
                            border_mode: BorderMode = "valid", subsample: Any = (1, 1), filter_flip: bool = True,
                            filter_dilation: Any = (1, 1), num_groups: int = 1) -> Variable:
    """The gradient of conv2d with respect to its filters; `filter_shape` is the full filter shape."""
    return conv_grad_wrt_weights(2, input, output_grad, filter_shape, input_shape, border_mode, subsample,
                                 filter_flip, filter_dilation, num_groups)


def conv3d_grad_wrt_inputs(output_grad: Any, filters: Any, input_shape: Any, filter_shape: Sequence | None = None,
                           border_mode: BorderMode = "valid", subsample: Any = (1, 1, 1), filter_flip: bool = True,
                           filter_dilation: Any = (1, 1, 1), num_groups: int = 1) -> Variable:
    return conv_grad_wrt_inputs(3, output_grad, filters, input_shape, filter_shape, border_mode, subsample,
                                filter_flip, filter_dilation, num_groups)


def conv3d_grad_wrt_weights(input: Any, output_grad: Any, filter_shape: Any, input_shape: Sequence | None = None,
                            border_mode: BorderMode = "valid", subsample: Any = (1, 1, 1), filter_flip: bool = True,
                            filter_dilation: Any = (1, 1, 1), num_groups: int = 1) -> Variable:
    return conv_grad_wrt_weights(3, input, output_grad, filter_shape, input_shape, border_mode, subsample,
                                 filter_flip, filter_dilation, num_groups)


def conv2d_transpose(input: Any, filters: Any, output_shape: Any, filter_shape: Sequence | None = None,
                     border_mode: BorderMode = "valid", input_dilation: Any = (1, 1), filter_flip: bool = True,
                     filter_dilation: Any = (1, 1), num_groups: int = 1) -> Variable:
    """Transposed convolution (Theano's conv2d_transpose): the input gradient of a conv2d whose
    output is `input`. filters are (input channels, output channels / groups, rows, cols);
    `output_shape` is the full result shape; `input_dilation` is the forward conv's stride."""
    return conv_grad_wrt_inputs(2, input, filters, output_shape, filter_shape, border_mode, input_dilation,
                                filter_flip, filter_dilation, num_groups)


def conv1d_transpose(input: Any, filters: Any, output_shape: Any, filter_shape: Sequence | None = None,
                     border_mode: BorderMode = "valid", input_dilation: Any = (1,), filter_flip: bool = True,
                     filter_dilation: Any = (1,), num_groups: int = 1) -> Variable:
    return conv_grad_wrt_inputs(1, input, filters, output_shape, filter_shape, border_mode, input_dilation,
                                filter_flip, filter_dilation, num_groups)


def conv3d_transpose(input: Any, filters: Any, output_shape: Any, filter_shape: Sequence | None = None,
                     border_mode: BorderMode = "valid", input_dilation: Any = (1, 1, 1), filter_flip: bool = True,
                     filter_dilation: Any = (1, 1, 1), num_groups: int = 1) -> Variable:
    return conv_grad_wrt_inputs(3, input, filters, output_shape, filter_shape, border_mode, input_dilation,
                                filter_flip, filter_dilation, num_groups)
