"""Rewritten FunctionGraph -> kernel IR (codegen/kernel.py) + the per-signature buffer plan.

Lowering runs once per compiled function and is shape-generic: it decides which nodes become
native kernels, which are views (no code), which are shape arithmetic evaluated in Python when a
new input-shape signature is seen ("plan nodes": Shape, MakeVector and small integer math over
them), and which fall back to their NumPy `perform` (FallbackStep, listed with its reason).

An op may carry its own lowering: a method ``lower(ctx, node) -> bool`` (return False to decline);
otherwise the rules in ``_RULES`` below (keyed by op class name; codegen never imports keras_api).

`resolve(program, arrays, shared)` is the buffer plan for one signature: every variable's shape
(the ops' infer_shape), the values of plan nodes, and every buffer's byte offset, shape and strides.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

# The scalar expression language (symnet/scalar.py) is the IR of kernel bodies, shared by the
# front end and every backend: codegen reads it, it never imports the rest of symnet's graph code.
import importlib
S = importlib.import_module("symnet.scalar")  # the module: the attribute symnet.scalar is sn.scalar()

from .checks import check_program, node_context
from .kernel import (CONST, FRESH, INPUT, PLANVAL, SHARED, TEMP, ArgKernel, Base, Buffer, FallbackStep,
                     GatherKernel, GemmKernel, LoopKernel, Program)

PLAN_MAX_SIZE = 1024          # plan-time nodes: outputs at most this many elements


# ------------------------------------------------------------------------------------------
# scalar programs
# ------------------------------------------------------------------------------------------
def as_composite(scalar_op: Any, in_dtypes: list[str]) -> Any:
    """A Composite for any scalar op (a plain op becomes a one-step program)."""
    if isinstance(scalar_op, S.Composite):
        return scalar_op
    outs = scalar_op.output_dtypes(*in_dtypes)
    n = len(in_dtypes)
    return S.Composite(in_dtypes, [(scalar_op, tuple(range(n)), outs[0])], [n])


def identity_composite(in_dtype: str, out_dtype: str) -> Any:
    if in_dtype == out_dtype:
        return S.Composite([in_dtype], [(S.identity, (0,), in_dtype)], [1])
    return S.Composite([in_dtype], [(S.CastOp(out_dtype), (0,), out_dtype)], [1])


class ProgramBuilder:
    """Tiny helper to write scalar programs for special kernels (softmax, crossentropy)."""

    def __init__(self, in_dtypes: list[str]) -> None:
        self.in_dtypes = list(in_dtypes)
        self.steps: list = []

    def dtype(self, s: int) -> str:
        return self.in_dtypes[s] if s < len(self.in_dtypes) else self.steps[s - len(self.in_dtypes)][2]

    def op(self, op: Any, *args: int, dtype: str | None = None) -> int:
        dt = dtype or op.output_dtype(*[self.dtype(a) for a in args])
        self.steps.append((op, tuple(args), dt))
        return len(self.in_dtypes) + len(self.steps) - 1

    def const(self, v: Any, dtype: str) -> int:
        self.steps.append((S.Const(v, dtype), (), dtype))
        return len(self.in_dtypes) + len(self.steps) - 1

    def cast(self, s: int, dtype: str) -> int:
        return s if self.dtype(s) == dtype else self.op(S.CastOp(dtype), s, dtype=dtype)

    def finish(self, outs: list[int]) -> Any:
        return S.Composite(self.in_dtypes, self.steps, outs)


# ------------------------------------------------------------------------------------------
# views (plan-time functions of the parent's offset, shape, strides)
# ------------------------------------------------------------------------------------------
def c_strides(shape: tuple, itemsize: int) -> tuple:
    st, acc = [], itemsize
    for d in reversed(shape):
        st.append(acc)
        acc *= max(d, 1)
    return tuple(reversed(st))


def is_c_contiguous(shape: tuple, strides: tuple, itemsize: int) -> bool:
    acc = itemsize
    for d, s in zip(reversed(shape), reversed(strides)):
        if d != 1 and s != acc:
            return False
        acc *= d
    return True


def view_dimshuffle(pattern: tuple, drop: tuple) -> Callable:
    def f(off, shape, strides, plan, parent=None):
        keep = [a for a in range(len(shape)) if a not in drop]
        pos = {a: (shape[a], strides[a]) for a in keep}
        dims = [(1, 0) if p == "x" else pos[p] for p in pattern]
        return off, tuple(d for d, _ in dims), tuple(s for _, s in dims)
    return f


def view_expand(axes: tuple, out_ndim: int) -> Callable:
    """Insert size-1 (stride 0) axes at `axes` of the result (keepdims / reduced-axis operands)."""
    def f(off, shape, strides, plan, parent=None):
        it = iter(zip(shape, strides))
        dims = [(1, 0) if a in axes else next(it) for a in range(out_ndim)]
        return off, tuple(d for d, _ in dims), tuple(s for _, s in dims)
    f.expand_axes = tuple(axes)
    return f


def view_reshape(var: Any) -> Callable:
    def f(off, shape, strides, plan, parent=None):
        new = plan.shapes[id(var)]
        return off, new, c_strides(new, np.dtype(var.dtype).itemsize)
    return f


def view_subtensor(node: Any) -> Callable:
    from symnet.ops.subtensor import _build_index

    def f(off, shape, strides, plan, parent=None):
        idx = _build_index(node.op.idx_list, [plan.values[id(v)] for v in node.inputs[1:]])
        nshape, nstrides = [], []
        for a, e in enumerate(idx):
            n, s = shape[a], strides[a]
            if isinstance(e, slice):
                start, stop, step = e.indices(n)
                ln = len(range(start, stop, step))
                if ln:
                    off += start * s
                nshape.append(ln)
                nstrides.append(s * step)
            else:
                i = int(e)
                if not -n <= i < n:
                    raise IndexError(f"index {i} is out of bounds for axis {a} with size {n} "
                                     f"(indexing {node.inputs[0]}, built at {node.tag.get('trace', '?')})")
                off += (i % n) * s
        nshape.extend(shape[len(idx):])
        nstrides.extend(strides[len(idx):])
        return off, tuple(nshape), tuple(nstrides)
    return f


# ------------------------------------------------------------------------------------------
# lowering
# ------------------------------------------------------------------------------------------
class Lowering:
    """Context handed to lowering rules (and to ops' own ``lower`` methods)."""

    def __init__(self, fgraph: Any, n_outputs: int, update_targets: list) -> None:
        self.fgraph = fgraph
        self.bases: list[Base] = []
        self.buffers: list[Buffer] = []
        self.steps: list = []
        self.var_buffer: dict[int, Buffer] = {}
        self.plan_nodes: list = []
        self.known: set[int] = set()         # ids of variables whose value the plan computes
        self.out_ids = {id(v) for v in fgraph.outputs[:n_outputs]}
        self.counter = 0

    # -- buffers -----------------------------------------------------------------------
    def new_base(self, kind: str, dtype: str, ndim: int, ref: Any = None, contiguous: bool = True) -> Base:
        b = Base(len(self.bases), kind, dtype, ndim, ref, contiguous)
        self.bases.append(b)
        return b

    def whole(self, base: Base, var: Any = None, sshape: Any = None) -> Buffer:
        buf = Buffer(len(self.buffers), base, base.dtype, base.ndim, contiguous=base.contiguous, var=var,
                     sshape=tuple(var.type.shape) if var is not None else sshape)
        self.buffers.append(buf)
        return buf

    def view(self, parent: Buffer, fn: Callable, ndim: int, contiguous: bool, var: Any = None,
             dtype: str | None = None, sshape: Any = None) -> Buffer:
        if var is not None:
            sshape = tuple(var.type.shape)
        elif sshape is None and getattr(fn, "expand_axes", None) is not None and parent.sshape is not None:
            it = iter(parent.sshape)
            sshape = tuple(1 if a in fn.expand_axes else next(it) for a in range(ndim))
        buf = Buffer(len(self.buffers), parent.base, dtype or parent.dtype, ndim, parent, fn, contiguous, var,
                     sshape)
        self.buffers.append(buf)
        return buf

    def temp(self, dtype: str, ndim: int, shape_fn: Callable, var: Any = None, sshape: Any = None) -> Buffer:
        """An internal buffer; shape_fn(plan) gives its shape."""
        base = self.new_base(TEMP, dtype, ndim, ref=shape_fn)
        return self.whole(base, var, sshape)

    def output_buffer(self, var: Any) -> Buffer:
        """The buffer a kernel writes `var` into: fresh per call when it is a function output."""
        kind = FRESH if id(var) in self.out_ids else TEMP
        buf = self.whole(self.new_base(kind, var.dtype, var.ndim, ref=var), var)
        self.var_buffer[id(var)] = buf
        return buf

    def buffer_of(self, var: Any) -> Buffer:
        buf = self.var_buffer.get(id(var))
        if buf is not None:
            return buf
        if id(var) in self.known:
            buf = self.whole(self.new_base(PLANVAL, var.dtype, var.ndim, ref=var), var)
        elif hasattr(var, "data"):
            buf = self.whole(self.new_base(CONST, var.dtype, var.ndim, ref=np.array(var.data, order="C")), var)
        else:
            raise RuntimeError(f"internal error: {var} has no buffer")
        self.var_buffer[id(var)] = buf
        return buf

    def contiguous_buffer(self, var: Any, nodes: list) -> Buffer:
        """`var`'s buffer, copied to a contiguous temporary when it may not be contiguous."""
        buf = self.buffer_of(var)
        if buf.contiguous:
            return buf
        out = self.temp(var.dtype, var.ndim, _shape_of(var), sshape=tuple(var.type.shape))
        self.loop(f"copy", nodes, var.ndim, [buf], [out], identity_composite(var.dtype, var.dtype), shape_from=out)
        return out

    # -- kernels -----------------------------------------------------------------------
    def name(self, stem: str) -> str:
        self.counter += 1
        return f"k{self.counter}_{stem}"

    def loop(self, stem: str, nodes: list, ndim: int, inputs: list, outputs: list, composite: Any,
             reduce: str | None = None, shape_from: Any = None) -> LoopKernel:
        k = LoopKernel(self.name(stem), list(nodes), ndim=ndim, inputs=list(inputs), outputs=list(outputs),
                       composite=composite, reduce=reduce, shape_from=shape_from)
        self.steps.append(k)
        return k

    def fallback(self, node: Any, reason: str) -> None:
        ins = [self.buffer_of(v) for v in node.inputs]
        outs = [self.output_buffer(v) for v in node.outputs]
        self.steps.append(FallbackStep(self.name("fallback_" + type(node.op).__name__), [node], node=node,
                                       inputs=ins, outputs=outs, reason=reason))


def _shape_of(var: Any) -> Callable:
    return lambda plan: plan.shapes[id(var)]


def _is_plan_node(node: Any, known: set) -> bool:
    from symnet.ops.shape import Shape
    if isinstance(node.op, Shape):
        return True
    if getattr(node.op, "is_random", False) or "Random" in type(node.op).__name__:
        return False
    if not all(id(v) in known or (hasattr(v, "data") and np.size(v.data) <= PLAN_MAX_SIZE) for v in node.inputs):
        return False
    if type(node.op).__name__ in ("ARange", "Eye"):   # any size: a function of shapes only
        return True
    return all(all(d is not None for d in o.type.shape) and math.prod(o.type.shape) <= PLAN_MAX_SIZE
               for o in node.outputs)


def structural_toposort(fgraph: Any) -> list:
    """A topological order that depends only on the graph's structure (DFS post-order from the
    outputs, inputs in order), so equal graphs lower to identical IR and hit the compile cache."""
    order: list = []
    done: set = set()
    for out in fgraph.outputs:
        if out.owner is None or id(out.owner) in done:
            continue
        stack = [(out.owner, 0)]
        onstack = {id(out.owner)}
        while stack:
            node, i = stack.pop()
            if i < len(node.inputs):
                stack.append((node, i + 1))
                o = node.inputs[i].owner
                if o is not None and id(o) not in done and id(o) not in onstack:
                    stack.append((o, 0))
                    onstack.add(id(o))
            else:
                done.add(id(node))
                order.append(node)
    return order


def lower(fgraph: Any, n_outputs: int, update_targets: list) -> Program:
    ctx = Lowering(fgraph, n_outputs, update_targets)
    input_bases = []
    value_inputs = []
    for i, v in enumerate(fgraph.inputs):
        b = ctx.new_base(INPUT, v.dtype, v.ndim, ref=i, contiguous=False)
        ctx.var_buffer[id(v)] = ctx.whole(b, v)
        input_bases.append(b)
        if v.ndim == 0 and np.dtype(v.dtype).kind in "iu":
            # an integer scalar input (a minibatch index, a length) may set shapes and view
            # offsets: its value joins the plan signature, like the shapes do
            ctx.known.add(id(v))
            value_inputs.append(i)
    shared_bases = []
    order = structural_toposort(fgraph)
    seen_shared: set = set()
    in_order = [v for node in order for v in node.inputs] + list(fgraph.outputs)
    for v in in_order:     # first-use order: deterministic, unlike fgraph.shared
        if hasattr(v, "container") and id(v) not in seen_shared and id(v) not in ctx.var_buffer:
            seen_shared.add(id(v))
            b = ctx.new_base(SHARED, v.dtype, v.ndim, ref=v, contiguous=False)
            ctx.var_buffer[id(v)] = ctx.whole(b, v)
            shared_bases.append((v, b))
    for node in order:
        if _is_plan_node(node, ctx.known):
            ctx.plan_nodes.append(node)
            ctx.known.update(id(o) for o in node.outputs)
            continue
        hook = getattr(node.op, "lower", None)
        if hook is not None and hook(ctx, node):
            continue
        rule = _RULES.get(type(node.op).__name__)
        reason = rule(ctx, node) if rule is not None else f"no LLVM lowering for {type(node.op).__name__}"
        if reason:
            ctx.fallback(node, reason)
    # outputs: each a whole fresh array of its own (never an input, a shared value or a view)
    outputs = []
    seen: set = set()
    for v in fgraph.outputs[:n_outputs]:
        buf = ctx.buffer_of(v)
        if buf.base.kind != FRESH or buf.parent is not None or buf.base.index in seen:
            fresh = ctx.whole(ctx.new_base(FRESH, v.dtype, v.ndim, ref=v), None, tuple(v.type.shape))
            k = ctx.loop("output_copy", [v.owner] if v.owner else [], v.ndim, [buf], [fresh],
                         identity_composite(v.dtype, v.dtype), shape_from=fresh)
            buf = fresh
        seen.add(buf.base.index)
        outputs.append(buf)
    # updates are simultaneous: values that live in a shared variable are snapshotted first,
    # then every value is copied into its variable's storage (when shapes match; see the runner)
    shared_base = {id(sv): b for sv, b in shared_bases}
    values = []
    for target, v in zip(update_targets, fgraph.outputs[n_outputs:]):
        buf = ctx.buffer_of(v)
        if buf.base.kind in (SHARED, INPUT):
            snap = ctx.temp(v.dtype, v.ndim, _shape_of(v), sshape=tuple(v.type.shape))
            ctx.loop("update_snapshot", [], v.ndim, [buf], [snap], identity_composite(v.dtype, v.dtype),
                     shape_from=snap)
            buf = snap
        values.append((target, buf))
    copies = []
    direct = []
    for target, buf in values:
        if _can_write_in_place(ctx, target, buf, shared_base.get(id(target))):
            buf.base.update_target = target
            direct.append((target, buf))
            continue
        base = shared_base.get(id(target))
        if base is None:
            base = ctx.new_base(SHARED, target.dtype, target.ndim, ref=target, contiguous=False)
            shared_bases.append((target, base))
        dst = ctx.whole(base, target)
        k = ctx.loop("update", [], target.ndim, [buf], [dst], identity_composite(buf.dtype, target.dtype),
                     shape_from=dst)
        copies.append((target, buf, k))
    prog = Program(ctx.bases, ctx.buffers, ctx.steps, ctx.var_buffer, ctx.plan_nodes, input_bases,
                   shared_bases, outputs, copies)
    prog.direct_updates = direct
    # only integer inputs that shape something (plan nodes, views, allocations) key the plan; one
    # used purely as data stays out, so each new value does not cost a new plan
    shaping = {id(v) for n in ctx.plan_nodes for v in n.inputs}
    shaping |= {id(v) for n in order if type(n.op).__name__ in _SHAPING_OPS for v in n.inputs[1:]}
    prog.value_inputs = [i for i in value_inputs if id(fgraph.inputs[i]) in shaping]
    return prog


_SHAPING_OPS = ("Subtensor", "IncSubtensor", "Reshape", "Alloc", "ARange", "Split", "Join")


def _step_buffers(step: Any) -> tuple[list, list]:
    """(buffers read, buffers written) by a step."""
    if isinstance(step, LoopKernel):
        return list(step.inputs) + (list(step.outputs) if step.reduce else []), list(step.outputs)
    if isinstance(step, GemmKernel):
        return [b for b in (step.a, step.b, step.alpha, step.beta, step.out) if b is not None], [step.out]
    if isinstance(step, ArgKernel):
        return [step.input], [step.output]
    if isinstance(step, GatherKernel):
        return [b for b in (step.x, step.idx, step.y) if b is not None], [step.out]
    return list(step.inputs), list(step.outputs)


def _can_write_in_place(ctx: Lowering, target: Any, buf: Buffer, tbase: Any) -> bool:
    """Can the kernel producing an update's value write it straight into the shared variable?
    Yes when it is an elementwise kernel writing the whole temporary, reading the variable (if at
    all) only whole, at the same element, and no later step reads the variable's old value."""
    if buf.base.kind != TEMP or buf.parent is not None or tbase is None:
        return False
    if any(getattr(b, "update_target", None) is not None and b is buf.base for b in ctx.bases):
        return False
    producer = None
    for pos, step in enumerate(ctx.steps):
        if any(o is buf for o in _step_buffers(step)[1]):
            producer = pos
    if producer is None:
        return False
    k = ctx.steps[producer]
    if not isinstance(k, LoopKernel) or k.reduce or getattr(k, "index_body", None) is not None:
        return False
    if sum(o.base is buf.base for step in ctx.steps for o in _step_buffers(step)[1]) != 1:
        return False
    for b in list(k.inputs) + list(k.outputs):
        if b.base is tbase and (b.parent is not None or b.sshape != buf.sshape):
            return False
    for step in ctx.steps[producer + 1:]:
        if any(b.base is tbase for b in _step_buffers(step)[0]):
            return False
    return True


# ------------------------------------------------------------------------------------------
# rules: each returns None when lowered, else the reason for falling back
# ------------------------------------------------------------------------------------------
_NATIVE_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                  "float32", "float64"}


