"""LLVM printer of symnet scalar programs (symnet/scalar.py): one scalar value per slot.

NumPy semantics: max/min propagate nan, integer floor_div/mod follow NumPy's sign rules and give
0 on division by zero, float floor_div/mod follow npy_divmod. No fast-math flags here (they may
change nan/inf results); the loop vectoriser widens every op of this file.
"""
from __future__ import annotations

from typing import Any

from llvmlite import ir

import importlib
S = importlib.import_module("symnet.scalar")  # the module: the attribute symnet.scalar is sn.scalar()
from symnet.types import upcast

from ..scalar_forms import decompose

I1, I8, I16, I32, I64 = ir.IntType(1), ir.IntType(8), ir.IntType(16), ir.IntType(32), ir.IntType(64)
F32, F64 = ir.FloatType(), ir.DoubleType()

_REG = {"bool": I1, "int8": I8, "uint8": I8, "int16": I16, "uint16": I16, "int32": I32, "uint32": I32,
        "int64": I64, "uint64": I64, "float32": F32, "float64": F64}


def reg_type(dtype: str) -> ir.Type:
    return _REG[dtype]


def mem_type(dtype: str) -> ir.Type:
    return I8 if dtype == "bool" else _REG[dtype]


def is_f(dtype: str) -> bool:
    return dtype.startswith("float")


def is_u(dtype: str) -> bool:
    return dtype.startswith("uint") or dtype == "bool"


def intrinsic(module: ir.Module, name: str, ret: ir.Type, args: list) -> ir.Function:
    suffix = {F32: "f32", F64: "f64", I8: "i8", I16: "i16", I32: "i32", I64: "i64"}
    full = f"{name}.{suffix[args[0]]}" if name.startswith("llvm.") and "sat" not in name else name
    if full in module.globals:
        return module.globals[full]
    return ir.Function(module, ir.FunctionType(ret, args), full)


def libm(module: ir.Module, name: str, ty: ir.Type) -> ir.Function:
    full = name + ("f" if ty == F32 else "")
    if full in module.globals:
        return module.globals[full]
    return ir.Function(module, ir.FunctionType(ty, [ty]), full)


def load_elem(b: ir.IRBuilder, ptr: ir.Value, dtype: str, group: str = "") -> ir.Value:
    v = b.load(ptr)
    if group:
        v.set_metadata(group, b.module.add_metadata([]))
    return b.icmp_unsigned("!=", v, ir.Constant(I8, 0)) if dtype == "bool" else v


def store_elem(b: ir.IRBuilder, v: ir.Value, ptr: ir.Value, dtype: str, group: str = "") -> None:
    st = b.store(b.zext(v, I8) if dtype == "bool" else v, ptr)
    if group:
        st.set_metadata(group, b.module.add_metadata([]))


def convert(b: ir.IRBuilder, v: ir.Value, src: str, dst: str) -> ir.Value:
    if src == dst:
        return v
    st, dt = reg_type(src), reg_type(dst)
    if dst == "bool":
        if is_f(src):
            return b.fcmp_unordered("!=", v, ir.Constant(st, 0.0))
        return b.icmp_unsigned("!=", v, ir.Constant(st, 0))
    if is_f(src) and is_f(dst):
        return b.fpext(v, dt) if dst == "float64" else b.fptrunc(v, dt)
    if is_f(dst):
        return b.uitofp(v, dt) if is_u(src) else b.sitofp(v, dt)
    if is_f(src):
        name = "llvm.fptoui.sat" if dst == "uint64" else "llvm.fptosi.sat"
        fn = _sat(b.module, name, I64, st)
        r = b.call(fn, [v])
        return b.trunc(r, dt) if dt != I64 else r
    if st.width == dt.width:
        return v
    if st.width > dt.width:
        return b.trunc(v, dt)
    return b.zext(v, dt) if is_u(src) else b.sext(v, dt)


