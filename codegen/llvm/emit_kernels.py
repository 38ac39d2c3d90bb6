"""LLVM emitters of the special kernel kinds: argmax/argmin, row gather/scatter, GEMM through CBLAS.
Their param regions are described in codegen/llvm/regions.py."""
from __future__ import annotations

import numpy as np
from llvmlite import ir

from ..kernel import ArgKernel, GatherKernel, GemmKernel
from . import bounds
from .emit_loop import I8P, I64P, _base_ptr, _kernel_function, _param, identity_value
from .regions import arg_region, gather_region, gemm_region
from .scalar import F32, F64, I32, I64, is_f, is_u, load_elem, mem_type, reg_type


def emit_arg_kernel(module: ir.Module, k: ArgKernel) -> ir.Function:
    fn, bases, blk, b, loops = _kernel_function(module, k.name)
    r = arg_region(k)
    d, nred = k.ndim, k.nred
    nkeep = d - nred
    shape = [_param(b, blk, r["shape"] + a) for a in range(d)]
    in_base = _param(b, blk, r["in_base"])
    ip = _base_ptr(b, bases, in_base, _param(b, blk, r["in_off"]))
    ist = [_param(b, blk, r["in_strides"] + a) for a in range(d)]
    op_ = _base_ptr(b, bases, _param(b, blk, r["out_base"]), _param(b, blk, r["out_off"]))
    ost = [_param(b, blk, r["out_strides"] + a) for a in range(nkeep)]
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
                if bounds.enabled():
                    ptr = bounds.guard(b, bases, ptr, in_base, np.dtype(dt).itemsize)
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
        if bounds.enabled():
            opc = bounds.guard(b, bases, opc, _param(b, blk, r["out_base"]), 8)
        b.store(bi, b.bitcast(opc, I64P))

    keep_level(0, ip, op_)
    b.ret_void()
    return fn

def emit_gather_kernel(module: ir.Module, k: GatherKernel) -> ir.Function:
    fn, bases, blk, b, loops = _kernel_function(module, k.name)
    r = gather_region(k)
    n, nrows, row = _param(b, blk, r["n_idx"]), _param(b, blk, r["n_rows"]), _param(b, blk, r["row_elems"])
    dt = k.out.dtype
    et = mem_type(dt).as_pointer()
    src_off = r["x_off"] if k.mode in ("take", "pick") else r["y_off"]
    sp = b.bitcast(_base_ptr(b, bases, _param(b, blk, r["src_base"]), _param(b, blk, src_off)), et)
    op_ = b.bitcast(_base_ptr(b, bases, _param(b, blk, r["out_base"]), _param(b, blk, r["out_off"])), et)
    idt = k.idx.dtype
    ip = b.bitcast(_base_ptr(b, bases, _param(b, blk, r["idx_base"]), _param(b, blk, r["idx_off"])),
                   mem_type(idt).as_pointer())
    status = b.gep(blk, [ir.Constant(I64, r["status"])])

    def body(i, _):
        jp = b.gep(ip, [i])
        if bounds.enabled():
            jp = bounds.guard_typed(b, bases, jp, _param(b, blk, r["idx_base"]), np.dtype(idt).itemsize)
        j = b.load(jp)
        j = j if j.type == I64 else (b.zext(j, I64) if is_u(idt) else b.sext(j, I64))
        if k.mode == "pick":     # class indices: no negative wrap (the reference raises)
            jj = j
        else:
            jj = b.select(b.icmp_signed("<", j, ir.Constant(I64, 0)), b.add(j, nrows), j)
        bad = b.or_(b.icmp_signed("<", jj, ir.Constant(I64, 0)), b.icmp_signed(">=", jj, nrows))
        with b.if_else(bad) as (then, otherwise):
            with then:
                b.store(ir.Constant(I64, 1), status)
                b.store(j, b.gep(blk, [ir.Constant(I64, r["bad_index"])]))
            with otherwise:
                if k.mode == "pick":     # out[i] = x[i, jj] of an (n_idx, n_rows) matrix
                    s_row = b.add(b.mul(i, nrows), jj)
                    d_row = i
                else:
                    s_row = b.mul(i if k.mode != "take" else jj, row)
                    d_row = b.mul(jj if k.mode != "take" else i, row)

                def inner(r_, _):
                    src_p = b.gep(sp, [b.add(s_row, r_)])
                    dst = b.gep(op_, [b.add(d_row, r_)])
                    if bounds.enabled():
                        esz = np.dtype(dt).itemsize
                        src_p = bounds.guard_typed(b, bases, src_p, _param(b, blk, r["src_base"]), esz)
                        dst = bounds.guard_typed(b, bases, dst, _param(b, blk, r["out_base"]), esz)
                    v = b.load(src_p)
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

