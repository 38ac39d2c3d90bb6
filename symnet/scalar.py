"""The scalar expression language of elementwise ops.

Each ScalarOp is one scalar formula with: an output-dtype rule, a NumPy implementation (the
reference), and a sympy form. Derivatives come from ``sympy.diff`` of that form (ops whose
derivative needs a convention, such as relu at 0, give one explicitly). A ``Composite`` is a small
DAG of scalar ops: what fusion builds and what the LLVM and CUDA printers compile into one loop.

``to_sympy`` / ``from_sympy`` translate between sympy and scalar programs; the simplify rewrite
and the gradient both go through them.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Callable, Sequence

import numpy as np
import sympy

from .props import PropsEq
from .types import is_float, is_int, upcast, upgrade_to_float


# ------------------------------------------------------------------------------------------
# sympy functions for scalar ops that sympy has no builtin for
# ------------------------------------------------------------------------------------------
class Sigmoid(sympy.Function):
    def fdiff(self, argindex=1):
        s = Sigmoid(self.args[0])
        return s * (1 - s)


class Softplus(sympy.Function):
    def fdiff(self, argindex=1):
        return Sigmoid(self.args[0])


class Step(sympy.Function):
    """1 where x > 0 else 0 (the derivative convention of relu at 0, as in TensorFlow/Keras)."""

    def fdiff(self, argindex=1):
        return sympy.S.Zero


class Relu(sympy.Function):
    def fdiff(self, argindex=1):
        return Step(self.args[0])


class Elu(sympy.Function):
    """Elu(x, alpha) = x if x > 0 else alpha*(exp(x)-1)."""

    def fdiff(self, argindex=1):
        x, alpha = self.args
        if argindex == 2:
            return sympy.S.Zero
        return Switch(Step(x), sympy.S.One, alpha * sympy.exp(x))


class Switch(sympy.Function):
    """Switch(c, a, b) = a where c != 0 else b. The condition carries no gradient."""

    def fdiff(self, argindex=1):
        c, a, b = self.args
        if argindex == 1:
            return sympy.S.Zero
        return Switch(c, sympy.S.One, sympy.S.Zero) if argindex == 2 else Switch(c, sympy.S.Zero, sympy.S.One)


class Opaque(sympy.Function):
    """An op kept whole in sympy (comparisons, casts, rounding...): zero derivative."""

    def fdiff(self, argindex=1):
        return sympy.S.Zero


# ------------------------------------------------------------------------------------------
# Scalar ops
# ------------------------------------------------------------------------------------------
class ScalarOp(PropsEq):
    """One scalar formula. Subclasses set name, nin and the hooks below."""

    name: str = "?"
    nin: int = 1
    nout: int = 1
    commutative = False
    associative = False

    def __str__(self) -> str:
        if self.__props__:
            return f"{self.name}{{{', '.join(str(getattr(self, p)) for p in self.__props__)}}}"
        return self.name

    __repr__ = __str__

    # -- hooks -----------------------------------------------------------------------
    def output_dtype(self, *dtypes: str) -> str:
        return upcast(*dtypes)

    def output_dtypes(self, *dtypes: str) -> list[str]:
        return [self.output_dtype(*dtypes)]

    def impl(self, *xs: np.ndarray) -> np.ndarray:
        raise NotImplementedError(self.name)

    def sympy(self, *args: sympy.Expr) -> sympy.Expr:
        return _opaque(self)(*args)

    def grad_sympy(self, args: Sequence[sympy.Symbol], i: int) -> sympy.Expr:
        """d self(args) / d args[i] as a sympy expression; default: sympy.diff of the form."""
        return sympy.diff(self.sympy(*args), args[i])

    def differentiable(self, in_dtypes: Sequence[str]) -> bool:
        return is_float(self.output_dtype(*in_dtypes))


_opaque_classes: dict = {}


def _opaque(op: ScalarOp):
    """A sympy Function class standing for `op` (zero derivative), one per op instance."""
    cls = _opaque_classes.get(op)
    if cls is None:
        cls = type(f"sn_{op.name}_{len(_opaque_classes)}", (Opaque,), {"_symnet_op": op})
        _opaque_classes[op] = cls
    return cls


class _Unary(ScalarOp):
    nin = 1
    float_out = True       # int inputs become float (Theano's upgrade_to_float)
    np_fn: Callable | None = None
    sympy_fn: Callable | None = None

    def output_dtype(self, *dtypes: str) -> str:
        return upgrade_to_float(dtypes[0]) if self.float_out else dtypes[0]

    def impl(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if self.float_out and x.dtype.kind != "f":
            # compute in the output dtype: NumPy would evaluate int8/bool in float16
            x = x.astype(self.output_dtype(str(x.dtype)))
        with np.errstate(all="ignore"):
            return type(self).np_fn(x)

    def sympy(self, x):
        return type(self).sympy_fn(x)


class _Binary(ScalarOp):
    nin = 2
    np_fn: Callable | None = None

    def impl(self, x, y):
        with np.errstate(all="ignore"):
            return type(self).np_fn(x, y)


def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype if x.dtype.kind == "f" else np.float64)


_erf_vec = np.vectorize(math.erf, otypes=[np.float64])


def _erf(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    return _erf_vec(x).astype(x.dtype) if x.size else x.astype(x.dtype)


class Add(_Binary):
    name, commutative, associative = "add", True, True
    np_fn = staticmethod(np.add)
    def sympy(self, x, y): return x + y


class Sub(_Binary):
    name = "sub"
    np_fn = staticmethod(np.subtract)
    def sympy(self, x, y): return x - y


class Mul(_Binary):
    name, commutative, associative = "mul", True, True
    np_fn = staticmethod(np.multiply)
    def sympy(self, x, y): return x * y


class TrueDiv(_Binary):
    name = "true_div"
    np_fn = staticmethod(np.true_divide)

    def output_dtype(self, *d):
        if not any(is_float(t) for t in d):      # Theano: integer / integer is floatX (int_division)
            from .config import config
            return config.floatX
        return upgrade_to_float(upcast(*d))
    def sympy(self, x, y): return x / y


class FloorDiv(_Binary):
    name = "floor_div"
    np_fn = staticmethod(np.floor_divide)
    def sympy(self, x, y): return _opaque(self)(x, y)


class Mod(_Binary):
    name = "mod"
    np_fn = staticmethod(np.mod)
    def sympy(self, x, y): return _opaque(self)(x, y)

    def grad_sympy(self, args, i):  # x - floor(x/y)*y
        x, y = args
        return sympy.S.One if i == 0 else -sympy.floor(x / y)


class Pow(_Binary):
    name = "pow"
    np_fn = staticmethod(np.power)
    def sympy(self, x, y): return x ** y

    def grad_sympy(self, args, i):
        x, y = args
        if i == 0:
            return y * x ** (y - 1)
        return Switch(_opaque(eq)(x, 0), 0, x ** y * sympy.log(x))  # d/dy at x == 0 taken as 0


class Maximum(_Binary):
    name, commutative, associative = "maximum", True, True
    np_fn = staticmethod(np.maximum)
    def sympy(self, x, y): return _opaque(self)(x, y)

    def grad_sympy(self, args, i):  # the larger input gets the gradient; ties go to x (as TF)
        x, y = args
        c = _opaque(ge)(x, y)
        return Switch(c, 1, 0) if i == 0 else Switch(c, 0, 1)


class Minimum(_Binary):
    name, commutative, associative = "minimum", True, True
    np_fn = staticmethod(np.minimum)
    def sympy(self, x, y): return _opaque(self)(x, y)

    def grad_sympy(self, args, i):
        x, y = args
        c = _opaque(le)(x, y)
        return Switch(c, 1, 0) if i == 0 else Switch(c, 0, 1)


class Second(_Binary):
    """second(a, b) = b broadcast to the shape of a: Theano's `fill`."""
    name = "second"
    def output_dtype(self, a, b): return b
    def impl(self, a, b): return np.broadcast_to(b, np.broadcast_shapes(np.shape(a), np.shape(b))).copy()
    def sympy(self, a, b): return b
    def grad_sympy(self, args, i): return sympy.S.Zero if i == 0 else sympy.S.One


