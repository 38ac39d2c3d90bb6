"""Rewritten FunctionGraph -> kernel IR (codegen/kernel.py); the buffer plan's layout per signature.

Lowering runs once per compiled function and is shape-generic: it decides which nodes become
native kernels, which are views (no code), which are shape arithmetic evaluated in Python when a
new input-shape signature is seen ("plan nodes": Shape, MakeVector and small integer math over
them), and which fall back to their NumPy `perform` (FallbackStep, listed with its reason).

Where an op's lowering is: an op may carry its own, a method ``lower(ctx, node) -> bool``
(return False to decline); otherwise the rule registered for its class (or a base class) by one
family module: elementwise.py (Elemwise, Reduce, FusedReduce, Alloc), blas.py (MatMul, Gemm),
nnet.py (Softmax, LogSoftmax, SoftmaxCrossentropyWithLogits, Argmax), indexing.py (Subtensor,
IncSubtensor, AdvancedSubtensor1, AdvancedIncSubtensor1), shape.py (DimShuffle, Reshape,
StopGradient, Join, Split), random.py (RandomVariable). An op with neither falls back.
The view algebra is views.py, the context rules use is context.py, outputs and updates are
updates.py, and the per-signature layout is plan.py.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

import numpy as np

from ..kernel import INPUT, SHARED, Program
from ..target import Target
from .context import PLAN_MAX_SIZE, Lowering, is_plan_node, shape_of, structural_toposort
from .plan import Layout, collapse, loop_operand_strides
from .programs import ProgramBuilder, as_composite, identity_composite
from .updates import finish_outputs, finish_updates
from .views import c_strides, is_c_contiguous

FAMILIES = ("elementwise", "blas", "nnet", "indexing", "shape", "random")
_TABLE: dict = {}


def rules() -> dict:
    """Op class -> rule(ctx, node) -> None (lowered) or the reason to fall back; built on first use."""
    if not _TABLE:
        for fam in FAMILIES:
            _TABLE.update(importlib.import_module(f"{__name__}.{fam}").rules())
    return _TABLE


def register(op_class: type, rule: Callable) -> None:
    """Add (or replace) the lowering rule of an op class (new op families, other packages)."""
    rules()[op_class] = rule


def rule_for(op: Any) -> Callable | None:
    table = rules()
    for cls in type(op).__mro__:
        rule = table.get(cls)
        if rule is not None:
            return rule
    return None


def shaping_ops() -> tuple:
    """Ops whose non-data inputs set shapes or view offsets (integer inputs into them key the plan)."""
    from symnet.ops.creation import Alloc, ARange
    from symnet.ops.join import Join, Split
    from symnet.ops.shape import Reshape
    from symnet.ops.subtensor import IncSubtensor, Subtensor
    return (Subtensor, IncSubtensor, Reshape, Alloc, ARange, Split, Join)


def lower(fgraph: Any, n_outputs: int, update_targets: list, target: Target) -> Program:
    """The kernel IR of a rewritten FunctionGraph for `target`."""
    ctx = Lowering(fgraph, n_outputs, target)
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
        if is_plan_node(node, ctx.known):
            ctx.plan_nodes.append(node)
            ctx.known.update(id(o) for o in node.outputs)
            continue
        hook = getattr(node.op, "lower", None)
        if hook is not None and hook(ctx, node):
            continue
        rule = rule_for(node.op)
        reason = rule(ctx, node) if rule is not None else f"no {target.name} lowering for {type(node.op).__name__}"
        if reason:
            ctx.fallback(node, reason)
    outputs = finish_outputs(ctx, fgraph, n_outputs)
    copies, direct = finish_updates(ctx, fgraph, n_outputs, update_targets, shared_bases)
    prog = Program(ctx.bases, ctx.buffers, ctx.steps, ctx.var_buffer, ctx.plan_nodes, input_bases,
                   shared_bases, outputs, copies, direct_updates=direct)
    # only integer inputs that shape something (plan nodes, views, allocations) key the plan; one
    # used purely as data stays out, so each new value does not cost a new plan
    shaping = {id(v) for n in ctx.plan_nodes for v in n.inputs}
    shaping |= {id(v) for n in order if isinstance(n.op, shaping_ops()) for v in n.inputs[1:]}
    prog.value_inputs = [i for i in value_inputs if id(fgraph.inputs[i]) in shaping]
    return prog
