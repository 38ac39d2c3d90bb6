"""Elemwise: a scalar op (or fused Composite) mapped over tensors with NumPy broadcasting.

Its gradient is derived: sympy differentiates the scalar form, the derivative is translated back
into elementwise ops over the same inputs, and broadcast axes are summed away."""
from __future__ import annotations

from typing import Any, Sequence

import builtins

import numpy as np
import sympy

from .. import scalar as S
from ..graph import Apply, NotDifferentiable, Op, Variable, as_variable, describe
from ..types import TensorType, broadcast_shapes, fmt_shape, is_float


class Elemwise(Op):
    __props__ = ("scalar_op",)

    def __init__(self, scalar_op: S.ScalarOp) -> None:
        self.scalar_op = scalar_op

    def __str__(self) -> str:
        return f"Elemwise{{{self.scalar_op}}}"

    def make_node(self, *inputs: Any) -> Apply:
        inputs, out_dtypes, shape = elementwise_signature(self.scalar_op, inputs, "elementwise")
        return Apply(self, inputs, [TensorType(d, shape) for d in out_dtypes])

    def perform(self, node: Apply, inputs: list[np.ndarray]) -> list[np.ndarray]:
        out_shape = tuple(self.infer_shape(node, [np.shape(x) for x in inputs], [])[0])
        res = self.scalar_op.impl(*inputs)
        res = res if isinstance(res, list) else [res]
        outs = []
        for r, o in zip(res, node.outputs):
            r = np.asarray(r)
            if r.shape != out_shape:
                r = np.broadcast_to(r, out_shape)
            if r.dtype != o.dtype or not r.flags.writeable or any(np.may_share_memory(r, x) for x in inputs):
                r = np.array(r, dtype=o.dtype)
            outs.append(r)
        return outs

    def infer_shape(self, node: Apply, input_shapes: list[tuple], input_values: list) -> list[tuple]:
        return [runtime_broadcast(node, input_shapes)] * len(node.outputs)

    def grad(self, inputs: list[Variable], output_grads: list[Variable | None]) -> list:
        op = self.scalar_op
        from .. import basic as T
        node_outputs = self._outputs_for_grad(inputs)
        results = []
        for i, x in enumerate(inputs):
            if not is_float(x.dtype):
                results.append(None)
                continue
            total = None
            for k, gz in enumerate(output_grads):
                if gz is None:
                    continue
                if not op.differentiable([v.dtype for v in inputs]):
                    continue
                d = _derivative_graph(op, inputs, node_outputs, k, i)
                if d is None:
                    continue
                term = gz * d
                total = term if total is None else total + term
            if total is None:
                results.append(None)
                continue
            total = reduce_to_shape(total, x)
            if total.dtype != x.dtype:
                total = T.cast(total, x.dtype)
            results.append(total)
        return results

    def _outputs_for_grad(self, inputs: list[Variable]) -> list[Variable]:
        return self(*inputs) if self.scalar_op.nout > 1 else [self(*inputs)]


def as_tensor_args(inputs: Sequence[Any]) -> list[Variable]:
    """Variables stay; Python scalars/arrays become constants typed after the variables (NEP 50)."""
    var_dtypes = [i.dtype for i in inputs if isinstance(i, Variable)]
    return [as_variable(i, partners=var_dtypes) for i in inputs]


def elementwise_signature(op: S.ScalarOp, inputs: Sequence[Any], what: str) -> tuple[list, list, tuple]:
    """(input variables, output dtypes, broadcast static shape) of `op` mapped over `inputs`:
    the type rule shared by Elemwise and the fused reductions."""
    if len(inputs) != op.nin:
        raise TypeError(f"{op.name} takes {op.nin} inputs, got {len(inputs)}")
    inputs = as_tensor_args(inputs)
    out_dtypes = op.output_dtypes(*[i.dtype for i in inputs])
    shape = broadcast_shapes(*[i.type.shape for i in inputs],
                             context=f"{what} {op.name} of " + ", ".join(describe(i) for i in inputs))
    return inputs, out_dtypes, shape


