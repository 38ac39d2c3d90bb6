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
- FallbackStep: a node run by its NumPy `perform` between native segments (explicit, listed in
  `f.kernels`).

Shapes and strides are never baked into code, so one compiled driver serves every signature.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

# kinds of base allocations
INPUT, SHARED, CONST, TEMP, FRESH, PLANVAL = "input", "shared", "const", "temp", "fresh", "planval"


@dataclass
class Base:
    """One allocation. `index` is its slot in the driver's array of base pointers."""
    index: int
    kind: str
    dtype: str
    ndim: int
    ref: Any = None          # input position, SharedVariable, Constant data, or the producing Variable
    contiguous: bool = False  # statically known to be C-contiguous


@dataclass
class Buffer:
    """A strided view of a base. `view` maps the parent's (offset, shape, strides) to this one's
    at plan time; None means the buffer is the whole base (C-contiguous for owned bases)."""
    index: int
    base: Base
    dtype: str
    ndim: int
    parent: Optional["Buffer"] = None
    view: Optional[Callable[[int, tuple, tuple, dict], tuple]] = None
    contiguous: bool = False
    var: Any = None           # the graph variable it holds (None for internal temporaries)
    sshape: Any = None        # static shape (None entries unknown; None: unknown rank info)


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
    shape_from: Any = None                        # how the plan gets the loop shape (see lower.py)
    parallel: bool = True                          # may split across threads


@dataclass
class ArgKernel(Kernel):
    """out[kept] = index of the first max/min (nan wins, as NumPy) over the last `nred` dims."""
    kind: str = "max"
    ndim: int = 0
    nred: int = 1
    input: Any = None
    output: Any = None
    shape_from: Any = None


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
    shape_from: Any = None


@dataclass
class GatherKernel(Kernel):
    """Row gather/scatter on axis 0 with integer indices (negative wrap, out of range -> IndexError):
    take: out[i] = x[idx[i]]; inc: out[idx[i]] += y[i] (repeats accumulate); set: out[idx[i]] = y[i].
    x (take) / out (inc, set), idx and y are C-contiguous buffers."""
    mode: str = "take"
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
    value_inputs: list = field(default_factory=list)   # integer scalar inputs whose values key the plan


@dataclass
class SequenceSlice:
    """A body buffer that is iteration i of `sequence` along `axis` (placeholder, see LoopStep)."""
    sequence: Any = None
    step: Any = None
    axis: int = 0


@dataclass
class CarriedState:
    """Two buffers of one state: the body reads `current`, writes `next`; they swap per iteration."""
    current: Any = None
    next: Any = None


@dataclass
class LoopStep(Kernel):
    """Runs `body` (kernels) n times natively."""
    body: list = field(default_factory=list)
    sliced: list = field(default_factory=list)
    carried: list = field(default_factory=list)
