"""Fuse: maximal elementwise fusion, then elementwise producers into reductions.

elemwise_fusion grows a cluster upward from each elementwise node (consumers first), absorbing
an elementwise producer when
  - every client of the producer is in the cluster, or
  - the producer's result has the cluster's output shape (one loop domain) and no client
    outside the cluster leads back into it: then the value becomes an extra output of a
    multi-output composite (computed once, used outside too);
and never beyond MAX_FUSED_INPUTS inputs per fused op. Scalar constants go into the body. The
cluster becomes one Elemwise(Composite): one loop for the LLVM and CUDA backends.

reduce_fusion turns reduce(elementwise(...)) into FusedReduce when the reduction is the only
user of the elementwise result (sum(exp(x - m)) is one pass with no temporary), or when the
elementwise code is cheap and its other users are elementwise too (then it is recomputed in
the reduction and fused into those users, and never stored).
"""
from __future__ import annotations

from ..graph import Apply, Constant, FunctionGraph, Variable
from ..ops.elemwise import Elemwise
from ..ops.fused import FusedReduce
from ..ops.reduce import Reduce
from .core import S, _inherit_scope, global_rewrite, note

MAX_FUSED_INPUTS = 32


def _fusable(node: Apply) -> bool:
    return isinstance(node.op, Elemwise) and len(node.outputs) == 1 and node.op.scalar_op.nout == 1


def _inline_const(v: Variable) -> bool:
    return isinstance(v, Constant) and v.data.size == 1


class _Cluster:
    def __init__(self, fgraph: FunctionGraph, root: Apply, index: dict) -> None:
        self.fgraph, self.root, self.index = fgraph, root, index
        self.nodes: set = {root}
        self.shape = root.outputs[0].type.shape

    def external_inputs(self, extra: Apply | None = None) -> list[Variable]:
        members = self.nodes | ({extra} if extra is not None else set())
        produced = {id(n.outputs[0]) for n in members}
        seen, out = set(), []
        for n in sorted(members, key=lambda n: self.index.get(n, -1)):   # deterministic input order
            for i in n.inputs:
                if id(i) not in produced and id(i) not in seen and not _inline_const(i):
                    seen.add(id(i))
                    out.append(i)
        return out

    def _reaches(self, starts: list, targets: set, floor: int) -> bool:
        """Walking up from `starts` through nodes at or after topological position `floor`,
        is a node in `targets` reached?"""
        stack, seen = list(starts), set()
        while stack:
            n = stack.pop()
            if n is None or id(n) in seen or self.index.get(n, -1) < floor:
                continue
            seen.add(id(n))
            if n in targets:
                return True
            stack.extend(i.owner for i in n.inputs if i.owner is not None)
        return False

    def try_absorb(self, producer: Apply) -> bool:
        """Absorb `producer` if the cluster stays convex (no path leaves it and comes back)."""
        out = producer.outputs[0]
        clients = self.fgraph.clients.get(out, [])
        outside = [c for c, _ in clients if c == "output" or c not in self.nodes]
        if outside and out.type.shape != self.shape:
            return False
        # a path producer -> outside node -> cluster member would become a cycle
        starts = [i.owner for n in self.nodes for i in n.inputs
                  if i.owner is not None and i.owner not in self.nodes and i.owner is not producer]
        if self._reaches(starts, {producer}, self.index[producer]):
            return False
        # a path cluster member -> outside node -> producer likewise
        starts = [i.owner for i in producer.inputs if i.owner is not None and i.owner not in self.nodes]
        if self._reaches(starts, self.nodes, min(self.index[n] for n in self.nodes)):
            return False
        if len(self.external_inputs(producer)) > MAX_FUSED_INPUTS:
            return False
        self.nodes.add(producer)
        return True

    def grow(self) -> None:
        changed = True
        while changed:
            changed = False
            for n in sorted(self.nodes, key=lambda n: -self.index[n]):
                for i in n.inputs:
                    p = i.owner
                    if p is not None and p not in self.nodes and p in self.fgraph.nodes and _fusable(p) \
                            and self.try_absorb(p):
                        changed = True
            # loop again: absorbed producers expose their own producers

    def build(self) -> tuple[list[Variable], list[Variable]] | None:
        order = sorted(self.nodes, key=lambda n: self.index[n])
        inputs = self.external_inputs()
        max_ndim = max((i.ndim for i in inputs), default=0)
        consts: list[Variable] = []
        for n in order:
            for i in n.inputs:
                if _inline_const(i) and all(c is not i for c in consts):
                    if i.ndim > max_ndim:
                        inputs.append(i)
                    else:
                        consts.append(i)
        slot = {id(v): k for k, v in enumerate(inputs)}
        program: list[tuple] = []

        def push(step) -> int:
            program.append(step)
            return len(inputs) + len(program) - 1

        for c in consts:
            if id(c) not in slot:
                slot[id(c)] = push((S.Const(c.data.reshape(-1)[0], c.dtype), (), c.dtype))
        for n in order:
            op = n.op.scalar_op
            args = [slot[id(i)] for i in n.inputs]
            if isinstance(op, S.Composite):       # inline a composite made earlier
                local = list(args)
                for sop, sargs, dt in op.program:
                    local.append(push((sop, tuple(local[a] for a in sargs), dt)))
                slot[id(n.outputs[0])] = local[op.outputs[0]]
            else:
                slot[id(n.outputs[0])] = push((op, tuple(args), n.outputs[0].dtype))
        olds = [n.outputs[0] for n in order
                if n is self.root or any(c == "output" or c not in self.nodes
                                         for c, _ in self.fgraph.clients.get(n.outputs[0], []))]
        comp = S.Composite([i.dtype for i in inputs], program, [slot[id(o)] for o in olds])
        res = Elemwise(comp)(*inputs)
        news = res if isinstance(res, list) else [res]
        for o, n in zip(olds, news):
            if o.dtype != n.dtype or o.ndim != n.ndim or any(
                    a == 1 and b != 1 for a, b in zip(o.type.shape, n.type.shape)):
                return None
        return olds, news


