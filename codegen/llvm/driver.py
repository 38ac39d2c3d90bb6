"""The native driver: one LLVM function per segment that runs its kernels in order, splits large
loop kernels across pthreads, stops at a bad gather index, and runs LoopSteps (a body of kernels
n times, with per-iteration window addresses and carried buffers swapped between iterations)."""
from __future__ import annotations

from llvmlite import ir

from ..kernel import ArgKernel, GatherKernel, GemmKernel, LoopKernel, LoopStep
from . import bounds
from .emit_loop import I8P, I8PP, I64P, KERNEL_T, Loops, _param, emit_fill
from .regions import (CARRY_WORDS, SLICE_WORDS, gather_region, loop_block, loop_region, loop_step_region)
from .scalar import I32, I64


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
    """``void name(i8** bases, i64* params)``: runs items = [(kernel, fn, param_offset)] in order
    (a LoopStep's fn is the list of its body's items)."""
    fn = ir.Function(module, KERNEL_T, name)
    bases, params = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    drv = _Driver(module, fn, b, bases, params, threads)
    drv.items(items)
    b.ret_void()
    return fn


class _Driver:
    """Emits the calls of one segment function."""

    def __init__(self, module, fn, b, bases, params, threads) -> None:
        self.module, self.fn, self.b, self.bases, self.params, self.threads = module, fn, b, bases, params, threads
        self.loops = Loops(fn, b)
        self.create = self.join = self.thunk = None

    def items(self, items: list) -> None:
        for k, kfn, off in items:
            region = self.b.gep(self.params, [ir.Constant(I64, off)])
            EMIT_CALL[type(k)](self, k, kfn, region)

    def call(self, k, kfn, region) -> None:
        self.b.call(kfn, [self.bases, region])

    def gather(self, k, kfn, region) -> None:
        """Stop at a bad index: the runner raises IndexError (and resets the base pointers)."""
        b = self.b
        b.call(kfn, [self.bases, region])
        failed = b.icmp_signed("!=", _param(b, region, gather_region(k)["status"]), ir.Constant(I64, 0))
        with b.if_then(failed):
            b.ret_void()

    def loop_kernel(self, k, kfn, region) -> None:
        b, bases = self.b, self.bases
        reg = loop_region(k, self.threads)
        nblocks = _param(b, region, reg["nblocks"])
        if k.reduce:
            fill = _param(b, region, reg["fill_count"])
            out = k.outputs[0]
            emit_fill(b, self.fn, b.load(b.gep(bases, [ir.Constant(I64, out.base.index)])), fill, k.reduce, out.dtype)
        bs = loop_block(k).size
        first = b.gep(region, [ir.Constant(I64, reg["blocks"])])
        if self.threads <= 1:
            b.call(kfn, [bases, first])
            return
        if self.create is None:
            self.create, self.join, self.thunk = declare_threads(self.module)
        create, join, thunk, loops, threads = self.create, self.join, self.thunk, self.loops, self.threads
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

    def loop_step(self, k, body_items, region) -> None:
        """for i in [0, count): point each window at its sequence's step i, run the body, swap
        each carried pair; after the loop, an odd number of swaps copies the final state back
        into `current`'s own storage and both pointers are restored."""
        b, bases = self.b, self.bases
        reg = loop_step_region(k)
        n = _param(b, region, reg["count"])

        def word(base: int, j: int) -> ir.Value:
            return _param(b, region, base + j)

        def ptr_slot(index: ir.Value) -> ir.Value:
            return b.gep(bases, [index])
        saved = []
        for j in range(len(k.carried)):
            p = reg["carried"] + j * CARRY_WORDS
            cur_i, nxt_i = word(p, 0), word(p, 1)
            saved.append((cur_i, nxt_i, b.load(ptr_slot(cur_i)), b.load(ptr_slot(nxt_i)), word(p, 2)))

        def body(i, _):
            for j in range(len(k.sliced)):
                p = reg["slices"] + j * SLICE_WORDS
                win_i, seq_i, first, stride = (word(p, t) for t in range(SLICE_WORDS))
                seq = b.load(ptr_slot(seq_i))
                delta = b.add(first, b.mul(i, stride))
                b.store(b.gep(seq, [delta]), ptr_slot(win_i))
                if bounds.enabled():     # the window's extent: the sequence's, seen from the window
                    nb = b.load(self.module.globals["symnet_nbases"])
                    two = ir.Constant(I64, 2)
                    for t in range(2):
                        src = b.add(b.add(nb, b.mul(seq_i, two)), ir.Constant(I64, t))
                        dst = b.add(b.add(nb, b.mul(win_i, two)), ir.Constant(I64, t))
                        v = b.sub(b.ptrtoint(b.load(ptr_slot(src)), I64), delta)
                        b.store(b.inttoptr(v, I8P), ptr_slot(dst))
            self.items(body_items)
            for cur_i, nxt_i, _, _, _ in saved:
                c, x = b.load(ptr_slot(cur_i)), b.load(ptr_slot(nxt_i))
                b.store(x, ptr_slot(cur_i))
                b.store(c, ptr_slot(nxt_i))
            return []
        self.loops.range(n, body, name="step")
        for cur_i, nxt_i, cur0, nxt0, nbytes in saved:
            final = b.load(ptr_slot(cur_i))
            moved = b.icmp_unsigned("!=", b.ptrtoint(final, I64), b.ptrtoint(cur0, I64))
            with b.if_then(moved):
                def copy(t, _, final=final, cur0=cur0):
                    b.store(b.load(b.gep(final, [t])), b.gep(cur0, [t]))
                    return []
                self.loops.range(nbytes, copy, name="carry")
            b.store(cur0, ptr_slot(cur_i))
            b.store(nxt0, ptr_slot(nxt_i))


EMIT_CALL = {
    LoopKernel: _Driver.loop_kernel,
    GatherKernel: _Driver.gather,
    LoopStep: _Driver.loop_step,
    ArgKernel: _Driver.call,
    GemmKernel: _Driver.call,
}