def _dtypes_ok(node: Any) -> str | None:
    for v in list(node.inputs) + list(node.outputs):
        if v.dtype not in _NATIVE_DTYPES:
            return f"dtype {v.dtype} has no native kernels"
    return None


def _composite_ok(comp: Any) -> str | None:
    for op, _, dt in comp.program:
        if dt not in _NATIVE_DTYPES:
            return f"dtype {dt} has no native kernels"
        if isinstance(op, S.Composite):
            return "nested composite"
    return None


def _node_composite(node: Any) -> tuple[Any, str | None]:
    """The scalar program of an elementwise-bodied node, and why it cannot run natively (or None)."""
    comp = as_composite(node.op.scalar_op, [v.dtype for v in node.inputs])
    return comp, _dtypes_ok(node) or _composite_ok(comp)


def _elemwise(ctx: Lowering, node: Any) -> str | None:
    comp, bad = _node_composite(node)
    if bad:
        return bad
    ins = [ctx.buffer_of(v) for v in node.inputs]
    outs = [ctx.output_buffer(v) for v in node.outputs]
    ctx.loop("elemwise", [node], node.outputs[0].ndim, ins, outs, comp, shape_from=outs[0])
    return None


def _reduce_kernel(ctx: Lowering, node: Any, kind: str, axes: tuple, comp: Any, full_ndim: int) -> None:
    ins = [ctx.buffer_of(v) for v in node.inputs]
    out_var = node.outputs[0]
    out = ctx.output_buffer(out_var)
    acc = ctx.view(out, view_expand(axes, full_ndim), full_ndim, True)
    k = ctx.loop("reduce_" + kind, [node], full_ndim, ins, [acc], comp, reduce=kind, shape_from=("broadcast", ins))
    k.reduced_axes = axes