class _Compare(_Binary):
    def output_dtype(self, *d): return "bool"
    def differentiable(self, in_dtypes): return False
    def sympy(self, x, y): return _opaque(self)(x, y)


class EQ(_Compare): name, commutative, np_fn = "eq", True, staticmethod(np.equal)
class NEQ(_Compare): name, commutative, np_fn = "neq", True, staticmethod(np.not_equal)
class LT(_Compare): name, np_fn = "lt", staticmethod(np.less)
class LE(_Compare): name, np_fn = "le", staticmethod(np.less_equal)
class GT(_Compare): name, np_fn = "gt", staticmethod(np.greater)
class GE(_Compare): name, np_fn = "ge", staticmethod(np.greater_equal)


class AND(_Compare): name, commutative, np_fn = "and", True, staticmethod(np.logical_and)
class OR(_Compare): name, commutative, np_fn = "or", True, staticmethod(np.logical_or)
class XOR(_Compare): name, commutative, np_fn = "xor", True, staticmethod(np.logical_xor)


class NOT(_Unary):
    name = "not"
    np_fn = staticmethod(np.logical_not)
    def output_dtype(self, *d): return "bool"
    def differentiable(self, in_dtypes): return False
    def sympy(self, x): return _opaque(self)(x)


class IsNan(NOT): name, np_fn = "isnan", staticmethod(np.isnan)
class IsInf(NOT): name, np_fn = "isinf", staticmethod(np.isinf)


