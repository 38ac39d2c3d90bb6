"""sin/cos/tan beyond the pure-IR fast path: |x| > SINCOS_LIMIT goes to libm, through helper
functions with vector variants so the loop vectoriser still widens the loop (vmath.emit_unary's
``libm_fallback``, on by default): glibc's full range reduction, float32 tan = double sin/cos
rounded once.  The kernel calls a helper with vector variants once per vector, so the loop stays
vectorised; the helper costs a compare and a not-taken branch per vector unless a lane is huge.
libm_fallback=False: pure IR without the helper call, nan for SINCOS_LIMIT < |x| < inf."""
from __future__ import annotations

import math

from llvmlite import ir

from .vmath import SINCOS_LIMIT, _E


# vector widths for which a variant of each full-range helper is declared: what the loop
# vectoriser picks on AVX2/AVX-512 (float64 4/8, float32 8/16).  At another width it scalarises
# the call (still correct).  Each width costs JIT time (2-64 lanes: sin compiled ~3x slower
# than exp; these three: about the same as exp, measured on a busy host).
_VARIANT_LANES = (4, 8, 16)


def full_range(e: _E, name: str, x, y):
    """y where |x| <= SINCOS_LIMIT or x is not finite, else libm name(x).

    A call to ``symnet_vm_<name><bits>(x, y)``: a noinline readnone function whose
    "vector-function-abi-variant" attribute names a vector version per width, so the loop
    vectoriser widens the call instead of giving up on the loop (a branch around a libm call in
    the loop body keeps the loop scalar, measured)."""
    scalar_fn = _full_range_functions(e.b.module, name, e.bits)
    if e.n:
        vfn = e.b.module.globals.get(f"{scalar_fn.name}_v{e.n}")
        if vfn is None:
            vfn = _define_variant(e.b.module, name, e.bits, e.n)
        return e.b.call(vfn, [x, y])
    return e.b.call(scalar_fn, [x, y])


def _full_range_functions(mod: ir.Module, name: str, bits: int) -> ir.Function:
    fname = f"symnet_vm_{name}{bits}"
    fn = mod.globals.get(fname)
    if fn is not None:
        return fn
    elem = ir.FloatType() if bits == 32 else ir.DoubleType()
    fn = ir.Function(mod, ir.FunctionType(elem, [elem, elem]), fname)
    for a in ("noinline", "nounwind", "readnone"):
        fn.attributes.add(a)
    variants = ",".join(f"_ZGV_LLVM_N{n}vv_{fname}({fname}_v{n})" for n in _VARIANT_LANES)
    # llvmlite's attribute set knows no string attributes: add the raw text (printed as is)
    set.add(fn.attributes, f'"vector-function-abi-variant"="{variants}"')
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    e = _E(b, elem)
    x, y = fn.args
    b.ret(e.sel(_huge(e, x), _libm_value(b, name, bits, x), y))
    for n in _VARIANT_LANES:
        _define_variant(mod, name, bits, n)
    return fn


def _huge(e: _E, x):
    ax = e.fabs(x)
    return e.b.and_(e.cmp(">", ax, e.c(SINCOS_LIMIT)), e.cmp("<", ax, e.c(math.inf)))


def _libm(mod: ir.Module, name: str, bits: int) -> ir.Function:
    elem = ir.FloatType() if bits == 32 else ir.DoubleType()
    cname = name + ("f" if bits == 32 else "")
    fn = mod.globals.get(cname)
    if fn is None:
        fn = ir.Function(mod, ir.FunctionType(elem, [elem]), cname)
        fn.attributes.add("nounwind")
    return fn


def _libm_value(b: ir.IRBuilder, name: str, bits: int, x):
    """libm name(x) for one scalar; float32 tan is sin/cos of the float64 argument, rounded once
    (glibc's tanf is up to ~3 ulp off where this is 0.5)."""
    mod = b.module
    if not (name == "tan" and bits == 32):
        return b.call(_libm(mod, name, bits), [x])
    xd = b.fpext(x, ir.DoubleType())
    t = b.fdiv(b.call(_libm(mod, "sin", 64), [xd]), b.call(_libm(mod, "cos", 64), [xd]))
    return b.fptrunc(t, ir.FloatType())


def _define_variant(mod: ir.Module, name: str, bits: int, n: int) -> ir.Function:
    """<n x T> fname_vN(<n x T> x, <n x T> y): y unless some lane is huge (then libm per lane)."""
    fname = f"symnet_vm_{name}{bits}_v{n}"
    if fname in mod.globals:
        return mod.globals[fname]
    elem = ir.FloatType() if bits == 32 else ir.DoubleType()
    vty = ir.VectorType(elem, n)
    fn = ir.Function(mod, ir.FunctionType(vty, [vty, vty]), fname)
    for a in ("noinline", "nounwind", "readnone"):
        fn.attributes.add(a)
    entry = fn.append_basic_block("entry")
    b = ir.IRBuilder(entry)
    e = _E(b, vty)
    x, y = fn.args
    big = _huge(e, x)
    anyb = b.icmp_unsigned("!=", b.bitcast(big, ir.IntType(n)), ir.Constant(ir.IntType(n), 0))
    slow = fn.append_basic_block("huge")
    done = fn.append_basic_block("done")
    b.cbranch(anyb, slow, done)
    b.position_at_end(slow)
    yf = y
    for i in range(n):
        idx = ir.Constant(ir.IntType(32), i)
        xi = b.extract_element(x, idx)
        yi = b.select(b.extract_element(big, idx), _libm_value(b, name, bits, xi), b.extract_element(yf, idx))
        yf = b.insert_element(yf, yi, idx)
    b.branch(done)
    b.position_at_end(done)
    phi = b.phi(vty)
    phi.add_incoming(y, entry)
    phi.add_incoming(yf, slow)
    b.ret(phi)
    return fn
