"""Memory: mark the outputs that may be computed in place over a dead input buffer.

For each node, ``node.tag['destroy_map'] = {output_index: [input_index]}`` says the backend may
write that output into the buffer of that input. An input qualifies only when
  - the op is elementwise (Elemwise, output element k reads only input element k) or a Gemm
    over its C operand (BLAS accumulates into C),
  - it has the output's dtype and the same static shape with every dim known or tied to the
    output (no broadcasting: the same number of elements),
  - it is not a function input, a constant or a shared variable, nor a view of one (its
    producer has no view_map), nor a graph output,
  - and this node is its only client (so it is dead once the node has read it).
The annotation is a permission, not an obligation; the reference backend ignores it.
"""
from __future__ import annotations

from ..graph import Apply, Constant, FunctionGraph, SharedVariable, Variable
from ..ops.elemwise import Elemwise
from ..ops.fused import Gemm
from .core import global_rewrite


def _reusable(fgraph: FunctionGraph, node: Apply, v: Variable, out: Variable, taken: set,
              inputs: set) -> bool:
    if id(v) in taken or id(v) in inputs or isinstance(v, (Constant, SharedVariable)) or v.owner is None:
        return False
    if v.owner.op.view_map or v.owner.tag.get("view_map"):
        return False
    if v.dtype != out.dtype or v.type.shape != out.type.shape:
        return False
    if any(d == 1 for d in v.type.shape) and v.type.shape != out.type.shape:
        return False
    clients = fgraph.clients.get(v, [])
    return len(clients) >= 1 and all(c is node for c, _ in clients)


@global_rewrite("memory")
def inplace_destroy_map(fgraph: FunctionGraph) -> int:
    """Annotate node.tag['destroy_map'] where an output may overwrite a dead input."""
    inputs = {id(v) for v in fgraph.inputs}
    n = 0
    for node in fgraph.toposort():
        if "destroy_map" in node.tag:
            continue
        dm: dict[int, list[int]] = {}
        taken: set = set()
        if isinstance(node.op, Elemwise):
            for k, out in enumerate(node.outputs):
                for j, v in enumerate(node.inputs):
                    if _reusable(fgraph, node, v, out, taken, inputs):
                        dm[k] = [j]
                        taken.add(id(v))
                        break
        elif isinstance(node.op, Gemm):
            c = node.inputs[2]
            if _reusable(fgraph, node, c, node.outputs[0], taken, inputs) and all(
                    d is not None for d in c.type.shape):
                dm[0] = [2]
        node.tag["destroy_map"] = dm
        n += bool(dm)
    return 0   # annotations never enable other rewrites
