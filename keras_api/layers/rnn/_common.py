"""What the recurrent cells share: argument checks and Keras's serialization of their parts."""
from __future__ import annotations

from typing import Any


def check_units(units: Any) -> int:
    if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
        raise ValueError("Received an invalid value for argument `units`, expected a positive integer, got "
                         f"{units}.")
    return units


def clamp_rate(rate: Any) -> float:
    return min(1.0, max(0.0, float(rate)))


def ser(kind: str, obj: Any) -> Any:
    """Keras's serialize for an initializer/regularizer/constraint (None stays None)."""
    from ... import constraints, initializers, regularizers
    from ..dense import _ser
    module = {"initializers": initializers, "regularizers": regularizers, "constraints": constraints}[kind]
    return _ser(module, obj)


def get_opt(kind: str, identifier: Any) -> Any:
    from ... import constraints, initializers, regularizers
    module = {"initializers": initializers, "regularizers": regularizers, "constraints": constraints}[kind]
    if identifier is None and kind != "initializers":
        return None
    return module.get(identifier)


def as_var(x: Any) -> Any:
    import symnet as sn
    return sn.graph.as_variable(x)


def dim(v: Any, i: int) -> Any:
    """Axis i's length: the static int where the graph knows it (keeps static shapes through reshape)."""
    d = v.type.shape[i]
    return int(d) if d is not None else v.shape[i]


_WEIGHT_ARGS = tuple(f"{part}_{kind}" for kind in ("initializer", "regularizer", "constraint")
                     for part in ("kernel", "recurrent", "bias"))


def set_cell_arguments(cell: Any, args: dict) -> None:
    """The constructor arguments SimpleRNNCell, LSTMCell and GRUCell share, checked and resolved once
    (``args`` is the cell's ``locals()``); the random stream for its dropout masks is made here too."""
    from ... import activations
    cell.units = check_units(args["units"])
    cell.activation = activations.get(args["activation"])
    if "recurrent_activation" in args:
        cell.recurrent_activation = activations.get(args["recurrent_activation"])
    cell.use_bias = args["use_bias"]
    for name in _WEIGHT_ARGS:
        setattr(cell, name, get_opt(name.rsplit("_", 1)[1] + "s", args[name]))
    cell.dropout = clamp_rate(args["dropout"])
    cell.recurrent_dropout = clamp_rate(args["recurrent_dropout"])
    cell.seed = args["seed"]
    cell._make_stream(cell.seed)


def add_cell_kernels(cell: Any, input_dim: int, width: int) -> None:
    """kernel (input_dim, width) and recurrent_kernel (units, width): every gate side by side, in
    Keras's order and with Keras's names."""
    cell.kernel = cell.add_weight(shape=(input_dim, width), name="kernel", initializer=cell.kernel_initializer,
                                  regularizer=cell.kernel_regularizer, constraint=cell.kernel_constraint)
    cell.recurrent_kernel = cell.add_weight(shape=(cell.units, width), name="recurrent_kernel",
                                            initializer=cell.recurrent_initializer,
                                            regularizer=cell.recurrent_regularizer,
                                            constraint=cell.recurrent_constraint)


def cell_weight_config(cell: Any) -> dict:
    """The nine initializer/regularizer/constraint entries of a cell's get_config, in Keras's order."""
    return {name: ser(name.rsplit("_", 1)[1] + "s", getattr(cell, name)) for name in _WEIGHT_ARGS}
