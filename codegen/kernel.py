"""Backend-neutral kernel IR.

A compiled function is a list of steps over *buffers*. A buffer is a strided view (dtype, static
ndim; shape, strides and byte offset fixed per input-shape signature by the buffer plan) into a
*base* allocation: a function input, a shared variable's value, a constant, a temporary owned by
the plan, or a fresh array returned to the caller. Views (DimShuffle, Reshape, constant-index
Subtensor, keepdims) are buffers over the same base, so they cost no copy.

Kernels (what a backend prints):
- LoopKernel: a loop nest over `ndim` dims whose body is a scalar program (a Composite) reading
  input buffers (broadcast = stride 0) and writing output buffers; with `reduce` set, each output
  accumulates (sum/prod/max/min/any/all) over the dims where its stride is 0 - one form for
  elementwise, reductions and reductions with fused elementwise prologues.
- ArgKernel: argmax/argmin over trailing dims (the plan moves the reduced axis last).
- GemmKernel: a batched BLAS GEMM, out = alpha * op(A) @ op(B) + beta * out, with packing of
  operands BLAS cannot address.
- GatherKernel: row gather/scatter with integer indices (take, inc, set, and the class pick of
  sparse crossentropy); reports a bad index through a status word.
- LoopStep: runs a body of kernels n times inside the native driver; buffers that are step i of a
  sequence get per-iteration addresses, carried states swap their two buffers between iterations.
- FallbackStep: a node run by its NumPy `perform` between native segments (explicit, listed in
  `f.kernels`).

This module is the whole contract between lowering (codegen/lower/) and a backend: every field a
backend reads is declared here. Shapes and strides are never baked into code, so one compiled
driver serves every signature; the buffer plan (codegen/lower/plan.py) gives them per signature
and codegen/checks.py checks each kernel kind's shape relations there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

# kinds of base allocations: a function input, a shared variable's value, constant data, a
# temporary owned by the plan, a fresh array returned to the caller, a value computed at plan time
# (shape arithmetic), and a window: the base address of step i of a LoopStep's sequence
INPUT, SHARED, CONST, TEMP, FRESH, PLANVAL, WINDOW = "input", "shared", "const", "temp", "fresh", "planval", "window"


@dataclass
class Base:
    """One allocation. `index` is its slot in the driver's array of base pointers."""
    index: int
    kind: str
    dtype: str
    ndim: int
    ref: Any = None          # input position, SharedVariable, Constant data, the producing Variable,
    #                          a shape function (plan -> shape) for temporaries, or (WINDOW) a SequenceSlice
    contiguous: bool = False  # statically known to be C-contiguous
    update_target: Any = None  # a SharedVariable whose storage this (TEMP) base is, when written in place


@dataclass
class Buffer:
    """A strided view of a base. `view` (codegen/lower/views.py) maps the parent's (offset, shape,
    strides) to this one's at plan time; None means the buffer is the whole base (C-contiguous
    for owned bases)."""
    index: int
    base: Base
    dtype: str
    ndim: int
    parent: Optional["Buffer"] = None
    view: Optional[Callable[[int, tuple, tuple, dict], tuple]] = None
    contiguous: bool = False
    var: Any = None           # the graph variable it holds (None for internal temporaries)
    sshape: Any = None        # static shape (None entries unknown; None: unknown rank info)


@dataclass(frozen=True)
class ShapeFrom:
    """Where the plan takes a kernel's loop shape from: the shape of `buffers[0]`, or with
    `broadcast` the broadcast of all `buffers` (reductions: the inputs' full shape)."""
    buffers: tuple = ()
    broadcast: bool = False

    @staticmethod
    def of(buf: "Buffer") -> "ShapeFrom":
        return ShapeFrom((buf,), False)

    @staticmethod
    def broadcast_of(bufs: list) -> "ShapeFrom":
        return ShapeFrom(tuple(bufs), True)


@dataclass(frozen=True)
class Sampler:
    """A LoopKernel body that draws random numbers: element i of the output is sample number i
    (flat C-order index) of `dist` in `dtype` from the Philox key/counter in inputs 0 and 1; the
    other inputs are the distribution's parameters."""
    dist: str = "uniform"
    dtype: str = "float32"


@dataclass
class Kernel:
    name: str
    nodes: list = field(default_factory=list)   # graph Apply nodes this kernel came from
    source: str = ""                              # filled by the backend (LLVM IR)
    asm: str = ""

    def describe(self) -> str:
        scopes = sorted({n.tag.get("scope", "") for n in self.nodes if getattr(n, "tag", None)} - {""})
        ops = ", ".join(str(n.op) for n in self.nodes)
        return f"{self.name}: {type(self).__name__} [{ops}]" + (f" scopes={scopes}" if scopes else "")


