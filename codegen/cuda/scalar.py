"""CUDA C printer of symnet scalar programs (symnet/scalar.py): one `const T vN = ...;` per slot.

The same mechanism as the LLVM printer (codegen/llvm/scalar.py): a table from scalar op name to
a formula (`CUDA_OPS`), bool arithmetic in `BOOL_OPS`, and ops missing from the table printed
from their neutral decomposition (codegen/scalar_forms.py: sigmoid, softplus, elu, step).
NumPy semantics as the LLVM printer has them: maximum/minimum propagate nan, integer
floor_div/mod follow NumPy's sign rules and give 0 on division by zero, float floor_div/mod follow
npy_divmod, signed integer arithmetic wraps (done in the unsigned type: no C++ overflow UB),
float -> int casts give NumPy's x86 results (codegen/llvm/casts.py), integer pow is npy_ipow
(a negative exponent sets `symnet_status` to 1, as codegen/llvm/status.py). The helpers named sn_* are in PRELUDE.
"""
from __future__ import annotations

import importlib
import math
import re
from typing import Any, Callable

from symnet.types import upcast

from ..scalar_forms import decompose

S = importlib.import_module("symnet.scalar")  # the module: the attribute symnet.scalar is sn.scalar()

CTYPE = {"bool": "bool", "int8": "signed char", "uint8": "unsigned char", "int16": "short",
         "uint16": "unsigned short", "int32": "int", "uint32": "unsigned int", "int64": "long long",
         "uint64": "unsigned long long", "float32": "float", "float64": "double"}
UNSIGNED_OF = {"int32": "unsigned int", "int64": "unsigned long long"}


def ctype(dtype: str) -> str:
    """The register type of a dtype."""
    return CTYPE[dtype]


def mem_ctype(dtype: str) -> str:
    """The memory type (bools are bytes, as NumPy's)."""
    return "unsigned char" if dtype == "bool" else CTYPE[dtype]


def is_f(dtype: str) -> bool:
    return dtype.startswith("float")


def is_u(dtype: str) -> bool:
    return dtype.startswith("uint") or dtype == "bool"


def literal(value: Any, dtype: str) -> str:
    """A C literal of `value` in `dtype` (inf/nan through bit patterns)."""
    if is_f(dtype):
        v = float(value)
        f32 = dtype == "float32"
        if math.isnan(v):
            return "__int_as_float(0x7fc00000)" if f32 else "__longlong_as_double(0x7ff8000000000000LL)"
        if math.isinf(v):
            sign = "-" if v < 0 else ""
            return (f"{sign}__int_as_float(0x7f800000)" if f32
                    else f"{sign}__longlong_as_double(0x7ff0000000000000LL)")
        return f"{v:.9e}f" if f32 else f"{v:.17e}"
    if dtype == "bool":
        return "true" if value else "false"
    v = int(value)
    if dtype == "uint64":
        return f"{v & (2 ** 64 - 1)}ULL"
    if dtype == "int64" and v == -(2 ** 63):
        return "(-9223372036854775807LL - 1)"
    return f"(({CTYPE[dtype]}){v}LL)"


def math_fn(name: str, dtype: str) -> str:
    """libdevice name: expf for float32, exp for float64."""
    return name + ("f" if dtype == "float32" else "")


# float -> int as codegen/llvm/casts.float_to_int: cvtt32 / cvtt64 (nan and out of range -> the
# minimum), narrower types take the low bits of cvtt32, uint32 those of cvtt64
_F2I = {"int8": "sn_cvtt32", "int16": "sn_cvtt32", "uint8": "sn_cvtt32", "uint16": "sn_cvtt32",
        "int32": "sn_cvtt32", "uint32": "sn_cvtt64", "int64": "sn_cvtt64", "uint64": "sn_cvtt_u64"}


def convert(x: str, src: str, dst: str) -> str:
    if src == dst:
        return x
    if dst == "bool":
        return f"(({x}) != 0)"          # nan != 0 is true, as NumPy's astype(bool)
    if is_f(src) and not is_f(dst):     # NumPy's x86 results (codegen/llvm/casts.py), not CUDA's saturation
        return f"(({CTYPE[dst]}){_F2I[dst]}({x}))"
    return f"(({CTYPE[dst]})({x}))"


def _wrap(sym: str) -> Callable:
    """Signed int32/int64 arithmetic through the unsigned type (NumPy wraps; C++ overflow is UB)."""
    def emit(op, xs, dt):
        if dt in UNSIGNED_OF:
            u = UNSIGNED_OF[dt]
            return f"({CTYPE[dt]})(({u})({xs[0]}) {sym} ({u})({xs[1]}))"
        return f"({xs[0]} {sym} {xs[1]})"
    return emit


