"""TensorType: dtype + static shape (None = unknown dim). All broadcasting and dtype-promotion
rules live here and nowhere else."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

Shape = tuple  # tuple[int | None, ...]

FLOAT_DTYPES = ("float16", "float32", "float64")
INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
ALL_DTYPES = ("bool",) + INT_DTYPES + FLOAT_DTYPES


def is_float(dtype: str) -> bool:
    return dtype in FLOAT_DTYPES


def is_int(dtype: str) -> bool:
    return dtype in INT_DTYPES


def upcast(*dtypes: str) -> str:
    """NumPy's promotion of array dtypes (float32 + int8 -> float32, float32 + int64 -> float64)."""
    return str(np.result_type(*[np.dtype(d) for d in dtypes]))


def upgrade_to_float(dtype: str) -> str:
    """Dtype of a float-valued op (exp, true division) on `dtype`: Theano's rule.

    Small ints and bool go to float32, int32/int64 to float64, floats stay."""
    if is_float(dtype):
        return dtype
    if dtype in ("bool", "int8", "uint8", "int16", "uint16"):
        return "float32"
    return "float64"


def python_scalar_dtype(value: Any, partner_dtypes: Sequence[str] = ()) -> str:
    """Dtype of a Python scalar mixed with tensors: a 'weak' type as in NumPy 2 (NEP 50).

    ``x_float32 * 2.0`` stays float32, ``x_int32 + 1`` stays int32, ``x_int32 * 0.5`` becomes
    float64 (as NumPy), a lone Python float becomes floatX."""
    from .config import config

    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if partner_dtypes:
        base = upcast(*partner_dtypes)
        if isinstance(value, (int, np.integer)):
            if base == "bool":
                return "int64"
            if is_int(base):
                info = np.iinfo(base)
                return base if info.min <= int(value) <= info.max else "int64"
            return base
        if isinstance(value, (float, np.floating)):
            return base if is_float(base) else "float64"
    if isinstance(value, (int, np.integer)):
        return "int64" if isinstance(value, int) else str(np.asarray(value).dtype)
    if isinstance(value, (float, np.floating)):
        return config.floatX if isinstance(value, float) else str(np.asarray(value).dtype)
    return str(np.asarray(value).dtype)


