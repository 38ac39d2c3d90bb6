"""model.save_weights / load_weights in Keras 3's ``.weights.h5`` layout:
``layers/<class_snake>[_N]/vars/0, 1, ...`` (group attribute ``name`` = the layer's name), nested
models as ``layers/<model>/layers/...``, ``optimizer/vars/0..`` when the optimizer is built. The file is
written to a temporary name in the same directory and moved into place with os.replace."""
from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np

from .._names import snake_case


def _child_keys(layers: list) -> list[tuple[str, Any]]:
    counts: dict[str, int] = {}
    out = []
    for layer in layers:
        base = snake_case(type(layer).__name__)
        n = counts.get(base, 0)
        counts[base] = n + 1
        out.append((base if n == 0 else f"{base}_{n}", layer))
    return out


def _own_vars(layer: Any) -> list:
    return list(layer._trainable_variables) + list(layer._non_trainable_variables)


def _save_layer(group: Any, layer: Any) -> None:
    group.attrs["name"] = layer.name
    vars_group = group.create_group("vars")
    for i, v in enumerate(_own_vars(layer)):
        vars_group.create_dataset(str(i), data=v.numpy())
    hook = getattr(layer, "_saving_children", None)
    if hook is not None:     # sublayers held as attributes: keyed by the attribute's name (Keras)
        for key, sub in hook():
            _save_layer(group.create_group(key), sub)
        return
    subs = [l for l in layer._sublayers() if type(l).__name__ != "InputLayer"]
    if subs:
        lg = group.create_group("layers")
        for key, sub in _child_keys(subs):
            _save_layer(lg.create_group(key), sub)


def save_weights(model: Any, filepath: str, overwrite: bool = True) -> None:
    import h5py
    if not filepath.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={filepath}")
    if os.path.exists(filepath) and not overwrite:
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    directory = os.path.dirname(os.path.abspath(filepath))
    fd, tmp = tempfile.mkstemp(prefix=".tmp_", suffix=".weights.h5", dir=directory)
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            lg = f.create_group("layers")
            layers = [l for l in model._sublayers() if type(l).__name__ != "InputLayer"]
            for key, layer in _child_keys(layers):
                _save_layer(lg.create_group(key), layer)
            f.create_group("vars")
            opt = getattr(model, "optimizer", None)
            og = f.create_group("optimizer").create_group("vars")
            if opt is not None and getattr(opt, "built", False):
                for i, v in enumerate(opt.variables):
                    og.create_dataset(str(i), data=np.asarray(v.get_value()))
        os.replace(tmp, filepath)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _load_layer(group: Any, layer: Any, skip_mismatch: bool) -> None:
    own = _own_vars(layer)
    stored = group["vars"] if "vars" in group else {}
    if len(stored) != len(own):
        if skip_mismatch:
            return
        raise ValueError(f"Layer '{layer.name}' expected {len(own)} variables, but received {len(stored)} variables "
                         "during loading.")
    for i, v in enumerate(own):
        value = np.asarray(stored[str(i)])
        if value.shape != v.shape:
            if skip_mismatch:
                continue
            raise ValueError(f"Layer '{layer.name}' weight {v.path} has shape {v.shape}, the file has {value.shape}")
        v.assign(value)
    hook = getattr(layer, "_saving_children", None)
    if hook is not None:
        for key, sub in hook():
            if key not in group:
                raise ValueError(f"The weights file has no entry for '{key}' of layer '{layer.name}'")
            _load_layer(group[key], sub, skip_mismatch)
        return
    subs = [l for l in layer._sublayers() if type(l).__name__ != "InputLayer"]
    if subs:
        for key, sub in _child_keys(subs):
            _load_layer(group["layers"][key], sub, skip_mismatch)


def load_weights(model: Any, filepath: str, skip_mismatch: bool = False) -> None:
    import h5py
    if not filepath.endswith(".weights.h5"):
        raise NotImplementedError(f"keras_api load_weights: only the Keras 3 '.weights.h5' format is supported, got "
                                  f"{filepath}")
    with h5py.File(filepath, "r") as f:
        layers = [l for l in model._sublayers() if type(l).__name__ != "InputLayer"]
        for key, layer in _child_keys(layers):
            if key not in f["layers"]:
                raise ValueError(f"The weights file has no entry for layer '{layer.name}' (layers/{key})")
            _load_layer(f["layers"][key], layer, skip_mismatch)
