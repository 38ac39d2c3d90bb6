"""The Keras 3 ``.keras`` archive: a zip of ``metadata.json``, ``config.json`` (the model's
serialize_keras_object dict with build_config and compile_config) and ``model.weights.h5`` (the
weights_store layout, optimizer state included). Written atomically; read with every check done
before the model is returned."""
from __future__ import annotations

import datetime
import io
import json
import os
import zipfile
from typing import Any

from . import file_io, serialization_lib as sl, weights_store

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"


def _keras_version() -> str:
    import keras_api
    return keras_api.__version__


def save_model(model: Any, filepath: str, weights_format: str = "h5", zipped: bool = True,
               overwrite: bool = True) -> None:
    import h5py
    if weights_format != "h5":
        raise NotImplementedError(f"keras_api save: weights_format={weights_format!r}; only 'h5' is supported")
    if not zipped:
        raise NotImplementedError("keras_api save: zipped=False (an unzipped .keras folder) is not supported")
    config_json = json.dumps(sl.serialize_keras_object(model))
    metadata = json.dumps({"keras_version": _keras_version(),
                           "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        weights_store.write(model, h5)
    with file_io.atomic_path(filepath, overwrite=overwrite) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(METADATA, metadata)
            zf.writestr(CONFIG, config_json)
            zf.writestr(WEIGHTS, buffer.getvalue())


def read_archive(filepath: str) -> tuple[dict, bytes]:
    """(config dict, weights bytes), with one clear error per kind of damage."""
    file_io.check_readable(filepath, ".keras")
    try:
        zf = zipfile.ZipFile(filepath, "r")
    except zipfile.BadZipFile as e:
        raise file_io.CorruptFileError(f"Cannot load {filepath}: it is not a valid .keras (zip) archive "
                                       f"(truncated or corrupt?): {e}") from None
    with zf:
        names = zf.namelist()
        if CONFIG not in names:
            raise file_io.CorruptFileError(f"Cannot load {filepath}: the archive has no {CONFIG} (it holds "
                                           f"{sorted(names)}); it is not a Keras 3 .keras file")
        try:
            raw = zf.read(CONFIG)
            weights = zf.read(WEIGHTS) if WEIGHTS in names else None
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise file_io.CorruptFileError(f"Cannot load {filepath}: the archive is damaged: {e}") from None
    try:
        config = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise file_io.CorruptFileError(f"Cannot load {filepath}: its {CONFIG} is not valid JSON: {e}") from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise file_io.CorruptFileError(f"Cannot load {filepath}: its {CONFIG} is not a Keras model config (no "
                                       "'class_name')")
    if weights is None:
        raise file_io.CorruptFileError(f"Cannot load {filepath}: the archive has no {WEIGHTS}")
    return config, weights


def load_model(filepath: str, custom_objects: dict | None = None, compile: bool = True,
               safe_mode: bool = True) -> Any:
    config, weights = read_archive(filepath)
    if not compile:
        config = dict(config)
        config.pop("compile_config", None)
    model = sl.deserialize_keras_object(config, custom_objects=custom_objects, safe_mode=safe_mode)
    load_weights_bytes(model, weights, f"{filepath} ({WEIGHTS})")
    return model


def load_weights_bytes(model: Any, data: bytes, source: str, skip_mismatch: bool = False) -> None:
    with file_io.open_h5(io.BytesIO(data), "weights") as h5:
        plan = weights_store.read_plan(model, h5, source, skip_mismatch=skip_mismatch)
    weights_store.assign(plan)


def load_weights_from_archive(model: Any, filepath: str, skip_mismatch: bool = False) -> None:
    """model.load_weights('x.keras'): only the weights of the archive."""
    _, weights = read_archive(filepath)
    load_weights_bytes(model, weights, f"{filepath} ({WEIGHTS})", skip_mismatch=skip_mismatch)


def save_weights(model: Any, filepath: str, overwrite: bool = True) -> None:
    import h5py
    with file_io.atomic_path(filepath, overwrite=overwrite) as tmp:
        with h5py.File(tmp, "w") as h5:
            weights_store.write(model, h5)


def load_weights(model: Any, filepath: str, skip_mismatch: bool = False) -> None:
    file_io.check_readable(filepath, ".weights.h5")
    with file_io.open_h5(os.fspath(filepath), ".weights.h5 weights") as h5:
        if "layers" not in h5 and "vars" not in h5 and ("layer_names" in h5.attrs or "model_weights" in h5):
            raise ValueError(f"{filepath} is a legacy Keras 2 weights file; name it with a plain '.h5' suffix "
                             "to load it with the legacy reader")
        plan = weights_store.read_plan(model, h5, os.fspath(filepath), skip_mismatch=skip_mismatch)
    weights_store.assign(plan)
