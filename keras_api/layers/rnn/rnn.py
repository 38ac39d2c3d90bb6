"""RNN: a cell run over the time axis as one symnet scan.

Built-in cells (SimpleRNNCell, LSTMCell, GRUCell) split their step into an input half
(``project_inputs``) and a recurrent half (``step_projected``): the layer projects all time steps
with one matrix product before the loop (x reshaped to (T*B, F) @ kernel: one GEMM), and the
loop carries only the recurrent matrix product. Any other cell (Keras's cell protocol: ``call(
inputs, states) -> (output, new_states)``, ``state_size``) runs whole inside the step.

Masks (Keras 3): at a masked step the states keep their previous values and the output repeats
the previous output (the first state), or is zero with zero_output_for_mask=True.
"""
from __future__ import annotations

from typing import Any

import numpy as np

import symnet as sn

from ..base import Layer, current_context, flatten
from ._common import as_var, dim


def _nested(x: Any) -> bool:
    return isinstance(x, (list, tuple))


class RNN(Layer):
    """Keras 3's RNN(cell, return_sequences, return_state, go_backwards, stateful, unroll,
    zero_output_for_mask). A list of cells becomes a StackedRNNCells."""

    def __init__(self, cell: Any, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs: Any) -> None:
        if isinstance(cell, (list, tuple)):
            from .stacked_rnn_cells import StackedRNNCells
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: cell={cell}")
        if "state_size" not in dir(cell):
            raise ValueError("The RNN cell should have a `state_size` attribute (single integer or list of "
                             f"integers, one integer per RNN state). Received: cell={cell}")
        super().__init__(**kwargs)
        self.zero_output_for_mask = zero_output_for_mask
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll     # accepted: the loop is a scan either way
        self.supports_masking = True
        self.input_spec = None
        self.states = None
        state_size = getattr(self.cell, "state_size", None)
        if state_size is None:
            raise ValueError("state_size must be specified as property on the RNN cell.")
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError("state_size must be an integer, or a list/tuple of integers (one for each state "
                             "tensor).")
        self.single_state = isinstance(state_size, int)
        self.state_size = [state_size] if self.single_state else list(state_size)

    # -- shapes and masks -----------------------------------------------------------------
    def _output_size(self) -> int:
        size = getattr(self.cell, "output_size", None)
        return size if size is not None else self.state_size[0]

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None) -> Any:
        batch, length = sequences_shape[0], sequences_shape[1]
        out = (batch, length, self._output_size()) if self.return_sequences else (batch, self._output_size())
        if self.return_state:
            return (out, *[(batch, s) for s in self._flat_state_sizes()])
        return out

    def compute_mask(self, _: Any, mask: Any) -> Any:
        mask = flatten(mask)[0] if mask is not None else None
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None for _ in self._flat_state_sizes()]
        return out

    def _flat_state_sizes(self) -> list[int]:
        return [s for e in self.state_size for s in (e if _nested(e) else [e])]

    # -- building ---------------------------------------------------------------------------
    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        if isinstance(sequences_shape, list) and sequences_shape and _nested(sequences_shape[0]):
            sequences_shape = sequences_shape[0]
        if len(sequences_shape) < 3:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected ndim=3, '
                             f"found ndim={len(sequences_shape)}. Full shape received: {tuple(sequences_shape)}")
        step_shape = (sequences_shape[0],) + tuple(sequences_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            with sn.name_scope(self.cell.name):
                self.cell.build(step_shape)
            self.cell.built = True
            self.cell._build_shapes = step_shape
        for w in getattr(self.cell, "weights", []):
            if not w.path.startswith(self.name + "/"):
                w.path = f"{self.name}/{w.path}"
        if self.stateful:
            if sequences_shape[0] is None:
                raise ValueError("When using `stateful=True` in a RNN, the batch size must be static. Found dynamic "
                                 f"batch size: sequence.shape={tuple(sequences_shape)}")
            if self.states is None:   # not layer weights (Keras does not track or save them)
                from ..base import KerasVariable
                self.states = [KerasVariable(np.zeros((sequences_shape[0], s), self.variable_dtype), name="rnn_state",
                                             path=f"{self.name}/rnn_state", trainable=False)
                               for s in self._flat_state_sizes()]
        self.built = True

    def _sublayers(self) -> list:
        return [self.cell] if isinstance(self.cell, Layer) else []

    def get_initial_state(self, batch_size: Any) -> list:
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is not None:
            init = fn(batch_size=batch_size)
            return flatten(init) if _nested(init) else [init]
        return [sn.zeros((batch_size, d), dtype=getattr(self.cell, "compute_dtype", self.compute_dtype))
                for d in self.state_size]

    def reset_states(self) -> None:
        self.reset_state()

    def reset_state(self) -> None:
        if self.states is not None:
            for v in self.states:
                v.assign(np.zeros(v.shape, v.dtype))

    # -- the loop ------------------------------------------------------------------------
    def call(self, sequences: Any, initial_state: Any = None, mask: Any = None, training: bool = False) -> Any:
        x = as_var(sequences)
        if x.dtype != self.compute_dtype and x.dtype.startswith("float"):
            x = sn.cast(x, self.compute_dtype)
        if _nested(mask):
            mask = mask[0]
        if initial_state is None:
            initial_state = [v.value for v in self.states] if self.stateful else self.get_initial_state(x.shape[0])
        if not _nested(initial_state):
            initial_state = [initial_state]
        init = [as_var(s) for s in initial_state]
        init = [sn.cast(s, self.compute_dtype) if s.dtype != self.compute_dtype else s for s in init]
        last, outputs, states = self.inner_loop(x, init, mask, bool(training))
        if self.stateful:
            for var, new in zip(self.states, states):
                self.add_state_update(var, new)
        output = outputs if self.return_sequences else last
        if self.return_state:
            return [output, *states]
        return output

    def _pack_states(self, flat: list) -> Any:
        out, i = [], 0
        for e in self.state_size:
            if _nested(e):
                out.append(list(flat[i:i + len(e)]))
                i += len(e)
            else:
                out.append(flat[i])
                i += 1
        return out

    def _call_cell(self, x_t: Any, states: list, training: bool, projected: bool) -> tuple:
        if projected:
            return self.cell.step_projected(x_t, states, training=training)
        kwargs = {}
        if isinstance(self.cell, Layer) and self.cell._call_has_training:
            kwargs["training"] = training
        if isinstance(self.cell, Layer):
            return self.cell(x_t, states, **kwargs)
        return self.cell.call(x_t, states, **kwargs)

    def inner_loop(self, x: Any, init: list, mask: Any, training: bool) -> tuple:
        """(last output, outputs (batch, time, ...), final states) of the loop over x's time axis."""
        cell = self.cell
        projected = hasattr(cell, "project_inputs") and hasattr(cell, "step_projected")
        cfg = getattr(cell, "_configure_dropout", None)
        if training and cfg is not None:
            cfg(x[:, 0], init)
        elif training and hasattr(cell, "get_dropout_mask"):
            cell.get_dropout_mask(x[:, 0])
            cell.get_recurrent_dropout_mask(init[0])
        try:
            time_major = sn.dimshuffle(x, [1, 0] + list(range(2, x.ndim)))
            if projected:
                dp = cell.get_dropout_mask(x[:, 0]) if training and getattr(cell, "dropout", 0) > 0 else None
                if dp is not None:   # one mask per sequence, the same at every step
                    time_major = time_major * dp
                t, b = time_major.shape[0], time_major.shape[1]
                flat = sn.reshape(time_major, [t * b] + [dim(time_major, i) for i in range(2, x.ndim)], ndim=x.ndim - 1)
                proj = cell.project_inputs(flat, training=False)   # dropout applied above
                seq = sn.reshape(proj, [t, b, dim(proj, proj.ndim - 1)], ndim=3)
            else:
                seq = time_major
            seqs = [seq]
            if mask is not None:
                m = as_var(mask)
                m = sn.neq(m, 0) if m.dtype != "bool" else m
                seqs.append(sn.dimshuffle(m, [1, 0]))
            n_states = len(init)
            nested = not self.single_state

            def step(x_t, *rest):
                m_t = rest[0] if mask is not None else None
                flat_states = list(rest[1:] if mask is not None else rest)[:n_states]
                states_arg = self._pack_states(flat_states) if nested else [flat_states[0]]
                out, new_states = self._call_cell(x_t, states_arg, training, projected)
                new_flat = [as_var(s) for s in flatten(new_states)] if _nested(new_states) else [as_var(new_states)]
                out = as_var(out)
                if m_t is not None:
                    keep = sn.expand_dims(m_t, -1)
                    stacked = any(_nested(e) for e in self.state_size)
                    prev_out = flatten(states_arg[-1])[0] if stacked else flat_states[0]
                    if self.zero_output_for_mask:
                        out = sn.switch(keep, out, sn.zeros_like(out))
                    else:
                        out = sn.switch(keep, out, prev_out)
                    new_flat = [sn.switch(keep, n, s) for n, s in zip(new_flat, flat_states)]
                new_flat = [sn.cast(n, s.dtype) if n.dtype != s.dtype else n for n, s in zip(new_flat, flat_states)]
                return [out] + new_flat

            results, updates = sn.scan(step, sequences=seqs, outputs_info=[None] + init,
                                       go_backwards=self.go_backwards, name=f"{self.name}_loop", return_list=True)
        finally:
            if hasattr(cell, "reset_dropout_mask"):
                cell.reset_dropout_mask()
                cell.reset_recurrent_dropout_mask()
            rst = getattr(cell, "_reset_dropout", None)
            if rst is not None:
                rst()
        ctx = current_context()
        if ctx is not None:
            for var, val in updates.items():
                ctx.updates.append((var, val))
        outputs_tm = results[0]
        last = outputs_tm[-1]
        states = [r[-1] for r in results[1:]]
        outputs = sn.dimshuffle(outputs_tm, [1, 0] + list(range(2, outputs_tm.ndim)))
        if x.type.shape[1] is not None:   # keep the static length (summary, downstream builds)
            outputs = sn.reshape(outputs, [dim(x, 0), x.type.shape[1]] + [dim(outputs, i) for i in
                                                                      range(2, outputs.ndim)], ndim=outputs.ndim)
        return last, outputs, states

    # -- config ---------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {
            "return_sequences": self.return_sequences, "return_state": self.return_state,
            "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        }
        cell = self.cell
        config["cell"] = {"module": "keras.layers", "class_name": type(cell).__name__,
                          "config": cell.get_config() if hasattr(cell, "get_config") else {},
                          "registered_name": None}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "RNN":
        config = dict(config)
        cell = config.pop("cell")
        if isinstance(cell, dict):
            from .. import rnn as rnn_pkg
            klass = (custom_objects or {}).get(cell["class_name"]) or getattr(rnn_pkg, cell["class_name"])
            cell = klass.from_config(cell["config"])
        return cls(cell, **config)


class CellLayer(RNN):
    """Base of SimpleRNN/LSTM/GRU: the cell's arguments are the layer's, get_config flattens them."""

    _cell_args: tuple = ()
    _config_drops: tuple = ()

    def get_config(self) -> dict:
        from ..dense import _ser
        from ... import regularizers
        base = super().get_config()
        del base["cell"]
        cell_cfg = {k: v for k, v in self.cell.get_config().items() if k not in ("name", "trainable", "dtype")}
        cell_cfg["activity_regularizer"] = _ser(regularizers, self.activity_regularizer)
        for key in self._config_drops:
            cell_cfg.pop(key, None)
        return {**base, **cell_cfg}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "RNN":
        return cls(**config)

    def __getattr__(self, name: str) -> Any:
        if name in type(self)._cell_args or name in ("units", "unit_forget_bias", "reset_after",
                                                      "recurrent_activation", "implementation"):
            cell = self.__dict__.get("cell")
            if cell is not None:
                return getattr(cell, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
