"""The on-disk compile cache: integrity, atomicity, races between processes, permissions."""
from __future__ import annotations

import multiprocessing as mp
import os
import stat

import pytest

from codegen import cache as cachemod
from codegen.cache import Cache, default_cache, key_for


def _entry_file(c: Cache, key: str) -> str:
    return c.path(key)


def test_round_trip(tmp_path):
    c = Cache(str(tmp_path / "c"))
    k = key_for("ir text", b"\x00\x01", "x86_64-unknown-linux-gnu", "znver4")
    assert c.get(k) is None
    data = os.urandom(10_000) + b"tail"
    c.put(k, data)
    assert c.get(k) == data
    assert (c.hits, c.misses) == (1, 1)
    c.put(k, b"")                     # empty payload is a valid entry, distinct from a miss
    assert c.get(k) == b""


def test_key_depends_on_every_part():
    base = key_for("a", "b")
    assert base == key_for("a", "b")
    assert len(base) == 64
    assert base != key_for("ab")       # parts are length-prefixed, not concatenated
    assert base != key_for("a", "c")
    assert key_for(b"a", "b") == base  # str and bytes with the same content agree


def test_truncated_entry_is_miss_and_rebuilt(tmp_path):
    c = Cache(str(tmp_path))
    k = key_for("trunc")
    c.put(k, b"x" * 1000)
    p = _entry_file(c, k)
    for cut in (os.path.getsize(p) - 1, 40, 3, 0):
        with open(p, "r+b") as fh:
            fh.truncate(cut)
        assert c.get(k) is None
        assert not os.path.exists(p)   # the damaged entry is deleted
        c.put(k, b"x" * 1000)          # rebuilt
        assert c.get(k) == b"x" * 1000
    assert c.corrupt == 4


@pytest.mark.parametrize("where", ["magic", "version", "length", "digest", "payload", "last"])
def test_flipped_byte_is_miss(tmp_path, where):
    c = Cache(str(tmp_path))
    k = key_for("flip", where)
    c.put(k, bytes(range(256)) * 4)
    p = _entry_file(c, k)
    off = {"magic": 0, "version": 8, "length": 12, "digest": 20, "payload": 60,
           "last": os.path.getsize(p) - 1}[where]
    with open(p, "r+b") as fh:
        fh.seek(off)
        b = fh.read(1)
        fh.seek(off)
        fh.write(bytes([b[0] ^ 0x10]))
    assert c.get(k) is None
    assert not os.path.exists(p)
    assert c.corrupt == 1


def test_extra_trailing_bytes_is_miss(tmp_path):
    c = Cache(str(tmp_path))
    k = key_for("extra")
    c.put(k, b"abc")
    with open(_entry_file(c, k), "ab") as fh:
        fh.write(b"junk")
    assert c.get(k) is None


def test_changed_version_changes_key(monkeypatch):
    import llvmlite

    import symnet

    k0 = key_for("same ir")
    monkeypatch.setattr(symnet, "__version__", symnet.__version__ + ".post1")
    k1 = key_for("same ir")
    assert k1 != k0
    monkeypatch.setattr(llvmlite, "__version__", "0.0.0")
    k2 = key_for("same ir")
    assert k2 not in (k0, k1)
    monkeypatch.setattr(cachemod, "FORMAT_VERSION", cachemod.FORMAT_VERSION + 1)
    assert key_for("same ir") not in (k0, k1, k2)


def test_entry_from_other_format_version_is_miss(tmp_path, monkeypatch):
    c = Cache(str(tmp_path))
    c.put("k1", b"payload")
    monkeypatch.setattr(cachemod, "FORMAT_VERSION", cachemod.FORMAT_VERSION + 1)
    assert c.get("k1") is None


def _writer(directory: str, key: str, payload: bytes, rounds: int, barrier) -> None:
    c = Cache(directory)
    barrier.wait()
    for _ in range(rounds):
        c.put(key, payload)
        got = c.get(key)
        assert got is not None and len(got) == len(payload)


def test_concurrent_writers_two_processes(tmp_path):
    d = str(tmp_path / "shared")
    k = key_for("race")
    ctx = mp.get_context("spawn" if "fork" not in mp.get_all_start_methods() else "fork")
    barrier = ctx.Barrier(2)
    pa, pb = b"A" * 300_000, b"B" * 300_000
    procs = [ctx.Process(target=_writer, args=(d, k, p, 30, barrier)) for p in (pa, pb)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    c = Cache(d)
    assert c.get(k) in (pa, pb)
    assert c.corrupt == 0
    folder = os.path.dirname(c.path(k))
    assert os.listdir(folder) == [os.path.basename(c.path(k))]   # no temp files left behind


def test_directory_mode_0700(tmp_path):
    d = tmp_path / "a" / "b"
    c = Cache(str(d))
    assert not d.exists()              # created lazily
    old = os.umask(0)                  # even a permissive umask gives 0700
    try:
        c.put("k", b"v")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(d).st_mode) == 0o700


def test_world_writable_directory_is_fixed(tmp_path):
    d = tmp_path / "ww"
    d.mkdir()
    os.chmod(d, 0o777)
    c = Cache(str(d))
    c.put("k", b"v")
    mode = stat.S_IMODE(os.stat(d).st_mode)
    assert mode & (stat.S_IWGRP | stat.S_IWOTH) == 0
    assert c.get("k") == b"v"


def test_shared_sticky_directory_is_refused(tmp_path):
    d = tmp_path / "shared_tmp"
    d.mkdir()
    os.chmod(d, 0o1777)                # like /tmp: must not be chmod-ed, even by its owner
    c = Cache(str(d))
    with pytest.raises(PermissionError):
        c.put("k", b"v")
    assert stat.S_IMODE(os.stat(d).st_mode) == 0o1777


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to chown")
def test_directory_of_another_user_is_refused(tmp_path):
    d = tmp_path / "theirs"
    d.mkdir(mode=0o700)
    os.chown(d, 12345, 12345)
    with pytest.raises(PermissionError):
        Cache(str(d)).put("k", b"v")
    with pytest.raises(PermissionError):          # reading refuses too
        Cache(str(d)).get("k")


def test_bad_keys_rejected(tmp_path):
    c = Cache(str(tmp_path))
    for bad in ("", "../x", "a/b", "a.b"):
        with pytest.raises(ValueError):
            c.put(bad, b"")


def test_lru_eviction(tmp_path):
    c = Cache(str(tmp_path))
    for i in range(5):
        c.put(f"k{i}", b"z" * 1000)
        os.utime(c.path(f"k{i}"), (1000 + i, 1000 + i))
    c.get("k0")                        # touched: now the most recent
    removed = c.evict(3 * (1000 + 60))
    assert removed == 2
    assert c.get("k0") is not None and c.get("k4") is not None
    assert c.get("k1") is None and c.get("k2") is None


def test_default_cache_follows_config(tmp_path):
    from symnet.config import config

    config.cache_dir = str(tmp_path / "dflt")
    c = default_cache()
    assert c.directory == str(tmp_path / "dflt")
    assert not os.path.exists(c.directory)    # lazily created
    c.put(key_for("x"), b"1")
    assert stat.S_IMODE(os.stat(c.directory).st_mode) == 0o700
    assert default_cache() is c