def _reduce(ctx: Lowering, node: Any) -> str | None:
    bad = _dtypes_ok(node)
    if bad:
        return bad
    x = node.inputs[0]
    out_dt = node.outputs[0].dtype
    if node.op.kind in ("any", "all"):
        b = ProgramBuilder([x.dtype])
        comp = b.finish([b.op(S.neq, 0, b.const(0, x.dtype))]) if x.dtype != "bool" else identity_composite("bool", "bool")
    else:
        comp = identity_composite(x.dtype, out_dt)
    _reduce_kernel(ctx, node, node.op.kind, node.op.axes, comp, x.ndim)
    return None


def _fused_reduce(ctx: Lowering, node: Any) -> str | None:
    comp, bad = _node_composite(node)
    if bad:
        return bad
    elem_dt = comp.output_dtypes(*comp.in_dtypes)[0]
    out_dt = node.outputs[0].dtype
    if elem_dt != out_dt:       # the accumulator dtype (NumPy's rule): cast inside the program
        comp = S.Composite(comp.in_dtypes, list(comp.program) + [(S.CastOp(out_dt), (comp.outputs[0],), out_dt)],
                           [comp.nin + len(comp.program)])
    full_ndim = max(v.ndim for v in node.inputs) if node.inputs else 0
    _reduce_kernel(ctx, node, node.op.kind, node.op.axes, comp, full_ndim)
    return None


