"""Equality by declared properties, shared by graph Ops and scalar ops: two ops are the same op
(for merging, hashing and caches) when their class and their ``__props__`` values are equal."""
from __future__ import annotations


class PropsEq:
    __props__: tuple[str, ...] = ()

    def _props(self) -> tuple:
        return tuple(getattr(self, p) for p in self.__props__)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._props() == other._props()

    def __hash__(self) -> int:
        return hash((type(self), self._props()))
