"""Keras 3's object serialization: ``serialize_keras_object`` turns a layer, model, loss, metric,
optimizer, schedule, initializer, regularizer, constraint or function into the JSON-able
``{"module", "class_name", "config", "registered_name"[, "build_config", "compile_config"]}``
dict Keras writes, and ``deserialize_keras_object`` turns such a dict back into the object.

Classes are found by their public Keras name (``keras.layers.Dense`` -> keras_api.layers.Dense),
then in custom objects (arguments, open custom_object_scopes, the registry). Any class exported by a
keras_api public module and implementing get_config/from_config works with no extra registration.
Nothing here unpickles or imports modules named in a file; Python lambdas are only rebuilt with
safe_mode=False."""
from __future__ import annotations

import contextlib
import importlib
import threading
import types
from typing import Any, Iterator

import numpy as np

from . import object_registration as reg

PLAIN_TYPES = (str, int, float, bool)

# public Keras module name -> keras_api module path, in the order a class's public name is chosen
_PUBLIC_MODULES: list[tuple[str, str]] = [
    ("keras", "keras_api"),
    ("keras.layers", "keras_api.layers"),
    ("keras.models", "keras_api.models"),
    ("keras.losses", "keras_api.losses"),
    ("keras.metrics", "keras_api.metrics"),
    ("keras.optimizers.schedules", "keras_api.optimizers.schedules"),
    ("keras.optimizers", "keras_api.optimizers"),
    ("keras.initializers", "keras_api.initializers"),
    ("keras.regularizers", "keras_api.regularizers"),
    ("keras.constraints", "keras_api.constraints"),
    ("keras.activations", "keras_api.activations"),
]
# which public module a keras_api package's classes are exported from (first match on the module path)
_HOME: list[tuple[str, str]] = [
    ("keras_api.models", "keras"), ("keras_api.layers", "keras.layers"), ("keras_api.losses", "keras.losses"),
    ("keras_api.metrics", "keras.metrics"), ("keras_api.optimizers.schedules", "keras.optimizers.schedules"),
    ("keras_api.optimizers", "keras.optimizers"), ("keras_api.initializers", "keras.initializers"),
    ("keras_api.regularizers", "keras.regularizers"), ("keras_api.constraints", "keras.constraints"),
    ("keras_api.activations", "keras.activations"),
]
# classes Keras does not export publicly: written with Keras's internal module and registered name
_INTERNAL = {"Functional": "keras.src.models.functional"}
_DTYPE_POLICIES = ("DTypePolicy", "FloatDTypePolicy", "Policy")

_STATE = threading.local()


# -- safe mode -----------------------------------------------------------------------------------
class SafeModeScope:
    """``with SafeModeScope(False):`` lets deserialization inside rebuild Python lambdas."""

    def __init__(self, safe_mode: bool | None = True) -> None:
        self.safe_mode = safe_mode

    def __enter__(self) -> "SafeModeScope":
        self._previous = getattr(_STATE, "safe_mode", None)
        _STATE.safe_mode = self.safe_mode
        return self

    def __exit__(self, *args: Any) -> None:
        _STATE.safe_mode = self._previous


_UNSAFE_GLOBALLY = [False]


def enable_unsafe_deserialization() -> None:
    """keras.config.enable_unsafe_deserialization(): safe_mode off for the whole process."""
    _UNSAFE_GLOBALLY[0] = True


def in_safe_mode() -> bool | None:
    """True/False inside a SafeModeScope, False after enable_unsafe_deserialization, else None."""
    if _UNSAFE_GLOBALLY[0]:
        return False
    return getattr(_STATE, "safe_mode", None)


def lambda_refused(what: str) -> ValueError:
    return ValueError(
        f"Requested the deserialization of a Python lambda ({what}). This carries a potential risk of arbitrary "
        "code execution and thus it is disallowed by default (safe_mode=True). If you trust the source of the "
        "saved model, you can pass `safe_mode=False` to the loading function in order to allow `lambda` loading, "
        "or call `keras.config.enable_unsafe_deserialization()`.")


# -- public names ----------------------------------------------------------------------------------
def _module(path: str) -> Any:
    return importlib.import_module(path)


def public_name(obj: Any) -> tuple[str, str] | None:
    """(public module, name) under which keras_api exports `obj` (a class or function), else None."""
    module_path = getattr(obj, "__module__", "") or ""
    name = getattr(obj, "__name__", None)
    if name is None or not module_path.startswith("keras_api"):
        return None
    for prefix, public in _HOME:
        if module_path == prefix or module_path.startswith(prefix + "."):
            ours = dict(_PUBLIC_MODULES)[public]
            if getattr(_module(ours), name, None) is obj:
                return public, name
            if public == "keras" and getattr(_module("keras_api.models"), name, None) is obj:
                return "keras.models", name
    return None


def _lookup_public(module: str | None, name: str) -> Any:
    """A keras_api object for Keras's public (or internal ``keras.src``) module and name."""
    table = dict(_PUBLIC_MODULES)
    if module in table:
        obj = getattr(_module(table[module]), name, None)
        if obj is not None:
            return obj
    if module and (module == "keras" or module.startswith("keras.")):
        # keras.src.* internal paths and renamed modules: search the public modules by name
        for _, ours in _PUBLIC_MODULES:
            obj = getattr(_module(ours), name, None)
            if obj is not None and not isinstance(obj, types.ModuleType):
                return obj
    return None


