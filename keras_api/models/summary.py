"""model.summary(): Keras 3's table (the layout its `rich` table produces, drawn without rich).

Column widths follow Keras: positions [0.45, 0.80, 1.0] of the line length for sequential-like
models, [0.3, 0.56, 0.74, 1.0] with a "Connected to" column otherwise; the line length is 88 (108)
capped at the terminal width minus 4 (80 - 4 when not on a terminal); each cell has one space of
padding each side and over-wide columns shrink evenly, as rich does."""
from __future__ import annotations

import math
import shutil
import textwrap
from typing import Any, Callable

import numpy as np


def readable_memory_size(nbytes: float) -> str:
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    for unit in units:
        if nbytes / 1024 < 1:
            return f"{nbytes:.2f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.2f} {units[-1]}"


def weight_memory_size(weights: list) -> float:
    unique = {id(w): w for w in weights}.values()
    return float(sum(math.prod(w.shape) * np.dtype(w.dtype).itemsize for w in unique))


def count_params(weights: list) -> int:
    unique = {id(w): w for w in weights}.values()
    return int(sum(math.prod(w.shape) for w in unique))


def _ratio_reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    ratios = [r if m else 0 for r, m in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining, out = total, []
    for r, m, v in zip(ratios, maximums, values):
        if r and total_ratio > 0:
            d = min(m, round(r * remaining / total_ratio))
            out.append(v - d)
            remaining -= d
            total_ratio -= r
        else:
            out.append(v)
    return out


def _column_widths(line_length: int, positions: list[float]) -> list[int]:
    """Cell widths including padding, as rich lays out fixed-width columns in a table of width line_length."""
    widths, current = [], 0
    for pos in positions:
        w = int(pos * line_length) - current if pos <= 1 else int(pos) - current
        if w < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(w)
        current += w
    cells = [w + 2 for w in widths]
    max_width = line_length - (len(widths) + 1)
    if sum(cells) > max_width:
        cells = _ratio_reduce(sum(cells) - max_width, [1] * len(cells), cells, cells)
    return cells


def _wrap(text: str, width: int) -> list[str]:
    """Word wrap as rich does for these columns: a word longer than the cell is cut with an ellipsis."""
    if not text:
        return [""]
    words = [w if len(w) <= width else w[:max(width - 1, 0)] + "…" for w in text.split(" ") if w != ""]
    lines = textwrap.wrap(" ".join(words), width=width, break_long_words=False, break_on_hyphens=False)
    lead = len(text) - len(text.lstrip(" "))
    if lead and lines:                      # keep the indentation of nested rows ("   └ name")
        lines[0] = " " * lead + lines[0] if len(lines[0]) + lead <= width else lines[0]
    return lines or [""]


def render_table(header: list[str], rows: list[list[str]], cells: list[int], align: list[str]) -> list[str]:
    inner = [c - 2 for c in cells]

    def line(cols: list[str], sep: str, edge_l: str, edge_r: str) -> list[str]:
        wrapped = [_wrap(c, w) for c, w in zip(cols, inner)]
        height = max(len(w) for w in wrapped)
        out = []
        for i in range(height):
            parts = []
            for w, width, a in zip(wrapped, inner, align):
                text = w[i] if i < len(w) else ""
                cell = text.rjust(width) if a == "right" else text.center(width) if a == "center" else text.ljust(width)
                parts.append(" " + cell + " ")
            out.append(edge_l + sep.join(parts) + edge_r)
        return out

    out = ["┏" + "┳".join("━" * c for c in cells) + "┓"]
    out += line(header, "┃", "┃", "┃")
    out.append("┡" + "╇".join("━" * c for c in cells) + "┩")
    for i, row in enumerate(rows):
        if i:
            out.append("├" + "┼".join("─" * c for c in cells) + "┤")
        out += line(row, "│", "│", "│")
    out.append("└" + "┴".join("─" * c for c in cells) + "┘")
    return out


def _fmt_shape(shape: Any) -> str:
    if isinstance(shape, tuple) and all(d is None or isinstance(d, int) for d in shape):
        return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    if isinstance(shape, (list, tuple)):
        return "[" + ", ".join(_fmt_shape(s) for s in shape) + "]"
    return str(shape)


def layer_output_shape(layer: Any) -> str:
    from ..layers.base import flatten
    if not layer._inbound_nodes:
        return "?"
    outs = flatten(layer._inbound_nodes[-1].outputs)
    shapes = [t.shape for t in outs]
    return _fmt_shape(shapes[0]) if len(shapes) == 1 else _fmt_shape(shapes)


def print_summary(model: Any, line_length: int | None = None, positions: list[float] | None = None,
                  print_fn: Callable | None = None, expand_nested: bool = False, show_trainable: bool = False,
                  layer_range: Any = None) -> None:
    from ..layers.input_layer import InputLayer
    from .functional import Functional
    from .sequential import Sequential

    layers = model.layers
    sequential_like = True
    relevant_nodes: list = []
    if isinstance(model, Functional) and not isinstance(model, Sequential):
        nodes = model._nodes_post
        relevant_nodes = list(nodes)
        if any(len(n.input_tensors) > 1 for n in nodes) or \
                any(len([n for n in nodes if n.operation is op]) > 1 for op in {id(n.operation): n.operation for n in nodes}.values()):
            sequential_like = False
        else:
            depth_counts: dict[int, int] = {}
            for n in nodes:
                depth_counts[model._node_depth[id(n)]] = depth_counts.get(model._node_depth[id(n)], 0) + 1
            if any(c > 1 for c in depth_counts.values()):
                sequential_like = False
    if sequential_like:
        default_length, positions = 88, positions or [0.45, 0.80, 1.0]
        header, align = ["Layer (type)", "Output Shape", "Param #"], ["left", "left", "right"]
    else:
        default_length, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header, align = ["Layer (type)", "Output Shape", "Param #", "Connected to"], ["left", "left", "right", "left"]
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        align.append("center")
    default_length = min(default_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_length
    cells = _column_widths(line_length, positions)

    def connections(layer: Any) -> str:
        parts = []
        for node in layer._inbound_nodes:
            if relevant_nodes and not any(node is n for n in relevant_nodes):
                continue
            for t in node.input_tensors:
                op, ni, ti = t._keras_history
                parts.append(f"{op.name}[{ni}][{ti}]")
        return ", ".join(parts) if parts else "-"

    def fields(layer: Any, prefix: str = "") -> list[str]:
        name = f"{prefix}{layer.name} ({type(layer).__name__})"
        if not layer.built:
            params = "0 (unbuilt)"
        else:
            params = f"{layer.count_params():,}"
        row = [name, layer_output_shape(layer) if (layer._inbound_nodes or isinstance(layer, InputLayer)) else "?",
               params]
        if not sequential_like:
            row.append(connections(layer))
        if show_trainable:
            row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        return row

    def rows_of(layer: Any, level: int = 0) -> list[list[str]]:
        prefix = "   " * level + "└ " if level else ""
        out = [fields(layer, prefix)]
        if expand_nested and hasattr(layer, "layers") and getattr(layer, "layers", None):
            for sub in layer.layers:
                out.extend(rows_of(sub, level + 1))
        return out

    lo, hi = 0, len(layers)
    if layer_range is not None:
        import re
        lows = [i for i, l in enumerate(layers) if re.match(layer_range[0], l.name)]
        highs = [i for i, l in enumerate(layers) if re.match(layer_range[1], l.name)]
        if not lows or not highs:
            raise ValueError(f"Passed layer_names do not match the layer names in the model. Received: {layer_range}")
        lo, hi = min(lows), max(highs) + 1
    rows = [r for layer in layers[lo:hi] for r in rows_of(layer)]

    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    t_count, nt_count = count_params(trainable), count_params(non_trainable)
    t_size, nt_size = weight_memory_size(trainable), weight_memory_size(non_trainable)
    opt = getattr(model, "optimizer", None)
    opt_vars = list(getattr(opt, "variables", []) or []) if getattr(model, "compiled", False) and opt is not None \
        and getattr(opt, "built", False) else []
    o_count = int(sum(int(np.prod(np.shape(v.get_value() if hasattr(v, "get_value") else v))) for v in opt_vars))
    o_size = float(sum(np.asarray(v.get_value() if hasattr(v, "get_value") else v).nbytes for v in opt_vars))

    lines = [f'Model: "{model.name}"']
    lines += render_table(header, rows, cells, align)
    lines.append(f" Total params: {t_count + nt_count + o_count:,} ({readable_memory_size(t_size + nt_size + o_size)})")
    lines.append(f" Trainable params: {t_count:,} ({readable_memory_size(t_size)})")
    lines.append(f" Non-trainable params: {nt_count:,} ({readable_memory_size(nt_size)})")
    if opt_vars:
        lines.append(f" Optimizer params: {o_count:,} ({readable_memory_size(o_size)})")
    if print_fn is None:
        print("\n".join(lines))
    else:   # Keras hands print_fn the whole captured summary in one call
        print_fn("\n".join(lines) + "\n")