@global_rewrite("fuse")
def elemwise_fusion(fgraph: FunctionGraph) -> int:
    """Maximal fusion of elementwise nodes into Elemwise(Composite) (see the module docstring)."""
    topo = fgraph.toposort()
    index = {n: k for k, n in enumerate(topo)}
    changes = 0
    for node in reversed(topo):
        if node not in fgraph.nodes or not _fusable(node):
            continue
        cl = _Cluster(fgraph, node, index)
        cl.grow()
        if len(cl.nodes) < 2:
            continue
        built = cl.build()
        if built is None:
            continue
        olds, news = built
        for o, n in zip(olds, news):
            _inherit_scope(fgraph, node, n)
            fgraph.replace(o, n, reason="elemwise_fusion")
        note(fgraph, "elemwise_fusion", olds, news)
        changes += 1
        index.update({n.owner: index[node] for n in news})
    return changes


def _cheap(op) -> bool:
    """Few arithmetic steps and nothing transcendental: worth recomputing rather than storing."""
    steps = op.program if isinstance(op, S.Composite) else [(op, (), None)]
    light = (S.Add, S.Sub, S.Mul, S.Neg, S.Second, S.Identity, S.CastOp, S.Maximum, S.Minimum, S.Const,
             S.Square, S.Abs)
    return len(steps) <= 8 and all(isinstance(o, light) for o, _, _ in steps)


@global_rewrite("fuse")
def reduce_fusion(fgraph: FunctionGraph) -> int:
    """reduce(elementwise(..)) -> FusedReduce when the reduce is the only user."""
    changes = 0
    for node in fgraph.toposort():
        if node not in fgraph.nodes or not isinstance(node.op, Reduce) or node.op.kind not in (
                "sum", "prod", "max", "min") or not node.op.axes:
            continue
        v = node.inputs[0]
        p = v.owner
        if p is None or not _fusable(p):
            continue
        others = [c for c, _ in fgraph.clients.get(v, ()) if c is not node]
        if others and not (_cheap(p.op.scalar_op) and all(
                c != "output" and _fusable(c) for c in others)):
            continue      # duplicate only cheap code whose other users fuse it too
        op = p.op.scalar_op
        if not isinstance(op, S.Composite):
            n = len(p.inputs)
            op = S.Composite([i.dtype for i in p.inputs], [(op, tuple(range(n)), v.dtype)], [n])
        new = FusedReduce(node.op.kind, node.op.axes, op)(*p.inputs)
        old = node.outputs[0]
        if new.type.dtype != old.dtype or new.ndim != old.ndim:
            continue
        _inherit_scope(fgraph, node, new)
        fgraph.replace(old, new, reason="reduce_fusion")
        note(fgraph, "reduce_fusion", [old], [new])
        changes += 1
    return changes
