"""Kernel IR (codegen/kernel.py) -> CUDA C, one `extern "C" __global__` function per kernel.

Every kernel takes ONE parameter struct by value (`<name>_params`, in the constant bank), so a
kernel is shape-generic like the LLVM ones: shapes and byte strides are filled per buffer plan.
The launch contract a runtime must follow (written here, checked by nothing yet - there is no
CUDA runtime; see codegen/cuda/__init__.py):

- loop (elementwise; random samplers: sample number = the flat C-order loop index, so their loop
  shape must be the output's, uncollapsed order preserved): `ptr[j]` = base address + byte offset of operand j (inputs, then outputs),
  `shape` the loop shape (size-1 dims may be dropped / contiguous dims merged as on LLVM, padding
  with 1), `st[j][a]` operand j's byte stride along loop dim a (0: broadcast); `flat` = 1 when
  every dim but the last has size 1 (offsets are then i * st[j][last], no division per dim).
  Any 1-D grid of 1-D blocks; grid-stride loop over the flat index.
- reduction (LoopKernel with `reduce`): loop dims split into kept dims (`kshape`, `kst`, first
  `nkeep` entries used) and reduced dims (`rshape`, `rst`, `nred` used): the dims where every
  output's stride is 0. blockDim.x a multiple of 32 (<= 1024). One block per output row
  (blockIdx.x, grid-stride); gridDim.y > 1 splits each row's range across blocks that write
  partials (`partial[j]`: rows * gridDim.y values of output j's dtype) and `<name>_finish`
  (launched with the same params, gridDim.y = 1, `nsplit` = the first launch's gridDim.y) reduces
  them into the outputs.
- arg (argmax/argmin): `in`, `out` addresses, `shape` the input shape (reduced dims last),
  `in_st` / `out_st` byte strides; one block per kept row, as reductions.
- gather: C-contiguous buffers; `status[0]` set to 1 and `status[1]` to the bad index when an
  index is out of range (a device word the runtime reads after the segment). take/pick: one
  thread per element; inc/set: one thread per column, the index rows in order (so repeated
  indices accumulate / the last one wins, exactly as NumPy, without atomics).
- gemm: see print_gemm (a tiled fallback; the fast path meant for GEMM is cuBLAS).
"""
from __future__ import annotations

import re
from typing import Any, Callable

from ..kernel import ArgKernel, GatherKernel, GemmKernel, LoopKernel
from .philox import sample_expr
from .scalar import convert, ctype, is_f, is_u, literal, live_slots, mem_ctype, print_program, prune_unused

BLOCK = 256          # __launch_bounds__ of every kernel (the block size a runtime launches)


def c_name(name: str) -> str:
    """A C identifier from a kernel name."""
    s = re.sub(r"\W", "_", name)
    return s if re.match(r"[A-Za-z_]", s) else "k_" + s


class _Names:
    def __init__(self, prefix: str = "v") -> None:
        self.n, self.prefix = 0, prefix

    def __call__(self) -> str:
        self.n += 1
        return f"{self.prefix}{self.n}"


def _load(ptr: str, dtype: str) -> str:
    v = f"*(const {mem_ctype(dtype)}*)({ptr})"
    return f"({v} != 0)" if dtype == "bool" else v


def _store(ptr: str, value: str, dtype: str) -> str:
    return f"*({mem_ctype(dtype)}*)({ptr}) = ({mem_ctype(dtype)})({value});"


def _indent(lines: list, n: int) -> list:
    return [" " * n + ln for ln in lines]


def _decompose(index: str, shape: str, strides: list, dims: int, offs: list, guard: str = "") -> list:
    """Lines adding the byte offsets of flat C-order `index` over `shape[0:dims]` to `offs`."""
    lines = [f"long long rem = {index};"]
    body = [f"const long long ij = rem % {shape}[a]; rem /= {shape}[a];"]
    body += [f"{o} += ij * {st}[a];" for o, st in zip(offs, strides)]
    lines.append("#pragma unroll")
    lines.append(f"for (int a = {dims - 1}; a >= 0; --a) {{")
    if guard:
        lines.append(f"  if (a >= {guard}) continue;")
    lines += _indent(body, 2)
    lines.append("}")
    return ["{"] + _indent(lines, 2) + ["}"]


