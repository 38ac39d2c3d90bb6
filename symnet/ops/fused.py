"""Ops that the rewrite pipeline creates and backends lower directly.

- FusedReduce: an elementwise scalar program reduced over axes in one pass (sum(exp(x - m))).
- Gemm: alpha * op(A) @ op(B) + beta * C, one BLAS sgemm/dgemm call.
- SoftmaxCrossentropyWithLogits: -sum(targets * log_softmax(logits)) computed stably, with the
  gradient softmax(logits) * sum(targets) - targets (softmax - targets for normalised targets).

Users do not build these; the stabilize, specialize and fuse rewrites do. Their gradients are
written with ordinary ops so a rewritten graph can still be differentiated.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import scalar as S
from ..graph import Apply, Op, Variable, as_variable, describe
from ..types import TensorType, broadcast_shapes, fmt_shape, is_float, is_int, normalize_axis, upcast
from .elemwise import Elemwise, elementwise_signature, runtime_broadcast
from .reduce import Reduce, reduce_dtype

_REDUCE_NP = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min}


class FusedReduce(Op):
    """reduce_{kind, axes}(scalar_op(*inputs)), inputs broadcast as in Elemwise."""

    __props__ = ("kind", "axes", "scalar_op")

    def __init__(self, kind: str, axes: Sequence[int], scalar_op: S.ScalarOp) -> None:
        if kind not in _REDUCE_NP:
            raise ValueError(f"FusedReduce: unknown reduction {kind!r} (sum, prod, max, min)")
        if scalar_op.nout != 1:
            raise ValueError("FusedReduce needs a single-output scalar op")
        axes = tuple(sorted(int(a) for a in axes))
        if any(a < 0 for a in axes) or len(set(axes)) != len(axes):
            raise ValueError(f"FusedReduce axes must be distinct and non-negative, got {axes}")
        self.kind, self.axes, self.scalar_op = kind, axes, scalar_op

    def __str__(self) -> str:
        return f"FusedReduce{{{self.kind}, axes={self.axes}, {self.scalar_op}}}"

    def make_node(self, *inputs: Any) -> Apply:
        inputs, out_dtypes, shape = elementwise_signature(self.scalar_op, inputs, "FusedReduce")
        elem_dtype = out_dtypes[0]
        if any(a >= len(shape) for a in self.axes):
            raise ValueError(f"FusedReduce over axes {self.axes} of a {len(shape)}-d result")
        out_shape = tuple(d for a, d in enumerate(shape) if a not in self.axes)
        return Apply(self, inputs, [TensorType(reduce_dtype(self.kind, elem_dtype), out_shape)])

    def _elem_dtype(self, node: Apply) -> str:
        return self.scalar_op.output_dtypes(*[i.dtype for i in node.inputs])[0]

    def perform(self, node: Apply, inputs: list[np.ndarray]) -> list[np.ndarray]:
        full = _elem_shape(node, [np.shape(x) for x in inputs])
        res = self.scalar_op.impl(*inputs)
        res = np.broadcast_to(np.asarray(res, dtype=self._elem_dtype(node)), full)
        if res.size == 0 and self.kind in ("max", "min") and any(full[a] == 0 for a in self.axes):
            raise ValueError(f"{self.kind} of an empty axis (shape {full}, axes {self.axes}) has no identity")
        out_dtype = node.outputs[0].dtype
        if self.kind in ("sum", "prod"):
            out = _REDUCE_NP[self.kind](res, axis=self.axes, dtype=out_dtype)
        else:
            out = _REDUCE_NP[self.kind](res, axis=self.axes)
        return [np.asarray(out, dtype=out_dtype)]

    def infer_shape(self, node: Apply, input_shapes: list[tuple], input_values: list) -> list[tuple]:
        full = _elem_shape(node, input_shapes)
        return [tuple(d for a, d in enumerate(full) if a not in self.axes)]

    def unfused(self, inputs: Sequence[Variable]) -> Variable:
        """The same value as separate Elemwise and Reduce nodes (used for the gradient)."""
        elem = Elemwise(self.scalar_op)(*inputs)
        return Reduce(self.kind, self.axes)(elem) if self.axes else elem

    def grad(self, inputs: list[Variable], output_grads: list[Variable | None]) -> list:
        from ..grad import grad
        (gz,) = output_grads
        if gz is None:
            return [None] * len(inputs)
        out = self.unfused(inputs)
        wrt = [i for i in inputs if is_float(i.dtype)]
        gs = grad(None, wrt, known_grads={out: gz}, disconnected_inputs="ignore", return_disconnected="none") \
            if wrt else []
        by_id = {id(w): g for w, g in zip(wrt, gs)}
        return [by_id.get(id(i)) for i in inputs]


def _elem_shape(node: Apply, shapes: Sequence[tuple]) -> tuple:
    """The broadcast (pre-reduction) shape, with Elemwise's runtime rules."""
    return runtime_broadcast(node, shapes, ndim=max((i.ndim for i in node.inputs), default=0))