class Neg(_Unary):
    name, float_out = "neg", False
    np_fn = staticmethod(np.negative)
    def sympy(self, x): return -x


class Identity(_Unary):
    name, float_out = "identity", False
    def impl(self, x): return np.array(x, copy=True)
    def sympy(self, x): return x


class Abs(_Unary):
    name, float_out = "abs", False
    np_fn = staticmethod(np.abs)
    def sympy(self, x): return sympy.Abs(x)
    def grad_sympy(self, args, i): return sympy.sign(args[0])


class Sign(_Unary):
    name, float_out = "sign", False
    np_fn = staticmethod(np.sign)
    def sympy(self, x): return sympy.sign(x)
    def grad_sympy(self, args, i): return sympy.S.Zero


class _Rounding(_Unary):
    float_out = False
    def sympy(self, x): return _opaque(self)(x)
    def grad_sympy(self, args, i): return sympy.S.Zero


class Floor(_Rounding): name, np_fn = "floor", staticmethod(np.floor)
class Ceil(_Rounding): name, np_fn = "ceil", staticmethod(np.ceil)
class RoundHalfEven(_Rounding): name, np_fn = "round", staticmethod(np.round)


class Exp(_Unary): name, np_fn, sympy_fn = "exp", staticmethod(np.exp), staticmethod(sympy.exp)
class Log(_Unary): name, np_fn, sympy_fn = "log", staticmethod(np.log), staticmethod(sympy.log)
class Sin(_Unary): name, np_fn, sympy_fn = "sin", staticmethod(np.sin), staticmethod(sympy.sin)
class Cos(_Unary): name, np_fn, sympy_fn = "cos", staticmethod(np.cos), staticmethod(sympy.cos)
class Tan(_Unary): name, np_fn, sympy_fn = "tan", staticmethod(np.tan), staticmethod(sympy.tan)
class Tanh(_Unary): name, np_fn, sympy_fn = "tanh", staticmethod(np.tanh), staticmethod(sympy.tanh)
class Erf(_Unary): name, np_fn, sympy_fn = "erf", staticmethod(_erf), staticmethod(sympy.erf)


class Expm1(_Unary):
    name, np_fn = "expm1", staticmethod(np.expm1)
    def sympy(self, x): return _opaque(self)(x)
    def grad_sympy(self, args, i): return sympy.exp(args[0])


class Log1p(_Unary):
    name, np_fn = "log1p", staticmethod(np.log1p)
    def sympy(self, x): return _opaque(self)(x)
    def grad_sympy(self, args, i): return 1 / (1 + args[0])


class Sqrt(_Unary):
    name, np_fn = "sqrt", staticmethod(np.sqrt)
    def sympy(self, x): return sympy.sqrt(x)


