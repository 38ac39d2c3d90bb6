"""Specialize (pow forms, GEMM), fuse (elementwise and into reductions) and memory (destroy map)."""
import importlib

import numpy as np
import pytest

import symnet as sn
from symnet.ops.elemwise import Elemwise
from symnet.ops.fused import FusedReduce, Gemm

from rw_util import apply_rewrite, before_after, fgraph, same_numbers

S = importlib.import_module("symnet.scalar")
rng = np.random.default_rng(3)
X = rng.uniform(0.5, 2.0, size=(3, 4)).astype("float32")


@pytest.mark.parametrize("e,name", [(2.0, "sqr"), (0.5, "sqrt"), (-1.0, "reciprocal")])
def test_pow_specialize(e, name):
    x = sn.matrix("x", "float32")
    y = x ** e
    before, after, fg = before_after([x], [y], "pow_specialize")
    assert "pow" in before and f"Elemwise{{{name}}}" in after and "pow" not in after
    same_numbers([x], [y], fg, [X])


def test_gemm_with_bias_and_transposes():
    x, w = sn.matrix("x", "float32"), sn.matrix("w", "float32")
    b = sn.vector("b", "float32")
    y = sn.dot(x, w) + b
    before, after, fg = before_after([x, w, b], [y], "gemm_with_bias")
    assert "MatMul" in before and after.startswith("Gemm{trans_a=False, trans_b=False}")
    W, B = rng.normal(size=(4, 5)).astype("float32"), rng.normal(size=5).astype("float32")
    same_numbers([x, w, b], [y], fg, [X, W, B], rtol=1e-5)
    y2 = sn.dot(x.T, w) + b          # transposed A folded into the flag
    before, after, fg = before_after([x, w, b], [y2], "gemm_with_bias")
    assert after.startswith("Gemm{trans_a=True, trans_b=False}") and "DimShuffle" not in after
    same_numbers([x, w, b], [y2], fg, [X, rng.normal(size=(3, 5)).astype("float32"), B], rtol=1e-5)
    y3 = sn.dot(x, w.T)              # no bias: Gemm with beta = 0, transpose in the flag
    before, after, fg = before_after([x, w], [y3], "gemm_fold_transpose")
    assert after.startswith("Gemm{trans_a=False, trans_b=True}")
    same_numbers([x, w], [y3], fg, [X, rng.normal(size=(5, 4)).astype("float32")], rtol=1e-5)


def test_elementwise_fusion_dag_with_broadcast():
    x, b = sn.matrix("x", "float32"), sn.vector("b", "float32")
    t = sn.tanh(x * 2.0 + b)
    y = t * sn.sigmoid(x) + t ** 2.0 - sn.exp(b)      # a DAG: t used twice; b broadcast
    before, after, fg = before_after([x, b], [y], "elemwise_fusion")
    assert len(fg.nodes) == 1 and "Composite" in after
    B = rng.normal(size=4).astype("float32")
    same_numbers([x, b], [y], fg, [X, B], rtol=1e-6)


def test_multi_output_composite_when_intermediate_used_outside():
    x = sn.matrix("x", "float32")
    h = sn.exp(x) * 3.0
    y = sn.log(h + 1.0)
    before, after, fg = before_after([x], [y, h], "elemwise_fusion")
    comps = [n for n in fg.nodes if isinstance(n.op, Elemwise)]
    assert len(comps) == 1 and comps[0].op.scalar_op.nout == 2
    same_numbers([x], [y, h], fg, [X])


def test_fusion_does_not_create_cycles():
    x = sn.matrix("x", "float32")
    a = sn.exp(x)
    s = sn.sum(a, axis=1, keepdims=True)       # a -> reduce -> back into the same expression
    y = a / s + a
    fg = fgraph([x], [y])
    apply_rewrite(fg, "elemwise_fusion")
    fg.toposort()                                # would loop forever / fail on a cycle
    same_numbers([x], [y], fg, [X])


def test_fusion_input_cap():
    from symnet.rewrite import fuse
    xs = [sn.vector(f"x{i}", "float32") for i in range(40)]
    y = xs[0]
    for v in xs[1:]:
        y = y * 1.5 + v
    fg = fgraph(xs, [y])
    apply_rewrite(fg, "elemwise_fusion")
    assert all(len(n.inputs) <= fuse.MAX_FUSED_INPUTS for n in fg.nodes)
    assert len(fg.nodes) >= 2
    vals = [rng.normal(size=3).astype("float32") for _ in xs]
    same_numbers(xs, [y], fg, vals, rtol=1e-5)


def test_reduce_fusion_sum_exp_minus_max():
    x = sn.matrix("x", "float32")
    m = sn.max(x, axis=1, keepdims=True)
    y = sn.sum(sn.exp(x - m), axis=1)
    fg = fgraph([x], [y])
    apply_rewrite(fg, "elemwise_fusion")
    before = sn.debugprint(fg.outputs, file="str")
    assert apply_rewrite(fg, "reduce_fusion") == 1
    after = sn.debugprint(fg.outputs, file="str")
    print(before, after)
    assert any(isinstance(n.op, FusedReduce) and n.op.kind == "sum" for n in fg.nodes)
    assert not any(isinstance(n.op, Elemwise) for n in fg.nodes)
    same_numbers([x], [y], fg, [X])


def test_memory_destroy_map():
    x = sn.matrix("x", "float32")
    w = sn.shared(np.ones((4, 4), "float32"), name="w")
    a = sn.exp(x)                     # a temporary: the next op may overwrite it
    y = sn.log(a + 1.0) * 2.0
    z = w * 2.0                       # reads a shared variable: never overwritten
    with sn.config.change_flags(optimizer="fast_run"):
        f = sn.function([x], [y, z, x * 3.0], mode="reference")
    for node in f.fgraph.nodes:
        dm = node.tag.get("destroy_map")
        assert dm is not None
        for k, ins in dm.items():
            for j in ins:
                v = node.inputs[j]
                assert v.owner is not None and v not in f.fgraph.inputs
                assert not isinstance(v, (sn.SharedVariable, sn.Constant))
                assert all(c is node for c, _ in f.fgraph.clients[v])
    fg = fgraph([x], [sn.log(sn.exp(x) * 3.0 + 1.0) * sn.sigmoid(x)])
    # unfused: exp(x)*3 is a dead temporary at its consumer
    assert apply_rewrite(fg, "inplace_destroy_map") == 0
    marked = [n for n in fg.nodes if n.tag.get("destroy_map")]
    assert marked and all(n.inputs[j].owner is not None for n in marked for js in n.tag["destroy_map"].values()
                          for j in js)
    assert all(not n.tag["destroy_map"] for n in fg.nodes if n.inputs[0] is fg.inputs[0] and len(n.inputs) == 1)