def _body(k: LoopKernel, offs: list, flat: str = "i") -> tuple[list, list]:
    """Lines loading the inputs at `offs` and computing the composite (or a sampler's sample number
    `flat`, the flat C-order loop index): (lines, [(expr, dtype)])."""
    names = _Names()
    lines = []
    xs = []
    live = live_slots(k.composite) if k.sampler is None else set(range(len(k.inputs)))
    for j, buf in enumerate(k.inputs):
        x = f"x{j}"
        if j not in live:
            xs.append("0")
            continue
        lines.append(f"const {ctype(buf.dtype)} {x} = {_load(f'p.ptr[{j}] + {offs[j]}', buf.dtype)};")
        xs.append(x)
    if k.sampler is not None:
        if k.reduce:
            raise NotImplementedError("a reducing sampler kernel in codegen/cuda/emit.py")
        return lines, [(sample_expr(k.sampler.dist, k.sampler.dtype, xs, flat), k.sampler.dtype)]
    outs = print_program(k.composite, xs, lines, names)
    return lines, outs


def print_loop(k: LoopKernel, name: str) -> str:
    return _print_reduce(k, name) if k.reduce else _print_elementwise(k, name)


def _print_elementwise(k: LoopKernel, name: str) -> str:
    nin = len(k.inputs)
    nop, d = nin + len(k.outputs), max(k.ndim, 1)
    offs = [f"o{j}" for j in range(nop)]
    body, outs = _body(k, offs)
    for j, ((v, vdt), buf) in enumerate(zip(outs, k.outputs)):
        body.append(_store(f"p.ptr[{nin + j}] + {offs[nin + j]}", convert(v, vdt, buf.dtype), buf.dtype))
    loop = [f"long long {', '.join(o + ' = 0' for o in offs)};"]
    if k.ndim:
        # flat: the loop collapsed to its last dim (contiguous operands, scalars broadcast):
        # offsets without a division per dim
        loop.append("if (p.flat) {")
        loop += [f"  {o} = i * p.st[{j}][{k.ndim - 1}];" for j, o in enumerate(offs)]
        loop.append("} else")
        loop += _decompose("i", "p.shape", [f"p.st[{j}]" for j in range(nop)], k.ndim, offs)
    loop += prune_unused(body)
    n = " * ".join(f"p.shape[{a}]" for a in range(k.ndim)) or "1"
    return "\n".join([
        f"struct {name}_params {{ char* ptr[{nop}]; long long shape[{d}]; long long st[{nop}][{d}]; int flat; }};",
        f"extern \"C\" __global__ void __launch_bounds__({BLOCK}) {name}(const {name}_params p) {{",
        f"  const long long n = {n};",
        "  const long long step = (long long)gridDim.x * blockDim.x;",
        "  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {",
        *_indent(loop, 4),
        "  }",
        "}",
    ])


def identity(kind: str, dtype: str) -> str:
    if kind in ("sum", "any"):
        return literal(0, dtype)
    if kind in ("prod", "all"):
        return literal(1, dtype)
    if is_f(dtype):
        return literal(float("-inf") if kind == "max" else float("inf"), dtype)
    if dtype == "bool":
        return literal(kind != "max", dtype)
    bits = 8 * {"int8": 1, "uint8": 1, "int16": 2, "uint16": 2, "int32": 4, "uint32": 4}.get(dtype, 8)
    if is_u(dtype):
        return literal(0 if kind == "max" else (1 << bits) - 1, dtype)
    return literal(-(1 << (bits - 1)) if kind == "max" else (1 << (bits - 1)) - 1, dtype)


