"""Keras's custom-object registry: ``register_keras_serializable(package, name)``, the
``custom_object_scope`` stack, and name <-> object lookups used by deserialization."""
from __future__ import annotations

import threading
from typing import Any, Callable

GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}
_SCOPE = threading.local()


def _scope_stack() -> list[dict]:
    if not hasattr(_SCOPE, "stack"):
        _SCOPE.stack = []
    return _SCOPE.stack


def scoped_objects() -> dict[str, Any]:
    """The objects of all open custom_object_scopes, innermost last (so it wins)."""
    out: dict[str, Any] = {}
    for d in _scope_stack():
        out.update(d)
    return out


class CustomObjectScope:
    """``with CustomObjectScope({'MyLayer': MyLayer}):`` makes the names visible to deserialization."""

    def __init__(self, custom_objects: dict | None = None) -> None:
        if custom_objects is not None and not isinstance(custom_objects, dict):
            raise TypeError(f"custom_objects must be a dict mapping names to objects. Received: {custom_objects!r}")
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self) -> "CustomObjectScope":
        _scope_stack().append(self.custom_objects)
        return self

    def __exit__(self, *args: Any) -> None:
        _scope_stack().pop()


custom_object_scope = CustomObjectScope


def get_custom_objects() -> dict[str, Any]:
    """The global registry (a live dict: adding to it registers, as in Keras)."""
    return GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Decorator registering a class or function under ``'<package>>'<name>``."""
    def decorator(arg: Any) -> Any:
        class_name = name if name is not None else arg.__name__
        registered_name = package + ">" + class_name
        if isinstance(arg, type) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg
    if callable(package) and not isinstance(package, str):
        raise TypeError("register_keras_serializable must be called: use @register_keras_serializable() "
                        "(optionally with package= and name=)")
    return decorator


def get_registered_name(obj: Any) -> str:
    """The name `obj` is registered under, else its __name__ (Keras's behaviour)."""
    if obj in GLOBAL_CUSTOM_NAMES:
        return GLOBAL_CUSTOM_NAMES[obj]
    return obj.__name__


def get_registered_object(name: str, custom_objects: dict | None = None, module_objects: dict | None = None) -> Any:
    """Look `name` up in the open scopes, the global registry, custom_objects, then module_objects."""
    scoped = scoped_objects()
    if name in scoped:
        return scoped[name]
    if name in GLOBAL_CUSTOM_OBJECTS:
        return GLOBAL_CUSTOM_OBJECTS[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None
