"""Bidirectional: a recurrent layer run forwards and a copy run backwards, outputs merged."""
from __future__ import annotations

import copy
from typing import Any

import symnet as sn

from ..base import Layer, flatten

MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _clone_layer(layer: Layer, name: str, go_backwards: bool) -> Layer:
    config = layer.get_config()
    config["name"] = name
    config["go_backwards"] = go_backwards
    return type(layer).from_config(config)


class Bidirectional(Layer):
    """Keras 3's Bidirectional(layer, merge_mode='concat', weights=None, backward_layer=None)."""

    def __init__(self, layer: Any, merge_mode: str | None = "concat", weights: Any = None,
                 backward_layer: Any = None, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"`backward_layer` need to be a `keras.layers.Layer` instance. Received: {backward_layer}")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                             '{"sum", "mul", "ave", "concat", None}')
        super().__init__(**kwargs)
        base = layer.name[len("forward_"):] if layer.name.startswith("forward_") else layer.name
        self.forward_layer = _clone_layer(layer, "forward_" + base, layer.go_backwards)
        if backward_layer is None:
            self.backward_layer = _clone_layer(layer, "backward_" + base, not layer.go_backwards)
        else:
            self.backward_layer = backward_layer
            for attr in ("return_sequences", "return_state"):
                if getattr(layer, attr) != getattr(backward_layer, attr):
                    raise ValueError("Forward layer and backward layer should have the same `return_sequences` "
                                     "and `return_state`. " f"Received: forward_layer.{attr}={getattr(layer, attr)}, "
                                     f"backward_layer.{attr}={getattr(backward_layer, attr)}")
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = getattr(layer, "stateful", False)
        self.supports_masking = True
        self._initial_weights = weights
        self.input_spec = getattr(layer, "input_spec", None)

    def _sublayers(self) -> list:
        return [self.forward_layer, self.backward_layer]

    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        for layer in (self.forward_layer, self.backward_layer):
            if not layer.built:
                layer._maybe_build(sequences_shape)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None
        self.built = True

    def call(self, sequences: Any, initial_state: Any = None, mask: Any = None, training: bool | None = None) -> Any:
        kwargs = {"training": training}
        if mask is not None:
            kwargs["mask"] = mask
        fw_state = bw_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            fw_state, bw_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=fw_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=bw_state, **kwargs)
        if self.return_state:
            y, states = y[0], list(y[1:])
            y_rev, states_rev = y_rev[0], list(y_rev[1:])
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]
        if self.merge_mode == "concat":
            out = sn.concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            out = y + y_rev
        elif self.merge_mode == "ave":
            out = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            out = y * y_rev
        else:
            out = [y, y_rev]
        if self.return_state:
            outs = out if isinstance(out, list) else [out]
            return outs + states + states_rev
        return out

    def compute_mask(self, _: Any, mask: Any) -> Any:
        mask = flatten(mask)[0] if mask is not None else None
        out = mask if self.return_sequences else None
        if self.merge_mode is None:
            out = [out, out]
        if self.return_state:
            n = len(self.forward_layer._flat_state_sizes()) * 2
            return (out if isinstance(out, list) else [out]) + [None] * n
        return out

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None) -> Any:
        fw = self.forward_layer.compute_output_shape(sequences_shape)
        if self.return_state:
            out, states = fw[0], list(fw[1:])
        else:
            out, states = fw, []
        if self.merge_mode == "concat":
            out = tuple(out[:-1]) + (out[-1] * 2,)
        elif self.merge_mode is None:
            out = [out, copy.copy(out)]
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + states + copy.copy(states)
        return out

    def reset_states(self) -> None:
        self.reset_state()

    def reset_state(self) -> None:
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def get_config(self) -> dict:
        def ser(layer: Layer) -> dict:
            return {"module": "keras.layers", "class_name": type(layer).__name__, "config": layer.get_config(),
                    "registered_name": None}
        config = {"merge_mode": self.merge_mode, "layer": ser(self.forward_layer),
                  "backward_layer": ser(self.backward_layer)}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Bidirectional":
        from .. import rnn as rnn_pkg
        config = dict(config)

        def de(c: dict) -> Layer:
            klass = (custom_objects or {}).get(c["class_name"]) or getattr(rnn_pkg, c["class_name"])
            return klass.from_config(c["config"])
        layer = de(config.pop("layer"))
        back = config.pop("backward_layer", None)
        return cls(layer, backward_layer=de(back) if back is not None else None, **config)