class Gemm(Op):
    """alpha * op(A) @ op(B) + beta * C with op = transpose where trans_a / trans_b.

    A, B are matrices; C broadcasts to the (m, n) result (a bias (n,), (1, n) or a full (m, n));
    alpha and beta are scalars. With beta == 0, C is not read (BLAS convention)."""

    __props__ = ("trans_a", "trans_b")

    def __init__(self, trans_a: bool = False, trans_b: bool = False) -> None:
        self.trans_a, self.trans_b = bool(trans_a), bool(trans_b)

    def make_node(self, A: Any, B: Any, C: Any, alpha: Any, beta: Any) -> Apply:
        A, B, C = as_variable(A), as_variable(B), as_variable(C)
        if A.ndim != 2 or B.ndim != 2:
            raise TypeError(f"Gemm needs matrices A and B; got {A.ndim}-d {describe(A)} and {B.ndim}-d {describe(B)}")
        dtype = upcast(A.dtype, B.dtype, C.dtype)
        if not is_float(dtype) or not (A.dtype == B.dtype == dtype):
            raise TypeError(f"Gemm needs A and B of one float dtype (and C no wider): {A.type}, {B.type}, {C.type}")
        if C.ndim > 2:
            raise TypeError(f"Gemm: C must have at most 2 dims, {describe(C)} has {C.ndim}")
        alpha, beta = as_variable(alpha, partners=[dtype]), as_variable(beta, partners=[dtype])
        for name, s in (("alpha", alpha), ("beta", beta)):
            if s.ndim != 0:
                raise TypeError(f"Gemm: {name} must be a scalar, got {s.type}")
        m = A.type.shape[1] if self.trans_a else A.type.shape[0]
        ka = A.type.shape[0] if self.trans_a else A.type.shape[1]
        kb = B.type.shape[1] if self.trans_b else B.type.shape[0]
        n = B.type.shape[0] if self.trans_b else B.type.shape[1]
        if ka is not None and kb is not None and ka != kb:
            raise ValueError(f"Gemm: inner dimensions {ka} and {kb} differ ({describe(A)}, {describe(B)})")
        shape = broadcast_shapes((m, n), C.type.shape, context="Gemm's C")
        for want, got in zip((m, n), shape):
            if want is not None and want != got:
                raise ValueError(f"Gemm: C of shape {fmt_shape(C.type.shape)} does not broadcast to ({m}, {n})")
        return Apply(self, [A, B, C, alpha, beta], [TensorType(dtype, shape)])

    def perform(self, node: Apply, inputs: list[np.ndarray]) -> list[np.ndarray]:
        A, B, C, alpha, beta = inputs
        dtype = node.outputs[0].dtype
        a = A.T if self.trans_a else A
        b = B.T if self.trans_b else B
        if a.shape[1] != b.shape[0]:
            raise ValueError(f"Gemm: shapes {a.shape} and {b.shape} do not match (built at {node.tag.get('trace', '?')})")
        out = np.matmul(a, b).astype(dtype, copy=False)
        al = dtype_scalar(alpha, dtype)
        if al != 1:
            out = out * al
        be = dtype_scalar(beta, dtype)
        if be != 0:
            c = np.asarray(C, dtype=dtype)
            if np.broadcast_shapes(c.shape, out.shape) != out.shape:
                raise ValueError(f"Gemm: C of shape {c.shape} does not broadcast to {out.shape}")
            out = out + (c if be == 1 else be * c)
        return [np.ascontiguousarray(out, dtype=dtype)]

    def infer_shape(self, node: Apply, input_shapes: list[tuple], input_values: list) -> list[tuple]:
        sa, sb = input_shapes[0], input_shapes[1]
        m = sa[1] if self.trans_a else sa[0]
        n = sb[0] if self.trans_b else sb[1]
        return [(m, n)]

    def grad(self, inputs: list[Variable], output_grads: list[Variable | None]) -> list:
        from .. import basic as T
        from .elemwise import reduce_to_shape
        A, B, C, alpha, beta = inputs
        (gz,) = output_grads
        if gz is None:
            return [None] * 5
        a = T.transpose(A) if self.trans_a else A
        b = T.transpose(B) if self.trans_b else B
        ga = alpha * T.matmul(gz, T.transpose(b))   # d/d op(A)
        gb = alpha * T.matmul(T.transpose(a), gz)   # d/d op(B)
        gA = T.transpose(ga) if self.trans_a else ga
        gB = T.transpose(gb) if self.trans_b else gb
        gC = reduce_to_shape(gz * beta, C) if is_float(C.dtype) else None
        g_alpha = T.sum(gz * T.matmul(a, b)) if is_float(alpha.dtype) else None
        g_beta = T.sum(gz * C) if is_float(beta.dtype) else None
        cast = lambda g, v: None if g is None else (g if g.dtype == v.dtype else T.cast(g, v.dtype))
        return [cast(gA, A), cast(gB, B), cast(gC, C), cast(g_alpha, alpha), cast(g_beta, beta)]


def dtype_scalar(x: Any, dtype: str) -> Any:
    return np.asarray(x, dtype=dtype).reshape(())[()]