def _dimshuffle(ctx: Lowering, node: Any) -> str | None:
    op = node.op
    src = ctx.buffer_of(node.inputs[0])
    kept = [p for p in op.pattern if p != "x"]
    contiguous = src.contiguous and kept == sorted(kept)
    ctx.var_buffer[id(node.outputs[0])] = ctx.view(src, view_dimshuffle(op.pattern, op.drop), len(op.pattern),
                                                   contiguous, node.outputs[0])
    return None


def _reshape(ctx: Lowering, node: Any) -> str | None:
    x, shp = node.inputs
    if id(shp) not in ctx.known and not hasattr(shp, "data"):
        return "the target shape is computed from data, not from shapes"
    src = ctx.contiguous_buffer(x, [node])
    ctx.var_buffer[id(node.outputs[0])] = ctx.view(src, view_reshape(node.outputs[0]), node.op.ndim, True,
                                                   node.outputs[0])
    return None


def _subtensor(ctx: Lowering, node: Any) -> str | None:
    if not all(id(v) in ctx.known or hasattr(v, "data") for v in node.inputs[1:]):
        return "index values are computed from data (the view offset must be known per shape signature)"
    src = ctx.buffer_of(node.inputs[0])
    ctx.var_buffer[id(node.outputs[0])] = ctx.view(src, view_subtensor(node), node.outputs[0].ndim, False,
                                                   node.outputs[0])
    return None


def _identity_view(ctx: Lowering, node: Any) -> str | None:
    ctx.var_buffer[id(node.outputs[0])] = ctx.buffer_of(node.inputs[0])
    return None


def _as_float_buffer(ctx: Lowering, var: Any, dtype: str, nodes: list) -> Buffer:
    buf = ctx.buffer_of(var)
    if var.dtype == dtype:
        return buf
    out = ctx.temp(dtype, var.ndim, _shape_of(var), sshape=tuple(var.type.shape))
    ctx.loop("cast", nodes, var.ndim, [buf], [out], identity_composite(var.dtype, dtype), shape_from=out)
    return out


def _matrix_view(buf: Buffer, ndim: int, kind: str) -> Buffer:
    """Vectors as matrices: x (k,) -> (1, k) on the left, y (k,) -> (k, 1) on the right."""
    if ndim >= 2:
        return buf
    axes = (0,) if kind == "left" else (1,)
    return Buffer(-1, buf.base, buf.dtype, 2, buf, view_expand(axes, 2), False)


def _matmul(ctx: Lowering, node: Any) -> str | None:
    x, y = node.inputs
    out_var = node.outputs[0]
    if out_var.dtype not in ("float32", "float64"):
        return f"matmul in {out_var.dtype} (BLAS has float32/float64 only)"
    a = _as_float_buffer(ctx, x, out_var.dtype, [node])
    b = _as_float_buffer(ctx, y, out_var.dtype, [node])
    out = ctx.output_buffer(out_var)
    a2 = _register(ctx, _matrix_view(a, x.ndim, "left"))
    b2 = _register(ctx, _matrix_view(b, y.ndim, "right"))
    if x.ndim >= 2 and y.ndim >= 2:
        o2 = out
    else:
        axes = ((out_var.ndim,) if y.ndim == 1 else ()) + ((out_var.ndim - (0 if y.ndim == 1 else 1),) if x.ndim == 1 else ())
        if x.ndim == 1 and y.ndim == 1:
            axes = (0, 1)
        elif x.ndim == 1:
            axes = (out_var.ndim - 1,)
        else:
            axes = (out_var.ndim,)
        o2 = ctx.view(out, view_expand(axes, out_var.ndim + len(axes)), out_var.ndim + len(axes), True)
    nb = max(a2.ndim, b2.ndim, o2.ndim) - 2
    ctx.steps.append(GemmKernel(ctx.name("gemm"), [node], nbatch=nb, a=a2, b=b2, out=o2, dtype=out_var.dtype,
                                shape_from=None))
    return None


