"""The legacy Keras 2 HDF5 format (``model.save('m.h5')``): root attributes ``model_config`` and
``training_config`` (JSON), ``model_weights/<layer>/<weight path>`` datasets with the attributes
``layer_names`` and ``weight_names``, and ``optimizer_weights``. Reads files written by Keras 2 and
by Keras 3's legacy writer; writes what Keras 3.15 writes. Loading checks everything before it
assigns anything."""
from __future__ import annotations

import json
import os
import warnings
from typing import Any

import numpy as np

from . import file_io, serialization_lib as sl, weights_store


def _layer_config(obj: Any) -> dict:
    """Keras's legacy form of one object: {"class_name", "config"} (inner objects keep the new form)."""
    return {"class_name": type(obj).__name__, "config": _legacy_model_config(obj)}


def _legacy_model_config(obj: Any) -> dict:
    from ..models.functional import Functional
    from ..models.sequential import Sequential
    if isinstance(obj, Sequential):
        config = obj.get_config()
        config["layers"] = [_layer_config(l) for l in obj._layers]
        return config
    if isinstance(obj, Functional):
        config = obj.get_config()
        for layer, layer_config in zip(obj.layers, config["layers"]):
            for key in ("module", "registered_name", "build_config", "compile_config"):
                layer_config.pop(key, None)
            layer_config["config"] = _legacy_model_config(layer)
        return config
    return sl.serialize_dict(obj.get_config())


def _write_str_list(group: Any, name: str, values: list[str]) -> None:
    group.attrs[name] = np.array([v.encode("utf8") for v in values]) if values else np.array([], dtype="float64")


def _read_str_list(group: Any, name: str) -> list[str]:
    if name not in group.attrs:
        return []
    return [v.decode("utf8") if isinstance(v, bytes) else str(v) for v in group.attrs[name]]


def _weight_path(v: Any) -> str:
    return getattr(v, "path", None) or getattr(v, "name", None) or "variable"