class Square(_Unary):
    name, float_out, np_fn = "sqr", False, staticmethod(np.square)
    def sympy(self, x): return x ** 2


class Reciprocal(_Unary):
    name, np_fn = "reciprocal", staticmethod(lambda x: np.true_divide(1, x))
    def sympy(self, x): return 1 / x


class SigmoidOp(_Unary):
    name, np_fn = "sigmoid", staticmethod(_stable_sigmoid)
    def sympy(self, x): return Sigmoid(x)


class SoftplusOp(_Unary):
    name = "softplus"
    np_fn = staticmethod(lambda x: np.logaddexp(np.zeros((), dtype=np.asarray(x).dtype), x))
    def sympy(self, x): return Softplus(x)


class ReluOp(_Unary):
    name, float_out = "relu", False
    np_fn = staticmethod(lambda x: np.maximum(x, np.zeros((), dtype=np.asarray(x).dtype)))
    def sympy(self, x): return Relu(x)


class StepOp(_Unary):
    """1 where x > 0 else 0, in x's dtype: the derivative of relu."""
    name, float_out = "step", False
    np_fn = staticmethod(lambda x: (np.asarray(x) > 0).astype(np.asarray(x).dtype))
    def sympy(self, x): return Step(x)


class EluOp(_Unary):
    name = "elu"
    __props__ = ("alpha",)

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = float(alpha)

    def impl(self, x):
        with np.errstate(all="ignore"):
            return np.where(x > 0, x, (self.alpha * np.expm1(x)).astype(upgrade_to_float(str(x.dtype))))

    def sympy(self, x): return Elu(x, sympy.Float(self.alpha))


class CastOp(_Unary):
    __props__ = ("dtype",)

    def __init__(self, dtype: str) -> None:
        self.dtype = str(np.dtype(dtype))
        self.name = f"cast_{self.dtype}"

    def __str__(self): return self.name
    def output_dtype(self, *d): return self.dtype
    def impl(self, x): return np.asarray(x).astype(self.dtype)

    def sympy(self, x):
        return x if is_float(self.dtype) else _opaque(self)(x)

    def differentiable(self, in_dtypes): return is_float(self.dtype) and is_float(in_dtypes[0])


class SwitchOp(ScalarOp):
    name, nin = "switch", 3
    def output_dtype(self, c, a, b): return upcast(a, b)
    def impl(self, c, a, b): return np.where(c, a, b)
    def sympy(self, c, a, b): return Switch(c, a, b)
    def differentiable(self, in_dtypes): return is_float(self.output_dtype(*in_dtypes))


class Clip(ScalarOp):
    """clip(x, lo, hi); the gradient passes where lo <= x <= hi (inclusive, as TensorFlow)."""
    name, nin = "clip", 3
    def output_dtype(self, x, lo, hi): return upcast(x, lo, hi)
    def impl(self, x, lo, hi): return np.minimum(np.maximum(x, lo), hi)
    def sympy(self, x, lo, hi): return _opaque(self)(x, lo, hi)

    def grad_sympy(self, args, i):
        x, lo, hi = args
        inside = _opaque(and_)(_opaque(ge)(x, lo), _opaque(le)(x, hi))
        if i == 0:
            return Switch(inside, 1, 0)
        if i == 1:
            return Switch(_opaque(lt)(x, lo), 1, 0)
        return Switch(_opaque(gt)(x, hi), 1, 0)


# Singletons: ops without parameters are used as values.
add, sub, mul, true_div, floor_div, mod, pow_ = Add(), Sub(), Mul(), TrueDiv(), FloorDiv(), Mod(), Pow()
maximum, minimum, second = Maximum(), Minimum(), Second()
eq, neq, lt, le, gt, ge = EQ(), NEQ(), LT(), LE(), GT(), GE()
and_, or_, xor, not_, isnan, isinf = AND(), OR(), XOR(), NOT(), IsNan(), IsInf()
neg, identity, abs_, sign = Neg(), Identity(), Abs(), Sign()
floor, ceil, round_half_even = Floor(), Ceil(), RoundHalfEven()
exp, log, sin, cos, tan, tanh, erf = Exp(), Log(), Sin(), Cos(), Tan(), Tanh(), Erf()
expm1, log1p, sqrt, sqr, reciprocal = Expm1(), Log1p(), Sqrt(), Square(), Reciprocal()
sigmoid, softplus, relu, step = SigmoidOp(), SoftplusOp(), ReluOp(), StepOp()
switch, clip = SwitchOp(), Clip()



