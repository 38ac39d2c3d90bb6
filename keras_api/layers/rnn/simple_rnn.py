"""SimpleRNNCell and SimpleRNN: h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import InputSpec, Layer
from ._common import add_cell_kernels, as_var, cell_weight_config, set_cell_arguments
from .dropout_rnn_cell import DropoutRNNCell
from .rnn import CellLayer


class SimpleRNNCell(Layer, DropoutRNNCell):
    """Keras 3's SimpleRNNCell (weights kernel, recurrent_kernel, bias)."""

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", recurrent_initializer: Any = "orthogonal",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        set_cell_arguments(self, locals())
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape: Any) -> None:
        add_cell_kernels(self, input_shape[-1], self.units)
        self.bias = self.add_weight(shape=(self.units,), name="bias", initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint) \
            if self.use_bias else None
        self.built = True

    # the input half of the step, done for all time steps at once by the RNN layer
    def project_inputs(self, inputs: Any, training: bool = False) -> Any:
        x = as_var(inputs)
        dp = self.get_dropout_mask(x) if training and self.dropout > 0 else None
        if dp is not None:
            x = x * dp
        h = sn.matmul(x, self.kernel.value)
        return h + self.bias.value if self.bias is not None else h

    def step_projected(self, h: Any, states: Any, training: bool = False) -> tuple:
        prev = states[0] if isinstance(states, (list, tuple)) else states
        rec = self.get_recurrent_dropout_mask(prev) if training and self.recurrent_dropout > 0 else None
        if rec is not None:
            prev = prev * rec
        out = h + sn.matmul(prev, self.recurrent_kernel.value)
        if self.activation is not None:
            out = self.activation(out)
        return out, ([out] if isinstance(states, (list, tuple)) else out)

    def call(self, sequence: Any, states: Any, training: bool = False) -> tuple:
        return self.step_projected(self.project_inputs(sequence, training), states, training)

    def get_initial_state(self, batch_size: Any = None) -> list:
        return [sn.zeros((batch_size, self.state_size), dtype=self.compute_dtype)]

    def get_config(self) -> dict:
        from ... import activations
        config = {
            "units": self.units, "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
            **cell_weight_config(self),
            "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout, "seed": self.seed,
        }
        return {**super().get_config(), **config}


CELL_ARGS = ("activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",
             "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
             "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed")


class SimpleRNN(CellLayer):
    """Keras 3's SimpleRNN: an RNN over one SimpleRNNCell, with the cell's arguments."""

    _cell_args = CELL_ARGS
    _config_drops = ("seed",)   # Keras 3's SimpleRNN.get_config has no seed

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", recurrent_initializer: Any = "orthogonal",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False, seed: int | None = None,
                 **kwargs: Any) -> None:
        cell = SimpleRNNCell(units, activation=activation, use_bias=use_bias,
                             kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                             bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                             recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                             kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                             bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                             seed=seed, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                             name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)