def accumulate(kind: str, acc: str, v: str, dtype: str) -> str:
    """The C expression acc (+) v of reduction `kind` (as codegen/llvm/emit_loop.accumulate)."""
    if kind in ("any", "all") or dtype == "bool":
        lor = kind in ("any", "sum", "max")
        sym = ("||" if lor else "&&") if dtype == "bool" else ("|" if lor else "&")
        return f"({ctype(dtype)})({acc} {sym} {v})"
    if kind in ("sum", "prod"):
        from .scalar import CUDA_OPS
        return f"({ctype(dtype)}){CUDA_OPS['add' if kind == 'sum' else 'mul'](None, [acc, v], dtype)}"
    if is_f(dtype):
        return f"sn_f{kind}_red({acc}, {v})"
    return f"sn_i{kind}({acc}, {v})"


def _block_reduce(accs: list, kind: str) -> list:
    """Lines reducing each thread's accs[j] = (name, dtype) into thread 0 (shared sm{j}[32])."""
    lines = []
    for j, (a, dt) in enumerate(accs):
        lines.append(f"for (int d = 16; d > 0; d >>= 1) {a} = {accumulate(kind, a, f'sn_shfl_down({a}, d)', dt)};")
        lines.append(f"if ((threadIdx.x & 31) == 0) sm{j}[threadIdx.x >> 5] = {a};")
    lines.append("__syncthreads();")
    lines.append("if (threadIdx.x < 32) {")
    for j, (a, dt) in enumerate(accs):
        lines.append(f"  {a} = threadIdx.x < (blockDim.x >> 5) ? sm{j}[threadIdx.x] : {identity(kind, dt)};")
        lines.append(f"  for (int d = 16; d > 0; d >>= 1) {a} = "
                     f"{accumulate(kind, a, f'sn_shfl_down({a}, d)', dt)};")
    lines.append("}")
    return lines


def _print_reduce(k: LoopKernel, name: str) -> str:
    nin, nout = len(k.inputs), len(k.outputs)
    nop, d = nin + nout, max(k.ndim, 1)
    kind = k.reduce
    offs = [f"o{j}" for j in range(nop)]
    kofs = [f"ko{j}" for j in range(nop)]
    accs = [(f"acc{j}", buf.dtype) for j, buf in enumerate(k.outputs)]
    body, outs = _body(k, offs)
    for (a, dt), (v, vdt) in zip(accs, outs):
        body.append(f"{a} = {accumulate(kind, a, convert(v, vdt, dt), dt)};")
    inner = [f"long long {', '.join(f'{o} = {ko}' for o, ko in zip(offs, kofs))};"]
    inner += _decompose("i", "p.rshape", [f"p.rst[{j}]" for j in range(nop)], d, offs, guard="p.nred")
    inner += prune_unused(body)
    store = []
    for j, ((a, dt), buf) in enumerate(zip(accs, k.outputs)):
        store.append(f"  if (gridDim.y == 1) {_store(f'p.ptr[{nin + j}] + {kofs[nin + j]}', a, dt)}")
        store.append(f"  else (({mem_ctype(dt)}*)p.partial[{j}])[row * gridDim.y + blockIdx.y] = "
                     f"({mem_ctype(dt)})({a});")
    shared = [f"__shared__ {ctype(dt)} sm{j}[32];" for j, (_, dt) in enumerate(accs)]
    prod = "\n".join([
        "  long long rows = 1, len = 1;",
        "#pragma unroll",
        f"  for (int a = 0; a < {d}; ++a) {{ if (a < p.nkeep) rows *= p.kshape[a]; "
        "if (a < p.nred) len *= p.rshape[a]; }",
    ])
    row_offs = [f"long long {', '.join(ko + ' = 0' for ko in kofs)};"]
    row_offs += _decompose("row", "p.kshape", [f"p.kst[{j}]" for j in range(nop)], d, kofs, guard="p.nkeep")
    main = "\n".join([
        f"struct {name}_params {{ char* ptr[{nop}]; long long kshape[{d}]; long long rshape[{d}]; "
        f"long long kst[{nop}][{d}]; long long rst[{nop}][{d}]; int nkeep; int nred; char* partial[{nout}]; }};",
        f"extern \"C\" __global__ void __launch_bounds__({BLOCK}) {name}(const {name}_params p) {{",
        *_indent(shared, 2),
        prod,
        "  const long long chunk = (len + gridDim.y - 1) / gridDim.y;",
        "  const long long lo = blockIdx.y * chunk, hi = lo + chunk < len ? lo + chunk : len;",
        "  for (long long row = blockIdx.x; row < rows; row += gridDim.x) {",
        *_indent(row_offs, 4),
        *_indent([f"{ctype(dt)} {a} = {identity(kind, dt)};" for a, dt in accs], 4),
        "    for (long long i = lo + threadIdx.x; i < hi; i += blockDim.x) {",
        *_indent(inner, 6),
        "    }",
        *_indent(_block_reduce(accs, kind), 4),
        "    if (threadIdx.x == 0) {",
        *_indent(store, 4),
        "    }",
        "    __syncthreads();",
        "  }",
        "}",
    ])
    fin_load = [f"if (s < nsplit) {a} = {accumulate(kind, a, f'(({mem_ctype(dt)}*)p.partial[{j}])[row * nsplit + s]', dt)};"
                for j, (a, dt) in enumerate(accs)]
    finish = "\n".join([
        f"extern \"C\" __global__ void __launch_bounds__({BLOCK}) {name}_finish(const {name}_params p, int nsplit) {{",
        *_indent(shared, 2),
        prod,
        "  for (long long row = blockIdx.x; row < rows; row += gridDim.x) {",
        *_indent(row_offs, 4),
        *_indent([f"{ctype(dt)} {a} = {identity(kind, dt)};" for a, dt in accs], 4),
        "    for (int s = threadIdx.x; s < nsplit; s += blockDim.x) {",
        *_indent(fin_load, 6),
        "    }",
        *_indent(_block_reduce(accs, kind), 4),
        "    if (threadIdx.x == 0) {",
        *_indent([_store(f"p.ptr[{nin + j}] + {kofs[nin + j]}", a, dt) for j, (a, dt) in enumerate(accs)], 6),
        "    }",
        "    __syncthreads();",
        "  }",
        "}",
    ])
    return main + "\n" + finish


