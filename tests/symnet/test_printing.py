"""debugprint: op names, variable names, dtypes, static shapes, name scopes, shared/constant
markers, sharing ([id X] ...), depth, and file='str' / a file object / stdout."""
from __future__ import annotations

import io

import numpy as np

import symnet as sn


def _graph():
    x = sn.tensor((None, 784), name="x")
    W = sn.shared(np.zeros((784, 10), "float32"), name="W", shape=(784, 10))
    with sn.name_scope("dense_1"):
        y = sn.softmax(x @ W + 1.0)
    y.name = "probs"
    return x, W, y


def test_debugprint_variable_returns_text():
    x, W, y = _graph()
    text = sn.debugprint(y, file="str")
    lines = text.splitlines()
    assert lines[0].startswith("Softmax")
    assert "'probs'" in lines[0] and "float32" in lines[0] and "(None, 10)" in lines[0]
    assert "# dense_1" in lines[0]
    assert any("MatMul" in l and "(None, 10)" in l for l in lines)
    assert any("'x'" in l and "(None, 784)" in l and "float32" in l for l in lines)
    assert any("shared" in l and "'W'" in l and "(784, 10)" in l for l in lines)
    assert any("constant" in l for l in lines)
    assert any("Elemwise{add}" in l for l in lines)
    # indentation grows with depth
    mat = next(l for l in lines if "MatMul" in l)
    xl = next(l for l in lines if "'x'" in l)
    assert len(xl) - len(xl.lstrip(" |")) > len(mat) - len(mat.lstrip(" |"))


def test_debugprint_to_file_and_stdout(capsys):
    _, _, y = _graph()
    buf = io.StringIO()
    assert sn.debugprint(y, file=buf) is None
    assert "Softmax" in buf.getvalue()
    sn.printing.debugprint(y)
    assert capsys.readouterr().out == buf.getvalue()


def test_debugprint_shared_nodes_and_depth():
    x = sn.vector("x")
    h = sn.exp(x)
    out = [h * 2.0, h + 1.0]
    text = sn.debugprint(out, file="str")
    assert text.count("Elemwise{exp}") == 2
    assert "..." in text                       # the second visit of exp is abbreviated
    shallow = sn.debugprint(h * 2.0, file="str", depth=1)
    assert "Elemwise{mul}" in shallow and "'x'" not in shallow


def test_debugprint_function_shows_its_graph():
    x, W, y = _graph()
    f = sn.function([x], y, mode="reference", name="predict")
    text = sn.debugprint(f, file="str")
    assert text.splitlines()[0].startswith("Function predict")
    assert "mode=reference" in text and "Softmax" in text and "'x'" in text


def test_int_and_bool_dtypes_and_scalars_print():
    i = sn.scalar("i", dtype="int64")
    v = sn.vector("v")
    text = sn.debugprint(v[i] > 0.0, file="str")
    assert "bool" in text and "int64()" in text and "'i'" in text and "Subtensor" in text