def _sat(module: ir.Module, name: str, ret: ir.Type, arg: ir.Type) -> ir.Function:
    full = f"{name}.i64.{'f32' if arg == F32 else 'f64'}"
    if full in module.globals:
        return module.globals[full]
    return ir.Function(module, ir.FunctionType(ret, [arg]), full)


def _vmath():
    try:
        from . import vmath
        return vmath if hasattr(vmath, "emit_unary") else None
    except ImportError:
        return None


_VMATH_NAMES = {"exp", "expm1", "log", "log1p", "tanh", "sigmoid", "softplus", "erf", "sin", "cos"}


def unary_math(b: ir.IRBuilder, name: str, x: ir.Value) -> ir.Value:
    """exp/log/tanh/...: the vectorisable emitters of codegen/llvm/vmath.py when present, else
    LLVM intrinsics / libm (correct, but scalarised by the backend)."""
    vm = _vmath()
    if vm is not None and name in _VMATH_NAMES:
        # float32 tanh: the 5-ulp rational form (about 2x faster; same special values)
        return vm.emit_unary(b, name, x, fast=(name == "tanh" and x.type == F32))
    ty = x.type
    m = b.module
    one = ir.Constant(ty, 1.0)
    zero = ir.Constant(ty, 0.0)
    if name in ("exp", "log", "sin", "cos", "tan"):
        return b.call(intrinsic(m, f"llvm.{name}", ty, [ty]), [x])
    if name in ("tanh", "erf", "expm1", "log1p"):
        return b.call(libm(m, name, ty), [x])
    if name == "sigmoid":
        e = b.call(intrinsic(m, "llvm.exp", ty, [ty]), [b.fneg(x)])
        return b.fdiv(one, b.fadd(one, e))
    if name == "softplus":
        ax = b.call(intrinsic(m, "llvm.fabs", ty, [ty]), [x])
        e = b.call(intrinsic(m, "llvm.exp", ty, [ty]), [b.fneg(ax)])
        l1p = b.call(libm(m, "log1p", ty), [e])
        pos = b.select(b.fcmp_ordered(">", x, zero), x, zero)
        return b.fadd(pos, l1p)
    raise NotImplementedError(f"unary {name} in codegen/llvm/scalar.py")


def _fmax(b: ir.IRBuilder, x: ir.Value, y: ir.Value, greater: bool) -> ir.Value:
    """np.maximum / np.minimum: (x >= y or x is nan) ? x : y."""
    c = b.or_(b.fcmp_ordered(">=" if greater else "<=", x, y), b.fcmp_unordered("uno", x, x))
    return b.select(c, x, y)


def _imax(b: ir.IRBuilder, x, y, greater: bool, unsigned: bool):
    cmp = b.icmp_unsigned if unsigned else b.icmp_signed
    return b.select(cmp(">=" if greater else "<=", x, y), x, y)


def _arith(fop: str, iop: str) -> Any:
    def emit(b, op, xs, ty, f, u):
        return getattr(b, fop if f else iop)(*xs)
    return emit


def _abs(b, op, xs, ty, f, u):
    if f:
        return b.call(intrinsic(b.module, "llvm.fabs", ty, [ty]), xs)
    if u:
        return xs[0]
    return b.select(b.icmp_signed("<", xs[0], ir.Constant(ty, 0)), b.sub(ir.Constant(ty, 0), xs[0]), xs[0])


def _sign(b, op, xs, ty, f, u):
    x = xs[0]
    if f:
        z = ir.Constant(ty, 0.0)
        return b.select(b.fcmp_ordered(">", x, z), ir.Constant(ty, 1.0),
                        b.select(b.fcmp_ordered("<", x, z), ir.Constant(ty, -1.0), x))
    if u:
        return b.zext(b.icmp_unsigned("!=", x, ir.Constant(ty, 0)), ty)
    gt = b.zext(b.icmp_signed(">", x, ir.Constant(ty, 0)), ty)
    lt = b.zext(b.icmp_signed("<", x, ir.Constant(ty, 0)), ty)
    return b.sub(gt, lt)