# -- serialize --------------------------------------------------------------------------------------
def serialize_keras_object(obj: Any) -> Any:
    """Keras 3's serialize_keras_object: plain values as is, objects as their config dict."""
    if obj is None or isinstance(obj, PLAIN_TYPES):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return serialize_dict(obj)
    if isinstance(obj, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(), "dtype": str(obj.dtype)}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {"start": serialize_keras_object(obj.start),
                                                      "stop": serialize_keras_object(obj.stop),
                                                      "step": serialize_keras_object(obj.step)}}
    from ..layers.base import KerasTensor
    if isinstance(obj, KerasTensor):
        history = obj._keras_history
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(obj.shape), "dtype": obj.dtype,
                           "keras_history": [history[0].name, history[1], history[2]] if history else None}}
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        from .python_utils import func_dump
        code, defaults, closure = func_dump(obj)
        return {"class_name": "__lambda__", "config": {"code": code, "defaults": defaults, "closure": closure}}
    if isinstance(obj, type):
        return _serialize_type(obj)
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return _serialize_function(obj)
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize object {obj!r} of type {type(obj)}. To be serializable, a class must "
                        "implement the `get_config()` method.")
    return _serialize_instance(obj)


def serialize_dict(obj: dict) -> dict:
    return {key: serialize_keras_object(value) for key, value in obj.items()}


def _serialize_function(fn: Any) -> dict:
    found = public_name(fn)
    if found is not None:
        module, name = found
        return {"module": module, "class_name": "function", "config": name, "registered_name": name}
    return {"module": fn.__module__, "class_name": "function", "config": fn.__name__,
            "registered_name": reg.get_registered_name(fn)}


def _serialize_type(cls: type) -> dict:
    found = public_name(cls)
    if found is not None:
        return {"module": found[0], "class_name": "__type__", "config": found[1], "registered_name": None}
    return {"module": cls.__module__, "class_name": "__type__", "config": cls.__name__,
            "registered_name": reg.get_registered_name(cls)}


def _serialize_instance(obj: Any) -> dict:
    cls = type(obj)
    try:
        inner = obj.get_config()
    except NotImplementedError as e:
        raise NotImplementedError(f"{cls.__name__} cannot be serialized: its get_config() is not implemented "
                                  f"({e}). Override get_config() (and from_config() if needed).") from None
    inner = serialize_dict(inner) if isinstance(inner, dict) else serialize_keras_object(inner)
    found = public_name(cls)
    if cls.__name__ in _INTERNAL and cls.__module__.startswith("keras_api"):
        config = {"module": _INTERNAL[cls.__name__], "class_name": cls.__name__, "config": inner,
                  "registered_name": cls.__name__}
    elif found is not None and cls not in reg.GLOBAL_CUSTOM_NAMES:
        config = {"module": found[0], "class_name": found[1], "config": inner, "registered_name": None}
    else:
        config = {"module": cls.__module__, "class_name": cls.__name__, "config": inner,
                  "registered_name": reg.get_registered_name(cls)}
    _add_build_and_compile_config(obj, config)
    return config


def _add_build_and_compile_config(obj: Any, config: dict) -> None:
    if hasattr(obj, "get_build_config"):
        build_config = obj.get_build_config()
        if build_config is not None:
            config["build_config"] = serialize_dict(build_config)
    if hasattr(obj, "get_compile_config"):
        compile_config = obj.get_compile_config()
        if compile_config is not None:
            config["compile_config"] = serialize_dict(compile_config)