def _neg(op, xs, dt):
    if dt in UNSIGNED_OF:
        return f"({CTYPE[dt]})(0u - ({UNSIGNED_OF[dt]})({xs[0]}))"
    return f"(-{xs[0]})"


def _float_only(name: str) -> Callable:
    def emit(op, xs, dt):
        if not is_f(dt):
            raise NotImplementedError(f"integer {name} in codegen/cuda/scalar.py")
        return f"{math_fn(name, dt)}({', '.join(xs)})"
    return emit


def _rounding(name: str) -> Callable:
    return lambda op, xs, dt: f"{math_fn(name, dt)}({xs[0]})" if is_f(dt) else xs[0]


def _abs(op, xs, dt):
    if is_f(dt):
        return f"{math_fn('fabs', dt)}({xs[0]})"
    return xs[0] if is_u(dt) else f"({xs[0]} < 0 ? {_neg(op, xs, dt)} : {xs[0]})"


def _sign(op, xs, dt):
    x, t = xs[0], CTYPE[dt]
    if is_f(dt):
        return f"({x} > 0 ? ({t})1 : ({x} < 0 ? ({t})-1 : {x}))"
    if is_u(dt):
        return f"({t})({x} != 0)"
    return f"({t})(({x} > 0) - ({x} < 0))"


def _relu(op, xs, dt):
    x = xs[0]
    if is_f(dt):      # nan passes through (unordered >=), as the LLVM printer
        return f"(({x} >= 0 || {x} != {x}) ? {x} : ({CTYPE[dt]})0)"
    return f"({x} >= 0 ? {x} : ({CTYPE[dt]})0)"


def _minmax(greater: bool) -> Callable:
    def emit(op, xs, dt):
        fn = ("sn_fmax_np" if greater else "sn_fmin_np") if is_f(dt) else ("sn_imax" if greater else "sn_imin")
        return f"{fn}({xs[0]}, {xs[1]})"
    return emit


def _clip(op, xs, dt):
    lo, hi = _minmax(True)(op, xs[:2], dt), _minmax(False)
    return hi(op, [lo, xs[2]], dt)


# scalar op name -> emit(op, converted C expressions, dtype) -> C expression of the result.
# Ops missing here are printed from their neutral form (codegen/scalar_forms.py: sigmoid,
# softplus, elu, step), as on LLVM.
CUDA_OPS: dict = {
    "identity": lambda op, xs, dt: xs[0],
    "add": _wrap("+"),
    "sub": _wrap("-"),
    "mul": _wrap("*"),
    "true_div": lambda op, xs, dt: f"({xs[0]} / {xs[1]})",
    "neg": _neg,
    "sqr": lambda op, xs, dt: _wrap("*")(op, [xs[0], xs[0]], dt),
    "reciprocal": lambda op, xs, dt: f"(({CTYPE[dt]})1 / {xs[0]})",
    "maximum": _minmax(True),
    "minimum": _minmax(False),
    "clip": _clip,
    "abs": _abs,
    "sign": _sign,
    "floor": _rounding("floor"),
    "ceil": _rounding("ceil"),
    "round": _rounding("rint"),          # round half to even in the default rounding mode
    "relu": _relu,
    "pow": lambda op, xs, dt: (f"{math_fn('pow', dt)}({xs[0]}, {xs[1]})" if is_f(dt) else
                               f"sn_ipow_{'u' if is_u(dt) else 'i'}({xs[0]}, {xs[1]})"),
    **{name: _float_only(name) for name in ("sqrt", "exp", "log", "sin", "cos", "tan", "tanh", "erf", "expm1",
                                            "log1p")},
    "floor_div": lambda op, xs, dt: (f"sn_floordiv_f({xs[0]}, {xs[1]})" if is_f(dt) else
                                     f"sn_floordiv_{'u' if is_u(dt) else 'i'}({xs[0]}, {xs[1]})"),
    "mod": lambda op, xs, dt: (f"sn_mod_f({xs[0]}, {xs[1]})" if is_f(dt) else
                               f"sn_mod_{'u' if is_u(dt) else 'i'}({xs[0]}, {xs[1]})"),
}

# arithmetic on bools: NumPy's logical meaning
BOOL_OPS: dict = {
    "add": lambda xs: f"({xs[0]} || {xs[1]})", "maximum": lambda xs: f"({xs[0]} || {xs[1]})",
    "mul": lambda xs: f"({xs[0]} && {xs[1]})", "minimum": lambda xs: f"({xs[0]} && {xs[1]})",
    **{name: (lambda xs: xs[0]) for name in ("identity", "abs", "sqr", "relu", "floor", "ceil", "round")},
}