@dataclass
class LoopKernel(Kernel):
    """outputs[j][idx] = program(inputs[..][idx])[j] (or accumulated with `reduce`)."""
    ndim: int = 0
    inputs: list = field(default_factory=list)    # Buffers, broadcast to the loop shape
    outputs: list = field(default_factory=list)   # Buffers
    composite: Any = None                         # symnet.scalar.Composite (in_dtypes = input dtypes)
    reduce: Optional[str] = None                  # None | sum | prod | max | min | any | all
    shape_from: Optional[ShapeFrom] = None        # where the plan takes the loop shape from
    parallel: bool = True                          # may split across threads
    reduced_axes: tuple = ()                      # loop dims an output accumulates over (for readers)
    sampler: Optional[Sampler] = None             # set: the body draws samples (composite is None)


@dataclass
class ArgKernel(Kernel):
    """out[kept] = index of the first max/min (nan wins, as NumPy) over the last `nred` dims."""
    kind: str = "max"
    ndim: int = 0
    nred: int = 1
    input: Any = None        # Buffer of ndim dims, reduced dims last
    output: Any = None       # int64 Buffer of the kept (ndim - nred) dims


@dataclass
class GemmKernel(Kernel):
    """For every batch index: out = alpha * A @ B + beta * out (A, B, out as batched matrices)."""
    nbatch: int = 0
    a: Any = None
    b: Any = None
    out: Any = None
    alpha: Any = None        # Buffer of a scalar or None (1)
    beta: Any = None         # Buffer of a scalar or None (0)
    dtype: str = "float32"


@dataclass
class GatherKernel(Kernel):
    """Row gather/scatter on axis 0 with integer indices (negative wrap, out of range -> IndexError):
    take: out[i] = x[idx[i]]; inc: out[idx[i]] += y[i] (repeats accumulate); set: out[idx[i]] = y[i];
    pick: out[r] = x[r, idx[r]] over the rows r of x (class indices, no wrap).
    x (take, pick) / out (inc, set), idx and y are C-contiguous buffers."""
    mode: str = "take"       # take | inc | set | pick
    x: Any = None
    idx: Any = None
    y: Any = None
    out: Any = None


@dataclass
class FallbackStep(Kernel):
    """Runs `node.op.perform` in Python; the reason says why it is not native."""
    node: Any = None
    inputs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    reason: str = ""


@dataclass
class Program:
    """Everything lowering produces for one FunctionGraph."""
    bases: list
    buffers: list
    steps: list                                   # kernels and fallbacks, in order
    var_buffer: dict                              # id(Variable) -> Buffer
    plan_nodes: list                              # nodes evaluated at plan time (shape arithmetic)
    input_bases: list                             # Base per fgraph input
    shared_bases: list                            # (SharedVariable, Base)
    output_buffers: list                          # Buffer per fgraph output
    update_copies: list = field(default_factory=list)  # (SharedVariable, value Buffer, copy kernel)
    value_inputs: list = field(default_factory=list)   # input positions whose values key the plan
    value_shared: list = field(default_factory=list)   # SharedVariables whose values key the plan
    direct_updates: list = field(default_factory=list)  # (SharedVariable, Buffer written in its storage)


@dataclass
class SequenceSlice:
    """`step` (a buffer over a WINDOW base) is iteration i of `sequence` along `axis`: the driver
    points the window at sequence + i * stride(axis) (from the end backwards with `reverse`)."""
    sequence: Any = None     # Buffer of the whole sequence
    step: Any = None         # Buffer the body reads or writes: the sequence without `axis`
    axis: int = 0
    reverse: bool = False


@dataclass
class CarriedState:
    """A state carried from one iteration to the next in two buffers of one shape (whole TEMP
    bases): the body reads `current` and writes `next`; the driver swaps their base addresses
    after every iteration, and after the loop the final state is in `current`'s storage (the
    driver copies it back there after an odd number of swaps)."""
    current: Any = None
    next: Any = None


@dataclass
class LoopStep(Kernel):
    """Runs `body` (kernels, no fallbacks) n times natively, n = the size of `count_from` along
    `count_axis`. Forward only; scan and its gradient are built on it by the recurrent lowering."""
    body: list = field(default_factory=list)
    count_from: Any = None   # Buffer
    count_axis: int = 0
    sliced: list = field(default_factory=list)    # SequenceSlice
    carried: list = field(default_factory=list)   # CarriedState
