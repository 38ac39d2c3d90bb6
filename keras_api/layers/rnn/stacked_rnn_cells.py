"""StackedRNNCells: several cells run as one, each feeding its output to the next (Keras 3)."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import Layer, flatten


def _nested(x: Any) -> bool:
    return isinstance(x, (list, tuple))


class StackedRNNCells(Layer):
    """Keras 3's StackedRNNCells(cells): state_size is one entry per cell."""

    def __init__(self, cells: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell):
                raise ValueError(f"All cells must have a `call` method. Received cell without a `call` method: {cell}")
            if "state_size" not in dir(cell):
                raise ValueError("All cells must have a `state_size` attribute. Received cell without a "
                                 f"`state_size`: {cell}")
        self.cells = list(cells)

    @property
    def state_size(self) -> list:
        return [c.state_size for c in self.cells]

    @property
    def output_size(self) -> int:
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        return last.state_size[0] if _nested(last.state_size) else last.state_size

    def _sublayers(self) -> list:
        return [c for c in self.cells if isinstance(c, Layer)]

    def get_initial_state(self, batch_size: Any = None) -> list:
        out = []
        for c in self.cells:
            fn = getattr(c, "get_initial_state", None)
            if fn is not None:
                init = fn(batch_size=batch_size)
            else:
                sizes = c.state_size if _nested(c.state_size) else [c.state_size]
                init = [sn.zeros((batch_size, d), dtype=self.compute_dtype) for d in sizes]
            out.append(list(init) if _nested(init) else [init])
        return out

    def build(self, input_shape: Any) -> None:
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                with sn.name_scope(cell.name):
                    cell.build(input_shape)
                cell.built = True
            size = getattr(cell, "output_size", None)
            if size is None:
                size = cell.state_size[0] if _nested(cell.state_size) else cell.state_size
            input_shape = tuple(input_shape[:-1]) + (size,)
        self.built = True

    # dropout masks of each cell, drawn once per sequence (shapes: each cell's input and state)
    def _configure_dropout(self, x0: Any, init: list) -> None:
        x = x0
        i = 0
        for cell in self.cells:
            sizes = cell.state_size if _nested(cell.state_size) else [cell.state_size]
            if hasattr(cell, "get_dropout_mask"):
                cell.get_dropout_mask(x)
                cell.get_recurrent_dropout_mask(init[i])
            x = sn.zeros_like(init[i]) if getattr(cell, "output_size", None) in (None, sizes[0]) else \
                sn.zeros((x0.shape[0], cell.output_size), dtype=x0.dtype)
            i += len(sizes)

    def _reset_dropout(self) -> None:
        for cell in self.cells:
            if hasattr(cell, "reset_dropout_mask"):
                cell.reset_dropout_mask()
                cell.reset_recurrent_dropout_mask()

    def call(self, inputs: Any, states: Any, training: bool = False) -> tuple:
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            cell_states = list(cell_states) if _nested(cell_states) else [cell_states]
            kwargs = {"training": training} if isinstance(cell, Layer) and cell._call_has_training else {}
            if isinstance(cell, Layer):
                inputs, new = cell(inputs, cell_states, **kwargs)
            else:
                inputs, new = cell.call(inputs, cell_states, **kwargs)
            new_states.append(list(new) if _nested(new) else [new])
        return inputs, new_states

    def get_config(self) -> dict:
        cells = [{"module": "keras.layers", "class_name": type(c).__name__, "config": c.get_config(),
                  "registered_name": None} for c in self.cells]
        return {**super().get_config(), "cells": cells}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "StackedRNNCells":
        from .. import rnn as rnn_pkg
        config = dict(config)
        cells = []
        for c in config.pop("cells"):
            klass = (custom_objects or {}).get(c["class_name"]) or getattr(rnn_pkg, c["class_name"])
            cells.append(klass.from_config(c["config"]))
        return cls(cells, **config)


del flatten
