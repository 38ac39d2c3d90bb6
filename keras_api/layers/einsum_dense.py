"""EinsumDense: einsum(equation, inputs, kernel) + bias, with Keras's kernel/bias shape rules."""
from __future__ import annotations

import re
from typing import Any

import symnet as sn

from .base import InputSpec, Layer
from .dense import _ser


def analyze_einsum_string(equation: str, bias_axes: str | None, input_shape: tuple,
                          output_shape: Any) -> tuple[list, list | None, list, list, list]:
    """Keras's rule: (kernel shape, bias shape, full output shape, kernel input axes, kernel output axes)
    for equations of the forms 'ab,bc->ac', '...ab,bc->...ac' and 'ab...,bc->ac...'."""
    replaced = re.sub(r"\.\.\.", "0", equation)
    for pattern, left in (("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", False),
                          ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$", True),
                          ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$", False)):
        m = re.match(pattern, replaced)
        if m:
            return _analyze_split(m.group(1), m.group(2), m.group(3), bias_axes, input_shape, output_shape, left)
    raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form "
                     "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")


def _analyze_split(input_spec: str, weight_spec: str, output_spec: str, bias_axes: str | None,
                   input_shape: tuple, output_shape: Any, left_elided: bool) -> tuple:
    elided = len(input_shape) - len(input_spec)
    out = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    out.insert(0, input_shape[0])
    if elided > 0 and left_elided:
        for i in range(1, elided):
            out.insert(1, input_shape[i])
    elif elided > 0:
        out.extend(input_shape[len(input_shape) - elided:])
    if left_elided:
        in_map = {c: i + elided - len(input_shape) for i, c in enumerate(input_spec)}
        out_map = {c: i + elided for i, c in enumerate(output_spec)}
    else:
        in_map = {c: i for i, c in enumerate(input_spec)}
        out_map = {c: i for i, c in enumerate(output_spec)}
    for c in input_spec:
        if c in out_map and out[out_map[c]] is not None and out[out_map[c]] != input_shape[in_map[c]]:
            raise ValueError(f"Input shape and output shape do not match at shared dimension '{c}'. Input shape "
                             f"is {input_shape[in_map[c]]}, and output shape is {out[out_map[c]]}.")
    for c in output_spec:
        if c not in input_spec and c not in weight_spec:
            raise ValueError(f"Dimension '{c}' was specified in the output '{output_spec}' but has no "
                             f"corresponding dim in the input spec '{input_spec}' or weight spec '{output_spec}'")
    kernel, in_axes, out_axes = [], [], []
    for i, c in enumerate(weight_spec):
        if c in out_map:
            kernel.append(out[out_map[c]])
            out_axes.append(i)
        elif c in in_map:
            kernel.append(input_shape[in_map[c]])
            in_axes.append(i)
        else:
            raise ValueError(f"Weight dimension '{c}' did not have a match in either the input spec "
                             f"'{input_spec}' or the output spec '{output_spec}'. For this layer, the weight must "
                             "be fully specified.")
    bias = None
    if bias_axes is not None:
        shift = elided if left_elided else 0
        sizes = {c: out[i + shift] for i, c in enumerate(output_spec)}
        for c in bias_axes:
            if c not in output_spec:
                raise ValueError(f"Bias dimension '{c}' was requested, but is not part of the output spec "
                                 f"'{output_spec}'")
        first = min(output_spec.find(c) for c in bias_axes)
        bias = [sizes[c] if c in bias_axes else 1 for c in output_spec[first:]]
        if not left_elided:
            bias.extend([1] * elided)
    return kernel, bias, out, in_axes, out_axes


class EinsumDense(Layer):
    """Keras's EinsumDense: `equation` contracts the input with a kernel whose shape follows from the
    equation, the input shape and `output_shape`; `bias_axes` names the output axes that get a bias."""

    def __init__(self, equation: str, output_shape: Any, activation: Any = None, bias_axes: str | None = None,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, lora_rank: int | None = None, lora_alpha: float | None = None,
                 **kwargs: Any) -> None:
        kwargs.pop("quantization_config", None)
        kwargs.pop("gptq_unpacked_column_size", None)
        super().__init__(**kwargs)
        from .. import activations, constraints, initializers, regularizers
        if lora_rank:
            raise NotImplementedError("keras_api.layers.EinsumDense: lora_rank is not supported")
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer) if kernel_regularizer is not None else None
        self.bias_regularizer = regularizers.get(bias_regularizer) if bias_regularizer is not None else None
        self.kernel_constraint = constraints.get(kernel_constraint) if kernel_constraint is not None else None
        self.bias_constraint = constraints.get(bias_constraint) if bias_constraint is not None else None
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        from .. import initializers
        kernel_shape, bias_shape, _, in_axes, out_axes = analyze_einsum_string(
            self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape)
        if any(d is None for d in kernel_shape):
            raise ValueError(f"Layer {self.name!r}: the kernel shape {tuple(kernel_shape)} of equation "
                             f"{self.equation!r} is not fully known from input shape {tuple(input_shape)} and "
                             f"output_shape={self.partial_output_shape}")
        self.input_spec = InputSpec(ndim=len(input_shape))
        init = self.kernel_initializer
        if isinstance(init, initializers.VarianceScaling) and (init.input_axes is None or init.output_axes is None):
            config = dict(init.get_config(), input_axes=in_axes, output_axes=out_axes)
            init = type(init).from_config(config)
        self._kernel = self.add_weight(name="kernel", shape=tuple(kernel_shape), initializer=init,
                                       regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if bias_shape is not None:
            self.bias = self.add_weight(name="bias", shape=tuple(bias_shape), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    @property
    def kernel(self) -> Any:
        if not self.built:
            raise AttributeError("You must build the layer before accessing `kernel`.")
        return self._kernel

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        x = sn.graph.as_variable(inputs)
        if x.dtype != self.compute_dtype:
            x = sn.cast(x, self.compute_dtype)
        x = sn.einsum(self.equation, x, self._kernel.value)
        if self.bias is not None:
            x = x + self.bias.value
        return self.activation(x)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        _, _, full, _, _ = analyze_einsum_string(self.equation, self.bias_axes, tuple(input_shape),
                                                 self.partial_output_shape)
        return tuple(full)

    def get_config(self) -> dict:
        from .. import activations, constraints, initializers, regularizers
        config = super().get_config()
        config.update({
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": _ser(initializers, self.kernel_initializer),
            "bias_initializer": _ser(initializers, self.bias_initializer),
            "kernel_regularizer": _ser(regularizers, self.kernel_regularizer),
            "bias_regularizer": _ser(regularizers, self.bias_regularizer),
            "activity_regularizer": _ser(regularizers, self.activity_regularizer),
            "kernel_constraint": _ser(constraints, self.kernel_constraint),
            "bias_constraint": _ser(constraints, self.bias_constraint),
            "quantization_config": None,
        })
        return config