def _register(ctx: Lowering, buf: Buffer) -> Buffer:
    if buf.index < 0:
        buf.index = len(ctx.buffers)
        ctx.buffers.append(buf)
    return buf


def _gemm(ctx: Lowering, node: Any) -> str | None:
    A, B, C, alpha, beta = node.inputs
    op = node.op
    out_var = node.outputs[0]
    dt = out_var.dtype
    a = ctx.buffer_of(A)
    b = ctx.buffer_of(B)
    if op.trans_a:
        a = ctx.view(a, view_dimshuffle((1, 0), ()), 2, False)
    if op.trans_b:
        b = ctx.view(b, view_dimshuffle((1, 0), ()), 2, False)
    out = ctx.output_buffer(out_var)
    # out = broadcast(C); the GEMM then accumulates with beta. A constant beta of 0 never reads C
    # (the BLAS rule), so then the copy is skipped: no pass over a weight-gradient-sized buffer.
    beta_is_zero = hasattr(beta, "data") and not np.any(beta.data)
    if not beta_is_zero:
        ctx.loop("gemm_c", [node], 2, [ctx.buffer_of(C)], [out], identity_composite(C.dtype, dt),
                 shape_from=out)
    ctx.steps.append(GemmKernel(ctx.name("gemm"), [node], nbatch=0, a=a, b=b, out=out, dtype=dt,
                                alpha=_as_float_buffer(ctx, alpha, dt, [node]),
                                beta=_as_float_buffer(ctx, beta, dt, [node])))
    return None


def _softmax_like(ctx: Lowering, node: Any, log: bool) -> str | None:
    from symnet.types import normalize_axis
    bad = _dtypes_ok(node)
    if bad:
        return bad
    x = node.inputs[0]
    out_var = node.outputs[0]
    dt = out_var.dtype
    nd = x.ndim
    ax = normalize_axis(node.op.axis, nd)
    xb = ctx.buffer_of(x)
    red_shape = lambda plan: tuple(d for a, d in enumerate(plan.shapes[id(x)]) if a != ax)
    red_static = tuple(d for a, d in enumerate(x.type.shape) if a != ax)
    m = ctx.temp(dt, nd - 1, red_shape, sshape=red_static)
    ctx.loop("softmax_max", [node], nd, [xb], [ctx.view(m, view_expand((ax,), nd), nd, True)],
             identity_composite(x.dtype, dt), reduce="max", shape_from=xb)
    # m' = m where finite else 0 (NumPy's log_softmax guard; harmless for softmax: inf - inf is nan either way)
    pb = ProgramBuilder([x.dtype, dt])
    xv = pb.cast(0, dt)
    mv = 1
    if log:
        fin = pb.op(S.not_, pb.op(S.or_, pb.op(S.isnan, mv), pb.op(S.isinf, mv)))
        mv = pb.op(S.switch, fin, mv, pb.const(0, dt), dtype=dt)
    sh = pb.op(S.sub, xv, mv)
    e = pb.op(S.exp, sh)
    s = ctx.temp(dt, nd - 1, red_shape, sshape=red_static)
    mview = ctx.view(m, view_expand((ax,), nd), nd, True)
    sview = ctx.view(s, view_expand((ax,), nd), nd, True)
    ctx.loop("softmax_sum", [node], nd, [xb, mview], [sview], pb.finish([e]), reduce="sum", shape_from=xb)
    out = ctx.output_buffer(out_var)
    pb2 = ProgramBuilder([x.dtype, dt, dt])
    xv = pb2.cast(0, dt)
    mv = 1
    if log:
        fin = pb2.op(S.not_, pb2.op(S.or_, pb2.op(S.isnan, mv), pb2.op(S.isinf, mv)))
        mv = pb2.op(S.switch, fin, mv, pb2.const(0, dt), dtype=dt)
        res = pb2.op(S.sub, pb2.op(S.sub, xv, mv), pb2.op(S.log, 2))
    else:
        res = pb2.op(S.true_div, pb2.op(S.exp, pb2.op(S.sub, xv, mv)), 2)
    ctx.loop("softmax_out", [node], nd, [xb, mview, sview], [out], pb2.finish([res]), shape_from=out)
    return None


