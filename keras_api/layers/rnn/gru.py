"""GRUCell and GRU (Keras 3): gates z (update), r (reset), h (candidate) along the 3*units axis.

reset_after=True (the default, cuDNN's convention): bias has shape (2, 3*units), row 0 for the
input projection, row 1 for the recurrent one, and the reset gate multiplies the recurrent
projection of the candidate after the matrix product:
    hh = activation(x_h + r * (h_{t-1} @ U_h + b_rec_h));  h_t = z * h_{t-1} + (1 - z) * hh
"""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import InputSpec, Layer
from ._common import add_cell_kernels, as_var, cell_weight_config, set_cell_arguments
from .dropout_rnn_cell import DropoutRNNCell
from .rnn import CellLayer
from .simple_rnn import CELL_ARGS


class GRUCell(Layer, DropoutRNNCell):
    """Keras 3's GRUCell (weights kernel (in, 3u), recurrent_kernel (u, 3u), bias (2, 3u) or (3u,))."""

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, reset_after: bool = True,
                 seed: int | None = None, **kwargs: Any) -> None:
        self.implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        set_cell_arguments(self, locals())
        self.reset_after = reset_after
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape: Any) -> None:
        u = self.units
        add_cell_kernels(self, input_shape[-1], 3 * u)
        if self.use_bias:
            shape = (2, 3 * u) if self.reset_after else (3 * u,)
            self.bias = self.add_weight(shape=shape, name="bias", initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def _biases(self) -> tuple:
        if self.bias is None:
            return None, None
        b = self.bias.value
        return (b[0], b[1]) if self.reset_after else (b, None)

    def project_inputs(self, inputs: Any, training: bool = False) -> Any:
        x = as_var(inputs)
        dp = self.get_dropout_mask(x) if training and self.dropout > 0 else None
        if dp is not None:
            x = x * dp
        m = sn.matmul(x, self.kernel.value)
        b_in, _ = self._biases()
        return m + b_in if b_in is not None else m

    def step_projected(self, m_x: Any, states: Any, training: bool = False) -> tuple:
        h_tm1 = states[0] if isinstance(states, (list, tuple)) else states
        h_in = h_tm1
        rec = self.get_recurrent_dropout_mask(h_tm1) if training and self.recurrent_dropout > 0 else None
        if rec is not None:
            h_in = h_tm1 * rec
        u = self.units
        _, b_rec = self._biases()
        x_z, x_r, x_h = m_x[:, :u], m_x[:, u:2 * u], m_x[:, 2 * u:]
        U = self.recurrent_kernel.value
        if self.reset_after:
            inner = sn.matmul(h_in, U)
            if b_rec is not None:
                inner = inner + b_rec
            z = self.recurrent_activation(x_z + inner[:, :u])
            r = self.recurrent_activation(x_r + inner[:, u:2 * u])
            hh = self.activation(x_h + r * inner[:, 2 * u:])
        else:
            inner = sn.matmul(h_in, U[:, :2 * u])
            z = self.recurrent_activation(x_z + inner[:, :u])
            r = self.recurrent_activation(x_r + inner[:, u:2 * u])
            hh = self.activation(x_h + sn.matmul(r * h_in, U[:, 2 * u:]))
        h = z * h_tm1 + (1 - z) * hh
        return h, ([h] if isinstance(states, (list, tuple)) else h)

    def call(self, inputs: Any, states: Any, training: bool = False) -> tuple:
        return self.step_projected(self.project_inputs(inputs, training), states, training)

    def get_initial_state(self, batch_size: Any = None) -> list:
        return [sn.zeros((batch_size, self.state_size), dtype=self.compute_dtype)]

    def get_config(self) -> dict:
        from ... import activations
        config = {
            "units": self.units, "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation), "use_bias": self.use_bias,
            **cell_weight_config(self),
            "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
            "reset_after": self.reset_after, "seed": self.seed,
        }
        return {**super().get_config(), **config}


class GRU(CellLayer):
    """Keras 3's GRU layer (Cho et al. 2014) over one GRUCell."""

    _cell_args = CELL_ARGS + ("recurrent_activation", "reset_after")

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 seed: int | None = None, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False, reset_after: bool = True,
                 use_cudnn: Any = "auto", **kwargs: Any) -> None:
        cell = GRUCell(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                       kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                       bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                       recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                       kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                       bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                       reset_after=reset_after, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                       name="gru_cell", seed=seed, implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)
        if use_cudnn not in ("auto", True, False):
            raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one of {'auto', True, "
                             f"False}}. Received: use_cudnn={use_cudnn}")
        self.use_cudnn = use_cudnn
