"""Kernel IR (codegen/kernel.py) -> LLVM IR: the loop kernel, and what every kernel emitter shares.

Every kernel is ``void k(i8** bases, i64* region)``: operand addresses are bases[b] + a byte
offset, and every shape, stride, offset and base index comes from the kernel's param region
(codegen/llvm/regions.py; filled per input-shape signature by codegen/llvm/params.py). Nothing
shape-specific is baked in, and kernels that differ only in their buffers share one function.
The innermost loop has a unit-stride version (what the loop vectoriser turns into zmm/ymm code)
and a general strided one.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
from llvmlite import ir

from ..kernel import LoopKernel
from . import bounds
from .regions import loop_block, loop_operand
from .scalar import (I1, I8, I64, convert, emit_program, intrinsic, is_f, is_u, load_elem, mem_type,
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

def _static_inner_invariant(k: LoopKernel) -> list[bool]:
    """Per operand: statically broadcast along the innermost loop dim (stride 0 there)."""
    d = k.ndim
    if d == 0:
        return [False] * (len(k.inputs) + len(k.outputs))
    loop_last = None
    src = k.shape_from
    if not src.broadcast and src.buffers[0].sshape is not None and len(src.buffers[0].sshape) == d:
        loop_last = src.buffers[0].sshape[-1]
    elif src.broadcast:
        lasts = [b.sshape[-1] for b in src.buffers if b.sshape is not None and len(b.sshape) == d]
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
    lb = loop_block(k)
    shape = [_param(b, blk, lb["shape"] + a) for a in range(d)]
    ptrs, strides = [], []
    nop = len(ops)
    base_idx = [_param(b, blk, lb["bases"] + j) for j in range(nop)]
    for j, buf in enumerate(ops):
        o = loop_operand(k, j)
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
    group = f"symnet.ag{uid}" if not k.reduce and k.sampler is None else ""
    index_body = None
    if k.sampler is not None:
        from .philox import emit_sample
        dist, sdtype = k.sampler.dist, k.sampler.dtype
        index_body = lambda bb, vals, flat: emit_sample(bb, dist, sdtype, vals, flat)  # noqa: E731
    if index_body is not None:     # the body also needs the flat C-order index of the element
        out0 = k.outputs[0]
        start = b.ptrtoint(b.load(b.gep(bases, [base_idx[nin]])), I64)

    def compute(vals: list, out_addr: Any) -> list:
        if index_body is None:
            return emit_program(b, comp, vals)
        flat = b.sdiv(b.sub(b.ptrtoint(out_addr, I64), start), ir.Constant(I64, _itemsize(k.outputs[0].dtype)))
        return index_body(b, vals, flat)

    checking = bounds.enabled()

    def body_at(addrs: list) -> None:
        """One element through byte addresses (generic path)."""
        out_addr = addrs[nin]
        if checking:
            addrs = [bounds.guard(b, bases, a, base_idx[j], _itemsize(dts[j])) for j, a in enumerate(addrs)]
        vals = [load_elem(b, b.bitcast(addrs[j], mem_type(dts[j]).as_pointer()), dts[j]) for j in range(nin)]
        res = compute(vals, out_addr)
        for j, (v, vdt) in enumerate(res):
            oj = nin + j
            p = b.bitcast(addrs[oj], mem_type(dts[oj]).as_pointer())
            v = convert(b, v, vdt, dts[oj])
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
        if checking:            # the bounds-checking build runs only the checked generic path
            fast = ir.Constant(I1, 0)
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
                v = convert(b, v, vdt, dts[oj])
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

def emit_fill(b: ir.IRBuilder, fn: ir.Function, ptr: ir.Value, n: ir.Value, kind: str, dtype: str) -> None:
    typed = b.bitcast(ptr, mem_type(dtype).as_pointer())
    val = identity_value(kind, dtype)

    def body(i, _):
        store_elem(b, val, b.gep(typed, [i]), dtype)
        return []
    Loops(fn, b).range(n, body, name="fill")
