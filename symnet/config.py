"""Configuration flags (Theano-style).

Precedence, highest first: assignments in code / ``change_flags`` > the SYMNET_FLAGS environment
variable ("floatX=float64,device=cpu") > the INI file named by $SYMNETRC > ~/.symnetrc > defaults.
Flags in INI files live in sections: ``[global]`` for plain flags, ``[llvm]`` for ``llvm__x`` /
``llvm.x`` flags and so on. Every bad name or value is an error naming the flag, the value and
the source it came from.
"""
from __future__ import annotations

import configparser
import contextlib
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator


class ConfigError(ValueError):
    """An unknown flag or a bad flag value."""


@dataclass
class Flag:
    name: str                      # canonical name, "floatX" or "llvm__threads"
    default: Any
    parse: Callable[[Any], Any]    # str/any -> value, raises ValueError with a reason
    doc: str
    value: Any = None
    source: str = "default"
    on_change: list = field(default_factory=list)


def _choice(*options: str) -> Callable[[Any], Any]:
    def parse(v: Any) -> Any:
        if v is None and None in options:
            return None
        s = str(v)
        if s in options:
            return s
        raise ValueError(f"must be one of {', '.join(repr(o) for o in options)}")
    return parse


def _bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    if s in ("1", "true", "yes", "on"):
        return True
    if s in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("must be a boolean (0/1, true/false)")


def _int_min(lo: int) -> Callable[[Any], int]:
    def parse(v: Any) -> int:
        try:
            i = int(v)
        except (TypeError, ValueError):
            raise ValueError("must be an integer") from None
        if i < lo:
            raise ValueError(f"must be >= {lo}")
        return i
    return parse


def _str(v: Any) -> str:
    return str(v)


def _optimizer(v: Any) -> str | None:
    if v is None or str(v) in ("None", "none", ""):
        return None
    return _choice("fast_run", "fast_compile")(str(v).lower())


def _backend_built(name: str) -> bool:
    """Whether a backend is registered (codegen's registry; CUDA registers itself once it exists)."""
    from codegen import backends
    return name in backends.available()


def _refuse_unbuilt_cuda(flag: str) -> None:
    if not _backend_built("cuda"):
        from codegen.backends import CUDA_MISSING
        raise ValueError(f"{CUDA_MISSING}, so {flag}=cuda cannot run anything; "
                         f"use {'device=cpu' if flag == 'device' else 'mode=llvm (or mode=reference)'}")


def _mode(v: Any) -> str | None:
    if v is None or str(v) in ("None", "none", "", "auto"):
        return None
    mode = _choice("reference", "llvm", "cuda")(str(v).lower())
    if mode == "cuda":
        _refuse_unbuilt_cuda("mode")
    return mode


def _device(v: Any) -> str:
    device = _choice("cpu", "cuda")(v)
    if device == "cuda":
        _refuse_unbuilt_cuda("device")
    return device


class Config:
    """The flag registry: attribute access reads a flag, assignment sets it (source 'code')."""

    def __init__(self) -> None:
        object.__setattr__(self, "_flags", {})

    # -- registration -----------------------------------------------------------------
    def add(self, name: str, default: Any, parse: Callable[[Any], Any], doc: str) -> None:
        """Register a flag; later modules (backends) add their own."""
        name = name.replace(".", "__")
        flag = Flag(name, default, parse, doc, value=parse(default) if default is not None else None)
        self._flags[name] = flag
        if _loaded_sources is not None:          # a late flag still honours env and rc files
            for source, values in _loaded_sources:
                if name in values:
                    self._set(name, values[name], source)

    # -- access -----------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        flags = object.__getattribute__(self, "_flags")
        if name in flags:
            return flags[name].value
        section = _Section(self, name)
        if any(k.startswith(name + "__") for k in flags):
            return section
        raise AttributeError(f"symnet.config has no flag {name!r}; known flags: {', '.join(sorted(flags))}")

    def __setattr__(self, name: str, value: Any) -> None:
        self._set(name, value, "code")

    def _set(self, name: str, value: Any, source: str) -> None:
        name = name.replace(".", "__")
        flags = self._flags
        if name not in flags:
            raise ConfigError(f"unknown config flag {name!r} with value {value!r} (from {source}); "
                              f"known flags: {', '.join(sorted(flags))}")
        flag = flags[name]
        try:
            parsed = flag.parse(value)
        except ValueError as e:
            raise ConfigError(f"bad value {value!r} for config flag {name!r} (from {source}): {e}") from None
        flag.value, flag.source = parsed, source
        for cb in flag.on_change:
            cb(parsed)

    def source_of(self, name: str) -> str:
        """Where the current value of a flag came from ('default', 'SYMNET_FLAGS', a file, 'code')."""
        return self._flags[name.replace(".", "__")].source

    def flags(self) -> dict[str, Any]:
        return {k: f.value for k, f in self._flags.items()}

    def describe(self) -> list[tuple[str, Any, str, str]]:
        """(flag, value, source, doc) of every flag, sorted by name (what `symnet config` prints)."""
        return [(k, f.value, f.source, f.doc) for k, f in sorted(self._flags.items())]

    @contextlib.contextmanager
    def change_flags(self, **kwargs: Any) -> Iterator[None]:
        """Temporarily change flags: ``with config.change_flags(floatX='float64'): ...``."""
        saved = {}
        try:
            for k, v in kwargs.items():
                k = k.replace(".", "__")
                if k not in self._flags:
                    raise ConfigError(f"unknown config flag {k!r} (from change_flags)")
                saved[k] = (self._flags[k].value, self._flags[k].source)
                self._set(k, v, "change_flags")
            yield
        finally:
            for k, (v, src) in saved.items():
                self._flags[k].value, self._flags[k].source = v, src
                for cb in self._flags[k].on_change:
                    cb(v)

    def __repr__(self) -> str:
        return "\n".join(f"{k} = {f.value!r}  ({f.source})" for k, f in sorted(self._flags.items()))