# ------------------------------------------------------------------------------------------
# Composite: a fused scalar program
# ------------------------------------------------------------------------------------------
class Const:
    """A constant inside a scalar program."""

    __slots__ = ("value", "dtype")

    def __init__(self, value: Any, dtype: str) -> None:
        self.value = np.asarray(value, dtype=dtype).item()
        self.dtype = str(np.dtype(dtype))

    def __eq__(self, other):
        return (isinstance(other, Const) and self.dtype == other.dtype
                and (self.value == other.value or (self.value != self.value and other.value != other.value)))

    def __hash__(self):
        return hash((self.dtype, self.value if self.value == self.value else "nan"))

    def __repr__(self):
        return f"{self.value!r}:{self.dtype}"


class Composite(ScalarOp):
    """A DAG of scalar ops evaluated per element.

    Slots 0..nin-1 are the inputs; step k of ``program`` writes slot nin+k and is
    ``(op_or_Const, arg_slots, dtype)``; ``outputs`` lists the slots returned."""

    __props__ = ("in_dtypes", "program", "outputs")

    def __init__(self, in_dtypes: Sequence[str], program: Sequence[tuple], outputs: Sequence[int]) -> None:
        self.in_dtypes = tuple(in_dtypes)
        self.program = tuple((op, tuple(args), dtype) for op, args, dtype in program)
        self.outputs = tuple(outputs)
        self.nin = len(self.in_dtypes)
        self.nout = len(self.outputs)
        self.name = "composite"

    def slot_dtypes(self) -> list[str]:
        return list(self.in_dtypes) + [d for _, _, d in self.program]

    def output_dtypes(self, *dtypes: str) -> list[str]:
        if tuple(dtypes) != self.in_dtypes:
            raise TypeError(f"composite expects input dtypes {self.in_dtypes}, got {dtypes}")
        sd = self.slot_dtypes()
        return [sd[o] for o in self.outputs]

    def output_dtype(self, *dtypes):
        return self.output_dtypes(*dtypes)[0]

    def impl(self, *xs):
        slots = list(xs)
        with np.errstate(all="ignore"):
            for op, args, dtype in self.program:
                if isinstance(op, Const):
                    slots.append(np.asarray(op.value, dtype=op.dtype))
                else:
                    slots.append(np.asarray(op.impl(*[slots[a] for a in args])).astype(dtype, copy=False))
        res = [slots[o] for o in self.outputs]
        return res[0] if self.nout == 1 else res

    def sympy_outputs(self, args: Sequence[sympy.Expr]) -> list[sympy.Expr]:
        slots = list(args)
        for op, a, dtype in self.program:
            if isinstance(op, Const):
                slots.append(_sympy_const(op.value))
            else:
                slots.append(op.sympy(*[slots[i] for i in a]))
        return [slots[o] for o in self.outputs]

    def sympy(self, *args):
        if self.nout != 1:
            raise ValueError("sympy() of a multi-output composite: use sympy_outputs")
        return self.sympy_outputs(args)[0]

    def differentiable(self, in_dtypes):
        return any(is_float(d) for d in self.output_dtypes(*in_dtypes))

    def __str__(self) -> str:
        return "Composite{" + "; ".join(self.describe()) + "}"

    def describe(self) -> list[str]:
        """Human-readable body: one expression per output."""
        names = [f"i{k}" for k in range(self.nin)]
        for op, a, _ in self.program:
            if isinstance(op, Const):
                names.append(repr(op.value))
            else:
                names.append(f"{op}({', '.join(names[i] for i in a)})")
        return [names[o] for o in self.outputs]