def emit_gemm_kernel(module: ir.Module, k: GemmKernel) -> ir.Function:
    """Batched out = alpha * op(A) @ op(B) + beta * out; operands BLAS cannot address are packed
    into a scratch (trans 2; region: codegen/llvm/regions.py gemm_region)."""
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
    r = gemm_region(k)

    def slot(name, i=0):
        return _param(b, blk, r[name] + i)
    gb = [slot(n) for n in ("a_base", "b_base", "out_base", "alpha_base", "beta_base")]
    bshape = [slot("batch", i) for i in range(nb)]
    M, N, K = slot("M"), slot("N"), slot("K")
    opnds = []
    for jb, m in enumerate(("a", "b")):
        opnds.append(dict(ptr=_base_ptr(b, bases, gb[jb], slot(f"{m}_off")),
                          bst=[slot(f"{m}_bstrides", i) for i in range(nb)], trans=slot(f"{m}_trans"),
                          ld=slot(f"{m}_ld"), rs=slot(f"{m}_rs"), cs=slot(f"{m}_cs")))
    obst = [slot("out_bstrides", i) for i in range(nb)]
    old = slot("out_ld")
    optr = _base_ptr(b, bases, gb[2], slot("out_off"))
    packs = [slot("pack_a"), slot("pack_b")]
    aoff, boff = slot("alpha_off"), slot("beta_off")
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

    def check_corners(aptr, bptr, cptr):
        """The bounds-checking build: first and last element of A, B (when K > 0) and C."""
        one = ir.Constant(I64, 1)
        with b.if_then(b.icmp_signed(">", K, ir.Constant(I64, 0))):
            for j, (ptr, o) in enumerate(zip((aptr, bptr), opnds)):
                last = b.add(b.mul(b.sub(rows[j], one), o["rs"]), b.mul(b.sub(cols[j], one), o["cs"]))
                bounds.guard(b, bases, ptr, gb[j], esz)
                bounds.guard(b, bases, b.gep(ptr, [last]), gb[j], esz)
        clast = b.mul(b.add(b.mul(b.sub(M, one), old), b.sub(N, one)), ir.Constant(I64, esz))
        bounds.guard(b, bases, cptr, gb[2], esz)
        bounds.guard(b, bases, b.gep(cptr, [clast]), gb[2], esz)

    def call(aptr, bptr, cptr):
        if bounds.enabled():
            check_corners(aptr, bptr, cptr)
        args = []
        flags = []
        for j, (ptr, o) in enumerate(zip((aptr, bptr), opnds)):
            is_pack = b.icmp_signed("==", o["trans"], ir.Constant(I64, 2))
            scratch = b.inttoptr(packs[j], I8P)
            with b.if_then(is_pack):
                def prow(r, _, ptr=ptr, o=o, j=j):
                    def pcol(c, _):
                        src = b.gep(ptr, [b.add(b.mul(r, o["rs"]), b.mul(c, o["cs"]))])
                        if bounds.enabled():
                            src = bounds.guard(b, bases, src, gb[j], esz)
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
