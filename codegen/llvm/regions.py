"""The parameter region of each kernel kind: the one description of its layout.

Every LLVM kernel is ``void k(i8** bases, i64* region)``; its region holds shapes, byte strides,
byte offsets and base indices as i64 words, filled per signature (codegen/llvm/params.py), read
by the emitted code (codegen/llvm/emit_*.py) and, for status words, by the runner. All three
read the slot positions from the Region objects below, so a layout is written down once.
"""
from __future__ import annotations

from typing import Any

from ..kernel import ArgKernel, GatherKernel, GemmKernel, LoopKernel, LoopStep


class Region:
    """Named slots: fields = [(name, n_words)], laid out in order."""

    def __init__(self, *fields: tuple) -> None:
        self.offsets: dict[str, int] = {}
        self.sizes: dict[str, int] = {}
        pos = 0
        for name, n in fields:
            self.offsets[name] = pos
            self.sizes[name] = n
            pos += n
        self.size = pos

    def __getitem__(self, name: str) -> int:
        return self.offsets[name]


def loop_block(k: LoopKernel) -> Region:
    """One block of a loop kernel: its shape, then per operand (inputs, then outputs) a byte
    offset and d byte strides, then per operand its base index."""
    d, nop = k.ndim, len(k.inputs) + len(k.outputs)
    return Region(("shape", d), ("operands", nop * (1 + d)), ("bases", nop))


def loop_operand(k: LoopKernel, j: int) -> int:
    """Slot of operand j's byte offset inside a block (its d strides follow)."""
    return loop_block(k)["operands"] + j * (1 + k.ndim)


def loop_region(k: LoopKernel, threads: int) -> Region:
    """[nblocks, fill_count, blocks]: blocks after the first run on their own threads;
    fill_count > 0 first fills a reduction's output with the identity."""
    return Region(("nblocks", 1), ("fill_count", 1), ("blocks", threads * loop_block(k).size))


def arg_region(k: ArgKernel) -> Region:
    d = k.ndim
    return Region(("shape", d), ("in_off", 1), ("in_strides", d), ("out_off", 1), ("out_strides", d - k.nred),
                  ("in_base", 1), ("out_base", 1))


_GATHER = Region(("n_idx", 1), ("n_rows", 1), ("row_elems", 1), ("x_off", 1), ("idx_off", 1), ("y_off", 1),
                 ("out_off", 1), ("status", 1), ("bad_index", 1), ("src_base", 1), ("out_base", 1), ("idx_base", 1))


def gather_region(k: GatherKernel) -> Region:
    """status is set to 1 (and bad_index to the index) when an index is out of range."""
    return _GATHER


def gemm_region(k: GemmKernel) -> Region:
    """trans: 0 row-major, 1 column-major (CblasTrans), 2 pack into the scratch first."""
    nb = k.nbatch
    ops = []
    for m in ("a", "b"):
        ops += [(f"{m}_off", 1), (f"{m}_bstrides", nb), (f"{m}_trans", 1), (f"{m}_ld", 1), (f"{m}_rs", 1),
                (f"{m}_cs", 1)]
    return Region(("batch", nb), ("M", 1), ("N", 1), ("K", 1), *ops, ("out_off", 1), ("out_bstrides", nb),
                  ("out_ld", 1), ("pack_a", 1), ("pack_b", 1), ("alpha_off", 1), ("beta_off", 1),
                  ("a_base", 1), ("b_base", 1), ("out_base", 1), ("alpha_base", 1), ("beta_base", 1))


SLICE_WORDS = 4      # window base, sequence base, byte offset of step 0, byte stride per step
CARRY_WORDS = 3      # current base, next base, bytes


def loop_step_region(k: LoopStep) -> Region:
    """[count, per slice (window, sequence, first, stride), per carried (current, next, nbytes)];
    the body kernels' regions follow their own offsets."""
    return Region(("count", 1), ("slices", SLICE_WORDS * len(k.sliced)), ("carried", CARRY_WORDS * len(k.carried)))


def region_size(k: Any, threads: int) -> int:
    return REGIONS[type(k)](k, threads).size


REGIONS = {
    LoopKernel: loop_region,
    ArgKernel: lambda k, threads: arg_region(k),
    GemmKernel: lambda k, threads: gemm_region(k),
    GatherKernel: lambda k, threads: gather_region(k),
    LoopStep: lambda k, threads: loop_step_region(k),
}