def _xent(ctx: Lowering, node: Any) -> str | None:
    """SoftmaxCrossentropyWithLogits: m = max, s = sum(exp(x - m')), lsm = (x - m') - log s;
    dense: loss = -sum(where(t == 0, 0, t * lsm)); sparse: loss = -lsm[t] (a row pick)."""
    from symnet.types import normalize_axis
    bad = _dtypes_ok(node)
    if bad:
        return bad
    x, t = node.inputs
    out_var = node.outputs[0]
    dt = out_var.dtype
    ax = normalize_axis(node.op.axis, x.ndim)
    xb, tb = ctx.buffer_of(x), ctx.buffer_of(t)
    red_shape = lambda plan: tuple(d for a, d in enumerate(plan.shapes[id(x)]) if a != ax)
    red_static = tuple(d for a, d in enumerate(x.type.shape) if a != ax)
    m = ctx.temp(dt, x.ndim - 1, red_shape, sshape=red_static)
    mview = ctx.view(m, view_expand((ax,), x.ndim), x.ndim, True)
    ctx.loop("xent_max", [node], x.ndim, [xb], [mview], identity_composite(x.dtype, dt), reduce="max", shape_from=xb)
    s = ctx.temp(dt, x.ndim - 1, red_shape, sshape=red_static)
    sview = ctx.view(s, view_expand((ax,), x.ndim), x.ndim, True)

    def fin_m(pb, mv):
        fin = pb.op(S.not_, pb.op(S.or_, pb.op(S.isnan, mv), pb.op(S.isinf, mv)))
        return pb.op(S.switch, fin, mv, pb.const(0, dt), dtype=dt)
    pb = ProgramBuilder([x.dtype, dt])
    e = pb.op(S.exp, pb.op(S.sub, pb.cast(0, dt), fin_m(pb, 1)))
    ctx.loop("xent_sum", [node], x.ndim, [xb, mview], [sview], pb.finish([e]), reduce="sum", shape_from=xb)
    out = ctx.output_buffer(out_var)
    if node.op.sparse:
        order = tuple(a for a in range(x.ndim) if a != ax) + (ax,)
        xl = ctx.view(xb, view_dimshuffle(order, ()), x.ndim, xb.contiguous and ax == x.ndim - 1,
                      sshape=tuple(x.type.shape[a] for a in order))
        if not xl.contiguous:
            xc = ctx.temp(x.dtype, x.ndim, lambda plan: tuple(plan.shapes[id(x)][a] for a in order),
                          sshape=xl.sshape)
            ctx.loop("xent_copy", [node], x.ndim, [xl], [xc], identity_composite(x.dtype, x.dtype), shape_from=xc)
            xl = xc
        pick = ctx.temp(x.dtype, x.ndim - 1, red_shape, sshape=red_static)
        # labels broadcast to the rows (as the reference's take_along_axis does); the copy's
        # loop-shape contract rejects labels that do not fit the logits' rows
        labels = ctx.temp(t.dtype, x.ndim - 1, red_shape, sshape=red_static)
        ctx.loop("xent_labels", [node], x.ndim - 1, [tb], [labels], identity_composite(t.dtype, t.dtype),
                 shape_from=labels)
        ctx.steps.append(GatherKernel(ctx.name("xent_pick"), [node], mode="pick", x=xl, idx=labels, out=pick))
        pb2 = ProgramBuilder([x.dtype, dt, dt])
        lsm = pb2.op(S.sub, pb2.op(S.sub, pb2.cast(0, dt), fin_m(pb2, 1)), pb2.op(S.log, 2))
        ctx.loop("xent_loss", [node], x.ndim - 1, [pick, m, s], [out], pb2.finish([pb2.op(S.neg, lsm)]),
                 shape_from=out)
        return None
    nd = max(x.ndim, t.ndim)
    pb2 = ProgramBuilder([x.dtype, t.dtype, dt, dt])
    lsm = pb2.op(S.sub, pb2.op(S.sub, pb2.cast(0, dt), fin_m(pb2, 2)), pb2.op(S.log, 3))
    tv = pb2.cast(1, dt)
    prod = pb2.op(S.switch, pb2.op(S.eq, tv, pb2.const(0, dt)), pb2.const(0, dt), pb2.op(S.mul, tv, lsm), dtype=dt)
    term = pb2.op(S.neg, prod)
    oview = ctx.view(out, view_expand((ax,), nd), nd, True)
    k = ctx.loop("xent_loss", [node], nd, [xb, tb, mview, sview], [oview], pb2.finish([term]), reduce="sum",
                 shape_from=("broadcast", [xb, tb]))
    k.reduced_axes = (ax,)
    return None


def _argmax(ctx: Lowering, node: Any) -> str | None:
    bad = _dtypes_ok(node)
    if bad:
        return bad
    x = node.inputs[0]
    xb = ctx.buffer_of(x)
    out = ctx.output_buffer(node.outputs[0])
    axis = node.op.axis
    if axis is None:
        nred, src = x.ndim, xb
    else:
        ax = axis % x.ndim if x.ndim else 0
        order = tuple(a for a in range(x.ndim) if a != ax) + (ax,)
        src = ctx.view(xb, view_dimshuffle(order, ()), x.ndim, False)
        nred = 1
    ctx.steps.append(ArgKernel(ctx.name("arg" + node.op.kind), [node], kind=node.op.kind, ndim=x.ndim, nred=nred,
                               input=src, output=out, shape_from=src))
    return None


def _alloc(ctx: Lowering, node: Any) -> str | None:
    value, shp = node.inputs
    if id(shp) not in ctx.known and not hasattr(shp, "data"):
        return "the shape is computed from data"
    bad = _dtypes_ok(node)
    if bad:
        return bad
    out = ctx.output_buffer(node.outputs[0])
    ctx.loop("alloc", [node], node.outputs[0].ndim, [ctx.buffer_of(value)], [out],
             identity_composite(value.dtype, node.outputs[0].dtype), shape_from=out)
    return None


def _join(ctx: Lowering, node: Any) -> str | None:
    """Each input is copied into its slice of the output (a strided view)."""
    bad = _dtypes_ok(node)
    if bad:
        return bad
    parts = list(node.inputs)
    ax = node.op.axis
    out_var = node.outputs[0]
    out = ctx.output_buffer(out_var)
    nd = out_var.ndim
    for i, p in enumerate(parts):
        def fn(off, shape, strides, plan, parent=None, i=i):
            start = sum(plan.shapes[id(q)][ax] for q in parts[:i])
            shp = list(shape)
            shp[ax] = plan.shapes[id(parts[i])][ax]
            return off + start * strides[ax], tuple(shp), strides
        dst = ctx.view(out, fn, nd, False, sshape=tuple(p.type.shape))
        ctx.loop("join", [node], nd, [ctx.buffer_of(p)], [dst], identity_composite(p.dtype, out_var.dtype),
                 shape_from=dst)
    return None


def _split(ctx: Lowering, node: Any) -> str | None:
    """Pieces are views of x."""
    x, sizes = node.inputs
    if id(sizes) not in ctx.known and not hasattr(sizes, "data"):
        return "the split sizes are computed from data"
    ax = node.op.axis
    src = ctx.buffer_of(x)
    for i, o in enumerate(node.outputs):
        def fn(off, shape, strides, plan, parent=None, i=i):
            sz = [int(v) for v in np.asarray(plan.values[id(sizes)]).reshape(-1)]
            shp = list(shape)
            shp[ax] = sz[i]
            return off + sum(sz[:i]) * strides[ax], tuple(shp), strides
        ctx.var_buffer[id(o)] = ctx.view(src, fn, x.ndim, False, o)
    return None