def print_arg(k: ArgKernel, name: str) -> str:
    """argmax/argmin over the last nred dims: the first extremum, nan wins (NumPy)."""
    d, nkeep = k.ndim, k.ndim - k.nred
    dt = k.input.dtype
    t = ctype(dt)
    greater = "true" if k.kind == "max" else "false"
    kd = max(nkeep, 1)
    return "\n".join([
        f"struct {name}_params {{ const char* in; char* out; long long shape[{d}]; long long in_st[{d}]; "
        f"long long out_st[{kd}]; }};",
        f"extern \"C\" __global__ void __launch_bounds__({BLOCK}) {name}(const {name}_params p) {{",
        f"  __shared__ {t} smv[32];",
        "  __shared__ long long smi[32];",
        "  long long rows = 1, len = 1;",
        f"  for (int a = 0; a < {nkeep}; ++a) rows *= p.shape[a];",
        f"  for (int a = {nkeep}; a < {d}; ++a) len *= p.shape[a];",
        "  for (long long row = blockIdx.x; row < rows; row += gridDim.x) {",
        "    long long ioff = 0, ooff = 0, rem = row;",
        f"    for (int a = {nkeep - 1}; a >= 0; --a) {{ const long long ij = rem % p.shape[a]; rem /= p.shape[a]; "
        "ioff += ij * p.in_st[a]; ooff += ij * p.out_st[a]; }",
        f"    {t} bv = ({t})0; long long bi = -1;",
        "    for (long long i = threadIdx.x; i < len; i += blockDim.x) {",
        "      long long off = ioff, r = i;",
        f"      for (int a = {d - 1}; a >= {nkeep}; --a) {{ off += (r % p.shape[a]) * p.in_st[a]; r /= p.shape[a]; }}",
        f"      const {t} v = {_load('p.in + off', dt)};",
        f"      if (sn_arg_better(v, i, bv, bi, {greater})) {{ bv = v; bi = i; }}",
        "    }",
        "    for (int s = 16; s > 0; s >>= 1) {",
        f"      const {t} ov = sn_shfl_down(bv, s); const long long oi = sn_shfl_down(bi, s);",
        f"      if (sn_arg_better(ov, oi, bv, bi, {greater})) {{ bv = ov; bi = oi; }}",
        "    }",
        "    if ((threadIdx.x & 31) == 0) { smv[threadIdx.x >> 5] = bv; smi[threadIdx.x >> 5] = bi; }",
        "    __syncthreads();",
        "    if (threadIdx.x < 32) {",
        "      bi = threadIdx.x < (blockDim.x >> 5) ? smi[threadIdx.x] : -1;",
        f"      bv = threadIdx.x < (blockDim.x >> 5) ? smv[threadIdx.x] : ({t})0;",
        "      for (int s = 16; s > 0; s >>= 1) {",
        f"        const {t} ov = sn_shfl_down(bv, s); const long long oi = sn_shfl_down(bi, s);",
        f"        if (sn_arg_better(ov, oi, bv, bi, {greater})) {{ bv = ov; bi = oi; }}",
        "      }",
        "      if (threadIdx.x == 0) *(long long*)(p.out + ooff) = bi < 0 ? 0 : bi;",
        "    }",
        "    __syncthreads();",
        "  }",
        "}",
    ])