def _rounding(iname: str) -> Any:
    def emit(b, op, xs, ty, f, u):
        return b.call(intrinsic(b.module, iname, ty, [ty]), xs) if f else xs[0]
    return emit


def _math(name: str) -> Any:
    def emit(b, op, xs, ty, f, u):
        return unary_math(b, name, xs[0])
    return emit


def _pow(b, op, xs, ty, f, u):
    if not f:
        raise NotImplementedError("integer pow in codegen/llvm/scalar.py")
    return b.call(intrinsic(b.module, "llvm.pow", ty, [ty, ty]), xs)


def _relu(b, op, xs, ty, f, u):
    x = xs[0]
    if f:
        return b.select(b.fcmp_unordered(">=", x, ir.Constant(ty, 0.0)), x, ir.Constant(ty, 0.0))
    c = b.icmp_unsigned(">=", x, ir.Constant(ty, 0)) if u else b.icmp_signed(">=", x, ir.Constant(ty, 0))
    return b.select(c, x, ir.Constant(ty, 0))


def _clip(b, op, xs, ty, f, u):
    if f:
        return _fmax(b, _fmax(b, xs[0], xs[1], True), xs[2], False)
    return _imax(b, _imax(b, xs[0], xs[1], True, u), xs[2], False, u)


# scalar op name -> emit(builder, op, converted args, register type, is_float, is_unsigned).
# Every entry is straight-line IR the loop vectoriser widens (vmath for the transcendentals).
# Ops missing here are printed from their neutral form (codegen/scalar_forms.py: elu, step).
LLVM_OPS: dict = {
    "identity": lambda b, op, xs, ty, f, u: xs[0],
    "add": _arith("fadd", "add"),
    "sub": _arith("fsub", "sub"),
    "mul": _arith("fmul", "mul"),
    "true_div": lambda b, op, xs, ty, f, u: b.fdiv(*xs),
    "neg": lambda b, op, xs, ty, f, u: b.fneg(xs[0]) if f else b.sub(ir.Constant(ty, 0), xs[0]),
    "sqr": lambda b, op, xs, ty, f, u: b.fmul(xs[0], xs[0]) if f else b.mul(xs[0], xs[0]),
    "reciprocal": lambda b, op, xs, ty, f, u: b.fdiv(ir.Constant(ty, 1.0), xs[0]),
    "maximum": lambda b, op, xs, ty, f, u: _fmax(b, xs[0], xs[1], True) if f else _imax(b, xs[0], xs[1], True, u),
    "minimum": lambda b, op, xs, ty, f, u: _fmax(b, xs[0], xs[1], False) if f else _imax(b, xs[0], xs[1], False, u),
    "clip": _clip,
    "abs": _abs,
    "sign": _sign,
    "floor": _rounding("llvm.floor"),
    "ceil": _rounding("llvm.ceil"),
    "round": _rounding("llvm.roundeven"),
    "sqrt": lambda b, op, xs, ty, f, u: b.call(intrinsic(b.module, "llvm.sqrt", ty, [ty]), xs),
    **{name: _math(name) for name in ("exp", "log", "sin", "cos", "tan", "tanh", "erf", "expm1", "log1p",
                                      "sigmoid", "softplus")},
    "pow": _pow,
    "relu": _relu,
    "floor_div": lambda b, op, xs, ty, f, u: _float_floordiv(b, *xs) if f else _int_floordiv(b, *xs, u),
    "mod": lambda b, op, xs, ty, f, u: _float_mod(b, *xs) if f else _int_mod(b, *xs, u),
}