def _sympy_const(v: Any) -> sympy.Expr:
    if isinstance(v, bool):
        return sympy.Integer(int(v))
    if isinstance(v, int):
        return sympy.Integer(v)
    if v != v:
        return sympy.nan
    if v in (math.inf, -math.inf):
        return sympy.oo if v > 0 else -sympy.oo
    if float(v).is_integer() and abs(v) < 2 ** 53:
        return sympy.Integer(int(v))
    return sympy.Float(v, 17)


# ------------------------------------------------------------------------------------------
# sympy -> scalar expressions
# ------------------------------------------------------------------------------------------
class ExprBuilder:
    """What from_sympy builds into: a program (Composite) or a symnet graph. Subclass hooks."""

    def const(self, value: float) -> Any: raise NotImplementedError
    def apply(self, op: ScalarOp, args: list) -> Any: raise NotImplementedError


def from_sympy(expr: sympy.Expr, symbols: dict, builder: ExprBuilder) -> Any:
    """Translate a sympy expression over `symbols` (sympy symbol -> builder value)."""
    memo: dict = dict(symbols)

    def go(e):
        if e in memo:
            return memo[e]
        r = _translate(e, go, builder)
        memo[e] = r
        return r

    return go(expr)


_SYMPY_UNARY = {sympy.exp: exp, sympy.log: log, sympy.sin: sin, sympy.cos: cos, sympy.tan: tan,
                sympy.tanh: tanh, sympy.erf: erf, sympy.Abs: abs_, sympy.sign: sign, sympy.floor: floor,
                sympy.ceiling: ceil, Sigmoid: sigmoid, Softplus: softplus, Relu: relu, Step: step}


def _translate(e, go, b: ExprBuilder):
    if e is sympy.nan or e is sympy.zoo:
        return b.const(float("nan"))
    if e.is_Number or e in (sympy.oo, -sympy.oo) or e.is_NumberSymbol:
        return b.const(float(e))
    if e.is_number and not e.atoms(sympy.Function):
        return b.const(float(e.evalf(17)))
    if isinstance(e, sympy.Add):
        terms = list(e.args)
        pos = [t for t in terms if not _is_negative_term(t)]
        negs = [-t for t in terms if _is_negative_term(t)]
        acc = None
        for t in pos:
            acc = go(t) if acc is None else b.apply(add, [acc, go(t)])
        for t in negs:
            acc = b.apply(neg, [go(t)]) if acc is None else b.apply(sub, [acc, go(t)])
        return acc
    if isinstance(e, sympy.Mul):
        coeff, rest = e.as_coeff_Mul()
        if coeff == -1:
            return b.apply(neg, [go(rest)])
        num, den = [], []
        for f in e.args:
            if isinstance(f, sympy.Pow) and f.exp.is_Number and f.exp < 0:
                den.append(f.base if f.exp == -1 else sympy.Pow(f.base, -f.exp))
            elif f.is_Rational and not f.is_Integer and f.p == 1:
                den.append(sympy.Integer(f.q))
            else:
                num.append(f)
        acc = None
        for f in num:
            acc = go(f) if acc is None else b.apply(mul, [acc, go(f)])
        dacc = None
        for f in den:
            dacc = go(f) if dacc is None else b.apply(mul, [dacc, go(f)])
        if dacc is None:
            return acc
        if acc is None:
            return b.apply(reciprocal, [dacc])
        return b.apply(true_div, [acc, dacc])
    if isinstance(e, sympy.Pow):
        base, ex = e.args
        if ex == sympy.S.Half:
            return b.apply(sqrt, [go(base)])
        if ex == -1:
            return b.apply(reciprocal, [go(base)])
        if ex == 2:
            return b.apply(sqr, [go(base)])
        if base == sympy.E:
            return b.apply(exp, [go(ex)])
        return b.apply(pow_, [go(base), go(ex)])
    if isinstance(e, sympy.Function):
        f = e.func
        if f in _SYMPY_UNARY:
            return b.apply(_SYMPY_UNARY[f], [go(e.args[0])])
        if f is Elu:
            return b.apply(EluOp(float(e.args[1])), [go(e.args[0])])
        if f is Switch:
            return b.apply(switch, [go(a) for a in e.args])
        if issubclass(f, Opaque) and hasattr(f, "_symnet_op"):
            return b.apply(f._symnet_op, [go(a) for a in e.args])
    if isinstance(e, sympy.Piecewise):
        # Piecewise((a, c1), (b, True)) -> switch(c1, a, b); conditions must be opaque comparisons
        (val, cond), *rest = e.args
        other = sympy.Piecewise(*rest) if len(rest) > 1 or (rest and rest[0][1] is not sympy.true) else rest[0][0]
        return b.apply(switch, [go(_relational(cond)), go(val), go(other)])
    if isinstance(e, sympy.Heaviside):
        return b.apply(step, [go(e.args[0])])
    if isinstance(e, sympy.core.relational.Relational):
        return go(_relational(e))
    raise NotImplementedError(f"cannot translate sympy expression {e} ({type(e).__name__}) to a scalar op")


