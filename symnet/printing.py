"""debugprint: a graph as an indented tree of ops with names, dtypes and static shapes."""
from __future__ import annotations

import io
import sys
from typing import Any, Sequence

from .graph import Constant, SharedVariable, Variable
from .types import fmt_shape


def _label(v: Variable) -> str:
    kind = ""
    if isinstance(v, SharedVariable):
        kind = "shared "
    elif isinstance(v, Constant):
        kind = "constant "
    name = f" '{v.name}'" if v.name else ""
    return f"{kind}{v.dtype}{fmt_shape(v.type.shape)}{name}"


def debugprint(obj: Any, file: Any = None, depth: int = -1, print_scope: bool = True) -> str | None:
    """Print the graph of a variable, a list of variables or a compiled Function (its rewritten
    graph). ``file='str'`` returns the text instead of printing it."""
    if hasattr(obj, "fgraph"):
        outputs = list(obj.fgraph.outputs)
        header = [f"Function {getattr(obj, 'name', '') or ''} (mode={getattr(obj, 'mode', '?')}, "
                  f"{len(obj.fgraph.nodes)} nodes)".replace("  ", " ")]
    elif isinstance(obj, Variable):
        outputs, header = [obj], []
    else:
        outputs, header = list(obj), []
    lines = list(header)
    ids: dict[int, str] = {}
    for out in outputs:
        _walk(out, 0, depth, lines, ids, print_scope)
    text = "\n".join(lines) + "\n"
    if file == "str":
        return text
    (file or sys.stdout).write(text)
    return None


def _walk(v: Variable, indent: int, depth: int, lines: list[str], ids: dict[int, str], scope: bool) -> None:
    pad = " |" * indent + (" " if indent else "")
    node = v.owner
    if node is None:
        value = f"{v!r} " if isinstance(v, Constant) and not v.name else ""
        lines.append(f"{pad}{value}{_label(v)}")
        return
    key = id(node)
    out_idx = f".{v.index}" if len(node.outputs) > 1 else ""
    if key in ids:
        lines.append(f"{pad}{node.op}{out_idx} [id {ids[key]}] ...")
        return
    ids[key] = _ident(len(ids))
    where = f"  # {node.tag.get('scope')}" if scope and node.tag.get("scope") else ""
    lines.append(f"{pad}{node.op}{out_idx} [id {ids[key]}] {_label(v)}{where}")
    if depth == 0:
        return
    for inp in node.inputs:
        _walk(inp, indent + 1, depth - 1, lines, ids, scope)


def _ident(n: int) -> str:
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def pprint(v: Variable) -> str:
    """A one-line infix rendering of an expression (best effort)."""
    if v.owner is None:
        return v.name or repr(v)
    return f"{v.owner.op}({', '.join(pprint(i) for i in v.owner.inputs)})"


def pydotprint(fct: Any, outfile: str | None = None, compact: bool = True, format: str = "png",
               with_ids: bool = False, high_contrast: bool = True, var_with_name_simple: bool = False,
               print_output_file: bool = True, return_image: bool = False, **kwargs: Any) -> Any:
    """Theano's pydotprint: draw a compiled Function (its rewritten graph) or variables with
    graphviz. Needs the optional ``pydot`` package and graphviz; without them a RuntimeError says
    so (as Theano)."""
    try:
        import pydot
    except ImportError:
        raise RuntimeError("Failed to import pydot. You must install graphviz and either pydot or pydot-ng for "
                           "`pydotprint` to work (pip install pydot; graphviz from your package manager).") from None
    from .graph import toposort
    if hasattr(fct, "fgraph"):
        outputs, inputs = list(fct.fgraph.outputs), list(fct.fgraph.inputs)
    else:
        outputs = [fct] if isinstance(fct, Variable) else list(fct)
        inputs = []
    g = pydot.Dot(graph_type="digraph")
    ids: dict[int, str] = {}

    def var_node(v: Variable) -> str:
        if id(v) not in ids:
            ids[id(v)] = f"v{len(ids)}"
            label = (v.name or "") if var_with_name_simple and v.name else _label(v)
            color = "limegreen" if isinstance(v, SharedVariable) else ("seagreen" if isinstance(v, Constant)
                                                                      else "white")
            g.add_node(pydot.Node(ids[id(v)], label=label, shape="box", style="filled", fillcolor=color))
        return ids[id(v)]

    for k, node in enumerate(toposort(outputs, blockers=inputs)):
        name = f"a{k}"
        label = str(node.op) + (f" id={k}" if with_ids else "")
        g.add_node(pydot.Node(name, label=label, shape="ellipse", style="filled",
                              fillcolor="cyan" if high_contrast else "white"))
        for i, inp in enumerate(node.inputs):
            g.add_edge(pydot.Edge(var_node(inp), name, label=str(i) if len(node.inputs) > 1 else ""))
        for o in node.outputs:
            if compact and o not in outputs and not o.name:
                ids[id(o)] = name
            else:
                g.add_edge(pydot.Edge(name, var_node(o)))
    if return_image:
        return g.create(format=format)
    if outfile is None:
        outfile = f"symnet.pydotprint.cpu.{format}"
    g.write(outfile, format=format)
    if print_output_file:
        print("The output file is available at", outfile)
    return None
