"""Fill the param regions (codegen/llvm/emit.py layouts) of one buffer plan.

Per LoopKernel: the loop shape is resolved, operands get their loop-space strides (broadcast
= 0), size-1 dims are dropped and contiguous dims merged (so a contiguous elementwise kernel is
one long unit-stride loop), and large kernels are split into blocks along one dim, one per thread.
"""
from __future__ import annotations

import math
import numpy as np

from ..kernel import ArgKernel, GatherKernel, GemmKernel, LoopKernel, LoopStep
from ..lower import Layout as Plan
from ..lower import collapse, loop_operand_strides
from .regions import (CARRY_WORDS, SLICE_WORDS, arg_region, gather_region, gemm_region, loop_block, loop_operand,
                      loop_region, loop_step_region)

PARALLEL_MIN = 1 << 17      # loop elements from which a kernel is split across threads


def fill_loop(params: np.ndarray, off: int, k: LoopKernel, plan: Plan, threads: int, zero: bool = False) -> None:
    ops = list(k.inputs) + list(k.outputs)
    lay = [plan.layout[b.index] for b in ops]
    reg, blk = loop_region(k, threads), loop_block(k)
    first = off + reg["blocks"]
    if zero:        # a disabled kernel: no iterations
        params[off + reg["nblocks"]] = 1
        params[off + reg["fill_count"]] = 0
        params[first + blk["shape"]:first + blk["shape"] + k.ndim] = 0
        params[first + blk["bases"]:first + blk["bases"] + len(ops)] = [o.base.index for o in ops]
        return
    loop = tuple(plan.loop_shape(k))
    what = f"kernel {k.name} ({', '.join(str(n.op) for n in k.nodes)})"
    st = [loop_operand_strides(loop, s, t, what) for _, s, t in lay]
    offs = [o for o, _, _ in lay]
    shape, st = collapse(loop, st) if k.ndim else ((), st)
    d = k.ndim
    bs = blk.size
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
    params[off + reg["nblocks"]] = len(blocks)
    if k.reduce:
        oshape = plan.base_layout[k.outputs[0].base.index][0]
        params[off + reg["fill_count"]] = math.prod(oshape)
    else:
        params[off + reg["fill_count"]] = 0
    for t, (shp, os_) in enumerate(blocks):
        p = first + t * bs
        params[p + blk["shape"]:p + blk["shape"] + d] = shp
        for j in range(len(ops)):
            q = p + loop_operand(k, j)
            params[q] = os_[j]
            params[q + 1:q + 1 + d] = st[j]
        params[p + blk["bases"]:p + blk["bases"] + len(ops)] = [o.base.index for o in ops]