# -- deserialize ------------------------------------------------------------------------------------
def deserialize_keras_object(config: Any, custom_objects: dict | None = None, safe_mode: bool = True,
                             **kwargs: Any) -> Any:
    """Keras 3's deserialize_keras_object. ``module_objects`` (keyword) is an extra name table, used by
    the ``keras.<kind>.deserialize`` functions for short names ('glorot_uniform', 'mse')."""
    scoped = in_safe_mode()
    safe_mode = scoped if scoped is not None else safe_mode
    module_objects = kwargs.pop("module_objects", None)
    printable_module_name = kwargs.pop("printable_module_name", "object")
    if kwargs:
        raise ValueError(f"deserialize_keras_object: unexpected keyword arguments {sorted(kwargs)}")
    custom_objects = {**(custom_objects or {}), **reg.scoped_objects(), **reg.GLOBAL_CUSTOM_OBJECTS}
    if config is None:
        return None
    if isinstance(config, str) and custom_objects.get(config) is not None:
        return custom_objects[config]
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(x, custom_objects=custom_objects, safe_mode=safe_mode) for x in config]
    if module_objects is not None and isinstance(config, str):
        obj = module_objects.get(config)
        if obj is None:
            raise ValueError(f"Unknown {printable_module_name}: '{config}'. Please ensure you are using a "
                             "`keras.utils.custom_object_scope` and that this object is included in the scope.")
        return obj
    if isinstance(config, PLAIN_TYPES):
        return config
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config}")
    if "class_name" not in config or "config" not in config:
        return {key: deserialize_keras_object(value, custom_objects=custom_objects, safe_mode=safe_mode)
                for key, value in config.items()}
    class_name = config["class_name"]
    inner = config["config"] if config["config"] is not None else {}
    special = _SPECIAL.get(class_name)
    if special is not None:
        return special(inner, safe_mode)
    module = config.get("module")
    registered_name = config.get("registered_name") or class_name
    if class_name in _DTYPE_POLICIES and (module is None or module == "keras" or module.startswith("keras.")):
        return inner.get("name") if isinstance(inner, dict) else inner
    if class_name == "function":
        return _retrieve(inner, registered_name, module, "function", config, custom_objects, module_objects)
    if class_name == "__type__":
        return _retrieve(inner, registered_name, module, "class", config, custom_objects, module_objects)
    cls = _retrieve(class_name, registered_name, module, "class", config, custom_objects, module_objects)
    if isinstance(cls, types.FunctionType):
        return cls
    if not hasattr(cls, "from_config"):
        raise TypeError(f"Unable to reconstruct an instance of '{class_name}' because the class is missing a "
                        f"`from_config()` method. Full object config: {config}")
    with reg.CustomObjectScope(custom_objects), SafeModeScope(safe_mode):
        try:
            instance = cls.from_config(inner)
        except TypeError as e:
            raise TypeError(f"{cls} could not be deserialized properly. Please ensure that components that are "
                            "Python object instances (layers, models, etc.) returned by `get_config()` are "
                            "explicitly deserialized in the model's `from_config()` method.\n\n"
                            f"config={config}.\n\nException encountered: {e}") from e
        build_config = config.get("build_config")
        if build_config and not getattr(instance, "built", True):
            build_from_config(instance, build_config)
        compile_config = config.get("compile_config")
        if compile_config and hasattr(instance, "compile_from_config"):
            instance.compile_from_config(compile_config)
    return instance


def _retrieve(name: str, registered_name: str, module: str | None, obj_type: str, full_config: dict,
              custom_objects: dict, module_objects: dict | None) -> Any:
    for key in (registered_name, name):
        if key in custom_objects:
            return custom_objects[key]
    obj = _lookup_public(module, name) if module else None
    if obj is None and module_objects is not None:
        obj = module_objects.get(name)
    if obj is None and module is None:
        obj = _lookup_public("keras", name)   # legacy configs without "module"
    if obj is None and name == "OperationLayer" and module in ("keras_api.ops.core", None):   # .h5: no module
        from ..ops.core import OperationLayer   # a recorded keras.ops call (our own format, see its get_config)
        obj = OperationLayer
    if obj is not None:
        return obj
    raise TypeError(f"Could not locate {obj_type} '{name}'. Make sure custom classes and functions are decorated "
                    "with `@keras.saving.register_keras_serializable()`. If they are already decorated, make sure "
                    "they are all imported so that the decorator is run before trying to load them. "
                    f"Full object config: {full_config}")


def build_from_config(instance: Any, build_config: dict) -> None:
    """Keras's Layer.build_from_config: build from the recorded input shape(s)."""
    if hasattr(instance, "build_from_config"):
        instance.build_from_config(build_config)
        return
    shape = to_shape(build_config.get("input_shape"))
    if shape is not None and hasattr(instance, "_maybe_build"):
        instance._maybe_build(shape)


def to_shape(shape: Any) -> Any:
    """JSON lists back to Keras shapes: [None, 3] -> (None, 3); [[None, 3], [None, 4]] -> [(..), (..)]."""
    if shape is None:
        return None
    if isinstance(shape, dict):
        return {k: to_shape(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and all(d is None or isinstance(d, int) for d in shape):
        return tuple(shape)
    if isinstance(shape, (list, tuple)):
        return [to_shape(s) for s in shape]
    return shape


def _lambda(inner: dict, safe_mode: bool | None) -> Any:
    if safe_mode is not False:
        raise lambda_refused("a `lambda` object")
    from .python_utils import func_load
    if "value" in inner:
        return func_load(inner["value"])
    return func_load(inner["code"], inner.get("defaults"), inner.get("closure"))


def _keras_tensor(inner: dict, safe_mode: bool | None) -> Any:
    from ..layers.base import KerasTensor
    return KerasTensor(tuple(inner["shape"]), inner["dtype"])


_SPECIAL = {
    "__numpy__": lambda c, s: np.array(c["value"], dtype=c["dtype"]),
    "__bytes__": lambda c, s: c["value"].encode("utf-8"),
    "__ellipsis__": lambda c, s: Ellipsis,
    "__slice__": lambda c, s: slice(c["start"], c["stop"], c["step"]),
    "__lambda__": _lambda,
    "__keras_tensor__": _keras_tensor,
    "__tensor__": lambda c, s: np.array(c["value"], dtype=c["dtype"]),
}


@contextlib.contextmanager
def safe_mode_scope(safe_mode: bool) -> Iterator[None]:
    with SafeModeScope(safe_mode):
        yield
