"""Kernel IR (codegen/kernel.py) -> LLVM IR functions, plus the driver that runs them in order.

Every kernel is ``void k(i8** bases, i64* params)``: operand addresses are bases[b] + a byte
offset, and every shape, stride and offset comes from the kernel's param region (layout below,
filled per input-shape signature by codegen/llvm/params.py). Nothing shape-specific is baked in.

LoopKernel region: [nblocks, fill_count, block * MAX_THREADS]; a block is
  [shape(d), then per operand (inputs, then outputs): offset, strides(d)]   (bytes)
Blocks after the first run on their own pthreads (large kernels only); fill_count > 0 first fills
the reduction output with the identity. The innermost loop has a unit-stride version (what the
loop vectoriser turns into zmm/ymm code) and a general strided one.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from llvmlite import ir

from ..kernel import ArgKernel, GatherKernel, GemmKernel, LoopKernel
from .scalar import (F32, F64, I1, I8, I32, I64, emit_program, intrinsic, is_f, is_u, load_elem, mem_type,
                     reg_type, store_elem)

I8P = I8.as_pointer()
I8PP = I8P.as_pointer()
I64P = I64.as_pointer()
KERNEL_T = ir.FunctionType(ir.VoidType(), [I8PP, I64P])


def _kernel_function(module: ir.Module, name: str):
    """A new kernel ``void name(i8** bases, i64* region)`` with its entry block:
    (fn, bases, region, builder, loops). Kernels are internal and noinline, so each keeps its own
    symbol and f.kernels can show its own assembly."""
    fn = ir.Function(module, KERNEL_T, name)
    fn.linkage = "internal"
    fn.attributes.add("noinline")
    bases, region = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    return fn, bases, region, b, Loops(fn, b)


def loop_block_size(k: LoopKernel) -> int:
    """[shape(d), per operand (offset, strides(d)), per operand base index]."""
    d = k.ndim
    nop = len(k.inputs) + len(k.outputs)
    return d + nop * (1 + d) + nop


def loop_region_size(k: LoopKernel, threads: int) -> int:
    return 2 + threads * loop_block_size(k)


def arg_region_size(k: ArgKernel) -> int:
    d = k.ndim
    return d + (1 + d) + (1 + d - k.nred) + 2     # + input, output base indices


def gemm_region_size(k: GemmKernel) -> int:
    nb = k.nbatch
    return nb + 3 + 2 * (1 + nb + 4) + (1 + nb + 1) + 2 + 2 + 5   # + a, b, out, alpha, beta bases


class Loops:
    """Helpers for counted loops with phi nodes."""

    def __init__(self, fn: ir.Function, b: ir.IRBuilder) -> None:
        self.fn, self.b = fn, b

    def range(self, n: ir.Value, body, carried: list | None = None, name: str = "i", hint: str = "") -> list:
        """for i in [0, n): carried = body(i, carried). Returns the final carried values.

        hint: "novec" (never vectorise or unroll: general strided paths, to keep JIT time down)
        or "vec" (vectorise without interleaving); see `loop_hints`."""
        b = self.b
        carried = carried or []
        pre = b.block
        loop = self.fn.append_basic_block(name + ".loop")
        after = self.fn.append_basic_block(name + ".end")
        b.cbranch(b.icmp_signed(">", n, ir.Constant(I64, 0)), loop, after)
        b.position_at_end(loop)
        i = b.phi(I64, name=name)
        i.add_incoming(ir.Constant(I64, 0), pre)
        phis = []
        for c in carried:
            p = b.phi(c.type)
            p.add_incoming(c, pre)
            phis.append(p)
        new = body(i, phis) or []
        nxt = b.add(i, ir.Constant(I64, 1))
        end = b.block
        i.add_incoming(nxt, end)
        for p, v in zip(phis, new):
            p.add_incoming(v, end)
        br = b.cbranch(b.icmp_signed("<", nxt, n), loop, after)
        if hint:
            br.set_metadata("symnet." + hint, b.module.add_metadata([]))
        b.position_at_end(after)
        outs = []
        for c, v in zip(carried, new):
            r = b.phi(c.type)
            r.add_incoming(c, pre)
            r.add_incoming(v, end)
            outs.append(r)
        return outs


_HINTS = {
    "novec": ['!{!"llvm.loop.vectorize.enable", i1 false}', '!{!"llvm.loop.unroll.disable"}'],
    "vec": ['!{!"llvm.loop.interleave.count", i32 INTERLEAVE}', '!{!"llvm.loop.unroll.disable"}'],
}
INTERLEAVE = 2
_UID = __import__("itertools").count()


def loop_hints(text: str) -> str:
    """Turn the `!symnet.<hint> !N` markers into distinct, self-referential llvm.loop metadata
    (llvmlite.ir cannot build self-referential nodes)."""
    import re
    extra: list[str] = []
    counter = [900000]

    def sub(m):
        hint = m.group(1)
        ident = counter[0]
        counter[0] += 1 + len(_HINTS[hint])
        ops = [f"!{ident + 1 + i}" for i in range(len(_HINTS[hint]))]
        extra.append(f"!{ident} = distinct !{{!{ident}, {', '.join(ops)}}}")
        for i, body in enumerate(_HINTS[hint]):
            extra.append(f"!{ident + 1 + i} = {body.replace('INTERLEAVE', str(INTERLEAVE))}")
        return f"!llvm.loop !{ident}"
    text = re.sub(r"!symnet\.(novec|vec) !\d+", sub, text)
    groups: dict = {}

    def group_id(uid: str) -> int:
        if uid not in groups:
            groups[uid] = counter[0]
            counter[0] += 1
            extra.append(f"!{groups[uid]} = distinct !{{}}")
        return groups[uid]

    text = re.sub(r"!symnet\.ag(\d+) !\d+", lambda m: f"!llvm.access.group !{group_id(m.group(1))}", text)

    def par(m):
        ident = counter[0]
        counter[0] += 4
        ag = group_id(m.group(1))
        extra.append(f"!{ident} = distinct !{{!{ident}, !{ident + 1}, !{ident + 2}, !{ident + 3}}}")
        extra.append(f'!{ident + 1} = !{{!"llvm.loop.parallel_accesses", !{ag}}}')
        extra.append(f'!{ident + 2} = !{{!"llvm.loop.interleave.count", i32 {INTERLEAVE}}}')
        extra.append(f'!{ident + 3} = !{{!"llvm.loop.unroll.disable"}}')
        return f"!llvm.loop !{ident}"
    text = re.sub(r"!symnet\.par(\d+) !\d+", par, text)
    return text + "\n" + "\n".join(extra) + "\n"


def _param(b: ir.IRBuilder, p: ir.Value, i: int) -> ir.Value:
    return b.load(b.gep(p, [ir.Constant(I64, i)]))


def _base_ptr(b: ir.IRBuilder, bases: ir.Value, index: Any, off: ir.Value) -> ir.Value:
    """bases[index] + off; index is a constant or (in kernels) read from the params, so kernels
    that differ only in which buffers they touch share one compiled function."""
    idx = ir.Constant(I64, index) if isinstance(index, int) else index
    base = b.load(b.gep(bases, [idx]))
    return b.gep(base, [off])


# ------------------------------------------------------------------------------------------
# reductions
# ------------------------------------------------------------------------------------------
def identity_value(kind: str, dtype: str) -> ir.Constant:
    ty = reg_type(dtype)
    if kind in ("sum", "any"):
        return ir.Constant(ty, 0.0 if is_f(dtype) else 0)
    if kind in ("prod", "all"):
        return ir.Constant(ty, 1.0 if is_f(dtype) else 1)
    if is_f(dtype):
        return ir.Constant(ty, float("-inf") if kind == "max" else float("inf"))
    bits = ty.width
    if dtype == "bool":
        return ir.Constant(ty, 0 if kind == "max" else 1)
    if is_u(dtype):
        return ir.Constant(ty, 0 if kind == "max" else (1 << bits) - 1)
    return ir.Constant(ty, -(1 << (bits - 1)) if kind == "max" else (1 << (bits - 1)) - 1)


def accumulate(b: ir.IRBuilder, kind: str, acc: ir.Value, v: ir.Value, dtype: str) -> ir.Value:
    f = is_f(dtype)
    if kind in ("any", "all") or dtype == "bool":
        return (b.or_ if kind in ("any", "sum", "max") else b.and_)(acc, v)
    if kind == "sum":
        return b.fadd(acc, v, flags=("reassoc",)) if f else b.add(acc, v)
    if kind == "prod":
        return b.fmul(acc, v, flags=("reassoc",)) if f else b.mul(acc, v)
    if f:   # NaN-propagating (np.max of data with a nan is nan)
        return b.call(intrinsic(b.module, "llvm.maximum" if kind == "max" else "llvm.minimum", acc.type,
                                [acc.type, acc.type]), [acc, v])
    cmp = b.icmp_unsigned if is_u(dtype) else b.icmp_signed
    return b.select(cmp(">" if kind == "max" else "<", v, acc), v, acc)


# ------------------------------------------------------------------------------------------
# loop kernels
# ------------------------------------------------------------------------------------------
def _static_inner_invariant(k: LoopKernel) -> list[bool]:
    """Per operand: statically broadcast along the innermost loop dim (stride 0 there)."""
    d = k.ndim
    if d == 0:
        return [False] * (len(k.inputs) + len(k.outputs))
    loop_last = None
    src = k.shape_from
    if not (isinstance(src, tuple)) and src is not None and src.sshape is not None and len(src.sshape) == d:
        loop_last = src.sshape[-1]
    elif isinstance(src, tuple):
        lasts = [b.sshape[-1] for b in src[1] if b.sshape is not None and len(b.sshape) == d]
        known = [x for x in lasts if x is not None and x != 1]
        loop_last = known[0] if known else None
    res = []
    for buf in list(k.inputs) + list(k.outputs):
        s = buf.sshape
        if s is None:
            res.append(False)
        elif len(s) < d or (len(s) >= 1 and s[-1] == 1):
            res.append(loop_last != 1)
        else:
            res.append(False)
    return res


def emit_loop_kernel(module: ir.Module, k: LoopKernel) -> ir.Function:
    fn, bases, blk, b, loops = _kernel_function(module, k.name)
    d = k.ndim
    ops = list(k.inputs) + list(k.outputs)
    nin = len(k.inputs)
    dts = [o.dtype for o in ops]
    shape = [_param(b, blk, a) for a in range(d)]
    ptrs, strides = [], []
    nop = len(ops)
    base_idx = [_param(b, blk, d + nop * (1 + d) + j) for j in range(nop)]
    for j, buf in enumerate(ops):
        o = d + j * (1 + d)
        ptrs.append(_base_ptr(b, bases, base_idx[j], _param(b, blk, o)))
        strides.append([_param(b, blk, o + 1 + a) for a in range(d)])
    esz = [ir.Constant(I64, _itemsize(dt)) for dt in dts]
    inv = _static_inner_invariant(k)
    red = k.reduce
    comp = k.composite

    # elementwise kernels: element i depends only on element i of every operand (an output may
    # be the very memory of an input: in-place updates), so the unit-stride loop is marked
    # parallel: vectorised without runtime alias checks
    uid = next(_UID)
    group = f"symnet.ag{uid}" if not k.reduce and getattr(k, "index_body", None) is None else ""
    index_body = getattr(k, "index_body", None)
    if isinstance(index_body, tuple) and index_body[0] == "philox":
        from .philox import emit_sample
        _, dist, sdtype = index_body
        index_body = lambda bb, vals, flat: emit_sample(bb, dist, sdtype, vals, flat)
    if index_body is not None:     # the body also needs the flat C-order index of the element
        out0 = k.outputs[0]
        start = b.ptrtoint(b.load(b.gep(bases, [base_idx[nin]])), I64)

    def compute(vals: list, out_addr: Any) -> list:
        if index_body is None:
            return emit_program(b, comp, vals)
        flat = b.sdiv(b.sub(b.ptrtoint(out_addr, I64), start), ir.Constant(I64, _itemsize(k.outputs[0].dtype)))
        return index_body(b, vals, flat)

    def body_at(addrs: list) -> None:
        """One element through byte addresses (generic path)."""
        vals = [load_elem(b, b.bitcast(addrs[j], mem_type(dts[j]).as_pointer()), dts[j]) for j in range(nin)]
        res = compute(vals, addrs[nin])
        for j, (v, vdt) in enumerate(res):
            oj = nin + j
            p = b.bitcast(addrs[oj], mem_type(dts[oj]).as_pointer())
            v = _conv(b, v, vdt, dts[oj])
            if red:
                v = accumulate(b, red, load_elem(b, p, dts[oj]), v, dts[oj])
            store_elem(b, v, p, dts[oj])

    if d == 0:
        body_at(ptrs)
        b.ret_void()
        return fn

    def level(a: int, cur: list) -> None:
        if a == d - 1:
            inner(cur)
            return

        def body(i, _):
            level(a + 1, [b.gep(p, [b.mul(i, strides[j][a])]) for j, p in enumerate(cur)])
            return []
        loops.range(shape[a], body, name=f"d{a}")

    def inner(cur: list) -> None:
        n = shape[d - 1]
        st = [strides[j][d - 1] for j in range(len(ops))]
        fast = ir.Constant(I1, 1)
        for j in range(len(ops)):
            want = ir.Constant(I64, 0) if inv[j] else esz[j]
            fast = b.and_(fast, b.icmp_signed("==", st[j], want))
        fast_bb = fn.append_basic_block("fast")
        slow_bb = fn.append_basic_block("slow")
        done_bb = fn.append_basic_block("done")
        b.cbranch(fast, fast_bb, slow_bb)
        # unit-stride version
        b.position_at_end(fast_bb)
        typed = [b.bitcast(cur[j], mem_type(dts[j]).as_pointer()) for j in range(len(ops))]
        hoisted = {j: load_elem(b, typed[j], dts[j]) for j in range(nin) if inv[j]}
        acc_outs = [nin + j for j in range(len(k.outputs)) if red and inv[nin + j]]
        init = [load_elem(b, typed[o], dts[o]) for o in acc_outs]

        def fbody(i, carried):
            vals = [hoisted[j] if j in hoisted else load_elem(b, b.gep(typed[j], [i]), dts[j], group)
                    for j in range(nin)]
            res = compute(vals, b.gep(typed[nin], [i]) if index_body else None)
            new = []
            for j, (v, vdt) in enumerate(res):
                oj = nin + j
                v = _conv(b, v, vdt, dts[oj])
                if red and oj in acc_outs:
                    new.append(accumulate(b, red, carried[acc_outs.index(oj)], v, dts[oj]))
                    continue
                p = b.gep(typed[oj], [i])
                if red:
                    v = accumulate(b, red, load_elem(b, p, dts[oj]), v, dts[oj])
                store_elem(b, v, p, dts[oj], group)
            return new
        final = loops.range(n, fbody, init, name="vi", hint=f"par{uid}" if group else "vec")
        for o, v in zip(acc_outs, final):
            store_elem(b, v, typed[o], dts[o])
        b.branch(done_bb)
        # general strided version
        b.position_at_end(slow_bb)

        def sbody(i, _):
            body_at([b.gep(cur[j], [b.mul(i, st[j])]) for j in range(len(ops))])
            return []
        loops.range(n, sbody, name="si", hint="novec")
        b.branch(done_bb)
        b.position_at_end(done_bb)

    level(0, ptrs)
    b.ret_void()
    return fn


def _itemsize(dtype: str) -> int:
    return np.dtype(dtype).itemsize


def _conv(b, v, src, dst):
    from .scalar import convert
    return convert(b, v, src, dst)


def emit_fill(b: ir.IRBuilder, fn: ir.Function, ptr: ir.Value, n: ir.Value, kind: str, dtype: str) -> None:
    typed = b.bitcast(ptr, mem_type(dtype).as_pointer())
    val = identity_value(kind, dtype)

    def body(i, _):
        store_elem(b, val, b.gep(typed, [i]), dtype)
        return []
    Loops(fn, b).range(n, body, name="fill")


# ------------------------------------------------------------------------------------------
# argmax / argmin
# ------------------------------------------------------------------------------------------
def emit_arg_kernel(module: ir.Module, k: ArgKernel) -> ir.Function:
    """Region: [shape(d), in_off, in_strides(d), out_off, out_strides(d - nred)]."""
    fn, bases, blk, b, loops = _kernel_function(module, k.name)
    d, nred = k.ndim, k.nred
    nkeep = d - nred
    shape = [_param(b, blk, a) for a in range(d)]
    nk0 = d - nred
    ab = d + (1 + d) + (1 + nk0)
    ip = _base_ptr(b, bases, _param(b, blk, ab), _param(b, blk, d))
    ist = [_param(b, blk, d + 1 + a) for a in range(d)]
    o = d + 1 + d
    op_ = _base_ptr(b, bases, _param(b, blk, ab + 1), _param(b, blk, o))
    ost = [_param(b, blk, o + 1 + a) for a in range(nkeep)]
    dt = k.input.dtype
    ty = reg_type(dt)
    f = is_f(dt)

    def keep_level(a, ipc, opc):
        if a == nkeep:
            scan(ipc, opc)
            return

        def body(i, _):
            keep_level(a + 1, b.gep(ipc, [b.mul(i, ist[a])]), b.gep(opc, [b.mul(i, ost[a])]))
            return []
        loops.range(shape[a], body, name=f"k{a}")

    def scan(ipc, opc):
        # carried: (best value, best index, counter, found_nan)
        init = [identity_value(k.kind, dt) if f else identity_value(k.kind, dt), ir.Constant(I64, -1),
                ir.Constant(I64, 0)]

        def red_level(a, ptr, carried):
            if a == d:
                v = load_elem(b, b.bitcast(ptr, mem_type(dt).as_pointer()), dt)
                best, bi, cnt = carried
                if f:
                    bnan = b.fcmp_unordered("uno", best, best)
                    vnan = b.fcmp_unordered("uno", v, v)
                    better = b.fcmp_ordered(">" if k.kind == "max" else "<", v, best)
                    first = b.icmp_signed("<", bi, ir.Constant(I64, 0))
                    take = b.and_(b.not_(bnan), b.or_(b.or_(vnan, better), first))
                else:
                    cmp = b.icmp_unsigned if is_u(dt) else b.icmp_signed
                    better = cmp(">" if k.kind == "max" else "<", v, best)
                    take = b.or_(better, b.icmp_signed("<", bi, ir.Constant(I64, 0)))
                return [b.select(take, v, best), b.select(take, cnt, bi), b.add(cnt, ir.Constant(I64, 1))]

            def body(i, c):
                return red_level(a + 1, b.gep(ptr, [b.mul(i, ist[a])]), c)
            return loops.range(shape[a], body, carried, name=f"r{a}")
        best, bi, _ = red_level(nkeep, ipc, init)
        bi = b.select(b.icmp_signed("<", bi, ir.Constant(I64, 0)), ir.Constant(I64, 0), bi)
        b.store(bi, b.bitcast(opc, I64P))

    keep_level(0, ip, op_)
    b.ret_void()
    return fn


# ------------------------------------------------------------------------------------------
# row gather / scatter
# ------------------------------------------------------------------------------------------
GATHER_REGION = 12  # [n_idx, n_rows, row_elems, x_off, idx_off, y_off, out_off, status, bad_index,
#                      src base, out base, idx base]


def emit_gather_kernel(module: ir.Module, k: GatherKernel) -> ir.Function:
    fn, bases, blk, b, loops = _kernel_function(module, k.name)
    n, nrows, row = _param(b, blk, 0), _param(b, blk, 1), _param(b, blk, 2)
    dt = k.out.dtype
    et = mem_type(dt).as_pointer()
    src = k.x if k.mode in ("take", "pick") else k.y
    sp = b.bitcast(_base_ptr(b, bases, _param(b, blk, 9), _param(b, blk, 3 if k.mode in ("take", "pick") else 5)), et)
    op_ = b.bitcast(_base_ptr(b, bases, _param(b, blk, 10), _param(b, blk, 6)), et)
    idt = k.idx.dtype
    ip = b.bitcast(_base_ptr(b, bases, _param(b, blk, 11), _param(b, blk, 4)), mem_type(idt).as_pointer())
    status = b.gep(blk, [ir.Constant(I64, 7)])

    def body(i, _):
        j = b.load(b.gep(ip, [i]))
        j = j if j.type == I64 else (b.zext(j, I64) if is_u(idt) else b.sext(j, I64))
        if k.mode == "pick":     # class indices: no negative wrap (the reference raises)
            jj = j
        else:
            jj = b.select(b.icmp_signed("<", j, ir.Constant(I64, 0)), b.add(j, nrows), j)
        bad = b.or_(b.icmp_signed("<", jj, ir.Constant(I64, 0)), b.icmp_signed(">=", jj, nrows))
        with b.if_else(bad) as (then, otherwise):
            with then:
                b.store(ir.Constant(I64, 1), status)
                b.store(j, b.gep(blk, [ir.Constant(I64, 8)]))
            with otherwise:
                if k.mode == "pick":     # out[i] = x[i, jj] of an (n_idx, n_rows) matrix
                    s_row = b.add(b.mul(i, nrows), jj)
                    d_row = i
                else:
                    s_row = b.mul(i if k.mode != "take" else jj, row)
                    d_row = b.mul(jj if k.mode != "take" else i, row)

                def inner(r, _):
                    v = b.load(b.gep(sp, [b.add(s_row, r)]))
                    dst = b.gep(op_, [b.add(d_row, r)])
                    if k.mode == "inc":
                        old = b.load(dst)
                        if dt == "bool":
                            v = b.or_(old, v)
                        elif is_f(dt):
                            v = b.fadd(old, v)
                        else:
                            v = b.add(old, v)
                    b.store(v, dst)
                    return []
                loops.range(row, inner, name="row")
        return []
    loops.range(n, body, name="g")
    b.ret_void()
    return fn


# ------------------------------------------------------------------------------------------
# GEMM through CBLAS
# ------------------------------------------------------------------------------------------
def emit_gemm_kernel(module: ir.Module, k: GemmKernel) -> ir.Function:
    """Region: [bshape(nb), M, N, K,
                A: off, bstrides(nb), trans, ld, rs, cs; B: same; out: off, bstrides(nb), ld,
                packA(ptr or 0), packB(ptr or 0), alpha_off, beta_off]
    trans: 0 row-major, 1 column-major (CblasTrans), 2 pack into the scratch first (row-major)."""
    fn, bases, blk, b, loops = _kernel_function(module, k.name)
    nb = k.nbatch
    ft = F32 if k.dtype == "float32" else F64
    esz = 4 if k.dtype == "float32" else 8
    from .jit import blas
    lib = blas()
    cblas = lib["sgemm"] if k.dtype == "float32" else lib["dgemm"]
    IT = I32 if lib["int_bits"] == 32 else I64      # CBLAS_INT (enums stay int)
    gemm_t = ir.FunctionType(ir.VoidType(), [I32, I32, I32, IT, IT, IT, ft, ft.as_pointer(), IT,
                                             ft.as_pointer(), IT, ft, ft.as_pointer(), IT])
    g = module.globals.get(cblas) or ir.Function(module, gemm_t, cblas)

    def _int(v):
        return b.trunc(v, I32) if IT == I32 else v
    p = 0

    def nxt():
        nonlocal p
        v = _param(b, blk, p)
        p += 1
        return v
    nbase = gemm_region_size(k) - 5
    gb = [_param(b, blk, nbase + j) for j in range(5)]     # a, b, out, alpha, beta base indices
    bshape = [nxt() for _ in range(nb)]
    M, N, K = nxt(), nxt(), nxt()
    opnds = []
    for jb, buf in enumerate((k.a, k.b)):
        off = nxt()
        bst = [nxt() for _ in range(nb)]
        opnds.append(dict(ptr=_base_ptr(b, bases, gb[jb], off), bst=bst, trans=nxt(), ld=nxt(), rs=nxt(),
                          cs=nxt()))
    ooff = nxt()
    obst = [nxt() for _ in range(nb)]
    old = nxt()
    optr = _base_ptr(b, bases, gb[2], ooff)
    packs = [nxt(), nxt()]
    aoff, boff = nxt(), nxt()
    if k.alpha is not None:
        alpha = b.load(b.bitcast(_base_ptr(b, bases, gb[3], aoff), ft.as_pointer()))
    else:
        alpha = ir.Constant(ft, 1.0)
    if k.beta is not None:
        beta = b.load(b.bitcast(_base_ptr(b, bases, gb[4], boff), ft.as_pointer()))
    else:
        beta = ir.Constant(ft, 0.0)
    rows = [M, K]
    cols = [K, N]

    def call(aptr, bptr, cptr):
        args = []
        flags = []
        for j, (ptr, o) in enumerate(zip((aptr, bptr), opnds)):
            is_pack = b.icmp_signed("==", o["trans"], ir.Constant(I64, 2))
            scratch = b.inttoptr(packs[j], I8P)
            with b.if_then(is_pack):
                def prow(r, _, ptr=ptr, o=o, j=j):
                    def pcol(c, _):
                        src = b.gep(ptr, [b.add(b.mul(r, o["rs"]), b.mul(c, o["cs"]))])
                        dst = b.gep(b.bitcast(scratch, ft.as_pointer()), [b.add(b.mul(r, cols[j]), c)])
                        b.store(b.load(b.bitcast(src, ft.as_pointer())), dst)
                        return []
                    loops.range(cols[j], pcol, name="pc")
                    return []
                loops.range(rows[j], prow, name="pr")
            use = b.select(is_pack, scratch, ptr)
            tr = b.select(b.icmp_signed("==", o["trans"], ir.Constant(I64, 1)), ir.Constant(I32, 112),
                          ir.Constant(I32, 111))
            args.append((b.bitcast(use, ft.as_pointer()), _int(o["ld"])))
            flags.append(tr)
        b.call(g, [ir.Constant(I32, 101), flags[0], flags[1], _int(M), _int(N), _int(K),
                   alpha, args[0][0], args[0][1], args[1][0], args[1][1], beta,
                   b.bitcast(cptr, ft.as_pointer()), _int(old)])

    def batch(a, ap, bp, cp):
        if a == nb:
            call(ap, bp, cp)
            return

        def body(i, _):
            batch(a + 1, b.gep(ap, [b.mul(i, opnds[0]["bst"][a])]), b.gep(bp, [b.mul(i, opnds[1]["bst"][a])]),
                  b.gep(cp, [b.mul(i, obst[a])]))
            return []
        loops.range(bshape[a], body, name=f"b{a}")

    nonempty = b.and_(b.icmp_signed(">", M, ir.Constant(I64, 0)), b.icmp_signed(">", N, ir.Constant(I64, 0)))
    with b.if_then(nonempty):
        batch(0, opnds[0]["ptr"], opnds[1]["ptr"], optr)
    b.ret_void()
    return fn


# ------------------------------------------------------------------------------------------
# driver
# ------------------------------------------------------------------------------------------
def declare_threads(module: ir.Module):
    thunk_t = ir.FunctionType(I8P, [I8P])
    create = module.globals.get("pthread_create") or ir.Function(
        module, ir.FunctionType(I32, [I64P, I8P, thunk_t.as_pointer(), I8P]), "pthread_create")
    join = module.globals.get("pthread_join") or ir.Function(module, ir.FunctionType(I32, [I64, I8P.as_pointer()]),
                                                             "pthread_join")
    thunk = module.globals.get("symnet_thunk")
    if thunk is None:
        # arg: {kernel fn ptr, bases, params}
        thunk = ir.Function(module, thunk_t, "symnet_thunk")
        thunk.linkage = "internal"
        tb = ir.IRBuilder(thunk.append_basic_block("entry"))
        arg = tb.bitcast(thunk.args[0], I8P.as_pointer())
        f = tb.bitcast(tb.load(tb.gep(arg, [ir.Constant(I64, 0)])), KERNEL_T.as_pointer())
        bs = tb.bitcast(tb.load(tb.gep(arg, [ir.Constant(I64, 1)])), I8PP)
        ps = tb.bitcast(tb.load(tb.gep(arg, [ir.Constant(I64, 2)])), I64P)
        tb.call(f, [bs, ps])
        tb.ret(ir.Constant(I8P, None))
    return create, join, thunk


def emit_segment(module: ir.Module, name: str, items: list, threads: int) -> ir.Function:
    """``void name(i8** bases, i64* params)``: runs items = [(kernel, fn, param_offset)] in order."""
    fn = ir.Function(module, KERNEL_T, name)
    bases, params = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    loops = Loops(fn, b)
    create = join = thunk = None
    for k, kfn, off in items:
        region = b.gep(params, [ir.Constant(I64, off)])
        if isinstance(k, GatherKernel):      # stop at a bad index: Python raises IndexError
            b.call(kfn, [bases, region])
            failed = b.icmp_signed("!=", _param(b, region, 7), ir.Constant(I64, 0))
            with b.if_then(failed):
                b.ret_void()
            continue
        if not isinstance(k, LoopKernel):
            b.call(kfn, [bases, region])
            continue
        nblocks = _param(b, region, 0)
        if k.reduce:
            fill = _param(b, region, 1)
            out = k.outputs[0]
            emit_fill(b, fn, b.load(b.gep(bases, [ir.Constant(I64, out.base.index)])), fill, k.reduce, out.dtype)
        bs = loop_block_size(k)
        first = b.gep(region, [ir.Constant(I64, 2)])
        if threads <= 1:
            b.call(kfn, [bases, first])
            continue
        if create is None:
            create, join, thunk = declare_threads(module)
        single = b.icmp_signed("<=", nblocks, ir.Constant(I64, 1))
        with b.if_else(single) as (then, otherwise):
            with then:
                b.call(kfn, [bases, first])
            with otherwise:
                tids = b.alloca(I64, size=threads)
                argv = b.alloca(I8P, size=3 * threads)

                def spawn(t, _):
                    tt = b.add(t, ir.Constant(I64, 1))
                    slot = b.gep(argv, [b.mul(tt, ir.Constant(I64, 3))])
                    b.store(b.bitcast(kfn, I8P), slot)
                    b.store(b.bitcast(bases, I8P), b.gep(slot, [ir.Constant(I64, 1)]))
                    blkp = b.gep(first, [b.mul(tt, ir.Constant(I64, bs))])
                    b.store(b.bitcast(blkp, I8P), b.gep(slot, [ir.Constant(I64, 2)]))
                    rc = b.call(create, [b.gep(tids, [tt]), ir.Constant(I8P, None), thunk, b.bitcast(slot, I8P)])
                    failed = b.icmp_signed("!=", rc, ir.Constant(I32, 0))
                    with b.if_then(failed):        # no thread: run that block here, join nothing
                        b.call(kfn, [bases, b.bitcast(blkp, I64P)])
                        b.store(ir.Constant(I64, 0), b.gep(tids, [tt]))
                    return []
                loops.range(b.sub(nblocks, ir.Constant(I64, 1)), spawn, name="spawn")
                b.call(kfn, [bases, first])

                def wait(t, _):
                    tt = b.add(t, ir.Constant(I64, 1))
                    tid = b.load(b.gep(tids, [tt]))
                    with b.if_then(b.icmp_unsigned("!=", tid, ir.Constant(I64, 0))):
                        b.call(join, [tid, ir.Constant(I8P.as_pointer(), None)])
                    return []
                loops.range(b.sub(nblocks, ir.Constant(I64, 1)), wait, name="join")
    b.ret_void()
    return fn
