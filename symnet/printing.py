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
