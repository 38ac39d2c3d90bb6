"""Names, nested structures and the call context that every Keras layer call shares."""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Callable, Iterator, Sequence


# ------------------------------------------------------------------------------------------
# Unique names ('dense', 'dense_1', ...), reset by clear_session()
# ------------------------------------------------------------------------------------------
_UIDS: dict[str, int] = {}


def get_uid(prefix: str) -> int:
    """Keras's per-prefix counter: 1 for the first use, then 2, ..."""
    _UIDS[prefix] = _UIDS.get(prefix, 0) + 1
    return _UIDS[prefix]


def unique_name(prefix: str) -> str:
    n = get_uid(prefix)
    return prefix if n == 1 else f"{prefix}_{n - 1}"


def clear_session() -> None:
    """Reset the name counters (``keras.backend.clear_session()``)."""
    _UIDS.clear()


# ------------------------------------------------------------------------------------------
# Nested structures (lists, tuples, dicts with sorted keys, as Keras's tree module)
# ------------------------------------------------------------------------------------------
def flatten(struct: Any) -> list:
    if isinstance(struct, (list, tuple)):
        return [leaf for s in struct for leaf in flatten(s)]
    if isinstance(struct, dict):
        return [leaf for k in sorted(struct) for leaf in flatten(struct[k])]
    return [struct]


def pack_like(struct: Any, flat: Sequence) -> Any:
    it = iter(flat)

    def rec(s: Any) -> Any:
        if isinstance(s, (list, tuple)):
            return type(s)(rec(e) for e in s) if isinstance(s, list) else tuple(rec(e) for e in s)
        if isinstance(s, dict):
            return {k: rec(s[k]) for k in sorted(s)}
        return next(it)
    return rec(struct)


def map_struct(fn: Callable, struct: Any) -> Any:
    return pack_like(struct, [fn(x) for x in flatten(struct)])


def fmt_shape(shape: Sequence) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


# ------------------------------------------------------------------------------------------
# Call context: the training flag and the losses added while a graph is traced
# ------------------------------------------------------------------------------------------
_ctx = threading.local()


class CallContext:
    """Active while a model graph is traced: holds `training` and collects add_loss() values."""

    def __init__(self, training: bool | None, losses: list | None = None, updates: list | None = None) -> None:
        self.training = training
        self.losses: list = [] if losses is None else losses
        self.updates: list = [] if updates is None else updates   # (shared variable, new value) state updates
        self.loss_owners: dict = {}    # id(loss) -> the layer that added it (for layer.losses after eager calls)


@contextlib.contextmanager
def call_context(training: bool | None, inherit_losses: bool = False) -> Iterator[CallContext]:
    """Push a context; with inherit_losses the losses go to the enclosing context's list."""
    stack = getattr(_ctx, "stack", None)
    if stack is None:
        stack = _ctx.stack = []
    parent = stack[-1] if inherit_losses and stack else None
    c = CallContext(training, parent.losses if parent else None, parent.updates if parent else None)
    if parent is not None:
        c.loss_owners = parent.loss_owners
    stack.append(c)
    try:
        yield c
    finally:
        stack.pop()


def current_context() -> CallContext | None:
    stack = getattr(_ctx, "stack", None)
    return stack[-1] if stack else None