def _wrap_index(k: GatherKernel, j: str) -> str:
    return "" if k.mode == "pick" else f"if ({j} < 0) {j} += p.n_rows;"


def print_gather(k: GatherKernel, name: str) -> str:
    dt, idt = k.out.dtype, k.idx.dtype
    mt = mem_ctype(dt)
    load_j = f"long long j = (long long)((const {mem_ctype(idt)}*)p.idx)[r]; const long long j0 = j; {_wrap_index(k, 'j')}"
    bad = ("if (j < 0 || j >= p.n_rows) { if (atomicCAS(p.status, 0ULL, 1ULL) == 0ULL) "
           "p.status[1] = (unsigned long long)j0; continue; }")
    head = [f"struct {name}_params {{ const char* src; const char* idx; char* out; long long n_idx; long long n_rows; "
            "long long row_elems; unsigned long long* status; };",
            f"extern \"C\" __global__ void __launch_bounds__({BLOCK}) {name}(const {name}_params p) {{",
            "  const long long step = (long long)gridDim.x * blockDim.x;",
            "  const long long t0 = (long long)blockIdx.x * blockDim.x + threadIdx.x;"]
    src, out = f"((const {mt}*)p.src)", f"(({mt}*)p.out)"
    if k.mode in ("take", "pick"):
        target = f"{src}[r * p.n_rows + j]" if k.mode == "pick" else f"{src}[j * p.row_elems + c]"
        rc = "r = e" if k.mode == "pick" else "r = e / p.row_elems, c = e % p.row_elems"
        body = ["  for (long long e = t0; e < p.n_idx * p.row_elems; e += step) {",
                f"    const long long {rc};",
                f"    {load_j}",
                f"    {bad}",
                f"    {out}[e] = {target};",
                "  }"]
    else:
        if k.mode == "inc":
            if dt == "bool":
                upd = f"{out}[j * p.row_elems + c] = ({mt})({out}[j * p.row_elems + c] | {src}[r * p.row_elems + c]);"
            else:
                from .scalar import CUDA_OPS
                add = CUDA_OPS["add"](None, [f"{out}[j * p.row_elems + c]", f"{src}[r * p.row_elems + c]"], dt)
                upd = f"{out}[j * p.row_elems + c] = ({mt}){add};"
        else:
            upd = f"{out}[j * p.row_elems + c] = {src}[r * p.row_elems + c];"
        body = ["  for (long long c = t0; c < p.row_elems; c += step) {",
                "    for (long long r = 0; r < p.n_idx; ++r) {",
                f"      {load_j}",
                f"      {bad}",
                f"      {upd}",
                "    }",
                "  }"]
    return "\n".join(head + body + ["}"])


# kernel class -> printer(kernel, C name of its __global__ function) -> CUDA C
PRINTERS: dict[type, Callable[[Any, str], str]] = {
    LoopKernel: print_loop,
    ArgKernel: print_arg,
    GatherKernel: print_gather,
}
PRINTERS[GemmKernel] = lambda k, name: print_gemm(k, name)