def _unique(names: list[str]) -> list[str]:
    """Dataset names must differ within a group: repeated names get _1, _2, ... (only the order is read back)."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = seen.get(n, 0)
        seen[n] = k + 1
        out.append(n if k == 0 else f"{n}_{k}")
    return out


def _legacy_weights(layer: Any) -> list:
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _write_model_weights(model: Any, group: Any) -> None:
    import keras_api
    group.attrs["backend"] = "symnet"
    group.attrs["keras_version"] = keras_api.__version__
    layers = list(model.layers)
    _write_str_list(group, "layer_names", [l.name for l in layers])
    for layer in layers:
        g = group.create_group(layer.name)
        weights = _legacy_weights(layer)
        names = _unique([_weight_path(w) for w in weights])
        _write_str_list(g, "weight_names", names)
        for name, w in zip(names, weights):
            g.create_dataset(name, data=np.asarray(w.numpy()))
    top = group.create_group("top_level_model_weights")
    _write_str_list(top, "weight_names", [])


def _training_config(model: Any) -> dict | None:
    config = model.get_compile_config() if hasattr(model, "get_compile_config") else None
    if not config:
        return None
    config = dict(config)
    opt = config.pop("optimizer", None)
    if isinstance(opt, dict):
        config["optimizer_config"] = {"class_name": opt["class_name"], "config": opt["config"]}
    return config


def save_model(model: Any, filepath: str, overwrite: bool = True, include_optimizer: bool = True) -> None:
    import h5py
    import keras_api
    model_config = json.dumps({"class_name": type(model).__name__, "config": _legacy_model_config(model)})
    training_config = _training_config(model) if include_optimizer else None
    with file_io.atomic_path(filepath, overwrite=overwrite) as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs["backend"] = "symnet"
            f.attrs["keras_version"] = keras_api.__version__
            f.attrs["model_config"] = model_config
            _write_model_weights(model, f.create_group("model_weights"))
            if training_config is not None:
                f.attrs["training_config"] = json.dumps(training_config)
                opt = model.optimizer
                if opt is not None:
                    og = f.create_group("optimizer_weights")
                    names = _unique([_weight_path(v) for v in opt.variables])
                    _write_str_list(og, "weight_names", names)
                    for name, v in zip(names, opt.variables):
                        og.create_dataset(name, data=np.asarray(v.get_value()))


def save_weights(model: Any, filepath: str, overwrite: bool = True) -> None:
    import h5py
    with file_io.atomic_path(filepath, overwrite=overwrite) as tmp:
        with h5py.File(tmp, "w") as f:
            _write_model_weights(model, f)


# -- reading ------------------------------------------------------------------------------------------
def _group_values(group: Any, source: str) -> list[np.ndarray]:
    try:
        return [np.asarray(group[n]) for n in _read_str_list(group, "weight_names")]
    except (KeyError, OSError) as e:
        raise file_io.CorruptFileError(f"Cannot read the weights of '{group.name}' from {source}: {e}") from None


def _plan_pair(layer: Any, label: str, values: list, skip_mismatch: bool, plan: list) -> None:
    weights = _legacy_weights(layer)
    if len(values) != len(weights):
        msg = (f"Weight count mismatch for layer {label}. Layer expects {len(weights)} weight(s). Received "
               f"{len(values)} saved weight(s)")
        if skip_mismatch:
            warnings.warn(f"Skipping loading weights for layer {label} due to mismatch in number of weights. {msg}",
                          stacklevel=4)
            return
        raise ValueError(msg)
    pairs = []
    for w, value in zip(weights, values):
        if tuple(w.shape) != tuple(value.shape):
            msg = (f"Shape mismatch in layer {label} for weight {_weight_path(w)}. Weight expects shape "
                   f"{tuple(w.shape)}. Received saved weight with shape {tuple(value.shape)}")
            if skip_mismatch:
                warnings.warn(f"Skipping loading weights for layer {label} due to mismatch in shape. {msg}",
                              stacklevel=4)
                return
            raise ValueError(msg)
        pairs.append((w, value))
    plan.extend(pairs)


def plan_weights(model: Any, group: Any, source: str, by_name: bool = False, skip_mismatch: bool = False) -> list:
    if "layer_names" not in group.attrs and "model_weights" in group:
        group = group["model_weights"]
    if "layer_names" not in group.attrs:
        raise file_io.CorruptFileError(f"Cannot load weights from {source}: it has no 'layer_names' attribute, so it "
                                       "is not a Keras (legacy .h5) weights file")
    layer_names = _read_str_list(group, "layer_names")
    plan: list = []
    if by_name:
        index = {l.name: l for l in model.layers}
        for name in layer_names:
            if name in index:
                _plan_pair(index[name], f"'{name}'", _group_values(group[name], source), skip_mismatch, plan)
        return plan
    filtered_layers = [l for l in model.layers if _legacy_weights(l)]
    saved = [(n, _group_values(group[n], source)) for n in layer_names]
    saved = [(n, v) for n, v in saved if v]
    if len(saved) != len(filtered_layers):
        raise ValueError(f"Layer count mismatch when loading weights from file {source}. Model expected "
                         f"{len(filtered_layers)} layers, found {len(saved)} saved layers.")
    for k, ((name, values), layer) in enumerate(zip(saved, filtered_layers)):
        _plan_pair(layer, f"#{k} (named {layer.name} in the current model, {name} in the save file)", values,
                   skip_mismatch, plan)
    return plan


def load_weights(model: Any, filepath: str, by_name: bool = False, skip_mismatch: bool = False) -> None:
    file_io.check_readable(filepath, ".h5")
    with file_io.open_h5(os.fspath(filepath), "legacy .h5 weights") as f:
        if "layers" in f and "layer_names" not in f.attrs and "model_weights" not in f:
            plan = weights_store.read_plan(model, f, filepath, skip_mismatch=skip_mismatch)   # a Keras 3 layout
        else:
            plan = plan_weights(model, f, filepath, by_name=by_name, skip_mismatch=skip_mismatch)
    weights_store.assign(plan)


def _attr_json(f: Any, name: str, filepath: str) -> Any:
    raw = f.attrs.get(name)
    if raw is None:
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as e:
        raise file_io.CorruptFileError(f"Cannot load {filepath}: its '{name}' attribute is not valid JSON: {e}") \
            from None


def _optimizer_from_legacy(config: dict) -> Any:
    from .. import optimizers
    config = {"class_name": config["class_name"], "config": dict(config.get("config", {}))}
    inner = config["config"]
    for key in ("decay", "jit_compile", "is_legacy_optimizer"):
        value = inner.pop(key, None)
        if key == "decay" and value not in (None, 0, 0.0):
            raise NotImplementedError(f"This legacy optimizer config uses decay={value}, which Keras 3 no longer "
                                      "supports; use a learning rate schedule")
    if "lr" in inner:
        inner["learning_rate"] = inner.pop("lr")
    return optimizers.deserialize(config)


def load_model(filepath: str, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True) -> Any:
    file_io.check_readable(filepath, ".h5")
    with file_io.open_h5(os.fspath(filepath), "model") as f:
        model_config = _attr_json(f, "model_config", filepath)
        if model_config is None:
            raise ValueError(f"No model config found in the file at {filepath}.")
        model = sl.deserialize_keras_object(model_config, custom_objects=custom_objects, safe_mode=safe_mode)
        plan = plan_weights(model, f["model_weights"], filepath)
        training_config = _attr_json(f, "training_config", filepath) if compile else None
        opt_values = None
        if training_config is not None and "optimizer_weights" in f:
            og = f["optimizer_weights"]
            opt_values = _group_values(og, filepath)
    weights_store.assign(plan)
    if training_config is None:
        return model
    opt_config = training_config.pop("optimizer_config", None)
    kwargs = {k: training_config[k] for k in ("loss", "loss_weights", "metrics", "weighted_metrics")
              if k in training_config}
    kwargs = sl.deserialize_keras_object(kwargs, custom_objects=custom_objects)
    model.compile(optimizer=_optimizer_from_legacy(opt_config) if opt_config else "rmsprop", **kwargs)
    if opt_values:
        from .compile_config import build_optimizer
        build_optimizer(model)
        variables = model.optimizer.variables
        if len(variables) == len(opt_values):
            weights_store.assign(list(zip(variables, opt_values)))
        else:
            warnings.warn(f"Error in loading the saved optimizer state from {filepath}: the optimizer has "
                          f"{len(variables)} variables, the file has {len(opt_values)}. The model's optimizer "
                          "starts from a fresh state.", stacklevel=3)
    return model
