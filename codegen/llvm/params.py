"""Fill the param regions (codegen/llvm/emit.py layouts) of one buffer plan.

Per LoopKernel: the loop shape is resolved, operands get their loop-space strides (broadcast
= 0), size-1 dims are dropped and contiguous dims merged (so a contiguous elementwise kernel is
one long unit-stride loop), and large kernels are split into blocks along one dim, one per thread.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..kernel import ArgKernel, GatherKernel, GemmKernel, LoopKernel
from ..lower import Plan, collapse, loop_operand_strides
from .emit import loop_block_size

PARALLEL_MIN = 1 << 17      # loop elements from which a kernel is split across threads


def fill_loop(params: np.ndarray, off: int, k: LoopKernel, plan: Plan, threads: int, zero: bool = False) -> None:
    ops = list(k.inputs) + list(k.outputs)
    lay = [plan.layout[b.index] for b in ops]
    if zero:        # a disabled kernel: no iterations
        params[off:off + 2] = (1, 0)
        params[off + 2:off + 2 + k.ndim] = 0
        bs = loop_block_size(k)
        params[off + 2 + bs - len(ops):off + 2 + bs] = [o.base.index for o in ops]
        return
    loop = tuple(plan.loop_shape(k))
    what = f"kernel {k.name} ({', '.join(str(n.op) for n in k.nodes)})"
    st = [loop_operand_strides(loop, s, t, what) for _, s, t in lay]
    offs = [o for o, _, _ in lay]
    shape, st = collapse(loop, st) if k.ndim else ((), st)
    d = k.ndim
    bs = loop_block_size(k)
    total = math.prod(shape) if d else 1
    blocks = [(shape, offs)]
    if threads > 1 and d and total >= PARALLEL_MIN and k.parallel:
        split = None
        for a in range(d):
            if shape[a] >= threads and (not k.reduce or all(s[a] != 0 for s in st[len(k.inputs):])):
                split = a
                break
        if split is not None:
            blocks = []
            n = shape[split]
            step = -(-n // threads)
            for t in range(threads):
                lo, hi = t * step, min(n, (t + 1) * step)
                if lo >= hi:
                    break
                shp = list(shape)
                shp[split] = hi - lo
                blocks.append((tuple(shp), [o + lo * s[split] for o, s in zip(offs, st)]))
    params[off] = len(blocks)
    if k.reduce:
        out = k.outputs[0]
        oshape = plan.base_layout[out.base.index][0]
        params[off + 1] = 0 if zero else math.prod(oshape)
    else:
        params[off + 1] = 0
    for t, (shp, os_) in enumerate(blocks):
        p = off + 2 + t * bs
        params[p:p + d] = shp
        p += d
        for j in range(len(ops)):
            params[p] = os_[j]
            params[p + 1:p + 1 + d] = st[j]
            p += 1 + d
        params[p:p + len(ops)] = [o.base.index for o in ops]


def fill_arg(params: np.ndarray, off: int, k: ArgKernel, plan: Plan) -> None:
    ioff, ishape, istr = plan.layout[k.input.index]
    ooff, oshape, ostr = plan.layout[k.output.index]
    d = k.ndim
    if any(ishape[a] == 0 for a in range(d - k.nred, d)):
        raise ValueError(f"arg{k.kind} of an empty sequence (input shape {ishape})")
    p = off
    params[p:p + d] = ishape
    p += d
    params[p] = ioff
    params[p + 1:p + 1 + d] = istr
    p += 1 + d
    params[p] = ooff
    nk = d - k.nred
    params[p + 1:p + 1 + nk] = ostr[:nk] if nk else []
    p += 1 + nk
    params[p:p + 2] = (k.input.base.index, k.output.base.index)


def blas_layout(rows: int, cols: int, rs: int, cs: int, esz: int) -> tuple | None:
    """(trans, ld) addressing a (rows, cols) matrix with byte strides rs, cs for CBLAS row-major."""
    if cols <= 1 or cs == esz:
        if rows <= 1:
            return 0, max(1, cols)
        if rs > 0 and rs % esz == 0 and rs // esz >= max(1, cols):
            return 0, rs // esz
    if rows <= 1 or rs == esz:
        if cols <= 1:
            return 1, max(1, rows)
        if cs > 0 and cs % esz == 0 and cs // esz >= max(1, rows):
            return 1, cs // esz
    return None


def fill_gemm(params: np.ndarray, off: int, k: GemmKernel, plan: Plan, scratch: list) -> None:
    esz = np.dtype(k.dtype).itemsize
    nb = k.nbatch
    la, lb, lo = (plan.layout[x.index] for x in (k.a, k.b, k.out))
    (aoff, ashape, ast), (boff, bshape, bst), (ooff, oshape, ost) = la, lb, lo
    M, K = ashape[-2], ashape[-1]
    K2, N = bshape[-2], bshape[-1]
    if K != K2 or oshape[-2:] != (M, N):
        raise ValueError(f"matmul: shapes {ashape} and {bshape} do not match")
    batch = tuple(oshape[:-2])
    p = off
    params[p:p + nb] = batch
    p += nb
    params[p:p + 3] = (M, N, K)
    p += 3
    for (o, shp, strd) in (la, lb):
        params[p] = o
        bs = loop_operand_strides(batch, tuple(shp[:-2]), tuple(strd[:-2]), "matmul batch") if nb else ()
        params[p + 1:p + 1 + nb] = bs
        p += 1 + nb
        rows, cols = shp[-2], shp[-1]
        lay = blas_layout(rows, cols, strd[-2], strd[-1], esz)
        if lay is None:
            params[p:p + 4] = (2, max(1, cols), strd[-2], strd[-1])
        else:
            params[p:p + 4] = (lay[0], lay[1], strd[-2], strd[-1])
        p += 4
    params[p] = ooff
    params[p + 1:p + 1 + nb] = ost[:-2]
    p += 1 + nb
    lay = blas_layout(M, N, ost[-2], ost[-1], esz)
    if lay is None or lay[0] != 0:
        raise RuntimeError(f"internal error: GEMM output {oshape} strides {ost} are not row-major")
    params[p] = lay[1]
    p += 1
    # scratch for packed operands
    for j, (o, shp, strd) in enumerate((la, lb)):
        mode_pos = off + nb + 3 + j * (1 + nb + 4) + 1 + nb
        if params[mode_pos] == 2:
            arr = np.empty(max(1, shp[-2] * shp[-1]), k.dtype)
            scratch.append(arr)
            params[p + j] = arr.ctypes.data
        else:
            params[p + j] = 0
    p += 2
    params[p] = plan.layout[k.alpha.index][0] if k.alpha is not None else 0
    params[p + 1] = plan.layout[k.beta.index][0] if k.beta is not None else 0
    p += 2
    params[p:p + 5] = [x.base.index if x is not None else 0 for x in (k.a, k.b, k.out, k.alpha, k.beta)]


def fill_gather(params: np.ndarray, off: int, k: GatherKernel, plan: Plan) -> None:
    xl = plan.layout[k.x.index]
    il = plan.layout[k.idx.index]
    ol = plan.layout[k.out.index]
    yl = plan.layout[k.y.index] if k.y is not None else (0, (), ())
    xshape = xl[1]
    if not xshape:
        raise IndexError("cannot index a scalar")
    n_idx = math.prod(il[1])
    row = math.prod(xshape[1:])
    if k.mode == "pick":            # x is (..., n): rows are the leading dims, pick along the last
        xshape = (xshape[-1],)
        row = 1
    src = k.x if k.mode in ("take", "pick") else k.y
    params[off:off + GATHER_LEN] = (n_idx, xshape[0], row, xl[0], il[0], yl[0], ol[0], 0, 0,
                                    src.base.index, k.out.base.index, k.idx.base.index)


GATHER_LEN = 12
