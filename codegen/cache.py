"""On-disk cache of compiled code (object files, serialised kernels).

Why: JIT-compiling a training step costs hundreds of milliseconds; a warm start must not.
The cache is shared by every process of a user, so it has to survive crashes (atomic writes),
races (two processes writing one key) and damage (a torn or corrupt entry is detected by its
sha256, deleted and treated as a miss - never handed to the loader).

Entry layout (one file per key, ``<key>.bin`` in a two-character fan-out folder)::

    magic   8 bytes  b"SYMNETC\\0"
    version u32 LE   FORMAT_VERSION
    length  u64 LE   payload length
    sha256  32 bytes of the payload
    payload

Directory permissions: the cache directory is created with mode 0700.  An existing directory
that is group- or world-writable is *fixed* (chmod to drop those bits) when we own it and it is
not a shared sticky directory such as /tmp; otherwise it is refused (``PermissionError``) -
another user could plant code that we would run, and chmod-ing /tmp as root would break others.
A directory owned by another (non-root) user is refused for the same reason.
"""
from __future__ import annotations

import hashlib
import os
import stat
import struct
import tempfile
import threading

MAGIC = b"SYMNETC\0"
FORMAT_VERSION = 1
_HEADER = struct.Struct("<8sIQ32s")


def _versions() -> tuple[str, ...]:
    """Everything besides the caller's parts that decides whether cached code is still valid."""
    import llvmlite
    import llvmlite.binding as llvm

    import symnet

    return (
        f"symnet={symnet.__version__}",
        f"llvmlite={llvmlite.__version__}",
        "llvm=" + ".".join(str(v) for v in llvm.llvm_version_info),
        f"cache_format={FORMAT_VERSION}",
    )


def key_for(*parts: str | bytes) -> str:
    """sha256 hex of the parts plus library versions; the caller adds target triple/CPU/features."""
    h = hashlib.sha256()
    for p in (*_versions(), *parts):
        b = p.encode() if isinstance(p, str) else bytes(p)
        h.update(struct.pack("<Q", len(b)))  # length prefix: ("ab","c") != ("a","bc")
        h.update(b)
    return h.hexdigest()


def _secure_dir(path: str) -> None:
    """Create ``path`` (and parents) with mode 0700, or fix/refuse an unsafe existing one."""
    if not os.path.isdir(path):
        os.makedirs(path, mode=0o700, exist_ok=True)
        if os.stat(path).st_uid == os.getuid():
            os.chmod(path, 0o700)           # independent of the umask
    st = os.stat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise NotADirectoryError(f"symnet cache path {path!r} is not a directory")
    if st.st_uid not in (os.getuid(), 0):
        raise PermissionError(f"symnet cache directory {path!r} belongs to another user (uid {st.st_uid}); "
                              "refusing to load code from it (set config.cache_dir)")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        if st.st_uid != os.getuid() or st.st_mode & stat.S_ISVTX:
            raise PermissionError(
                f"symnet cache directory {path!r} is group/world-writable and "
                + ("a shared (sticky) directory" if st.st_mode & stat.S_ISVTX else "owned by another user")
                + "; refusing to use it (set config.cache_dir to a private directory)")
        os.chmod(path, stat.S_IMODE(st.st_mode) & ~(stat.S_IWGRP | stat.S_IWOTH))