def _inc_subtensor(ctx: Lowering, node: Any) -> str | None:
    x, y, *idx = node.inputs
    if not all(id(v) in ctx.known or hasattr(v, "data") for v in idx):
        return "index values are computed from data"
    bad = _dtypes_ok(node)
    if bad:
        return bad
    out_var = node.outputs[0]
    out = ctx.output_buffer(out_var)
    ctx.loop("incsub_copy", [node], x.ndim, [ctx.buffer_of(x)], [out], identity_composite(x.dtype, x.dtype),
             shape_from=out)
    fake = type("N", (), {})()
    fake.op, fake.inputs, fake.tag = node.op, [out_var] + list(idx), node.tag
    region = ctx.view(out, view_subtensor(fake), out_var.ndim - sum(not isinstance(e, tuple) for e in node.op.idx_list),
                      False)
    nd = region.ndim
    if node.op.set_instead_of_inc:
        comp = identity_composite(y.dtype, x.dtype)
        ins = [ctx.buffer_of(y)]
    else:
        pb = ProgramBuilder([x.dtype, y.dtype])
        comp = pb.finish([pb.op(S.add, 0, pb.cast(1, x.dtype), dtype=x.dtype)])
        ins = [region, ctx.buffer_of(y)]
    k = ctx.loop("incsub", [node], nd, ins, [region], comp, shape_from=region)
    k.parallel = True
    return None


def _random(ctx: Lowering, node: Any) -> str | None:
    """uniform / normal samples: Philox per element (flat index), same numbers as perform."""
    op = node.op
    state, shp, *params = node.inputs
    if op.dist not in ("uniform", "normal") or op.dtype not in ("float32", "float64"):
        return f"{op.dist} in {op.dtype} has no native sampler (uniform/normal in float32/float64 do)"
    if id(shp) not in ctx.known and not hasattr(shp, "data"):
        return "the sample size is computed from data"
    sb = ctx.buffer_of(state)
    key = ctx.view(sb, lambda off, shape, strides, plan, parent=None: (off, (), ()), 0, False, sshape=())
    ctr = ctx.view(sb, lambda off, shape, strides, plan, parent=None: (off + strides[0], (), ()), 0, False,
                   sshape=())
    sample = ctx.output_buffer(node.outputs[1])
    k = ctx.loop("random_" + op.dist, [node], op.ndim, [key, ctr] + [ctx.buffer_of(p) for p in params], [sample],
                 None, shape_from=sample)
    k.index_body = ("philox", op.dist, op.dtype)
    nb = op.blocks_per_element()
    out_var = node.outputs[1]
    delta = ctx.whole(ctx.new_base(PLANVAL, "uint64", 1, ref=lambda plan: np.array(
        [0, (math.prod(plan.shapes[id(out_var)]) * nb) % 2 ** 64], dtype=np.uint64)), None, (2,))
    new_state = ctx.output_buffer(node.outputs[0])
    ctx.loop("random_state", [node], 1, [sb, delta], [new_state], as_composite(S.add, ["uint64", "uint64"]),
             shape_from=new_state)
    return None


def _take(ctx: Lowering, node: Any) -> str | None:
    x, idx = node.inputs
    bad = _dtypes_ok(node)
    if bad:
        return bad
    xb = ctx.contiguous_buffer(x, [node])
    ib = ctx.contiguous_buffer(idx, [node])
    out = ctx.output_buffer(node.outputs[0])
    ctx.steps.append(GatherKernel(ctx.name("take"), [node], mode="take", x=xb, idx=ib, out=out))
    return None


def _advanced_inc(ctx: Lowering, node: Any) -> str | None:
    x, y, idx = node.inputs
    bad = _dtypes_ok(node)
    if bad:
        return bad
    out_var = node.outputs[0]
    out = ctx.output_buffer(out_var)
    ctx.loop("advinc_copy", [node], x.ndim, [ctx.buffer_of(x)], [out], identity_composite(x.dtype, x.dtype),
             shape_from=out)
    full_nd = idx.ndim + x.ndim - 1
    yfull = ctx.temp(x.dtype, full_nd, lambda plan: tuple(plan.shapes[id(idx)]) + tuple(plan.shapes[id(x)][1:]),
                     sshape=tuple(idx.type.shape) + tuple(x.type.shape[1:]))
    ctx.loop("advinc_y", [node], full_nd, [ctx.buffer_of(y)], [yfull], identity_composite(y.dtype, x.dtype),
             shape_from=yfull)
    ib = ctx.contiguous_buffer(idx, [node])
    ctx.steps.append(GatherKernel(ctx.name("scatter"), [node], mode="set" if node.op.set_instead_of_inc else "inc",
                                  x=out, idx=ib, y=yfull, out=out))
    return None


_RULES: dict[str, Callable] = {
    "Elemwise": _elemwise,
    "Reduce": _reduce,
    "FusedReduce": _fused_reduce,
    "DimShuffle": _dimshuffle,
    "Reshape": _reshape,
    "Subtensor": _subtensor,
    "StopGradient": _identity_view,
    "MatMul": _matmul,
    "Gemm": _gemm,
    "Softmax": lambda ctx, node: _softmax_like(ctx, node, False),
    "LogSoftmax": lambda ctx, node: _softmax_like(ctx, node, True),
    "SoftmaxCrossentropyWithLogits": _xent,
    "Argmax": _argmax,
    "Alloc": _alloc,
    "Join": _join,
    "Split": _split,
    "IncSubtensor": _inc_subtensor,
    "RandomVariable": _random,
    "AdvancedSubtensor1": _take,
    "AdvancedIncSubtensor1": _advanced_inc,
}


