"""Shared lookup helper: resolve a Keras identifier in a name table, or raise ValueError listing
the valid names (one message format for activations, losses, optimizers, metrics, ...)."""
from __future__ import annotations

from typing import Any


def lookup(kind: str, identifier: str, table: dict[str, Any]) -> Any:
    key = identifier if identifier in table else str(identifier).lower()
    if key in table:
        return table[key]
    raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}. "
                     f"Valid {kind} names: {', '.join(sorted(table))}")


def snake_case(name: str) -> str:
    """'MeanSquaredError' -> 'mean_squared_error' (Keras's auto-naming)."""
    import re   # Keras's to_snake_case: digits do not start a word ('Conv2D' -> 'conv2d')
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def auto_name(class_name: str) -> str:
    """Keras's auto_name: snake_case of the class, made unique per session ('auc', 'auc_1', ...)
    with the same counters as layer names (reset by keras.backend.clear_session)."""
    from .layers.base import unique_name   # lazy: layers import this module
    return unique_name(snake_case(class_name))