def runtime_broadcast(node: Apply, shapes: Sequence[tuple], ndim: int | None = None) -> tuple:
    """Broadcast concrete shapes. Only dims that are statically 1 stretch: a dim that happens to
    be 1 at run time but was unknown when the graph was built is an error, because the gradient
    (which sums over broadcast axes) was derived without it."""
    if ndim is None:                      # Elemwise: the output's rank; fused reductions pass theirs
        ndim = len(node.outputs[0].type.shape)
    out = []
    for ax in range(ndim):
        size, owner = None, None
        for inp, shp in zip(node.inputs, shapes):
            a = ax - (ndim - len(shp))
            if a < 0 or inp.type.shape[a] == 1:
                continue
            if size is None:
                size, owner = shp[a], inp
            elif shp[a] != size:
                hint = ""
                if 1 in (size, shp[a]):
                    hint = (" (a dim of size 1 broadcasts only when the graph declares it: give the "
                            "variable a static shape of 1 on that axis, or use broadcast_to)")
                raise ValueError(
                    f"{node.op}: {describe(owner)} and {describe(inp)} have sizes {size} and {shp[a]} on "
                    f"output axis {ax}; input shapes {', '.join(str(tuple(s)) for s in shapes)} "
                    f"(built at {node.tag.get('trace', '?')}){hint}")
        out.append(1 if size is None else size)
    return tuple(out)


def reduce_to_shape(g: Variable, x: Variable) -> Variable:
    """Sum `g` over the axes along which `x` was broadcast, giving x's shape."""
    from .. import basic as T
    extra = g.ndim - x.ndim
    axes = tuple(range(extra)) + tuple(a + extra for a, d in enumerate(x.type.shape)
                                       if d == 1 and g.type.shape[a + extra] != 1)
    if not axes:
        return g
    g = T.sum(g, axis=axes, keepdims=True)
    if extra:
        g = T.dimshuffle(g, [extra + i for i in range(x.ndim)])
    return g


class _GraphBuilder(S.ExprBuilder):
    """from_sympy target that builds elementwise symnet ops. `dtype` is the float dtype of the
    derivative: constants that meet no float tensor (switch(c, 1, 0)) take it, so a float32
    gradient never goes through float64."""

    def __init__(self, dtype: str = "float64") -> None:
        self.dtype = dtype

    def const(self, value: float) -> float:
        return value if not float(value).is_integer() else int(value) if builtins.abs(value) < 2 ** 53 else value

    def apply(self, op: S.ScalarOp, args: list) -> Any:
        if all(not isinstance(a, Variable) for a in args):  # constant-fold in Python
            arr = op.impl(*[np.asarray(a, dtype="float64") for a in args])
            return float(arr)
        if isinstance(op, S.SwitchOp) and not isinstance(args[0], Variable):
            return args[1] if args[0] else args[2]
        if isinstance(op, S.SwitchOp) and not any(isinstance(a, Variable) for a in args[1:]):
            args = [args[0]] + [np.asarray(a, dtype=self.dtype) for a in args[1:]]
        return Elemwise(op)(*args)


def _derivative_graph(op: S.ScalarOp, inputs: list[Variable], outputs: list[Variable], k: int,
                      i: int) -> Variable | float | None:
    """d output_k / d input_i as a graph over the same inputs (and the forward output)."""
    if isinstance(op, S.Composite):
        args = tuple(sympy.Symbol(f"x{j}", real=True) for j in range(op.nin))
        expr = sympy.diff(op.sympy_outputs(args)[k], args[i])
        symbols = dict(zip(args, inputs))
    else:
        expr, args, out_sym = S.derivative(op, op.nin, i)
        symbols = dict(zip(args, inputs))
        symbols[out_sym] = outputs[0]
    if expr == 0:
        return None
    res = S.from_sympy(expr, symbols, _GraphBuilder(inputs[i].dtype))
    return res


