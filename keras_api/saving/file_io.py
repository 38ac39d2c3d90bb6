"""Atomic writes (a temporary file in the target's directory, then os.replace) and the checks that
turn unreadable files into one clear error naming the file and the problem."""
from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Iterator


@contextlib.contextmanager
def atomic_path(filepath: str, overwrite: bool = True) -> Iterator[str]:
    """Yield a temporary path next to `filepath`; on success it replaces `filepath` in one rename, on
    any failure (an exception, a full disk, a file-size limit) it is removed and `filepath` is untouched."""
    filepath = os.fspath(filepath)
    if os.path.exists(filepath) and not overwrite:
        raise FileExistsError(f"File {filepath} already exists and overwrite=False")
    directory = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"Cannot save to {filepath}: the directory {directory} does not exist")
    base = os.path.basename(filepath)
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        yield tmp
        mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, filepath)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class CorruptFileError(ValueError):
    """A model or weights file that cannot be read: the message names the file and what is wrong."""


class MissingFileError(FileNotFoundError, ValueError):
    """Keras raises ValueError("File not found: ..."); this is also a FileNotFoundError."""


def check_readable(filepath: str, what: str) -> None:
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise MissingFileError(f"File not found: filepath={filepath}. Please ensure the file is an accessible "
                                f"`{what}` file.")
    if os.path.isdir(filepath):
        raise IsADirectoryError(f"Cannot load {what} from {filepath}: it is a directory (a TensorFlow SavedModel "
                                "folder cannot be loaded by keras_api; use a .keras or .h5 file)")
    if os.path.getsize(filepath) == 0:
        raise CorruptFileError(f"Cannot load {what} from {filepath}: the file is empty (0 bytes); it was probably "
                               "not written completely")


def open_h5(filepath_or_obj, what: str):
    """h5py.File for reading, with a clear error for a file that is not (or no longer) valid HDF5."""
    import h5py
    name = filepath_or_obj if isinstance(filepath_or_obj, str) else getattr(filepath_or_obj, "name", "<stream>")
    try:
        return h5py.File(filepath_or_obj, "r")
    except (OSError, ValueError) as e:
        raise CorruptFileError(f"Cannot load {what} from {name}: it is not a valid HDF5 file (truncated or "
                               f"corrupt?): {e}") from None