def fill_arg(params: np.ndarray, off: int, k: ArgKernel, plan: Plan) -> None:
    ioff, ishape, istr = plan.layout[k.input.index]
    ooff, oshape, ostr = plan.layout[k.output.index]
    r = arg_region(k)
    d = k.ndim
    nk = d - k.nred
    params[off + r["shape"]:off + r["shape"] + d] = ishape
    params[off + r["in_off"]] = ioff
    params[off + r["in_strides"]:off + r["in_strides"] + d] = istr
    params[off + r["out_off"]] = ooff
    params[off + r["out_strides"]:off + r["out_strides"] + nk] = ostr[:nk] if nk else []
    params[off + r["in_base"]] = k.input.base.index
    params[off + r["out_base"]] = k.output.base.index


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
    """Shapes were checked with the plan (codegen/checks.py)."""
    esz = np.dtype(k.dtype).itemsize
    nb = k.nbatch
    r = gemm_region(k)

    def put(name: str, values) -> None:
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        params[off + r[name]:off + r[name] + len(values)] = values
    la, lb, lo = (plan.layout[x.index] for x in (k.a, k.b, k.out))
    (ooff, oshape, ost) = lo
    M, K = la[1][-2], la[1][-1]
    N = lb[1][-1]
    batch = tuple(oshape[:-2])
    put("batch", batch)
    put("M", M)
    put("N", N)
    put("K", K)
    for m, (o, shp, strd) in (("a", la), ("b", lb)):
        put(f"{m}_off", o)
        if nb:
            put(f"{m}_bstrides", loop_operand_strides(batch, tuple(shp[:-2]), tuple(strd[:-2]), "matmul batch"))
        rows, cols = shp[-2], shp[-1]
        lay = blas_layout(rows, cols, strd[-2], strd[-1], esz)
        put(f"{m}_trans", 2 if lay is None else lay[0])
        put(f"{m}_ld", max(1, cols) if lay is None else lay[1])
        put(f"{m}_rs", strd[-2])
        put(f"{m}_cs", strd[-1])
        if lay is None:         # scratch for the packed operand
            arr = np.empty(max(1, rows * cols), k.dtype)
            scratch.append(arr)
            put(f"pack_{m}", arr.ctypes.data)
        else:
            put(f"pack_{m}", 0)
    put("out_off", ooff)
    if nb:
        put("out_bstrides", ost[:-2])
    lay = blas_layout(M, N, ost[-2], ost[-1], esz)
    if lay is None or lay[0] != 0:
        raise RuntimeError(f"internal error: GEMM output {oshape} strides {ost} are not row-major")
    put("out_ld", lay[1])
    put("alpha_off", plan.layout[k.alpha.index][0] if k.alpha is not None else 0)
    put("beta_off", plan.layout[k.beta.index][0] if k.beta is not None else 0)
    for name, x in (("a_base", k.a), ("b_base", k.b), ("out_base", k.out), ("alpha_base", k.alpha),
                    ("beta_base", k.beta)):
        put(name, x.base.index if x is not None else 0)


def fill_gather(params: np.ndarray, off: int, k: GatherKernel, plan: Plan) -> None:
    """Shapes were checked with the plan (codegen/checks.py)."""
    xl = plan.layout[k.x.index]
    il = plan.layout[k.idx.index]
    ol = plan.layout[k.out.index]
    yl = plan.layout[k.y.index] if k.y is not None else (0, (), ())
    xshape = xl[1]
    n_idx = math.prod(il[1])
    row = math.prod(xshape[1:])
    if k.mode == "pick":            # x is (..., n): rows are the leading dims, pick along the last
        xshape = (xshape[-1],)
        row = 1
    src = k.x if k.mode in ("take", "pick") else k.y
    r = gather_region(k)
    for name, v in (("n_idx", n_idx), ("n_rows", xshape[0]), ("row_elems", row), ("x_off", xl[0]),
                    ("idx_off", il[0]), ("y_off", yl[0]), ("out_off", ol[0]), ("status", 0), ("bad_index", 0),
                    ("src_base", src.base.index), ("out_base", k.out.base.index), ("idx_base", k.idx.base.index)):
        params[off + r[name]] = v


def fill_loop_step(params: np.ndarray, off: int, k: LoopStep, plan: Plan) -> None:
    """Count, and per sliced sequence the window's step-0 byte offset and per-step byte stride."""
    r = loop_step_region(k)
    n = plan.loop_count(k)
    params[off + r["count"]] = n
    for j, sl in enumerate(k.sliced):
        soff, sshape, sstrides = plan.layout[sl.sequence.index]
        stride = sstrides[sl.axis]
        first = soff + (n - 1) * stride if (sl.reverse and n) else soff
        p = off + r["slices"] + j * SLICE_WORDS
        params[p:p + SLICE_WORDS] = (sl.step.base.index, sl.sequence.base.index, first,
                                     -stride if sl.reverse else stride)
    for j, c in enumerate(k.carried):
        p = off + r["carried"] + j * CARRY_WORDS
        shape = plan.base_layout[c.current.base.index][0]
        nbytes = math.prod(shape) * np.dtype(c.current.dtype).itemsize
        params[p:p + CARRY_WORDS] = (c.current.base.index, c.next.base.index, nbytes)