ARG_PRELUDE = r"""
// argmax/argmin: (v, i) beats (b, bi): a candidate over none (-1), the first nan, then the
// larger (smaller) value, ties to the lower index
template <typename T> __device__ __forceinline__ bool sn_arg_better(T v, long long i, T b, long long bi, bool greater) {
  if (i < 0) return false;
  if (bi < 0) return true;
  if (v != v) return b == b || i < bi;
  if (b != b) return false;
  if (v == b) return i < bi;
  return greater ? v > b : v < b;
}
"""


GEMM_TILE = 16       # a GEMM block is GEMM_TILE x GEMM_TILE threads, one output element each


def print_gemm(k: Any, name: str) -> str:
    """The tiled shared-memory GEMM (the fallback of cuBLAS, which no runtime calls yet): for every
    batch index, out = alpha * A @ B + beta * out over byte-strided operands (transposed views
    need no packing); alpha/beta null mean 1/0, and beta == 0 never reads out (as BLAS).
    Launch: blockDim (16, 16), gridDim (ceil(N/16), ceil(M/16), any z: grid-stride over batches)."""
    t, nb, T = ctype(k.dtype), k.nbatch, GEMM_TILE
    bd = max(nb, 1)
    at = lambda p, r, c, m: f"*(const {t}*)({p} + ({r}) * p.{m}_rs + ({c}) * p.{m}_cs)"  # noqa: E731
    return "\n".join([
        f"struct {name}_params {{ const char* a; const char* b; char* out; const char* alpha; const char* beta; "
        f"long long M, N, K; long long batch[{bd}]; long long a_bst[{bd}], b_bst[{bd}], out_bst[{bd}]; "
        "long long a_rs, a_cs, b_rs, b_cs, out_rs, out_cs; };",
        f"extern \"C\" __global__ void __launch_bounds__({T * T}) {name}(const {name}_params p) {{",
        f"  __shared__ {t} ta[{T}][{T}];",
        f"  __shared__ {t} tb[{T}][{T} + 1];",
        f"  const {t} alpha = p.alpha ? *(const {t}*)p.alpha : ({t})1;",
        f"  const {t} beta = p.beta ? *(const {t}*)p.beta : ({t})0;",
        f"  const long long row = (long long)blockIdx.y * {T} + threadIdx.y, col = (long long)blockIdx.x * {T} + threadIdx.x;",
        "  long long nbatch = 1;",
        f"  for (int a = 0; a < {nb}; ++a) nbatch *= p.batch[a];",
        "  for (long long bi = blockIdx.z; bi < nbatch; bi += gridDim.z) {",
        "    const char* A = p.a; const char* B = p.b; char* O = p.out;",
        "    long long rem = bi;",
        f"    for (int a = {nb - 1}; a >= 0; --a) {{ const long long ij = rem % p.batch[a]; rem /= p.batch[a]; "
        "A += ij * p.a_bst[a]; B += ij * p.b_bst[a]; O += ij * p.out_bst[a]; }",
        f"    {t} acc = ({t})0;",
        f"    for (long long k0 = 0; k0 < p.K; k0 += {T}) {{",
        f"      const long long ka = k0 + threadIdx.x, kb = k0 + threadIdx.y;",
        f"      ta[threadIdx.y][threadIdx.x] = (row < p.M && ka < p.K) ? {at('A', 'row', 'ka', 'a')} : ({t})0;",
        f"      tb[threadIdx.y][threadIdx.x] = (kb < p.K && col < p.N) ? {at('B', 'kb', 'col', 'b')} : ({t})0;",
        "      __syncthreads();",
        "#pragma unroll",
        f"      for (int kk = 0; kk < {T}; ++kk) acc += ta[threadIdx.y][kk] * tb[kk][threadIdx.x];",
        "      __syncthreads();",
        "    }",
        "    if (row < p.M && col < p.N) {",
        f"      {t}* o = ({t}*)(O + row * p.out_rs + col * p.out_cs);",
        "      *o = beta == 0 ? alpha * acc : alpha * acc + beta * *o;",
        "    }",
        "  }",
        "}",
    ])