def _relational(c):
    import sympy.core.relational as R
    table = {R.StrictLessThan: lt, R.LessThan: le, R.StrictGreaterThan: gt, R.GreaterThan: ge,
             R.Equality: eq, R.Unequality: neq}
    for cls, op in table.items():
        if isinstance(c, cls):
            return _opaque(op)(*c.args)
    return c


def _is_negative_term(t) -> bool:
    return t.could_extract_minus_sign() and not t.is_Number or (t.is_Number and t < 0)


class ProgramBuilder(ExprBuilder):
    """Builds the program of a Composite, typing each step with the ops' dtype rules.

    Constants take the dtype of what they combine with (weak typing), else `float_dtype`."""

    def __init__(self, in_dtypes: Sequence[str], float_dtype: str) -> None:
        self.in_dtypes = list(in_dtypes)
        self.program: list[tuple] = []
        self.float_dtype = float_dtype
        self._consts: dict = {}

    def input(self, i: int) -> int:
        return i

    def dtype_of(self, slot: int) -> str:
        return self.in_dtypes[slot] if slot < len(self.in_dtypes) else self.program[slot - len(self.in_dtypes)][2]

    def const(self, value: float) -> tuple:
        return ("const", value)  # typed lazily, when an op consumes it

    def _materialise(self, x, dtype: str) -> int:
        if isinstance(x, tuple) and x and x[0] == "const":
            v = x[1]
            if not is_float(dtype) and float(v).is_integer() and abs(v) < 2 ** 62:
                v = int(v)
            elif not is_float(dtype):
                dtype = self.float_dtype
            key = (v if v == v else "nan", dtype)
            if key not in self._consts:
                self.program.append((Const(v, dtype), (), dtype))
                self._consts[key] = len(self.in_dtypes) + len(self.program) - 1
            return self._consts[key]
        return x

    def apply(self, op: ScalarOp, args: list) -> int:
        typed = [self.dtype_of(a) for a in args if not (isinstance(a, tuple) and a and a[0] == "const")]
        base = upcast(*typed) if typed else self.float_dtype
        if isinstance(op, SwitchOp):
            slots = [self._materialise(args[0], "bool")] + [self._materialise(a, base) for a in args[1:]]
        else:
            slots = [self._materialise(a, base) for a in args]
        dtype = op.output_dtype(*[self.dtype_of(s) for s in slots])
        self.program.append((op, tuple(slots), dtype))
        return len(self.in_dtypes) + len(self.program) - 1

    def finish(self, outputs: list) -> Composite:
        outs = [self._materialise(o, self.float_dtype) for o in outputs]
        return Composite(self.in_dtypes, self.program, outs)


@lru_cache(maxsize=4096)
def derivative(op: ScalarOp, nin: int, i: int) -> tuple[sympy.Expr, tuple[sympy.Symbol, ...], sympy.Symbol]:
    """(d op(x0..) / d x_i, the argument symbols, the output symbol) — cached per op.

    Where the derivative contains the op's own output (tanh' = 1 - tanh(x)^2) it is written in
    terms of the output symbol, so that the gradient graph reuses the forward result."""
    args = tuple(sympy.Symbol(f"x{k}", real=True) for k in range(nin))
    out = sympy.Symbol("out", real=True)
    d = op.grad_sympy(args, i)
    f = op.sympy(*args)
    if not f.is_Symbol and not f.is_Number and d.has(f):
        d = d.subs(f, out)
    return d, args, out
