"""keras.saving.save_model / load_model / save_weights / load_weights: pick the format from the
file name, as Keras 3 does (``.keras``, ``.weights.h5``, legacy ``.h5``/``.hdf5``)."""
from __future__ import annotations

import os
import warnings
import zipfile
from typing import Any

from . import file_io, legacy_h5, saving_lib

_LEGACY = (".h5", ".hdf5")


def _path(filepath: Any) -> str:
    if hasattr(filepath, "__fspath__") or isinstance(filepath, str):
        return os.fspath(filepath)
    raise TypeError(f"filepath must be a path (str or os.PathLike). Received: filepath={filepath!r}")


def save_model(model: Any, filepath: Any, overwrite: bool = True, zipped: bool | None = None, **kwargs: Any) -> None:
    filepath = _path(filepath)
    include_optimizer = kwargs.pop("include_optimizer", True)
    save_format = kwargs.pop("save_format", None)
    if save_format is not None:
        raise ValueError("The `save_format` argument is deprecated in Keras 3. Please remove this argument and pass "
                         f"a file path with either `.keras` or `.h5` extension.Received: save_format={save_format}")
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
    if filepath.endswith(".keras"):
        if not include_optimizer:
            raise NotImplementedError("keras_api save: include_optimizer=False for .keras files")
        saving_lib.save_model(model, filepath, zipped=True if zipped is None else zipped, overwrite=overwrite)
    elif filepath.endswith(_LEGACY):
        warnings.warn("You are saving your model as an HDF5 file via `model.save()` or `keras.saving.save_model(model)`"
                      ". This file format is considered legacy. We recommend using instead the native Keras format, "
                      "e.g. `model.save('my_model.keras')` or `keras.saving.save_model(model, 'my_model.keras')`. ",
                      stacklevel=3)
        legacy_h5.save_model(model, filepath, overwrite=overwrite, include_optimizer=include_optimizer)
    else:
        raise ValueError("Invalid filepath extension for saving. Please add either a `.keras` extension for the native "
                         "Keras format (recommended) or a `.h5` extension. Use `model.export(filepath)` if you want to "
                         f"export a SavedModel for use with TFLite/TFServing/etc. Received: filepath={filepath}.")


def load_model(filepath: Any, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True) -> Any:
    filepath = _path(filepath)
    if filepath.endswith(".keras"):
        return saving_lib.load_model(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
    if filepath.endswith(_LEGACY):
        return legacy_h5.load_model(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
    if os.path.isfile(filepath) and zipfile.is_zipfile(filepath):
        return saving_lib.load_model(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
    raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only supports V3 `.keras` files and "
                     "legacy H5 format files (`.h5` extension). Note that the legacy SavedModel format is not "
                     "supported by `load_model()` in Keras 3.")


def save_weights(model: Any, filepath: Any, overwrite: bool = True, max_shard_size: Any = None) -> None:
    filepath = _path(filepath)
    if max_shard_size is not None:
        raise NotImplementedError("keras_api save_weights: max_shard_size (sharded weights) is not supported")
    if filepath.endswith(".weights.h5"):
        saving_lib.save_weights(model, filepath, overwrite=overwrite)
    elif filepath.endswith(_LEGACY):
        legacy_h5.save_weights(model, filepath, overwrite=overwrite)
    else:
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={filepath}")


def load_weights(model: Any, filepath: Any, skip_mismatch: bool = False, **kwargs: Any) -> None:
    filepath = _path(filepath)
    if filepath.endswith(".keras"):
        if kwargs:
            raise ValueError(f"Invalid keyword arguments: {kwargs}")
        saving_lib.load_weights_from_archive(model, filepath, skip_mismatch=skip_mismatch)
    elif filepath.endswith(".weights.h5"):
        kwargs.pop("objects_to_skip", None)
        if kwargs:
            raise ValueError(f"Invalid keyword arguments: {kwargs}")
        saving_lib.load_weights(model, filepath, skip_mismatch=skip_mismatch)
    elif filepath.endswith(_LEGACY):
        by_name = kwargs.pop("by_name", False)
        if kwargs:
            raise ValueError(f"Invalid keyword arguments: {kwargs}")
        legacy_h5.load_weights(model, filepath, by_name=by_name, skip_mismatch=skip_mismatch)
    else:
        raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only supports V3 `.keras` and "
                         "`.weights.h5` files, or legacy V1/V2 `.h5` files.")


__all__ = ["save_model", "load_model", "save_weights", "load_weights", "file_io"]
