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