class SoftmaxCrossentropyWithLogits(Op):
    """Per-row -sum(targets * log_softmax(logits), axis), stable for any finite logits.

    sparse: targets hold integer class indices (one dim fewer than logits). The output drops
    `axis`. d loss / d logits = softmax(logits) * sum(targets) - targets (= softmax - targets
    for targets that sum to one, always for sparse)."""

    __props__ = ("axis", "sparse")

    def __init__(self, axis: int = -1, sparse: bool = False) -> None:
        self.axis, self.sparse = int(axis), bool(sparse)

    def make_node(self, logits: Any, targets: Any) -> Apply:
        x, t = as_variable(logits), as_variable(targets)
        if not is_float(x.dtype) or x.ndim == 0:
            raise TypeError(f"SoftmaxCrossentropyWithLogits: logits must be a float tensor, got {x.type}")
        ax = normalize_axis(self.axis, x.ndim)
        if self.sparse:
            if not is_int(t.dtype) or t.ndim != x.ndim - 1:
                raise TypeError(f"SoftmaxCrossentropyWithLogits(sparse): targets must be integers with one dim "
                                f"fewer than logits {x.type}, got {t.type}")
        else:
            if not is_float(t.dtype) or t.ndim != x.ndim:
                raise TypeError(f"SoftmaxCrossentropyWithLogits: targets must be a float tensor with the ndim of "
                                f"logits {x.type}, got {t.type}")
        shape = tuple(d for a, d in enumerate(x.type.shape) if a != ax)
        if not self.sparse:
            full = broadcast_shapes(x.type.shape, t.type.shape, context="SoftmaxCrossentropyWithLogits")
            shape = tuple(d for a, d in enumerate(full) if a != ax)
            dtype = upcast(x.dtype, t.dtype)
        else:
            dtype = x.dtype
        return Apply(self, [x, t], [TensorType(dtype, shape)])

    def perform(self, node: Apply, inputs: list[np.ndarray]) -> list[np.ndarray]:
        x, t = inputs
        dtype = node.outputs[0].dtype
        ax = normalize_axis(self.axis, x.ndim)
        lsm = _log_softmax(np.asarray(x, dtype=dtype), ax)
        with np.errstate(all="ignore"):
            if self.sparse:
                rows = tuple(d for a, d in enumerate(x.shape) if a != ax)
                if tuple(np.shape(t)) != rows:
                    raise ValueError(f"SoftmaxCrossentropyWithLogits: one label per row of the logits is needed: "
                                     f"logits have shape {tuple(x.shape)}, labels {tuple(np.shape(t))} "
                                     f"(built at {node.tag.get('trace', '?')})")
                idx = np.expand_dims(np.asarray(t, dtype=np.int64), ax)
                n = x.shape[ax]
                if idx.size and (idx.min() < 0 or idx.max() >= n):
                    raise IndexError(f"SoftmaxCrossentropyWithLogits: class index out of range [0, {n}) "
                                     f"(built at {node.tag.get('trace', '?')})")
                out = -np.take_along_axis(lsm, idx, axis=ax).squeeze(ax)
            else:
                t = np.asarray(t, dtype=dtype)
                prod = np.where(t == 0, np.zeros((), dtype), t * lsm)  # 0 * log(0) counts as 0
                out = -np.sum(prod, axis=ax)
        return [np.asarray(out, dtype=dtype)]

    def infer_shape(self, node: Apply, input_shapes: list[tuple], input_values: list) -> list[tuple]:
        ax = normalize_axis(self.axis, len(input_shapes[0]))
        full = input_shapes[0] if self.sparse else tuple(np.broadcast_shapes(tuple(input_shapes[0]),
                                                                             tuple(input_shapes[1])))
        return [tuple(d for a, d in enumerate(full) if a != ax)]

    def grad(self, inputs: list[Variable], output_grads: list[Variable | None]) -> list:
        from .. import basic as T
        from .creation import axis_index
        from .elemwise import reduce_to_shape
        from .nnet import log_softmax, softmax
        x, t = inputs
        (gz,) = output_grads
        if gz is None:
            return [None, None]
        ax = normalize_axis(self.axis, x.ndim)
        g = T.expand_dims(gz, ax)
        if self.sparse:
            onehot = T.cast(T.eq(T.expand_dims(t, ax), axis_index(x, ax)), x.dtype)
            gx = (softmax(x, ax) - onehot) * g
            return [T.cast(gx, x.dtype) if gx.dtype != x.dtype else gx, None]
        sm = softmax(x, ax)
        gx = reduce_to_shape((sm * T.sum(t, axis=ax, keepdims=True) - t) * g, x)
        gt = reduce_to_shape(-log_softmax(x, ax) * g, t)
        return [T.cast(gx, x.dtype) if gx.dtype != x.dtype else gx,
                T.cast(gt, t.dtype) if gt.dtype != t.dtype else gt]

    def connection_pattern(self, node: Apply) -> list[list[bool]]:
        return [[True], [not self.sparse]]


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    with np.errstate(all="ignore"):
        m = np.max(x, axis=axis, keepdims=True) if x.size else np.zeros_like(x)
        m = np.where(np.isfinite(m), m, np.zeros((), x.dtype))
        s = x - m
        return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))