# arithmetic on bools: NumPy's logical meaning
BOOL_OPS: dict = {
    "add": lambda b, xs: b.or_(*xs), "maximum": lambda b, xs: b.or_(*xs),
    "mul": lambda b, xs: b.and_(*xs), "minimum": lambda b, xs: b.and_(*xs),
    **{name: (lambda b, xs: xs[0]) for name in ("identity", "abs", "sqr", "relu", "floor", "ceil", "round")},
}


def emit_op(b: ir.IRBuilder, op: Any, args: list, arg_dtypes: list, dt: str) -> ir.Value:
    """The value of scalar op `op` on `args` (typed by arg_dtypes) as dtype `dt`."""
    name = op.name
    if isinstance(op, S._Compare) or isinstance(op, (S.NOT,)):
        return _compare(b, op, args, arg_dtypes)
    if isinstance(op, S.CastOp):
        return convert(b, args[0], arg_dtypes[0], dt)
    if isinstance(op, S.SwitchOp):
        c = convert(b, args[0], arg_dtypes[0], "bool")
        return b.select(c, convert(b, args[1], arg_dtypes[1], dt), convert(b, args[2], arg_dtypes[2], dt))
    if isinstance(op, S.Second):
        return convert(b, args[1], arg_dtypes[1], dt)
    xs = [convert(b, a, d, dt) for a, d in zip(args, arg_dtypes)]
    if dt == "bool":
        emit_bool = BOOL_OPS.get(name)
        if emit_bool is None:
            raise NotImplementedError(f"scalar op {name} on bool in codegen/llvm/scalar.py")
        return emit_bool(b, xs)
    emit = LLVM_OPS.get(name)
    if emit is not None:
        return emit(b, op, xs, reg_type(dt), is_f(dt), is_u(dt))
    form = decompose(op, dt)
    if form is not None:
        return emit_program(b, form, xs)[0][0]
    raise NotImplementedError(f"scalar op {op} has no LLVM printer (codegen/llvm/scalar.py)")