# ------------------------------------------------------------------------------------------
# Public constructors (one line each: the scalar op is the whole definition)
# ------------------------------------------------------------------------------------------
def _unary(op: S.ScalarOp):
    e = Elemwise(op)

    def f(x: Any) -> Variable:
        return e(x)
    f.__name__ = op.name
    f.__doc__ = f"Elementwise {op.name}."
    return f


def _binary(op: S.ScalarOp):
    e = Elemwise(op)

    def f(x: Any, y: Any) -> Variable:
        return e(x, y)
    f.__name__ = op.name
    f.__doc__ = f"Elementwise {op.name} with NumPy broadcasting."
    return f


add, sub, mul, true_div = _binary(S.add), _binary(S.sub), _binary(S.mul), _binary(S.true_div)
floor_div, mod, pow = _binary(S.floor_div), _binary(S.mod), _binary(S.pow_)
maximum, minimum, second = _binary(S.maximum), _binary(S.minimum), _binary(S.second)
eq, neq, lt, le, gt, ge = (_binary(S.eq), _binary(S.neq), _binary(S.lt), _binary(S.le), _binary(S.gt),
                           _binary(S.ge))
and_, or_, xor = _binary(S.and_), _binary(S.or_), _binary(S.xor)
not_, isnan, isinf = _unary(S.not_), _unary(S.isnan), _unary(S.isinf)
neg, identity, abs, sign = _unary(S.neg), _unary(S.identity), _unary(S.abs_), _unary(S.sign)
floor, ceil, round = _unary(S.floor), _unary(S.ceil), _unary(S.round_half_even)
_neg_any = neg


def neg(x: Any) -> Variable:
    """Elementwise negation; on a bool tensor NumPy's TypeError, raised when the graph is built."""
    x = as_variable(x)
    if x.dtype == "bool":
        raise TypeError(f"{BOOL_NEGATIVE} (negating {describe(x)} of dtype bool)")
    return _neg_any(x)


BOOL_NEGATIVE = ("The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or "
                 "the logical_not function instead.")
exp, log, sin, cos, tan, tanh, erf = (_unary(S.exp), _unary(S.log), _unary(S.sin), _unary(S.cos),
                                      _unary(S.tan), _unary(S.tanh), _unary(S.erf))
expm1, log1p, sqrt, sqr, reciprocal = (_unary(S.expm1), _unary(S.log1p), _unary(S.sqrt), _unary(S.sqr),
                                       _unary(S.reciprocal))
sigmoid, softplus, relu, step = _unary(S.sigmoid), _unary(S.softplus), _unary(S.relu), _unary(S.step)
square = sqr


def switch(cond: Any, a: Any, b: Any) -> Variable:
    """where(cond, a, b) elementwise; cond is cast to bool."""
    cond = as_variable(cond)
    if cond.dtype != "bool":
        cond = neq(cond, 0)
    return Elemwise(S.switch)(cond, *as_tensor_args([a, b]))


where = switch


def clip(x: Any, lo: Any, hi: Any) -> Variable:
    return Elemwise(S.clip)(*as_tensor_args([x, lo, hi]))


def cast(x: Any, dtype: str) -> Variable:
    dtype = str(np.dtype(dtype if dtype != "floatX" else _floatX()))
    if not isinstance(x, Variable):
        return as_variable(x, dtype=dtype)        # a Python value becomes a constant of that dtype directly
    x = as_variable(x)
    if x.dtype == dtype:
        return x
    return Elemwise(S.CastOp(dtype))(x)


def _floatX() -> str:
    from ..config import config
    return config.floatX


def elu(x: Any, alpha: float = 1.0) -> Variable:
    return Elemwise(S.EluOp(alpha))(x)


def selu(x: Any) -> Variable:
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return mul(elu(x, alpha), scale)


def gelu(x: Any, approximate: bool = False) -> Variable:
    """Gaussian error linear unit; exact (erf) by default as Keras 3, tanh form if approximate."""
    x = as_variable(x)
    if approximate:
        c = np.sqrt(2 / np.pi)
        return 0.5 * x * (1.0 + tanh(c * (x + 0.044715 * x * x * x)))
    return 0.5 * x * (1.0 + erf(x * float(1 / np.sqrt(2))))