class Cache:
    """A directory of checksummed entries; ``get`` never returns damaged data."""

    def __init__(self, directory: str, max_bytes: int | None = None) -> None:
        self.directory = os.path.abspath(os.path.expanduser(directory))
        self.max_bytes = max_bytes
        self._ready = False
        self.hits = 0
        self.misses = 0
        self.corrupt = 0   # damaged entries found (and deleted)

    # -- paths --------------------------------------------------------------------------
    def _ensure(self, create: bool = True) -> bool:
        """Check (and on write, create) the directory once; False if it does not exist yet."""
        if not self._ready:
            if not create and not os.path.isdir(self.directory):
                return False
            _secure_dir(self.directory)
            self._ready = True
        return True

    def path(self, key: str) -> str:
        if not key or not all(c in "0123456789abcdefABCDEF_-" or c.isalnum() for c in key):
            raise ValueError(f"cache key must be alphanumeric (use key_for), got {key!r}")
        return os.path.join(self.directory, key[:2], key + ".bin")

    # -- read ---------------------------------------------------------------------------
    def get(self, key: str) -> bytes | None:
        """The payload stored under ``key``, or None (missing, truncated or corrupt: deleted)."""
        path = self.path(key)
        try:
            if not self._ensure(create=False):
                raise FileNotFoundError(path)
            with open(path, "rb") as fh:
                blob = fh.read()
        except (FileNotFoundError, NotADirectoryError):
            self.misses += 1
            return None
        payload = self._decode(blob)
        if payload is None:
            self.corrupt += 1
            self.misses += 1
            self._discard(path, blob)
            return None
        self.hits += 1
        try:
            os.utime(path)        # mtime = last use, for LRU eviction
        except OSError:
            pass
        return payload

    @staticmethod
    def _decode(blob: bytes) -> bytes | None:
        if len(blob) < _HEADER.size:
            return None
        magic, version, length, digest = _HEADER.unpack_from(blob)
        if magic != MAGIC or version != FORMAT_VERSION or length != len(blob) - _HEADER.size:
            return None
        payload = blob[_HEADER.size:]
        if hashlib.sha256(payload).digest() != digest:
            return None
        return payload

    def _discard(self, path: str, seen: bytes) -> None:
        """Delete a damaged entry, unless another process already replaced it with a good one."""
        try:
            with open(path, "rb") as fh:
                if fh.read() != seen:
                    return
            os.unlink(path)
        except OSError:
            pass

    # -- write --------------------------------------------------------------------------
    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` atomically: temp file in the same folder, fsync, os.replace."""
        self._ensure()
        path = self.path(key)
        folder = os.path.dirname(path)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        data = bytes(data)
        header = _HEADER.pack(MAGIC, FORMAT_VERSION, len(data), hashlib.sha256(data).digest())
        fd, tmp = tempfile.mkstemp(prefix=".tmp-" + key[:16] + "-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(header)
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)   # atomic; concurrent writers of one key: last one wins, both valid
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        try:                        # make the rename itself durable
            dfd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:
            pass
        if self.max_bytes is not None:
            self.evict(self.max_bytes)

    # -- maintenance --------------------------------------------------------------------
    def entries(self) -> list[tuple[str, int, float]]:
        """(path, size, mtime) of every entry."""
        out = []
        if not os.path.isdir(self.directory):
            return out
        for sub in os.scandir(self.directory):
            if not sub.is_dir(follow_symlinks=False):
                continue
            for e in os.scandir(sub.path):
                if e.name.endswith(".bin") and e.is_file(follow_symlinks=False):
                    try:
                        st = e.stat()
                    except FileNotFoundError:
                        continue
                    out.append((e.path, st.st_size, st.st_mtime))
        return out

    def evict(self, max_bytes: int) -> int:
        """Delete least-recently-used entries (by mtime) until the total is <= max_bytes."""
        ents = sorted(self.entries(), key=lambda t: t[2])
        total = sum(s for _, s, _ in ents)
        removed = 0
        for p, s, _ in ents:
            if total <= max_bytes:
                break
            try:
                os.unlink(p)
                removed += 1
            except FileNotFoundError:
                pass
            total -= s
        return removed

    def clear(self) -> None:
        for p, _, _ in self.entries():
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass

    def __contains__(self, key: str) -> bool:
        return os.path.exists(self.path(key))

    def __repr__(self) -> str:
        return f"Cache({self.directory!r})"


_default: Cache | None = None
_default_lock = threading.Lock()


def default_cache() -> Cache:
    """The cache at ``symnet.config.config.cache_dir``; the directory is created on first put."""
    global _default
    from symnet.config import config

    directory = os.path.abspath(os.path.expanduser(config.cache_dir))
    with _default_lock:
        if _default is None or _default.directory != directory:
            _default = Cache(directory)
        return _default
