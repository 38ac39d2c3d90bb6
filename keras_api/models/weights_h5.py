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


_BASE_ATTRS: set | None = None


def _base_attrs() -> set:
    """Attribute names every Layer has (Keras's saving skip-set): a probe layer's dir()."""
    global _BASE_ATTRS
    if _BASE_ATTRS is None:
        from ..layers.base import Layer
        _BASE_ATTRS = set(dir(Layer(name="_saving_probe")))
    return _BASE_ATTRS


def _attr_children(layer: Any) -> list[tuple[str, Any]] | None:
    """Keras's walk of a plain layer's sublayers: by attribute name, public names first, then private
    ones (MultiHeadAttention: key_dense, output_dense, query_dense, value_dense, _dropout_layer, ...);
    lists of layers as containers keyed by class name. None for models (their `layers` list)."""
    from ..layers.base import Layer
    from .model import Model
    if isinstance(layer, Model) or not layer._sublayers():
        return None
    out = []
    for attr in sorted(dir(layer), key=lambda n: "~" + n if n.startswith("_") else n):
        if attr.startswith("__") or attr in _base_attrs():
            continue
        try:
            obj = getattr(layer, attr)
        except Exception:
            continue
        if isinstance(obj, Layer) or (isinstance(obj, (list, tuple)) and obj
                                       and all(isinstance(o, Layer) for o in obj)):
            out.append((attr, obj))
    return out


def _walk(layer: Any, visited: set) -> list[tuple[str, Any, bool]]:
    """(key, sublayer, is_container_entry) of a layer's children in the file, skipping visited ones."""
    hook = getattr(layer, "_saving_children", None)
    if hook is not None:     # the layer names its children itself (recurrent wrappers: cell, forward_layer, ...)
        children = list(hook())
        visited.update(id(sub) for _, sub in children)
        return [(key, sub, False) for key, sub in children]
    named = _attr_children(layer)
    if named is None:
        subs = [l for l in layer._sublayers() if type(l).__name__ != "InputLayer"]
        return [("layers/" + k, l, True) for k, l in _child_keys(subs)] if subs else []
    out = []
    for attr, obj in named:
        if isinstance(obj, (list, tuple)):
            fresh = [o for o in obj if id(o) not in visited]
            for k, l in _child_keys(fresh):
                visited.add(id(l))
                out.append((f"{attr}/{k}", l, True))
        elif id(obj) not in visited:
            visited.add(id(obj))
            out.append((attr, obj, False))
    leftover = [l for l in layer._sublayers() if id(l) not in visited and type(l).__name__ != "InputLayer"]
    for k, l in _child_keys(leftover):      # tracked but not reachable by attribute (e.g. inside a dict)
        visited.add(id(l))
        out.append(("layers/" + k, l, True))
    return out


def _save_layer(group: Any, layer: Any, visited: set | None = None) -> None:
    visited = set() if visited is None else visited
    visited.add(id(layer))
    group.attrs["name"] = layer.name
    vars_group = group.create_group("vars")
    vars_group.attrs["name"] = layer.name
    for i, v in enumerate(_own_vars(layer)):
        vars_group.create_dataset(str(i), data=v.numpy())
    for key, sub, _ in _walk(layer, visited):
        _save_layer(group.require_group(key), sub, visited)


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


def _load_layer(group: Any, layer: Any, skip_mismatch: bool, visited: set | None = None) -> None:
    visited = set() if visited is None else visited
    visited.add(id(layer))
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
    for key, sub, _ in _walk(layer, visited):
        if key not in group:
            raise ValueError(f"The weights file has no entry for layer '{sub.name}' ({group.name}/{key})")
        _load_layer(group[key], sub, skip_mismatch, visited)


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