_CMP = {"eq": "==", "neq": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def _compare(op: Any, args: list, arg_dtypes: list) -> str:
    name = op.name
    if name in ("and", "or", "xor", "not"):
        xs = [convert(a, d, "bool") for a, d in zip(args, arg_dtypes)]
        if name == "not":
            return f"(!{xs[0]})"
        return f"({xs[0]} {dict(zip(('and', 'or', 'xor'), ('&&', '||', '!=')))[name]} {xs[1]})"
    if name in ("isnan", "isinf"):
        return f"{name}({args[0]})" if is_f(arg_dtypes[0]) else "false"
    ct = upcast(*arg_dtypes)
    x, y = (convert(a, d, ct) for a, d in zip(args, arg_dtypes))
    return f"({x} {_CMP[name]} {y})"       # C: != is unordered, the others ordered, as NumPy


def op_expr(op: Any, args: list, arg_dtypes: list, dt: str, lines: list, fresh: Callable) -> str:
    """The C expression of scalar op `op` on `args` (C expressions typed by arg_dtypes) as dtype `dt`;
    a decomposed op appends its statements to `lines`."""
    if isinstance(op, (S._Compare, S.NOT)):
        return _compare(op, args, arg_dtypes)
    if isinstance(op, S.CastOp):
        return convert(args[0], arg_dtypes[0], dt)
    if isinstance(op, S.SwitchOp):
        c = convert(args[0], arg_dtypes[0], "bool")
        return f"({c} ? {convert(args[1], arg_dtypes[1], dt)} : {convert(args[2], arg_dtypes[2], dt)})"
    if isinstance(op, S.Second):
        return convert(args[1], arg_dtypes[1], dt)
    xs = [convert(a, d, dt) for a, d in zip(args, arg_dtypes)]
    if dt == "bool":
        emit_bool = BOOL_OPS.get(op.name)
        if emit_bool is None:
            raise NotImplementedError(f"scalar op {op.name} on bool in codegen/cuda/scalar.py")
        return emit_bool(xs)
    emit = CUDA_OPS.get(op.name)
    if emit is not None:
        return emit(op, xs, dt)
    form = decompose(op, dt)
    if form is not None:
        return print_program(form, xs, lines, fresh)[0][0]
    raise NotImplementedError(f"scalar op {op} has no CUDA printer (codegen/cuda/scalar.py)")


def live_slots(comp: Any) -> set:
    """Slots an output depends on (dead steps are not printed: nvcc warns of unused variables)."""
    live = set(comp.outputs)
    for k in range(len(comp.program) - 1, -1, -1):
        if comp.nin + k in live:
            live.update(comp.program[k][1])
    return live


_DEF = re.compile(r"^\s*const [\w ]+? (\w+) = ")


def prune_unused(lines: list) -> list:
    """Drop `const T name = ...;` lines whose name nothing else reads (ops such as Second ignore
    an argument; nvcc warns of unused variables), to a fixed point."""
    lines = list(lines)
    while True:
        text = "\n".join(lines)
        drop = set()
        for i, ln in enumerate(lines):
            m = _DEF.match(ln)
            if m and len(re.findall(rf"\b{m.group(1)}\b", text)) == 1:
                drop.add(i)
        if not drop:
            return lines
        lines = [ln for i, ln in enumerate(lines) if i not in drop]


def print_program(comp: Any, args: list, lines: list, fresh: Callable) -> list:
    """Append `const T vN = ...;` lines computing the Composite on C expressions `args` (typed by
    its in_dtypes); returns [(variable name, dtype)] of its outputs. `fresh()` names a variable."""
    slots = list(args)
    dts = list(comp.in_dtypes)
    live = live_slots(comp)
    for op, a, dt in comp.program:
        if len(slots) not in live:
            slots.append("0")
            dts.append(dt)
            continue
        if isinstance(op, S.Const):
            expr = literal(op.value, dt)
        else:
            expr = op_expr(op, [slots[i] for i in a], [dts[i] for i in a], dt, lines, fresh)
        name = fresh()
        lines.append(f"const {CTYPE[dt]} {name} = ({CTYPE[dt]})({expr});")
        slots.append(name)
        dts.append(dt)
    return [(slots[o], dts[o]) for o in comp.outputs]


PRELUDE = r"""// symnet CUDA translation unit (codegen/cuda): NumPy semantics helpers
template <typename T> __device__ __forceinline__ T sn_fmax_np(T x, T y) { return (x >= y || x != x) ? x : y; }
template <typename T> __device__ __forceinline__ T sn_fmin_np(T x, T y) { return (x <= y || x != x) ? x : y; }
template <typename T> __device__ __forceinline__ T sn_imax(T x, T y) { return x >= y ? x : y; }
template <typename T> __device__ __forceinline__ T sn_imin(T x, T y) { return x <= y ? x : y; }
// reductions: nan wins from either side (np.max of data with a nan is nan)
template <typename T> __device__ __forceinline__ T sn_fmax_red(T a, T b) { return a != a ? a : (b != b ? b : (b > a ? b : a)); }
template <typename T> __device__ __forceinline__ T sn_fmin_red(T a, T b) { return a != a ? a : (b != b ? b : (b < a ? b : a)); }
template <typename T> __device__ __forceinline__ T sn_mod_f(T x, T y) {
  T m = fmod(x, y);
  if (y == (T)0) return m;
  if (m != (T)0) { if ((y < (T)0) != (m < (T)0)) m += y; } else m = copysign((T)0, y);
  return m;
}
template <typename T> __device__ __forceinline__ T sn_floordiv_f(T x, T y) {
  T q = x / y;
  if (y == (T)0) return q;
  T m = fmod(x, y);
  T div = (x - m) / y;
  if (m != (T)0 && ((y < (T)0) != (m < (T)0))) div -= (T)1;
  if (div == (T)0) return copysign((T)0, q);
  T fl = floor(div);
  if (div - fl > (T)0.5) fl += (T)1;
  return fl;
}
template <typename T> __device__ __forceinline__ T sn_floordiv_u(T x, T y) { return y == 0 ? (T)0 : (T)(x / y); }
template <typename T> __device__ __forceinline__ T sn_mod_u(T x, T y) { return y == 0 ? (T)0 : (T)(x % y); }
template <typename T> __device__ __forceinline__ T sn_floordiv_i(T x, T y) {
  if (y == 0) return (T)0;
  if (y == (T)-1) return (T)(0ULL - (unsigned long long)(long long)x);   // wraps at the minimum, as NumPy
  T q = (T)(x / y), r = (T)(x % y);
  if (r != 0 && ((r < 0) != (y < 0))) q = (T)(q - 1);
  return q;
}
template <typename T> __device__ __forceinline__ T sn_mod_i(T x, T y) {
  if (y == 0 || y == (T)-1) return (T)0;
  T r = (T)(x % y);
  if (r != 0 && ((r < 0) != (y < 0))) r = (T)(r + y);
  return r;
}
// float -> int with NumPy's (x86 cvtt) results: nan and out-of-range values give the minimum
template <typename F> __device__ __forceinline__ int sn_cvtt32(F x) {
  return (x >= (F)-2147483648.0 && x < (F)2147483648.0) ? (int)x : (-2147483647 - 1);
}
template <typename F> __device__ __forceinline__ long long sn_cvtt64(F x) {
  return (x >= (F)-9223372036854775808.0 && x < (F)9223372036854775808.0) ? (long long)x : (-9223372036854775807LL - 1);
}
template <typename F> __device__ __forceinline__ unsigned long long sn_cvtt_u64(F x) {
  const bool hi = x >= (F)9223372036854775808.0;
  const unsigned long long r = (unsigned long long)sn_cvtt64(hi ? x - (F)9223372036854775808.0 : x);
  return hi ? r ^ 0x8000000000000000ULL : r;
}
// run-time errors of kernels (codes of codegen/llvm/status.py; a runtime reads and clears it
// after each segment): 1 = "Integers to negative integer powers are not allowed."
__device__ long long symnet_status;
// integer x ** y (npy_ipow): squaring in the result type (wraps), 0 ** 0 == 1
template <typename T> __device__ __forceinline__ T sn_ipow_u(T x, T y) {
  unsigned long long acc = 1, base = (unsigned long long)x, e = (unsigned long long)y;
  while (e) { if (e & 1ULL) acc *= base; base *= base; e >>= 1; }
  return (T)acc;
}
template <typename T> __device__ __forceinline__ T sn_ipow_i(T x, T y) {
  if (y < 0) { symnet_status = 1; return (T)0; }
  return (T)sn_ipow_u<unsigned long long>((unsigned long long)(long long)x, (unsigned long long)(long long)y);
}
// warp shuffles of every register type (sub-int types through int)
template <typename T> __device__ __forceinline__ T sn_shfl_down(T v, int d) { return __shfl_down_sync(0xffffffffu, v, d); }
template <> __device__ __forceinline__ bool sn_shfl_down<bool>(bool v, int d) { return __shfl_down_sync(0xffffffffu, (int)v, d) != 0; }
template <> __device__ __forceinline__ signed char sn_shfl_down<signed char>(signed char v, int d) { return (signed char)__shfl_down_sync(0xffffffffu, (int)v, d); }
template <> __device__ __forceinline__ unsigned char sn_shfl_down<unsigned char>(unsigned char v, int d) { return (unsigned char)__shfl_down_sync(0xffffffffu, (int)v, d); }
template <> __device__ __forceinline__ short sn_shfl_down<short>(short v, int d) { return (short)__shfl_down_sync(0xffffffffu, (int)v, d); }
template <> __device__ __forceinline__ unsigned short sn_shfl_down<unsigned short>(unsigned short v, int d) { return (unsigned short)__shfl_down_sync(0xffffffffu, (int)v, d); }
"""
