"""einsum built from existing ops, so it differentiates and lowers through their rules.

Each operand first loses its repeated labels (diagonals: multiply by an identity and sum) and the
labels nobody else needs (sum); then operands are contracted pairwise, left to right, as one
(batched) MatMul each: shared labels still needed later are the batch axes, shared labels no longer
needed are the contracted axis, the rest are the row/column axes (reshaped into one each). The
result is transposed into the requested output order."""
from __future__ import annotations

import string
from typing import Any, Sequence

import numpy as np

from ..graph import Variable, as_variable

_LETTERS = set(string.ascii_letters)


def _parse(subscripts: str, operands: Sequence[Variable]) -> tuple[list[list[str]], list[str]]:
    """Label lists per operand and for the output; '...' becomes labels '0', '1', ... (right-aligned)."""
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: `subscripts` must be a string. Received: subscripts={subscripts!r}")
    spec = subscripts.replace(" ", "")
    if "->" in spec:
        lhs, rhs = spec.split("->", 1)
        explicit = True
    else:
        lhs, rhs, explicit = spec, "", False
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(terms)} operand(s), but "
                         f"{len(operands)} were given")
    n_ell = 0
    for term, x in zip(terms, operands):
        if "..." in term:
            n_ell = max(n_ell, x.ndim - len(term.replace("...", "")))
    ell = [str(i) for i in range(n_ell)]

    def labels(term: str, ndim: int | None) -> list[str]:
        if term.count("...") > 1 or "." in term.replace("...", ""):
            raise ValueError(f"einsum: invalid ellipsis in subscripts {subscripts!r}")
        bad = [c for c in term.replace("...", "") if c not in _LETTERS]
        if bad:
            raise ValueError(f"einsum: invalid subscript {bad[0]!r} in {subscripts!r}; use letters a-z, A-Z")
        if "..." not in term:
            return list(term)
        head, tail = term.split("...")
        k = len(ell) if ndim is None else ndim - len(head) - len(tail)
        return list(head) + ell[len(ell) - k:] + list(tail)

    in_labels = []
    for i, (term, x) in enumerate(zip(terms, operands)):
        lab = labels(term, x.ndim)
        if len(lab) != x.ndim:
            raise ValueError(f"einsum: operand {i} has {x.ndim} dimension(s) but subscripts {term!r} name "
                             f"{len(lab)}")
        in_labels.append(lab)
    if explicit:
        out = labels(rhs, None)
        if len(set(out)) != len(out):
            raise ValueError(f"einsum: output subscript {rhs!r} repeats a label")
        known = {c for lab in in_labels for c in lab}
        for c in out:
            if c not in known:
                raise ValueError(f"einsum: output label {c!r} in {subscripts!r} does not appear in any input")
    else:
        counts: dict[str, int] = {}
        for lab in in_labels:
            for c in lab:
                counts[c] = counts.get(c, 0) + 1
        out = ell + sorted(c for c, n in counts.items() if n == 1 and c not in ell)
    return in_labels, out


def _dim(x: Variable, axis: int) -> Any:
    from .shape import shape
    d = x.type.shape[axis]
    return d if d is not None else shape(x)[axis]


def _prod(dims: Sequence[Any]) -> Any:
    out: Any = 1
    for d in dims:
        out = d if isinstance(out, int) and out == 1 else out * d
    return out


def _take_diagonals(x: Variable, lab: list[str]) -> tuple[Variable, list[str]]:
    """A label repeated within one operand selects its diagonal."""
    from .. import basic as T
    while len(set(lab)) != len(lab):
        c = next(c for c in lab if lab.count(c) > 1)
        a = lab.index(c)
        b = lab.index(c, a + 1)
        n = _dim(x, a)
        eye = T.eye(n, dtype=x.dtype)
        pattern = ["x"] * x.ndim
        pattern[a], pattern[b] = 0, 1
        x = T.sum(x * T.dimshuffle(eye, pattern), axis=b)
        lab = lab[:b] + lab[b + 1:]
    return x, lab


def _sum_out(x: Variable, lab: list[str], keep: set[str]) -> tuple[Variable, list[str]]:
    from .. import basic as T
    axes = [i for i, c in enumerate(lab) if c not in keep]
    if not axes:
        return x, lab
    return T.sum(x, axis=tuple(axes)), [c for c in lab if c in keep]


def _contract(a: Variable, la: list[str], b: Variable, lb: list[str], needed: set[str]) -> tuple[Variable, list[str]]:
    """One pairwise contraction as a batched matmul."""
    from .. import basic as T
    from .blas import matmul
    batch = [c for c in la if c in lb and c in needed]
    inner = [c for c in la if c in lb and c not in needed]
    free_a = [c for c in la if c not in lb]
    free_b = [c for c in lb if c not in la]
    at = T.transpose(a, [la.index(c) for c in batch + free_a + inner]) if la != batch + free_a + inner else a
    bt = T.transpose(b, [lb.index(c) for c in batch + inner + free_b]) if lb != batch + inner + free_b else b
    nb = len(batch)
    a_batch = [_dim(at, i) for i in range(nb)]
    b_batch = [_dim(bt, i) for i in range(nb)]
    m = [_dim(at, nb + i) for i in range(len(free_a))]
    k = [_dim(at, nb + len(free_a) + i) for i in range(len(inner))]
    n = [_dim(bt, nb + len(inner) + i) for i in range(len(free_b))]
    a3 = T.reshape(at, tuple(a_batch) + (_prod(m), _prod(k)))
    b3 = T.reshape(bt, tuple(b_batch) + (_prod(k), _prod(n)))
    prod = matmul(a3, b3)
    out_batch = [_dim(prod, i) for i in range(nb)]
    out = T.reshape(prod, tuple(out_batch) + tuple(m) + tuple(n))
    return out, batch + free_a + free_b


def einsum(subscripts: str, *operands: Any) -> Variable:
    """np.einsum(subscripts, *operands) on symbolic tensors (ellipsis and implicit output included)."""
    from .. import basic as T
    if not operands:
        raise ValueError("einsum: at least one operand is required")
    ops = [as_variable(x) for x in operands]
    in_labels, out_labels = _parse(subscripts, ops)
    sizes: dict[str, int] = {}
    for i, (x, lab) in enumerate(zip(ops, in_labels)):
        for c, d in zip(lab, x.type.shape):
            if d is None or d == 1:
                continue
            if sizes.setdefault(c, d) != d:
                raise ValueError(f"einsum: label {c!r} has size {sizes[c]} in one operand and {d} in operand {i} "
                                 f"(subscripts {subscripts!r})")
    items = []
    for i, (x, lab) in enumerate(zip(ops, in_labels)):
        x, lab = _take_diagonals(x, lab)
        elsewhere = set(out_labels).union(*[set(l) for j, l in enumerate(in_labels) if j != i])
        x, lab = _sum_out(x, lab, elsewhere)
        items.append((x, lab))
    acc, lab = items[0]
    for j in range(1, len(items)):
        b, lb = items[j]
        needed = set(out_labels).union(*[set(l) for _, l in items[j + 1:]])
        acc, lab = _sum_out(acc, lab, needed | set(lb))
        b, lb = _sum_out(b, lb, needed | set(lab))
        acc, lab = _contract(acc, lab, b, lb, needed)
    acc, lab = _sum_out(acc, lab, set(out_labels))
    if lab != out_labels:
        acc = T.transpose(acc, [lab.index(c) for c in out_labels])
    return acc