class _Section:
    """``config.llvm.threads`` reads flag ``llvm__threads``."""

    def __init__(self, cfg: Config, prefix: str) -> None:
        object.__setattr__(self, "_cfg", cfg)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cfg, f"{self._prefix}__{name}")

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._cfg, f"{self._prefix}__{name}", value)


# ------------------------------------------------------------------------------------------
# Loading the sources
# ------------------------------------------------------------------------------------------
_loaded_sources: list[tuple[str, dict[str, str]]] | None = None


def parse_flags_string(text: str, source: str = "SYMNET_FLAGS") -> dict[str, str]:
    """'floatX=float64,device=cpu' -> {'floatX': 'float64', 'device': 'cpu'}."""
    out: dict[str, str] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        if "=" not in item:
            raise ConfigError(f"bad entry {item!r} in {source}: expected name=value")
        k, v = item.split("=", 1)
        out[k.strip().replace(".", "__")] = v.strip()
    return out


def parse_rc_file(path: str) -> dict[str, str]:
    """INI file: [global] holds plain flags, [section] holds section__flag."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keep 'floatX' case
    try:
        with open(path) as fh:
            parser.read_file(fh)
    except configparser.Error as e:
        raise ConfigError(f"cannot parse config file {path}: {e}") from None
    out: dict[str, str] = {}
    for section in parser.sections():
        for k, v in parser.items(section):
            out[k if section == "global" else f"{section}__{k}"] = v
    return out


def load_sources(cfg: Config, environ: dict[str, str] | None = None) -> None:
    """Apply ~/.symnetrc, then $SYMNETRC, then SYMNET_FLAGS (each overriding the previous)."""
    global _loaded_sources
    env = os.environ if environ is None else environ
    sources: list[tuple[str, dict[str, str]]] = []
    home_rc = os.path.join(os.path.expanduser("~"), ".symnetrc")
    if os.path.isfile(home_rc):
        sources.append((home_rc, parse_rc_file(home_rc)))
    rc = env.get("SYMNETRC")
    if rc:
        if not os.path.isfile(rc):
            raise ConfigError(f"SYMNETRC names {rc!r}, which is not a file")
        sources.append((rc, parse_rc_file(rc)))
    if env.get("SYMNET_FLAGS"):
        sources.append(("SYMNET_FLAGS", parse_flags_string(env["SYMNET_FLAGS"])))
    for source, values in sources:
        for k, v in values.items():
            cfg._set(k, v, source)
    _loaded_sources = sources


def _default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "symnet")


config = Config()
config.add("floatX", "float32", _choice("float32", "float64"), "default float dtype of new variables")
config.add("device", "cpu", _device, "where compiled functions run")
config.add("mode", None, _mode, "backend: reference | llvm | cuda; unset picks from device")
config.add("optimizer", "fast_run", _optimizer, "rewrite pipeline: fast_run | fast_compile | None")
config.add("print_rewrites", False, _bool, "log every rewrite that fires")
config.add("rewrite_unsafe_math", False, _bool,
           "allow rewrites that change results for nan/inf/zero/negative inputs (x-x -> 0, x/x -> 1, "
           "0*x -> 0, exp(log x) -> x, sympy cancellations that fail the probe check)")
config.add("cache_dir", _default_cache_dir(), _str, "on-disk cache of compiled code")
config.add("dump_kernels", "", _str, "directory to write every compiled kernel to (empty: off)")
config.add("on_unused_input", "raise", _choice("raise", "warn", "ignore"), "unused function inputs")
config.add("compute_test_value", "off", _choice("off", "raise", "warn", "ignore"), "unused; Theano name")
config.add("llvm.threads", 2, _int_min(1), "threads for large LLVM kernels")
config.add("llvm.cpu", "host", _str, "target CPU name for LLVM ('host' = this machine)")
config.add("llvm.check_bounds", False, _bool, "check every memory access of generated code (slow; for tests)")
config.add("cuda.root", "", _str, "CUDA toolkit root (empty: autodetect)")
load_sources(config)
