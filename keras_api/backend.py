"""Keras's backend configuration: floatx, epsilon and image_data_format, read from keras.json.

The file is ``$KERAS_HOME/keras.json`` when KERAS_HOME is set, else ``~/.keras/keras.json``; it is
read once at import (``load_config()`` re-reads it). floatx is not stored here: it *is*
``symnet.config.floatX``, so Keras code and symnet graphs always agree. A floatX given explicitly
to symnet (SYMNET_FLAGS, .symnetrc or code) wins over keras.json's floatx. Unlike Keras, a missing
keras.json is not written out (importing a library should not create files in $HOME).
"""
from __future__ import annotations

import json
import os
from typing import Any

import symnet as sn

_SUPPORTED_FLOATX = ("float32", "float64")
_KERAS_FLOATX = ("float16", "bfloat16", "float32", "float64")
_FORMATS = ("channels_last", "channels_first")

_epsilon: float = 1e-7
_image_data_format: str = "channels_last"
_config_path: str | None = None


def keras_home() -> str:
    """The Keras configuration directory: $KERAS_HOME, else ~/.keras (Keras 3's rule)."""
    home = os.environ.get("KERAS_HOME")
    if home:
        return os.path.expanduser(home)
    base = os.path.expanduser("~")
    if not os.access(base, os.W_OK):
        base = "/tmp"
    return os.path.join(base, ".keras")


def config_path() -> str:
    return os.path.join(keras_home(), "keras.json")


def floatx() -> str:
    """The default float dtype, e.g. 'float32' (symnet's floatX)."""
    return sn.config.floatX


def set_floatx(value: str) -> None:
    """Set the default float dtype; maps onto ``symnet.config.floatX``."""
    value = str(value)
    if value not in _KERAS_FLOATX:
        raise ValueError(f"Unknown `floatx` value: {value!r}. Expected one of {set(_KERAS_FLOATX)}")
    if value not in _SUPPORTED_FLOATX:
        raise ValueError(f"floatx {value!r} is a Keras dtype that symnet does not support yet; "
                         f"supported: {', '.join(_SUPPORTED_FLOATX)}")
    sn.config.floatX = value


def epsilon() -> float:
    """The fuzz factor used in numeric expressions (default 1e-7)."""
    return _epsilon


def set_epsilon(value: float) -> None:
    global _epsilon
    _epsilon = float(value)


def image_data_format() -> str:
    return _image_data_format


def set_image_data_format(data_format: str) -> None:
    global _image_data_format
    data_format = str(data_format).lower()
    if data_format not in _FORMATS:
        raise ValueError(f"The `data_format` argument must be one of {set(_FORMATS)}. Received: data_format={data_format!r}")
    _image_data_format = data_format


def backend() -> str:
    return "symnet"


def load_config(path: str | None = None) -> dict[str, Any]:
    """Read keras.json (if present) and apply floatx, epsilon and image_data_format.

    Returns the settings read (empty when there is no file). A malformed file is ignored, as Keras
    does; a bad value in a well-formed file is an error naming the file."""
    global _config_path
    path = path or config_path()
    if not os.path.exists(path):
        return {}
    try:
        with open(path) as f:
            cfg = json.load(f)
    except (ValueError, OSError):
        return {}
    if not isinstance(cfg, dict):
        return {}
    _config_path = path
    try:
        if "floatx" in cfg and sn.config.source_of("floatX") in ("default", "keras.json"):
            set_floatx(cfg["floatx"])
            sn.config._flags["floatX"].source = "keras.json"
        if "epsilon" in cfg:
            set_epsilon(cfg["epsilon"])
        if "image_data_format" in cfg:
            set_image_data_format(cfg["image_data_format"])
    except (ValueError, TypeError) as e:
        raise ValueError(f"{path}: {e}") from None
    return cfg


load_config()


def clear_session(free_memory: bool = True) -> None:
    """``keras.backend.clear_session()``: reset the layer-name counters ('dense', 'dense_1', ... start again)."""
    from .layers.base import clear_session as _clear
    _clear()


def __getattr__(name: str):
    """Keras 2's backend functions (K.mean, K.function, ...) live in backend_functions, loaded on first use
    (they need keras_api.ops, which imports this module)."""
    from . import backend_functions
    try:
        return getattr(backend_functions, name)
    except AttributeError:
        raise AttributeError(f"keras_api.backend has no function {name!r}; see docs/supported.md for the Keras 2 "
                             "backend functions keras_api keeps") from None
