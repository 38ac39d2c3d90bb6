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

__all__ = ["FAMILIES", "PLAN_MAX_SIZE", "Layout", "Lowering", "ProgramBuilder", "as_composite", "c_strides", "collapse",
           "identity_composite", "is_c_contiguous", "loop_operand_strides", "lower", "register", "rule_for", "rules",
           "shape_of", "shaping_closure"]
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
    closure, leaves = shaping_closure(order)
    ctx.known.update(id(v) for v in leaves)
    input_pos = {id(v): i for i, v in enumerate(fgraph.inputs)}
    value_inputs += [input_pos[id(v)] for v in leaves if id(v) in input_pos and input_pos[id(v)] not in value_inputs]
    seen_shared: set = set()
    in_order = [v for node in order for v in node.inputs] + list(fgraph.outputs)
    for v in in_order:     # first-use order: deterministic, unlike fgraph.shared
        if hasattr(v, "container") and id(v) not in seen_shared and id(v) not in ctx.var_buffer:
            seen_shared.add(id(v))
            b = ctx.new_base(SHARED, v.dtype, v.ndim, ref=v, contiguous=False)
            ctx.var_buffer[id(v)] = ctx.whole(b, v)
            shared_bases.append((v, b))
    for node in order:
        if id(node) in closure or is_plan_node(node, ctx.known):
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
    prog.value_shared = [sv for sv in leaves if hasattr(sv, "container") and id(sv) in shaping]
    return prog


def _shaping_inputs(node: Any) -> list:
    """The inputs of `node` that set a shape, a view offset or an index bound (not data)."""
    from symnet.ops.creation import Alloc, ARange
    from symnet.ops.join import Split
    from symnet.ops.random import RandomVariable
    from symnet.ops.shape import Reshape
    from symnet.ops.subtensor import IncSubtensor, Subtensor
    positions = {Subtensor: slice(1, None), IncSubtensor: slice(2, None), Reshape: slice(1, None),
                 Alloc: slice(1, None), ARange: slice(0, None), Split: slice(1, None),
                 RandomVariable: slice(1, 2)}
    for cls in type(node.op).__mro__:
        if cls in positions:
            return list(node.inputs[positions[cls]])
    return []


def shaping_closure(order: list) -> tuple[set, list]:
    """(ids of the nodes that compute shaping inputs, the inputs and shared variables they read).

    Such values (a slice bound from a shared counter, zeros((iv.sum(),)), a reshape target from
    max(iv)) are evaluated in Python when the plan is made, and the leaves' values key the plan,
    so the op they shape runs natively. Shape nodes end the walk (only the input's shape is
    read); a walk that meets a random draw is dropped (a cached plan cannot hold a draw)."""
    from symnet.ops.random import RandomVariable
    from symnet.ops.shape import Shape
    nodes: set = set()
    leaves: list = []
    leaf_ids: set = set()
    for node in order:
        for start in _shaping_inputs(node):
            found, found_leaves, stack, ok = set(), [], [start], True
            while stack and ok:
                v = stack.pop()
                owner = v.owner
                if owner is None:
                    if not hasattr(v, "data"):
                        found_leaves.append(v)
                    continue
                if id(owner) in found or id(owner) in nodes:
                    continue
                if isinstance(owner.op, RandomVariable):
                    ok = False
                    break
                found.add(id(owner))
                if not isinstance(owner.op, Shape):
                    stack.extend(owner.inputs)
            if ok:
                nodes |= found
                for v in found_leaves:
                    if id(v) not in leaf_ids:
                        leaf_ids.add(id(v))
                        leaves.append(v)
    return nodes, leaves
