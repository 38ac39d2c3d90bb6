"""RandomVariable: uniform/normal samples drawn natively (Philox per element, the numbers perform gives)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..kernel import PLANVAL, Sampler
from .context import Lowering
from .programs import S, as_composite


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
    k.sampler = Sampler(op.dist, op.dtype)
    nb = op.blocks_per_element()
    out_var = node.outputs[1]
    delta = ctx.whole(ctx.new_base(PLANVAL, "uint64", 1, ref=lambda plan: np.array(
        [0, (math.prod(plan.shapes[id(out_var)]) * nb) % 2 ** 64], dtype=np.uint64)), None, (2,))
    new_state = ctx.output_buffer(node.outputs[0])
    ctx.loop("random_state", [node], 1, [sb, delta], [new_state], as_composite(S.add, ["uint64", "uint64"]),
             shape_from=new_state)
    return None


def rules() -> dict:
    """Op class -> lowering rule (imported here: codegen loads symnet's ops only when lowering)."""
    from symnet.ops.random import RandomVariable
    return {
        RandomVariable: _random,
    }
