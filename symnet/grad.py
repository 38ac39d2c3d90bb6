"""Reverse-mode symbolic differentiation.

grad() walks the graph from the cost back to the wrt variables in reverse topological order,
asking each op for the gradients of its inputs (Op.grad) and summing the contributions of every
path. Only nodes on a path from a wrt variable to the cost are visited, so a non-differentiable
op elsewhere in the graph costs nothing and raises nothing."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .graph import Apply, NotDifferentiable, Variable, as_variable, describe, name_scope, toposort
from .types import is_float


class DisconnectedInputError(ValueError):
    """grad() was asked for the gradient w.r.t. a variable the cost does not depend on."""


class GradientError(AssertionError):
    """verify_grad found a mismatch between the symbolic and the numeric gradient."""


def grad(cost: Variable | None, wrt: Variable | Sequence[Variable], known_grads: dict | None = None,
         consider_constant: Sequence[Variable] | None = None, disconnected_inputs: str = "raise",
         return_disconnected: str = "zero") -> Variable | list[Variable]:
    """d cost / d wrt as new graph variables (a list for a list).

    known_grads: {variable: its gradient} to start from (with or instead of a cost).
    disconnected_inputs: 'raise' | 'warn' | 'ignore' when a wrt does not influence the cost.
    return_disconnected: 'zero' (zeros_like(wrt)) | 'none' for disconnected wrt."""
    from . import basic as T
    single = isinstance(wrt, Variable)
    wrt_list = [wrt] if single else list(wrt)
    if disconnected_inputs not in ("raise", "warn", "ignore"):
        raise ValueError(f"disconnected_inputs must be 'raise', 'warn' or 'ignore', got {disconnected_inputs!r}")
    for w in wrt_list:
        if not isinstance(w, Variable):
            raise TypeError(f"grad: wrt must be symbolic variables, got {type(w).__name__}")
        if not is_float(w.dtype):
            raise TypeError(f"grad: cannot differentiate with respect to {describe(w)}, which has the integer "
                            f"dtype {w.dtype}; gradients exist only for float variables")
    start: dict[Variable, Variable] = {}
    if cost is not None:
        if not isinstance(cost, Variable):
            raise TypeError(f"grad: cost must be a symbolic variable, got {type(cost).__name__}")
        if cost.ndim != 0:
            raise TypeError(f"grad: the cost must be a scalar, but {describe(cost)} has {cost.ndim} dimensions "
                            f"(static shape {cost.type.shape}); reduce it first, e.g. with .sum() or .mean()")
        if not is_float(cost.dtype):
            raise TypeError(f"grad: the cost {describe(cost)} has the non-float dtype {cost.dtype}")
        # ones_like(cost), not a constant, as Theano: grad(2 * s, s) still depends on s, so
        # function([s], grad(2 * s, s)) does not call s an unused input
        start[cost] = T.ones_like(cost)
    for v, g in (known_grads or {}).items():
        g = as_variable(g, partners=[v.dtype])
        if g.ndim != v.ndim:
            raise ValueError(f"known_grads: the gradient for {describe(v)} has {g.ndim} dims, expected {v.ndim}")
        start[v] = g if g.dtype == v.dtype else T.cast(g, v.dtype)
    if not start:
        raise ValueError("grad needs a cost or known_grads")

    blockers = list(consider_constant or [])
    blocked = set(map(id, blockers))
    topo = toposort(list(start), blockers=blockers)

    # Forward pass: which variables depend (differentiably) on a wrt variable.
    relevant = set(map(id, wrt_list))
    for node in topo:
        pattern = node.op.connection_pattern(node)
        for j, out in enumerate(node.outputs):
            if any(id(inp) in relevant and id(inp) not in blocked and pattern[i][j]
                   for i, inp in enumerate(node.inputs)):
                relevant.add(id(out))

    grads: dict[int, Variable] = {}
    for v, g in start.items():
        _accumulate(grads, v, g)
    for node in reversed(topo):
        out_grads = [grads.get(id(o)) for o in node.outputs]
        if all(g is None for g in out_grads):
            continue
        if not any(id(i) in relevant and id(i) not in blocked for i in node.inputs):
            continue
        scope = node.tag.get("scope", "") if isinstance(node.tag, dict) else ""
        if scope:   # gradient nodes carry the forward node's scope (kernels map back to Keras layers)
            with name_scope(scope):
                in_grads = node.op.grad(list(node.inputs), out_grads)
        else:
            in_grads = node.op.grad(list(node.inputs), out_grads)
        if len(in_grads) != len(node.inputs):
            raise RuntimeError(f"{node.op}.grad returned {len(in_grads)} gradients for {len(node.inputs)} inputs")
        for inp, g in zip(node.inputs, in_grads):
            if id(inp) not in relevant or id(inp) in blocked:
                continue
            if isinstance(g, NotDifferentiable):
                raise g.error()
            if g is None:
                continue
            if g.ndim != inp.ndim:
                raise RuntimeError(f"{node.op}.grad gave a {g.ndim}-d gradient for the {inp.ndim}-d input "
                                   f"{describe(inp)}")
            if g.dtype != inp.dtype and is_float(inp.dtype):
                g = T.cast(g, inp.dtype)
            _accumulate(grads, inp, g)

    out = []
    for w in wrt_list:
        g = grads.get(id(w))
        if g is None:
            msg = (f"grad: the cost does not depend on {describe(w)} (it is not part of the computational graph "
                   "of the cost, or only through non-differentiable operations)")
            if disconnected_inputs == "raise":
                raise DisconnectedInputError(msg + "; pass disconnected_inputs='ignore' to get zeros")
            if disconnected_inputs == "warn":
                import warnings
                warnings.warn(msg, stacklevel=2)
            g = T.zeros_like(w) if return_disconnected == "zero" else None
        out.append(g)
    return out[0] if single else out


def _accumulate(grads: dict, v: Variable, g: Variable) -> None:
    prev = grads.get(id(v))
    grads[id(v)] = g if prev is None else prev + g


def jacobian(expression: Variable, wrt: Variable | Sequence[Variable],
             disconnected_inputs: str = "raise") -> Variable | list[Variable]:
    """d expression[i] / d wrt for a vector (or scalar) expression of static length."""
    from . import basic as T
    single = isinstance(wrt, Variable)
    wrt_list = [wrt] if single else list(wrt)
    if expression.ndim == 0:
        res = grad(expression, wrt_list, disconnected_inputs=disconnected_inputs)
        return res[0] if single else res
    if expression.ndim != 1:
        raise TypeError(f"jacobian: the expression must be a vector, got {expression.ndim} dims; flatten it first")
    n = expression.type.shape[0]
    if n is None:   # one gradient per element, in a loop (Theano's scan-based jacobian)
        from .scan_module import scan

        def row(i, expr, *ws):
            return grad(expr[i], list(ws), disconnected_inputs=disconnected_inputs)
        rows, _ = scan(row, sequences=T.arange(expression.shape[0]), non_sequences=[expression] + wrt_list,
                       name="jacobian", return_list=True)
        return rows[0] if single else rows
    rows = [grad(expression[i], wrt_list, disconnected_inputs=disconnected_inputs) for i in range(n)]
    res = [T.stack([r[k] for r in rows]) for k in range(len(wrt_list))]
    return res[0] if single else res


def hessian(cost: Variable, wrt: Variable | Sequence[Variable],
            disconnected_inputs: str = "raise") -> Variable | list[Variable]:
    """Hessian of a scalar cost w.r.t. vector variables of static length."""
    single = isinstance(wrt, Variable)
    wrt_list = [wrt] if single else list(wrt)
    res = []
    for w in wrt_list:
        if w.ndim != 1:
            raise TypeError(f"hessian: wrt must be vectors, {describe(w)} has {w.ndim} dims")
        g = grad(cost, w, disconnected_inputs=disconnected_inputs)
        res.append(jacobian(g, w, disconnected_inputs=disconnected_inputs))
    return res[0] if single else res


def numeric_grad(f, pt: list[np.ndarray], eps: float) -> list[np.ndarray]:
    """Central finite differences of the scalar function f at pt."""
    grads = []
    for i, x in enumerate(pt):
        g = np.zeros_like(x, dtype="float64")
        flat = x.reshape(-1)
        for k in range(flat.size):
            orig = flat[k]
            flat[k] = orig + eps
            fp = float(f(*pt))
            flat[k] = orig - eps
            fm = float(f(*pt))
            flat[k] = orig
            g.reshape(-1)[k] = (fp - fm) / (2 * eps)
        grads.append(g)
    return grads


def verify_grad(fun, pt: Sequence[Any], n_tests: int = 2, rng: np.random.Generator | None = None,
                eps: float | None = None, abs_tol: float | None = None, rel_tol: float | None = None,
                mode: str | None = None) -> None:
    """Check the symbolic gradient of ``fun`` against central finite differences (Theano's helper).

    ``fun`` takes symbolic variables (one per array in ``pt``) and returns a symbolic tensor; the
    tested cost is sum(fun(...) * random projection). Raises GradientError on a mismatch."""
    from . import basic as T
    from .function import function
    rng = rng if rng is not None else np.random.default_rng(0)
    pt = [np.array(p, dtype=p.dtype if isinstance(p, np.ndarray) and p.dtype.kind == "f" else "float64",
                   copy=True) for p in pt]
    dtype = np.result_type(*pt) if pt else np.float64
    if eps is None:
        eps = 1e-7 if dtype == np.float64 else 3e-3
    tol = abs_tol if abs_tol is not None else (1e-4 if dtype == np.float64 else 3e-2)
    rtol = rel_tol if rel_tol is not None else tol
    inputs = [T.tensor(p.shape, dtype=str(p.dtype), name=f"input{i}") for i, p in enumerate(pt)]
    out = fun(*inputs)
    if not isinstance(out, Variable):
        raise TypeError("verify_grad: fun must return a symbolic variable")
    for _ in range(n_tests):
        proj_val = rng.uniform(-1, 1, size=[d if d is not None else 1 for d in out.type.shape]).astype(out.dtype) \
            if out.ndim else np.asarray(rng.uniform(0.5, 1.5), dtype=out.dtype)
        proj = T.constant(proj_val)
        cost = T.sum(out * proj)
        f_cost = function(inputs, cost, mode=mode, on_unused_input="ignore")
        f_grad = function(inputs, grad(cost, inputs, disconnected_inputs="ignore"), mode=mode,
                          on_unused_input="ignore")
        analytic = f_grad(*pt)
        numeric = numeric_grad(f_cost, [p.copy() for p in pt], eps)
        for i, (a, n) in enumerate(zip(analytic, numeric)):
            a = np.asarray(a, dtype="float64")
            err = np.abs(a - n)
            bad = err > tol + rtol * np.abs(n)
            if np.any(bad) or not np.all(np.isfinite(a)) and np.all(np.isfinite(n)):
                k = int(np.argmax(err))
                raise GradientError(
                    f"verify_grad: gradient of input {i} (shape {pt[i].shape}) differs from finite differences: "
                    f"max abs error {err.max():.3g} at flat index {k} (symbolic {a.reshape(-1)[k]:.6g}, numeric "
                    f"{n.reshape(-1)[k]:.6g}); tolerance abs {tol}, rel {rtol}")