# ------------------------------------------------------------------------------------------
# the buffer plan of one signature
# ------------------------------------------------------------------------------------------
class Plan:
    """Shapes, plan-time values and concrete views for one input-shape signature."""

    def __init__(self, program: Program, fgraph: Any, arrays: list, shared_values: list) -> None:
        self.program = program
        self.shapes: dict[int, tuple] = {}
        self.values: dict[int, Any] = {}
        for v, a in zip(fgraph.inputs, arrays):
            self.shapes[id(v)] = a.shape
        for i in program.value_inputs:
            self.values[id(fgraph.inputs[i])] = np.array(arrays[i])
        for (v, _), a in zip(program.shared_bases, shared_values):
            self.shapes[id(v)] = a.shape
        plan_ids = {id(n) for n in program.plan_nodes}
        for node in fgraph.toposort():
            for v in node.inputs:
                if id(v) not in self.shapes and hasattr(v, "data"):
                    self.shapes[id(v)] = np.shape(v.data)
                    if np.size(v.data) <= PLAN_MAX_SIZE:
                        self.values[id(v)] = np.asarray(v.data)
            in_shapes = [self.shapes[id(v)] for v in node.inputs]
            in_vals = [self.values.get(id(v)) for v in node.inputs]
            if id(node) in plan_ids:
                res = node.op.perform(node, [self.values[id(v)] if id(v) in self.values else
                                             np.empty(self.shapes[id(v)], v.dtype) for v in node.inputs])
                for o, r in zip(node.outputs, res):
                    self.values[id(o)] = np.array(r, dtype=o.dtype, order="C")
                    self.shapes[id(o)] = np.shape(r)
                continue
            _check_empty_reduce(node, in_shapes)
            try:
                outs = node.op.infer_shape(node, in_shapes, in_vals)
            except (ValueError, IndexError) as e:
                if "built at" in str(e):
                    raise
                raise type(e)(f"{node.op}: {e}{node_context([node], self)}") from e
            for o, s in zip(node.outputs, outs):
                self.shapes[id(o)] = tuple(int(d) for d in s)
        for v in fgraph.outputs:
            if id(v) not in self.shapes and hasattr(v, "data"):
                self.shapes[id(v)] = np.shape(v.data)
        # concrete views: (offset, shape, strides) per buffer, for the given arrays
        self.layout: list = [None] * len(program.buffers)
        self.base_arrays: dict[int, np.ndarray] = {}
        self.base_layout: dict[int, tuple] = {}
        for b in program.bases:
            if b.kind == INPUT:
                a = arrays[b.ref]
                self.base_layout[b.index] = (a.shape, a.strides)
            elif b.kind == SHARED:
                a = shared_values[[sv for sv, _ in program.shared_bases].index(b.ref)]
                self.base_layout[b.index] = (a.shape, a.strides)
            elif b.kind == CONST:
                self.base_arrays[b.index] = b.ref
                self.base_layout[b.index] = (b.ref.shape, b.ref.strides)
            elif b.kind == PLANVAL:
                a = b.ref(self) if callable(b.ref) else self.values[id(b.ref)]
                self.base_arrays[b.index] = a
                self.base_layout[b.index] = (a.shape, a.strides)
            else:
                shape = tuple(b.ref(self)) if callable(b.ref) else self.shapes[id(b.ref)]
                st = c_strides(shape, np.dtype(b.dtype).itemsize)
                self.base_layout[b.index] = (shape, st)
                if b.kind == TEMP:
                    self.base_arrays[b.index] = np.empty(shape, b.dtype)
        for buf in program.buffers:
            self.layout[buf.index] = self._resolve(buf)
        check_program(program, self)

    def _resolve(self, buf: Buffer) -> tuple:
        if self.layout[buf.index] is not None:
            return self.layout[buf.index]
        if buf.parent is None:
            shape, strides = self.base_layout[buf.base.index]
            res = (0, tuple(shape), tuple(strides))
        else:
            off, shape, strides = self._resolve(buf.parent)
            res = buf.view(off, shape, strides, self)
        self.layout[buf.index] = res
        return res

    def loop_shape(self, k: Any) -> tuple:
        src = k.shape_from
        if isinstance(src, tuple) and src and src[0] == "broadcast":
            shapes = [self.layout[b.index][1] for b in src[1]]
            nd = k.ndim
            out = []
            for ax in range(nd):
                size = 1
                for s in shapes:
                    a = ax - (nd - len(s))
                    if a >= 0 and s[a] != 1:
                        size = s[a]
                out.append(size)
            return tuple(out)
        return self.layout[src.index][1]

    def numpy_view(self, buf: Buffer, base_array: np.ndarray) -> np.ndarray:
        off, shape, strides = self.layout[buf.index]
        if buf.parent is None and off == 0 and shape == base_array.shape and strides == base_array.strides:
            return base_array
        return np.ndarray(shape, buf.dtype, buffer=base_array, offset=off + _base_offset(base_array),
                          strides=strides) if base_array.size else np.empty(shape, buf.dtype)


def _base_offset(a: np.ndarray) -> int:
    """np.ndarray(buffer=a) starts at a's first byte in memory order for negative strides."""
    if a.base is None or all(s >= 0 for s in a.strides):
        return 0
    return sum((d - 1) * -s for d, s in zip(a.shape, a.strides) if s < 0)


def _check_empty_reduce(node: Any, in_shapes: list) -> None:
    op = node.op
    if type(op).__name__ in ("Reduce", "FusedReduce") and op.kind in ("max", "min"):
        if type(op).__name__ == "Reduce":
            full = in_shapes[0]
        else:
            nd = max(len(s) for s in in_shapes)
            full = tuple(max([s[a - (nd - len(s))] for s in in_shapes if a - (nd - len(s)) >= 0] or [1])
                         for a in range(nd))
        if any(full[a] == 0 for a in op.axes):
            raise ValueError(f"{op.kind} of an empty axis (input shape {tuple(full)}, axes {op.axes}) has no identity")


def loop_operand_strides(loop: tuple, shape: tuple, strides: tuple, what: str) -> tuple:
    """An operand's strides in the loop space: right-aligned, broadcast dims get stride 0."""
    nd = len(loop)
    out = []
    for ax in range(nd):
        a = ax - (nd - len(shape))
        if a < 0:
            out.append(0)
            continue
        if shape[a] == loop[ax]:
            out.append(strides[a] if loop[ax] != 1 else 0)
        elif shape[a] == 1:
            out.append(0)
        else:
            raise ValueError(f"{what}: operand of shape {shape} does not broadcast to {loop}")
    return tuple(out)


def collapse(loop: tuple, op_strides: list) -> tuple:
    """Drop size-1 dims and merge dims that are contiguous for every operand.

    Returns (shape, [strides per operand]) with the same ndim as `loop` (padded in front with 1s)."""
    nd = len(loop)
    dims = [(loop[a], [s[a] for s in op_strides]) for a in range(nd) if loop[a] != 1]
    if any(d == 0 for d, _ in dims):
        return (0,) * nd if nd else (), [tuple([0] * nd) for _ in op_strides]
    merged: list = []
    for d, st in dims:
        if merged:
            pd, pst = merged[-1]
            if all(ps == s * d for ps, s in zip(pst, st)):
                merged[-1] = (pd * d, st)
                continue
        merged.append((d, st))
    pad = nd - len(merged)
    shape = (1,) * pad + tuple(d for d, _ in merged)
    strides = [tuple([0] * pad + [st[j] for _, st in merged]) for j in range(len(op_strides))]
    return shape, strides