def broadcast_shapes(*shapes: Shape, context: str = "") -> Shape:
    """Static NumPy broadcasting over shapes with None for unknown dims.

    A dim broadcasts only when its static size is 1: (None,) with (5,) gives (5,) and is checked
    at run time to be 5, never silently stretched."""
    ndim = max((len(s) for s in shapes), default=0)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
    out = []
    for axis in range(ndim):
        dims = [p[axis] for p in padded]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            where = f" in {context}" if context else ""
            raise ValueError(
                f"shapes {' and '.join(str(tuple(s)) for s in shapes)} cannot be broadcast together{where}: "
                f"axis {axis - ndim} has sizes {sorted(known)}")
        if known:
            out.append(known.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def normalize_axis(axis: int, ndim: int, what: str = "axis") -> int:
    if not -ndim <= axis < max(ndim, 1) or (ndim == 0 and axis not in (0, -1)):
        raise ValueError(f"{what} {axis} is out of range for a tensor of {ndim} dimensions")
    return axis % ndim if ndim else 0


def normalize_axes(axis: int | Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    """None -> all axes; ints may be negative; duplicates are an error."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    axes = tuple(normalize_axis(int(a), ndim) for a in axis)
    if len(set(axes)) != len(axes):
        raise ValueError(f"repeated axis in {tuple(axis)}")
    return tuple(sorted(axes))


class TensorType:
    """The type of a symbolic tensor: a dtype and a static shape (None marks an unknown dim)."""

    __slots__ = ("dtype", "shape")

    def __init__(self, dtype: str, shape: Sequence[int | None]) -> None:
        dtype = str(np.dtype(dtype))
        if dtype not in ALL_DTYPES:
            raise TypeError(f"unsupported dtype {dtype!r}; supported: {', '.join(ALL_DTYPES)}")
        shape = tuple(None if d is None else int(d) for d in shape)
        if any(d is not None and d < 0 for d in shape):
            raise ValueError(f"negative dimension in shape {shape}")
        self.dtype = dtype
        self.shape = shape

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        """Theano's view: True where the dim is statically 1."""
        return tuple(d == 1 for d in self.shape)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TensorType) and self.dtype == other.dtype and self.shape == other.shape

    def __hash__(self) -> int:
        return hash((self.dtype, self.shape))

    def __repr__(self) -> str:
        return f"TensorType({self.dtype}, {self.shape})"

    def __str__(self) -> str:
        dims = ", ".join("?" if d is None else str(d) for d in self.shape)
        return f"{self.dtype}[{dims}]"

    def clone(self, dtype: str | None = None, shape: Sequence[int | None] | None = None) -> "TensorType":
        return TensorType(dtype or self.dtype, self.shape if shape is None else shape)

    def is_super(self, other: "TensorType") -> bool:
        """True when every value of `other` is also a value of self (same dtype, looser shape)."""
        return (self.dtype == other.dtype and self.ndim == other.ndim
                and all(a is None or a == b for a, b in zip(self.shape, other.shape)))

    def __call__(self, name: str | None = None) -> Any:
        from .graph import Variable
        return Variable(self, name=name)

    def filter(self, value: Any, name: str = "input", allow_downcast: bool | None = None) -> np.ndarray:
        """Check and convert a runtime value, raising an error that names the variable.

        Safe casts happen silently (int -> float64, float64 Python floats -> float32 when
        allow_downcast or the value is a Python scalar); unsafe ones are a TypeError."""
        try:
            arr = value if isinstance(value, np.ndarray) else np.asarray(value)
        except OverflowError:      # a Python int beyond 64 bits
            arr = np.asarray(value, dtype=object)
        if arr.dtype != self.dtype:
            src = arr.dtype
            python_scalar = not isinstance(value, (np.ndarray, np.generic))
            _check_kind(arr, value, self.dtype, name, python_scalar and not allow_downcast)
            if np.can_cast(src, self.dtype, "safe") or allow_downcast or (
                    python_scalar and (allow_downcast is None) and _scalar_fits(arr, self.dtype)):
                arr = arr.astype(self.dtype)
            else:
                raise TypeError(
                    f"{name}: expected dtype {self.dtype}, got {src}, which cannot be cast safely "
                    f"(convert it with .astype({self.dtype!r}) or declare the variable with dtype {str(src)!r})")
        if arr.ndim != self.ndim:
            raise ValueError(f"{name}: expected {self.ndim} dimensions (shape {_fmt_shape(self.shape)}), "
                             f"got an array of shape {arr.shape}")
        for axis, (want, got) in enumerate(zip(self.shape, arr.shape)):
            if want is not None and want != got:
                raise ValueError(f"{name}: expected shape {_fmt_shape(self.shape)}, got {arr.shape} "
                                 f"(dim {axis} is {got}, not {want})")
        return arr


class IntegerInputOverflow(OverflowError, TypeError):
    """A Python int that does not fit the input's integer dtype: NumPy's OverflowError, and a
    TypeError like every other input-dtype mismatch of filter()."""


def _check_kind(arr: np.ndarray, value: Any, dtype: str, name: str, python_scalar: bool) -> None:
    """Errors that say what was passed: strings/objects for a numeric input, Python ints that do
    not fit the integer dtype (NumPy: 'Python integer ... out of bounds')."""
    if arr.dtype.kind in "USVO" and not (arr.dtype.kind == "O" and python_scalar and _all_ints(arr)):
        what = {"U": "strings", "S": "bytes", "V": "raw void data", "O": "Python objects"}[arr.dtype.kind]
        shown = repr(value) if python_scalar and len(repr(value)) < 60 else f"an array of shape {arr.shape}"
        raise TypeError(f"{name}: expected {dtype} values, got {what} (dtype {arr.dtype}); "
                        f"Received: {shown}")
    if python_scalar and np.dtype(dtype).kind in "iu" and (arr.dtype.kind in "iuO"):
        info = np.iinfo(dtype)
        flat = [int(v) for v in np.asarray(arr, dtype=object).reshape(-1)]
        bad = [v for v in flat if not info.min <= v <= info.max]
        if bad:
            raise IntegerInputOverflow(f"{name}: Python integer {bad[0]} is out of bounds for {dtype} "
                                f"({info.min}..{info.max}); declare the variable with a wider dtype")


def _all_ints(arr: np.ndarray) -> bool:
    return all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in arr.reshape(-1))


def _scalar_fits(arr: np.ndarray, dtype: str) -> bool:
    """A Python scalar (or list of them) converts if the value survives the round trip."""
    if arr.dtype.kind == "b" or np.dtype(dtype).kind == "b":
        return arr.dtype.kind == np.dtype(dtype).kind
    if np.dtype(dtype).kind in "iu" and arr.dtype.kind == "f":
        return False
    with np.errstate(all="ignore"):
        conv = arr.astype(dtype)
    if np.dtype(dtype).kind == "f":
        return True
    return bool(np.all(conv == arr))


def _fmt_shape(shape: Shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def fmt_shape(shape: Shape) -> str:
    return _fmt_shape(shape)
