"""Keras 3's ``.weights.h5`` layout, shared by save_weights and the .keras archive:
``<path>/vars/0, 1, ...`` with the group attribute ``name`` = the object's name, where the path of
a model's layers is ``layers/<class_snake>[_N]`` (counted per class, in model.layers order), of a
layer's sublayers the attribute name (``layers/gru/cell``), of the optimizer ``optimizer``, and of
the top object's own variables ``vars``.

Loading reads and checks every value first and assigns only when all fit, so a failed load
leaves the model unchanged."""
from __future__ import annotations

import warnings
from typing import Any, Iterator

import numpy as np

from .._names import snake_case


_BASE_ATTRS: set | None = None


def _base_attrs() -> set:
    """Keras's attribute skip-set: everything a plain Layer has (a probe layer's dir())."""
    global _BASE_ATTRS
    if _BASE_ATTRS is None:
        from ..layers.base import Layer
        _BASE_ATTRS = set(dir(Layer(name="saving_probe"))) | {"_layers", "_functional", "_operations", "optimizer"}
    return _BASE_ATTRS


def _name_key(name: str) -> str:
    """Keras visits attributes in sorted order with the private ones last."""
    return "~" + name if name.startswith("_") else name


def _is_layer(obj: Any) -> bool:
    from ..layers.base import Layer
    return isinstance(obj, Layer)


def _container_children(prefix: str, items: list) -> Iterator[tuple[str, Any]]:
    counts: dict[str, int] = {}
    for item in items:
        if not _is_layer(item):
            continue
        base = snake_case(type(item).__name__)
        n = counts.get(base, 0)
        counts[base] = n + 1
        yield f"{prefix}/{base if n == 0 else f'{base}_{n}'}", item


def _children(layer: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(path, child layer) in Keras's _walk_saveable order: a model's `layers` first, then every attribute
    (public, then private) outside a plain Layer's own that holds a layer or a list/tuple/dict of layers."""
    from ..models.functional import Functional
    from ..models.sequential import Sequential
    join = (lambda a: f"{path}/{a}") if path else (lambda a: a)
    if isinstance(layer, (Sequential, Functional)):
        yield from _container_children(join("layers"), layer.layers)
    skip = _base_attrs()
    for attr in sorted(dir(layer), key=_name_key):
        if attr.startswith("__") or attr in skip:
            continue
        try:
            value = getattr(layer, attr)
        except Exception:      # properties that need a built model, etc.
            continue
        if _is_layer(value) and value is not layer:
            yield join(attr), value
        elif isinstance(value, (list, tuple)) and any(_is_layer(v) for v in value):
            yield from _container_children(join(attr), list(value))
        elif isinstance(value, dict) and any(_is_layer(v) for v in value.values()):
            yield from _container_children(join(attr), list(value.values()))


def walk(model: Any, include_optimizer: bool = True) -> list[tuple[str, Any, list, str]]:
    """[(path, object, variables, name)] for every object with a vars group, each object once."""
    out: list[tuple[str, Any, list, str]] = []
    seen: set[int] = set()

    def visit(obj: Any, path: str) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        out.append((path, obj, list(obj._trainable_variables) + list(obj._non_trainable_variables), obj.name))
        for child_path, child in _children(obj, path):
            visit(child, child_path)

    visit(model, "")
    opt = getattr(model, "optimizer", None)
    if include_optimizer and opt is not None:
        out.append(("optimizer", opt, list(opt.variables), opt.name))
    return out


def _value(v: Any) -> np.ndarray:
    return np.asarray(v.numpy() if hasattr(v, "numpy") else v.get_value())


def write(model: Any, h5: Any, include_optimizer: bool = True) -> None:
    """Write the model's variables into an open, empty h5py.File."""
    for path, _obj, variables, name in walk(model, include_optimizer):
        group = h5.require_group(f"{path}/vars" if path else "vars")
        group.attrs["name"] = name
        for i, v in enumerate(variables):
            group.create_dataset(str(i), data=_value(v))


def read_plan(model: Any, h5: Any, source: str, skip_mismatch: bool = False,
              include_optimizer: bool = True) -> list[tuple[Any, np.ndarray]]:
    """[(variable, value)] to assign; raises ValueError (naming `source`) when the file does not fit."""
    plan: list[tuple[Any, np.ndarray]] = []
    for path, obj, variables, name in walk(model, include_optimizer):
        key = f"{path}/vars" if path else "vars"
        stored = h5[key] if key in h5 else None
        n_stored = len(stored) if stored is not None else 0
        is_optimizer = path == "optimizer"
        if is_optimizer and stored is None:
            continue
        if n_stored != len(variables):
            if is_optimizer:
                warnings.warn(f"Skipping variable loading for optimizer '{name}', because it has {len(variables)} "
                              f"variables whereas the saved optimizer has {n_stored} variables. "
                              + ("This is likely because the optimizer has not been called/built yet."
                                 if len(variables) <= 2 else ""), stacklevel=4)
                continue
            msg = (f"Layer '{name}' expected {len(variables)} variables, but received {n_stored} variables during "
                   f"loading. Expected: {[getattr(v, 'name', '?') for v in variables]} (file: {source}, group "
                   f"'{key}')")
            if not variables and not getattr(obj, "built", True):
                msg = (f"Layer '{name}' was never built and thus it doesn't have any variables. However the weights "
                       f"file {source} lists {n_stored} variables for this layer. Build the model (call it on data "
                       "or give it an Input) before loading weights.")
            if skip_mismatch:
                warnings.warn(f"Skipping loading weights for layer '{name}': {msg}", stacklevel=4)
                continue
            raise ValueError(msg)
        layer_plan = []
        for i, v in enumerate(variables):
            try:
                value = np.asarray(stored[str(i)])
            except KeyError:
                raise ValueError(f"The weights file {source} has no dataset '{key}/{i}' for '{name}'") from None
            except OSError as e:
                raise ValueError(f"The weights file {source} is corrupt: reading '{key}/{i}' failed: {e}") from None
            target_shape = tuple(np.shape(_value(v)))
            if tuple(value.shape) != target_shape:
                msg = (f"The shape of the target variable and the shape of the target value in `variable.assign("
                       f"value)` must match. variable.shape={target_shape}, Received: value.shape={value.shape}. "
                       f"Target variable: {getattr(v, 'name', v)} of '{name}' (file: {source})")
                if skip_mismatch:
                    warnings.warn(f"Skipping loading weights for layer '{name}': {msg}", stacklevel=4)
                    layer_plan = None
                    break
                raise ValueError(msg)
            layer_plan.append((v, value))
        if layer_plan:
            plan.extend(layer_plan)
    return plan


def assign(plan: list[tuple[Any, np.ndarray]]) -> None:
    for v, value in plan:
        if hasattr(v, "assign"):
            v.assign(value)
        else:
            v.set_value(np.asarray(value, dtype=v.dtype))
