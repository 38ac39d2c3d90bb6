"""LSTMCell and LSTM (Keras 3): gates i, f, c, o in that order along the 4*units axis.

    z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias
    i, f, o = recurrent_activation(z_i, z_f, z_o);  c_t = f * c_{t-1} + i * activation(z_c)
    h_t = o * activation(c_t)
"""
from __future__ import annotations

from typing import Any

import numpy as np

import symnet as sn

from ..base import InputSpec, Layer
from ._common import add_cell_kernels, as_var, cell_weight_config, set_cell_arguments
from .dropout_rnn_cell import DropoutRNNCell
from .rnn import CellLayer
from .simple_rnn import CELL_ARGS


class _ForgetBiasInitializer:
    """Keras's unit_forget_bias: the bias initializer's values with ones for the forget gate."""

    def __init__(self, base: Any, units: int) -> None:
        self.base, self.units = base, units

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        u = self.units
        return np.concatenate([np.asarray(self.base((u,), dtype=dtype)), np.ones((u,), dtype=dtype),
                               np.asarray(self.base((2 * u,), dtype=dtype))])


class LSTMCell(Layer, DropoutRNNCell):
    """Keras 3's LSTMCell (weights kernel (in, 4u), recurrent_kernel (u, 4u), bias (4u,))."""

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        self.implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        set_cell_arguments(self, locals())
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def build(self, input_shape: Any) -> None:
        u = self.units
        add_cell_kernels(self, input_shape[-1], 4 * u)
        if self.use_bias:
            init = _ForgetBiasInitializer(self.bias_initializer, u) if self.unit_forget_bias else self.bias_initializer
            self.bias = self.add_weight(shape=(4 * u,), name="bias", initializer=init,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def project_inputs(self, inputs: Any, training: bool = False) -> Any:
        x = as_var(inputs)
        dp = self.get_dropout_mask(x) if training and self.dropout > 0 else None
        if dp is not None:
            x = x * dp
        z = sn.matmul(x, self.kernel.value)
        return z + self.bias.value if self.bias is not None else z

    def step_projected(self, z_x: Any, states: Any, training: bool = False) -> tuple:
        h_tm1, c_tm1 = states[0], states[1]
        rec = self.get_recurrent_dropout_mask(h_tm1) if training and self.recurrent_dropout > 0 else None
        if rec is not None:
            h_tm1 = h_tm1 * rec
        z = z_x + sn.matmul(h_tm1, self.recurrent_kernel.value)
        u = self.units
        i = self.recurrent_activation(z[:, :u])
        f = self.recurrent_activation(z[:, u:2 * u])
        c = f * c_tm1 + i * self.activation(z[:, 2 * u:3 * u])
        o = self.recurrent_activation(z[:, 3 * u:])
        h = o * self.activation(c)
        return h, [h, c]

    def call(self, inputs: Any, states: Any, training: bool = False) -> tuple:
        return self.step_projected(self.project_inputs(inputs, training), states, training)

    def get_initial_state(self, batch_size: Any = None) -> list:
        return [sn.zeros((batch_size, d), dtype=self.compute_dtype) for d in self.state_size]

    def get_config(self) -> dict:
        from ... import activations
        config = {
            "units": self.units, "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation), "use_bias": self.use_bias,
            "unit_forget_bias": self.unit_forget_bias,
            **cell_weight_config(self),
            "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout, "seed": self.seed,
        }
        return {**super().get_config(), **config}


class LSTM(CellLayer):
    """Keras 3's LSTM layer (Hochreiter 1997) over one LSTMCell."""

    _cell_args = CELL_ARGS + ("recurrent_activation", "unit_forget_bias")

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False, stateful: bool = False,
                 unroll: bool = False, use_cudnn: Any = "auto", **kwargs: Any) -> None:
        cell = LSTMCell(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                        kernel_initializer=kernel_initializer, unit_forget_bias=unit_forget_bias,
                        recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                        kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                        bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                        recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                        dropout=dropout, recurrent_dropout=recurrent_dropout, dtype=kwargs.get("dtype"),
                        trainable=kwargs.get("trainable", True), name="lstm_cell", seed=seed,
                        implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)
        if use_cudnn not in ("auto", True, False):
            raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one of {'auto', True, "
                             f"False}}. Received: use_cudnn={use_cudnn}")
        self.use_cudnn = use_cudnn