def _compare(b: ir.IRBuilder, op: Any, args: list, arg_dtypes: list) -> ir.Value:
    name = op.name
    if name in ("and", "or", "xor", "not"):
        xs = [convert(b, a, d, "bool") for a, d in zip(args, arg_dtypes)]
        if name == "not":
            return b.not_(xs[0])
        return {"and": b.and_, "or": b.or_, "xor": b.xor}[name](*xs)
    if name in ("isnan", "isinf"):
        x, d = args[0], arg_dtypes[0]
        if not is_f(d):
            return ir.Constant(I1, 0)
        if name == "isnan":
            return b.fcmp_unordered("uno", x, x)
        ax = b.call(intrinsic(b.module, "llvm.fabs", x.type, [x.type]), [x])
        return b.fcmp_ordered("==", ax, ir.Constant(x.type, float("inf")))
    ct = upcast(*arg_dtypes)
    x, y = (convert(b, a, d, ct) for a, d in zip(args, arg_dtypes))
    sym = {"eq": "==", "neq": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[name]
    if is_f(ct):
        return b.fcmp_unordered("!=", x, y) if name == "neq" else b.fcmp_ordered(sym, x, y)
    return (b.icmp_unsigned if is_u(ct) else b.icmp_signed)(sym, x, y)


def _float_mod(b: ir.IRBuilder, x, y):
    """npy_divmod's remainder: fmod, then moved to the divisor's sign; 0 takes the divisor's sign."""
    ty = x.type
    z = ir.Constant(ty, 0.0)
    m = b.frem(x, y)
    adjust = b.and_(b.fcmp_ordered("!=", m, z), b.xor(b.fcmp_ordered("<", y, z), b.fcmp_ordered("<", m, z)))
    m2 = b.select(adjust, b.fadd(m, y), m)
    cs = b.call(intrinsic(b.module, "llvm.copysign", ty, [ty, ty]), [z, y])
    res = b.select(b.fcmp_ordered("==", m, z), cs, m2)
    return b.select(b.fcmp_ordered("==", y, z), m, res)   # y == 0: fmod gives nan, as NumPy


def _float_floordiv(b: ir.IRBuilder, x, y):
    """npy_floor_divide: x/y when y == 0, else floor((x - fmod(x, y)) / y) with NumPy's fixups."""
    ty = x.type
    z = ir.Constant(ty, 0.0)
    m = b.frem(x, y)
    div = b.fdiv(b.fsub(x, m), y)
    adjust = b.and_(b.fcmp_ordered("!=", m, z), b.xor(b.fcmp_ordered("<", y, z), b.fcmp_ordered("<", m, z)))
    div = b.select(adjust, b.fsub(div, ir.Constant(ty, 1.0)), div)
    fl = b.call(intrinsic(b.module, "llvm.floor", ty, [ty]), [div])
    fl = b.select(b.fcmp_ordered(">", b.fsub(div, fl), ir.Constant(ty, 0.5)), b.fadd(fl, ir.Constant(ty, 1.0)), fl)
    q = b.fdiv(x, y)
    cs = b.call(intrinsic(b.module, "llvm.copysign", ty, [ty, ty]), [z, q])
    res = b.select(b.fcmp_ordered("==", div, z), cs, fl)
    # nan/inf in div (x inf, or nan inputs) -> x/y semantics of npy_divmod: floor(div) keeps them
    return b.select(b.fcmp_ordered("==", y, z), q, res)


def _int_floordiv(b: ir.IRBuilder, x, y, unsigned: bool):
    ty = x.type
    zero, one = ir.Constant(ty, 0), ir.Constant(ty, 1)
    yz = b.icmp_unsigned("==", y, zero)
    ysafe = b.select(yz, one, y)
    if unsigned:
        return b.select(yz, zero, b.udiv(x, ysafe))
    minus1 = ir.Constant(ty, -1)
    ym1 = b.icmp_signed("==", ysafe, minus1)
    ysafe2 = b.select(ym1, one, ysafe)
    q = b.sdiv(x, ysafe2)
    r = b.srem(x, ysafe2)
    fix = b.and_(b.icmp_signed("!=", r, zero), b.xor(b.icmp_signed("<", r, zero), b.icmp_signed("<", ysafe2, zero)))
    q = b.select(fix, b.sub(q, one), q)
    q = b.select(ym1, b.sub(zero, x), q)       # x // -1 = -x (wraps at the minimum, as NumPy)
    return b.select(yz, zero, q)


def _int_mod(b: ir.IRBuilder, x, y, unsigned: bool):
    ty = x.type
    zero, one = ir.Constant(ty, 0), ir.Constant(ty, 1)
    yz = b.icmp_unsigned("==", y, zero)
    ysafe = b.select(yz, one, y)
    if unsigned:
        return b.select(yz, zero, b.urem(x, ysafe))
    ym1 = b.icmp_signed("==", ysafe, ir.Constant(ty, -1))
    ysafe2 = b.select(ym1, one, ysafe)
    r = b.srem(x, ysafe2)
    fix = b.and_(b.icmp_signed("!=", r, zero), b.xor(b.icmp_signed("<", r, zero), b.icmp_signed("<", ysafe2, zero)))
    r = b.select(fix, b.add(r, ysafe2), r)
    return b.select(b.or_(yz, ym1), zero, r)


def emit_program(b: ir.IRBuilder, comp: Any, args: list) -> list:
    """Values of the Composite's outputs for input values `args` (register types of in_dtypes)."""
    slots = list(args)
    dts = list(comp.in_dtypes)
    for op, a, dt in comp.program:
        if isinstance(op, S.Const):
            ty = reg_type(dt)
            v = op.value
            slots.append(ir.Constant(ty, float(v) if is_f(dt) else int(v)))
        else:
            slots.append(emit_op(b, op, [slots[i] for i in a], [dts[i] for i in a], dt))
        dts.append(dt)
    return [(slots[o], dts[o]) for o in comp.outputs]
