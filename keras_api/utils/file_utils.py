"""keras.utils.get_file with Keras 3's signature and cache layout ($KERAS_HOME or ~/.keras, then
`cache_subdir`): a cached file is used (its hash checked when one is given); otherwise it is
downloaded. Offline, or with a hash that does not match and no way to fetch a fresh copy, the error
names the file, the URL it comes from and the folder to put it in."""
from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile
from typing import Any


def resolve_hasher(algorithm: str, file_hash: str | None = None) -> Any:
    """sha256 when asked or when 'auto' sees a 64-character hash, else md5 (Keras's rule)."""
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None and len(file_hash) == 64):
        return hashlib.sha256()
    return hashlib.md5()


def hash_file(fpath: str, algorithm: Any = "sha256", chunk_size: int = 65535) -> str:
    hasher = resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath: str, file_hash: str, algorithm: str = "auto", chunk_size: int = 65535) -> bool:
    return str(hash_file(fpath, resolve_hasher(algorithm, file_hash), chunk_size)) == str(file_hash)


def _download(origin: str, target: str) -> None:
    """Fetch `origin` into `target` (a temporary name next to it first, so a broken download leaves nothing)."""
    directory = os.path.dirname(target)
    fd, tmp = tempfile.mkstemp(prefix=".download.", dir=directory)
    os.close(fd)
    try:
        with urllib.request.urlopen(origin, timeout=60) as response, open(tmp, "wb") as out:
            shutil.copyfileobj(response, out)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def extract_archive(file_path: str, path: str = ".", archive_format: Any = "auto") -> bool:
    """Unpack a tar or zip archive into `path`; members that would land outside `path` are refused."""
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else [archive_format] if isinstance(archive_format, str) \
        else list(archive_format)
    root = os.path.realpath(path)
    for kind in formats:
        if kind == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as archive:
                members = archive.getmembers()
                for m in members:
                    _check_member(root, m.name, file_path)
                    if m.issym() or m.islnk():
                        raise ValueError(f"Refusing to extract {file_path}: member {m.name!r} is a link")
                archive.extractall(path, members=members, filter="data") if hasattr(tarfile, "data_filter") \
                    else archive.extractall(path, members=members)
            return True
        if kind == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as archive:
                for name in archive.namelist():
                    _check_member(root, name, file_path)
                archive.extractall(path)
            return True
        if kind not in ("tar", "zip"):
            raise NotImplementedError(kind)
    return False


def _check_member(root: str, name: str, archive: str) -> None:
    target = os.path.realpath(os.path.join(root, name))
    if target != root and not target.startswith(root + os.sep):
        raise ValueError(f"Refusing to extract {archive}: member {name!r} would be written outside {root}")


def get_file(fname: str | None = None, origin: str | None = None, untar: bool = False, md5_hash: str | None = None,
             file_hash: str | None = None, cache_subdir: str = "datasets", hash_algorithm: str = "auto",
             extract: bool = False, archive_format: str = "auto", cache_dir: str | None = None,
             force_download: bool = False) -> str:
    """The local path of `fname` (or of its extracted folder with extract=True), downloading it if needed."""
    from ..backend import keras_home
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    base = os.path.expanduser(cache_dir if cache_dir is not None else keras_home())
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        pass
    if not os.access(base, os.W_OK):
        base = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    provided = fname
    fname = os.fspath(fname) if fname else ""
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'.Please specify the "
                             "`fname` argument.")
    elif os.sep in fname:
        raise ValueError("Paths are no longer accepted as the `fname` argument. To specify the file's parent "
                         f"directory, use the `cache_dir` argument. Received: fname={fname}")
    if extract or untar:
        if provided and "." in fname:
            download_target = os.path.join(datadir, fname)
            stem = fname[:fname.find(".")]
            extraction_dir = os.path.join(datadir, f"{stem}_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            download_target = os.path.join(datadir, f"{fname}_archive")
    else:
        download_target = os.path.join(datadir, fname)

    stale = False
    if force_download or not os.path.exists(download_target):
        download = True
    else:
        download = False
        if file_hash is not None and not validate_file(download_target, file_hash, algorithm=hash_algorithm):
            print(f"A local file was found, but it seems to be incomplete or outdated because the {hash_algorithm} "
                  f"file hash does not match the original value of {file_hash} so we will re-download the data.")
            download = stale = True
    if download:
        print(f"Downloading data from {origin}")
        try:
            _download(origin, download_target)
        except (urllib.error.URLError, OSError, ValueError) as e:
            reason = getattr(e, "reason", e)
            if stale:
                raise ValueError(f"The cached file {download_target} does not match its expected {hash_algorithm} hash "
                                 f"{file_hash} (it is incomplete, outdated or a different file), and a fresh copy could "
                                 f"not be downloaded from {origin} ({reason}). Put the correct file at "
                                 f"{download_target}.") from None
            raise Exception(f"URL fetch failure on {origin}: {reason} -- could not download '{fname}'. Without network "
                            f"access, download it elsewhere and put it in {datadir} as {os.path.basename(download_target)}"
                            ) from None
        if file_hash is not None and not validate_file(download_target, file_hash, algorithm=hash_algorithm):
            raise ValueError(f"Incomplete or corrupted file detected. The {hash_algorithm} file hash does not match the "
                             f"provided value of {file_hash}. (file: {download_target}, from {origin})")
    if extract or untar:
        status = extract_archive(download_target, extraction_dir, "tar" if untar else archive_format)
        if not status:
            warnings.warn("Could not extract archive.", stacklevel=2)
        return extraction_dir
    return download_target
