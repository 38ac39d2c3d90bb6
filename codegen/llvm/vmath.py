"""Vectorisable transcendental functions written as plain LLVM IR.

Why: ``llvm.exp``/``llvm.tanh`` and friends are widened by the loop vectoriser but then scalarised
into libm calls by the x86 backend (about 30x slower than a vector loop, see FACTS.md).  The
emitters here use only arithmetic, integer bit tricks and ``select`` (no branches, no calls, no
intrinsics, no globals), so any kernel can inline them and the loop vectoriser widens them to
zmm/ymm code.  ``x`` may be float, double or a vector of either; the result has x's type.

Fast-math: only ``contract`` is used (lets a*b+c become an FMA; it changes rounding only, never a
nan/inf result).  Special values follow NumPy: nan in gives nan out (the input nan itself),
+-0 are kept by the odd functions, overflow gives inf, underflow gives 0 or a correctly scaled
denormal.

Algorithms (coefficients fitted by Chebyshev interpolation in 60-digit mpmath, not copied):
  exp      k = round(x/ln2), r = x - k*ln2 (Cody-Waite, 2 parts), 2^k * (1 + expm1poly(r)); the
           power of two is applied in two halves so denormal results round once and k = 128 works.
  expm1    same reduction, p = expm1(r); 2^k*p + (2^k - 1) for -2 <= k <= 20 (f32) / 50 (f64),
           2^k*(1 + p) - 1 below, 2^k*((p - 2^-k) + 1) above (the fdlibm case split).
  log      x = 2^e * m, m in [sqrt(.5), sqrt(2)); log1p(f) = f - hfsq + s*(hfsq + R(s^2)),
           s = f/(2+f) (the fdlibm decomposition); denormal inputs are pre-scaled.
  log1p    u = 1 + x; log(u) + (x - (u - 1))/u (the rounding of u is corrected exactly).
  tanh     t = expm1(-2|x|); copysign(-t/(2+t), x) for |x| < ~1, 1 - 2e/(1+e) with e = exp(-2|x|)
           beyond: accurate near 0, saturating to exactly +-1 where the rounded value is 1 (float32
           from 9.01, NumPy from 10; float64 from 19.06, NumPy a little earlier).
  sigmoid  e = exp(-|x|); (x >= 0 ? 1 : e) / (1 + e): never overflows, sigmoid(+-1000) = 1, 0.
  softplus max(x, 0) + log1p(exp(-|x|)).
  erf      |x| < 1: x + x*P(x^2); 1 <= |x|: 1 - exp(-x^2) * R(|x|), R a polynomial in |x| fitted to
           erfc(x)*exp(x^2) (float64: three pieces whose coefficients are chosen per lane with
           select); |x| clamped at 4 (float32) / 6 (float64) where erf rounds to 1.
  sin/cos  k = round(x*2/pi), r = x - k*pi/2 with pi/2 in four parts (33+33+33+53 bits, every
           k*part exact for |k| < 2^20) summed with TwoSum, so r is good to ~2^-100 relative to x;
           then sin/cos polynomials on [-pi/4, pi/4] and the quadrant from k & 3.  float32: the
           reduction runs in float64 (two parts), the polynomials in float32 on r split into two
           floats.  tan: the same reduction, tan(r) = sin(r)/cos(r) (k even) or -cos(r)/sin(r)
           (k odd); float32 evaluates both in float64 and rounds once.  The pure IR covers
           |x| <= SINCOS_LIMIT (823549 ~ 2^19*pi/2, every k*part exact); beyond it, libm
           (vmath_full_range.py).

Measured max error against high-precision references (long double / mpmath / scipy), in ulp of
the result's type, over uniform [-100, 100], [-3, 3], [-25, 25], log-uniform magnitudes
1e-38..1e38 (float64: 1e-300..1e300) of both signs, denormals, +-0, +-inf, nan (test_vmath.py
prints them and asserts ULP_BOUNDS):
           exp   expm1  log   log1p  tanh  sigmoid softplus erf   sin   cos
  float32  0.95  1.22   0.75  1.43   2.10  2.13    1.75     1.37  0.74  0.75
  float64  0.95  1.72   0.77  1.38   2.19  2.01    1.92     0.87  0.78  0.78
  fast=True float32 tanh (rational x*P(x^2)/Q(x^2)): 4.70.
Without FMA (generic x86-64 target, also tested) the figures move by < 0.1 ulp except float32
erf (1.77).

Speed, float32 on AVX-512 (znver4): instructions in the vectorised loop per 16 elements:
exp 37, expm1 67, log 50, log1p 61, tanh 45, sigmoid 42, softplus 77, erf 77, sin 67, cos 68,
fast tanh 31.  16,777,216 float32, one thread, best of 15 on a busy 2-core host: tanh 7.9 ms
(np.tanh 6.2 ms), fast tanh 4.8 ms (np.copyto 5.0 ms: bandwidth bound), exp 5.1 ms
(np.exp 8.1 ms), sigmoid 7.0, log 8.0, erf 11.4, softplus 16.3.
"""
from __future__ import annotations

import math

from llvmlite import ir

SUPPORTED = ("exp", "expm1", "log", "log1p", "tanh", "sigmoid", "softplus", "erf", "sin", "cos", "tan")

# functions whose pure-IR form is limited to |x| <= SINCOS_LIMIT (the full range adds a libm call
# behind a vector-variant function, see vmath_full_range.py)
RANGE_LIMITED = ("sin", "cos", "tan")

# largest |x| for which sin/cos are computed in pure IR (2^19 * pi/2: every k*pi/2-part exact)
SINCOS_LIMIT = 823549.0

TAN_BOUND = 2.5

# max ulp error bounds asserted by the tests, per (name, bits)
ULP_BOUNDS = {
    32: dict(exp=1.0, expm1=1.5, log=1.0, log1p=1.5, tanh=3.0, sigmoid=2.5, softplus=2.0, erf=2.0,
             sin=1.0, cos=1.0, tan=TAN_BOUND),
    64: dict(exp=1.0, expm1=2.0, log=1.0, log1p=1.5, tanh=3.0, sigmoid=2.5, softplus=2.0, erf=1.0,
             sin=1.0, cos=1.0, tan=TAN_BOUND),
}

# emit_unary(..., fast=True) bounds (float32)
FAST_ULP_BOUNDS = dict(tanh=5.0)

_CONTRACT = ("contract",)


def _h(s: str) -> float:
    return float.fromhex(s)


def _hs(xs: list[str]) -> list[float]:
    return [float.fromhex(s) for s in xs]


# ---- coefficients (fitted offline; see module docstring) ----------------------------------
# expm1(r) = r + r^2*(1/2 + r*Q(r)),  |r| <= ln2/2
_EXPM1_Q = {
    32: _hs(['0x1.5555555555555p-3', '0x1.55551933893e6p-5', '0x1.1110f65974356p-7',
             '0x1.6d10fc65baf1cp-10', '0x1.a0f8611e40052p-13']),
    64: _hs(['0x1.5555555555556p-3', '0x1.5555555555555p-5', '0x1.11111111109b5p-7',
             '0x1.6c16c16c167e2p-10', '0x1.a01a01a7c2efep-13', '0x1.a01a01a47a591p-16',
             '0x1.71de0db2f6b19p-19', '0x1.27e4e1f7222cbp-22', '0x1.af389ecfc4b9cp-26',
             '0x1.1f66d948a47d2p-29']),
}
# log: R(z) = z*Lg(z), z = s^2 <= 0.0295
_LOG_LG = {
    32: _hs(['0x1.55555b800896ap-1', '0x1.997c2ed527c68p-2', '0x1.2ee6559160a97p-2']),
    64: _hs(['0x1.5555555555558p-1', '0x1.99999999952d7p-2', '0x1.2492492df281ap-2',
             '0x1.c71c62e3f11e6p-3', '0x1.7462b51cb66b1p-3', '0x1.39fe51a7c18f9p-3',
             '0x1.2b5900de53b32p-3']),
}
# sin(r) = r + r^3*S(r^2); cos(r) = 1 - r^2/2 + r^4*C(r^2); |r| <= pi/4 (both evaluated in f64)
_SIN_S = {
    32: _hs(['-0x1.555555545df18p-3', '0x1.11110deef0ae3p-7', '-0x1.a013a740c35cep-13',
             '0x1.6dbded5452c9bp-19']),
    64: _hs(['-0x1.5555555555555p-3', '0x1.1111111110bb2p-7', '-0x1.a01a019e83816p-13',
             '0x1.71de379654304p-19', '-0x1.ae600aca92c64p-26', '0x1.5e0b05bff20f2p-33']),
}
_COS_C = {
    32: _hs(['0x1.5555555502c6dp-5', '-0x1.6c16bf54be1f5p-10', '0x1.a015c4462d9e2p-16',
             '-0x1.25243c2f39550p-22']),
    64: _hs(['0x1.5555555555555p-5', '-0x1.6c16c16c16967p-10', '0x1.a01a019f4e9b4p-16',
             '-0x1.27e4fa17bf139p-22', '0x1.1eeb68cd22f56p-29', '-0x1.907d8f29fe831p-37']),
}
# erf(x) = x + x*E(x^2), |x| < 1
_ERF_E = {
    32: _hs(['0x1.06eba2a369f39p-3', '-0x1.812680a1a33f4p-2', '0x1.ce0ab171c3ee9p-4',
             '-0x1.b5b30f0f42c6cp-6', '0x1.428d76f2cc227p-8', '-0x1.281ef9ed3249cp-11']),
    64: _hs(['0x1.06eba8214db68p-3', '-0x1.812746b0379c1p-2', '0x1.ce2f21a040f66p-4',
             '-0x1.b82ce31203772p-6', '0x1.565bccfa44156p-8', '-0x1.c02db0665e53dp-11',
             '0x1.f9a2be4f731a1p-14', '-0x1.f4ca838adb73bp-17', '0x1.b981d78881a5dp-20',
             '-0x1.5c131500d3f88p-23', '0x1.d76af6ca49787p-27', '-0x1.ac9585a44fe29p-31']),
}
# erfc(a)*exp(a^2) = R(a - centre): pieces (start, centre, coefficients)
_ERF_R = {
    32: [(1.0, 2.5, _hs(['0x1.afbb3e625d7c4p-3', '-0x1.3086d78924485p-4', '0x1.989663307dba0p-6',
                         '-0x1.06326e32bafe7p-7', '0x1.4339378ff5e8ep-9', '-0x1.807be20b101bbp-11',
                         '0x1.be96e99ffac35p-13', '-0x1.f1ac69f8fce85p-15', '0x1.e1ffae98fbeb5p-17',
                         '-0x1.01567aad5305bp-18', '0x1.c03e4eef141b0p-20',
                         '-0x1.bab8163ba729bp-22']))],
    64: [
        (1.0, 1.5, _hs(['0x1.494daffa2ad68p-2', '-0x1.4f1988444caf7p-3', '0x1.37ea271bc55a0p-4',
                        '-0x1.0dc51d2941ee4p-5', '0x1.b65944f32a576p-7', '-0x1.513ed75ff9ad6p-8',
                        '0x1.ee705e987b820p-10', '-0x1.5b0abff9c2a92p-11', '0x1.d4508ae09730fp-13',
                        '-0x1.30c0e2f1726a0p-14', '0x1.7f9e4d674bd86p-16', '-0x1.d41a7f9e3cd6fp-18',
                        '0x1.14b718ccbc836p-19', '-0x1.3f46ec5c2de67p-21', '0x1.835e0a520b1cfp-23',
                        '-0x1.a7ba6423339dep-25'])),
        (2.0, 2.75, _hs(['0x1.8c9eb68ff27d6p-3', '-0x1.0305781330098p-4', '0x1.43b98bac83f03p-6',
                         '-0x1.84e9ab30e7097p-8', '0x1.c2c72fd626f6cp-10', '-0x1.f99e41ebd4d5dp-12',
                         '0x1.131bb1d2e3a05p-13', '-0x1.2312b2badfeadp-15', '0x1.2bfb299220ea4p-17',
                         '-0x1.2da2ff5b44ce9p-19', '0x1.2862a554f9330p-21', '-0x1.1cd99b6f030b5p-23',
                         '0x1.0a918d9e5d9dfp-25', '-0x1.ec2d2e6cba5f8p-28', '0x1.f41aec24044e4p-30',
                         '-0x1.bb1a1ce3fdbf3p-32'])),
        (3.5, 4.75, _hs(['0x1.dc603a3e77e8ep-4', '-0x1.81149bc4a1043p-6', '0x1.317c144f8f64ap-8',
                         '-0x1.dc1af883a890ep-11', '0x1.6cc10c0f34f30p-13', '-0x1.12f174374d566p-15',
                         '0x1.9818c50f2679cp-18', '-0x1.2a625cfc1addcp-20', '0x1.ae1e4a6ffac89p-23',
                         '-0x1.31c2fbf4067c1p-25', '0x1.ad3605c5f3d7ap-28', '-0x1.293a6d961a158p-30',
                         '0x1.90cd7db80d5c8p-33', '-0x1.0f091c3e44fb7p-35', '0x1.b31a06cd2a72cp-38',
                         '-0x1.1e4ee48aea4edp-40'])),
    ],
}
_ERF_CLAMP = {32: 4.0, 64: 6.0}

# ln2 = hi + lo, hi with 15 (f32) / 42 (f64) significant bits so k*hi is exact
_LN2 = {32: (_h('0x1.62e4p-1'), _h('0x1.7f7d1cf79abcap-20')),
        64: (_h('0x1.62e42fefa38p-1'), _h('0x1.ef35793c76730p-45'))}
# pi/2 = P1 + P2 + P3 + P3t, P1..P3 with 33 significant bits
_PIO2 = _hs(['0x1.921fb54400000p+0', '0x1.0b4611a600000p-34', '0x1.3198a2e000000p-69',
             '0x1.b839a252049c1p-104'])

_PIO2_1T = _PIO2[1] + _PIO2[2]          # pi/2 - P1 to double precision (float32 reduction)

_LAYOUT = {32: dict(mbits=23, bias=127, ebits=8), 64: dict(mbits=52, bias=1023, ebits=11)}
# clamps for exp/expm1 arguments: beyond them the result is already inf / 0 / -1
_EXP_HI = {32: 89.0, 64: 710.0}
_EXP_LO = {32: -110.0, 64: -760.0}
_EXPM1_LO = {32: -30.0, 64: -60.0}
_EXPM1_KCUT = {32: 20, 64: 50}


class _E:
    """Emission context: the builder plus the float/int types of one call (scalar or vector)."""

    def __init__(self, b: ir.IRBuilder, ty: ir.Type) -> None:
        self.b = b
        self.ty = ty
        elem = ty.element if isinstance(ty, ir.VectorType) else ty
        if isinstance(elem, ir.FloatType):
            self.bits = 32
        elif isinstance(elem, ir.DoubleType):
            self.bits = 64
        else:
            raise TypeError(f"vmath: x must be float, double or a vector of them, got {ty}")
        self.n = ty.count if isinstance(ty, ir.VectorType) else None
        ielem = ir.IntType(self.bits)
        self.ity = ir.VectorType(ielem, self.n) if self.n else ielem
        lay = _LAYOUT[self.bits]
        self.mbits, self.bias = lay["mbits"], lay["bias"]

    # constants
    def c(self, v: float) -> ir.Constant:
        if self.n:
            return ir.Constant(self.ty, [float(v)] * self.n)
        return ir.Constant(self.ty, float(v))

    def ci(self, v: int) -> ir.Constant:
        if self.n:
            return ir.Constant(self.ity, [int(v)] * self.n)
        return ir.Constant(self.ity, int(v))

    # float arithmetic (contract only)
    def add(self, a, b):
        return self.b.fadd(a, b, flags=_CONTRACT)

    def sub(self, a, b):
        return self.b.fsub(a, b, flags=_CONTRACT)

    def mul(self, a, b):
        return self.b.fmul(a, b, flags=_CONTRACT)

    def div(self, a, b):
        return self.b.fdiv(a, b, flags=_CONTRACT)

    def fma(self, a, b, c):
        return self.add(self.mul(a, b), c)

    def poly(self, x, coeffs):
        """Horner: coeffs[0] + x*coeffs[1] + ..."""
        acc = self.c(coeffs[-1])
        for cf in reversed(coeffs[:-1]):
            acc = self.fma(acc, x, self.c(cf))
        return acc

    # comparisons and selection
    def cmp(self, op, a, b):
        return self.b.fcmp_ordered(op, a, b)

    def isnan(self, a):
        return self.b.fcmp_unordered("uno", a, a)

    def sel(self, cond, a, b):
        return self.b.select(cond, a, b)

    def clamp(self, x, lo, hi):
        x = self.sel(self.cmp(">", x, self.c(hi)), self.c(hi), x)
        return self.sel(self.cmp("<", x, self.c(lo)), self.c(lo), x)

    # bit tricks
    def as_int(self, x):
        return self.b.bitcast(x, self.ity)

    def as_float(self, i):
        return self.b.bitcast(i, self.ty)

    def fabs(self, x):
        return self.as_float(self.b.and_(self.as_int(x), self.ci((1 << (self.bits - 1)) - 1)))

    def signbit(self, x):
        return self.b.and_(self.as_int(x), self.ci(1 << (self.bits - 1)))

    def copysign(self, mag, sgn):
        """mag must be >= 0 (or +nan)."""
        return self.as_float(self.b.or_(self.as_int(mag), self.signbit(sgn)))

    def round_to_int(self, x):
        """(float, int) nearest integer of x, |x| < 2^(mbits-1).

        x + 1.5*2^mbits rounds x to an integer held in the low mantissa bits, so the integer is
        read with a bitcast and an integer subtraction (no fptosi: no poison for nan lanes,
        and no AVX-512DQ needed for 64-bit lanes)."""
        magic = 1.5 * 2.0 ** self.mbits
        big = self.add(x, self.c(magic))
        kf = self.sub(big, self.c(magic))
        magic_bits = 0x4B400000 if self.bits == 32 else 0x4338000000000000
        return kf, self.b.sub(self.as_int(big), self.ci(magic_bits))

    def pow2(self, k):
        """2.0**k for an int k in the normal exponent range."""
        return self.as_float(self.b.shl(self.b.add(k, self.ci(self.bias)), self.ci(self.mbits)))


# ---- exp family ------------------------------------------------------------------------------
def _exp_reduce(e: _E, x):
    """k, p with x = k*ln2 + r and p = expm1(r); x finite and clamped."""
    hi, lo = _LN2[e.bits]
    kf, k = e.round_to_int(e.mul(x, e.c(1.0 / math.log(2.0))))
    r = e.sub(e.sub(x, e.mul(kf, e.c(hi))), e.mul(kf, e.c(lo)))
    q = e.poly(r, _EXPM1_Q[e.bits])
    p = e.fma(e.mul(r, r), e.fma(r, q, e.c(0.5)), r)
    return k, p


def _exp_clamped(e: _E, x):
    """exp of a non-nan x; handles overflow to inf and (denormal) underflow via a split 2^k."""
    xs = e.clamp(x, _EXP_LO[e.bits], _EXP_HI[e.bits])
    k, p = _exp_reduce(e, xs)
    k1 = e.b.ashr(k, e.ci(1))
    k2 = e.b.sub(k, k1)
    return e.mul(e.mul(e.add(p, e.c(1.0)), e.pow2(k1)), e.pow2(k2))


def _exp(e: _E, x):
    y = _exp_clamped(e, x)
    return e.sel(e.isnan(x), x, y)


def _expm1_core(e: _E, x, nonpositive: bool = False, parts: bool = False):
    """expm1 of a non-nan x (nonpositive: caller guarantees x <= 0, a cheaper tail).

    parts: also return (in_a, ex): in_a marks lanes with -2 <= k <= kcut, and where k < -2,
    ex = exp(x) itself (not rounded through expm1)."""
    hi_clamp = 0.0 if nonpositive else _EXP_HI[e.bits]
    xs = e.clamp(x, _EXPM1_LO[e.bits], hi_clamp)
    k, p = _exp_reduce(e, xs)
    kcut = 0 if nonpositive else _EXPM1_KCUT[e.bits]
    in_a = e.b.and_(e.b.icmp_signed(">=", k, e.ci(-2)), e.b.icmp_signed("<=", k, e.ci(kcut)))
    kc = e.sel(e.b.icmp_signed("<", k, e.ci(-2)), e.ci(-2), k)
    kc = e.sel(e.b.icmp_signed(">", kc, e.ci(kcut)), e.ci(kcut), kc)
    s = e.pow2(kc)
    ya = e.fma(s, p, e.sub(s, e.c(1.0)))          # exact 2^k - 1 plus one rounding
    # k < -2: 2^k*(1 + p) - 1 (k >= -87, one power of two suffices)
    ex = e.mul(e.add(p, e.c(1.0)), e.pow2(e.sel(e.b.icmp_signed(">", k, e.ci(0)), e.ci(0), k)))
    yb = e.sub(ex, e.c(1.0))
    if not nonpositive:        # k > kcut: 2^k*((p - 2^-k) + 1), 2^k applied in two halves
        kneg = e.b.sub(e.ci(0), e.sel(e.b.icmp_signed(">", k, e.ci(100)), e.ci(100), k))
        t = e.add(e.sub(p, e.pow2(e.sel(e.b.icmp_signed("<", kneg, e.ci(-100)), e.ci(-100), kneg))),
                  e.c(1.0))
        k1 = e.b.ashr(k, e.ci(1))
        ybig = e.mul(e.mul(t, e.pow2(k1)), e.pow2(e.b.sub(k, k1)))
        yb = e.sel(e.b.icmp_signed(">", k, e.ci(0)), ybig, yb)
    if parts:
        return e.sel(in_a, ya, yb), in_a, ex
    return e.sel(in_a, ya, yb)


def _keep_zero_and_nan(e: _E, x, y):
    y = e.sel(e.cmp("==", x, e.c(0.0)), x, y)
    return e.sel(e.isnan(x), x, y)


def _expm1(e: _E, x):
    return _keep_zero_and_nan(e, x, _expm1_core(e, x))


def _tanh(e: _E, x):
    # v = -2|x| = k*ln2 + r; with s = 2^k: expm1(v) = s*p + (s - 1), exp(v) = s*(1 + p).
    # k >= -2 (|x| < ~1.04): -t/(2+t), t = expm1(v); else 1 - 2e/(1+e), e = exp(v) (unrounded
    # through expm1, so values just below 1 round correctly).  nan lanes are fixed at the end.
    v = e.mul(e.fabs(x), e.c(-2.0))
    lo = _EXPM1_LO[e.bits]
    v = e.sel(e.cmp("<", v, e.c(lo)), e.c(lo), v)
    k, p = _exp_reduce(e, v)
    small = e.b.icmp_signed(">=", k, e.ci(-2))
    s_ = e.pow2(k)
    t = e.fma(s_, p, e.sub(s_, e.c(1.0)))
    ex = e.mul(s_, e.add(p, e.c(1.0)))
    num = e.sel(small, e.b.fneg(t), e.mul(ex, e.c(2.0)))
    den = e.sel(small, e.add(t, e.c(2.0)), e.add(ex, e.c(1.0)))
    q = e.div(num, den)
    y = e.fabs(e.sel(small, q, e.sub(e.c(1.0), q)))
    y = e.copysign(y, x)
    return e.sel(e.isnan(x), x, y)


# fast float32 tanh: x*P(x^2)/Q(x^2) on |x| <= 9.02 (rational fit, Sanathanan-Koerner iteration)
_TANH_FAST_P = _hs(['0x1.ffffffe81a244p-1', '0x1.0d88ef69be5c2p-3', '0x1.a2543225cecc7p-9',
                    '0x1.978a49c7f04eep-17', '-0x1.ae0b78852668dp-26', '0x1.7628d071f4638p-34',
                    '-0x1.124bab0907041p-42', '0x1.b24d13d5eed01p-52'])
_TANH_FAST_Q = _hs(['0x1.0000000000000p+0', '0x1.dc19caf40ee06p-2', '0x1.96f66a382a202p-6',
                    '0x1.18c34571aa762p-12'])


def _tanh_fast(e: _E, x):
    """About half the instructions of _tanh, max error ~4 ulp (float32 only)."""
    xc = e.clamp(x, -9.02, 9.02)                           # nan passes through the selects
    z = e.mul(xc, xc)
    y = e.div(e.mul(xc, e.poly(z, _TANH_FAST_P)), e.poly(z, _TANH_FAST_Q))
    sat = e.cmp(">=", e.fabs(x), e.c(9.01))
    return e.sel(sat, e.copysign(e.c(1.0), x), y)


def _sigmoid(e: _E, x):
    xs = x                      # nan lanes compute garbage; the final select returns x
    ex = _exp_clamped(e, e.b.fneg(e.fabs(xs)))
    num = e.sel(e.cmp(">=", xs, e.c(0.0)), e.c(1.0), ex)
    y = e.div(num, e.add(ex, e.c(1.0)))
    return e.sel(e.isnan(x), x, y)


# ---- log family ------------------------------------------------------------------------------
def _log_finite_pos(e: _E, x):
    """log of x > 0 finite (other lanes give garbage, fixed by the caller)."""
    tiny = e.cmp("<", x, e.c(2.0 ** (1 - e.bias)))
    scale = e.mbits + 2
    xs = e.sel(tiny, e.mul(x, e.c(2.0 ** scale)), x)
    eadj = e.sel(tiny, e.ci(-scale), e.ci(0))
    bits = e.as_int(xs)
    ex = e.b.sub(e.b.lshr(bits, e.ci(e.mbits)), e.ci(e.bias))
    mant = e.b.or_(e.b.and_(bits, e.ci((1 << e.mbits) - 1)), e.ci(e.bias << e.mbits))
    m = e.as_float(mant)                                    # [1, 2)
    hi = e.cmp(">", m, e.c(math.sqrt(2.0)))
    m = e.sel(hi, e.mul(m, e.c(0.5)), m)
    ex = e.b.add(e.b.add(ex, eadj), e.sel(hi, e.ci(1), e.ci(0)))
    dk = e.b.sitofp(ex, e.ty)
    f = e.sub(m, e.c(1.0))
    s = e.div(f, e.add(f, e.c(2.0)))
    z = e.mul(s, s)
    R = e.mul(z, e.poly(z, _LOG_LG[e.bits]))
    hfsq = e.mul(e.mul(f, f), e.c(0.5))
    l2hi, l2lo = _LN2[e.bits]
    inner = e.add(e.mul(s, e.add(hfsq, R)), e.mul(dk, e.c(l2lo)))
    return e.sub(e.mul(dk, e.c(l2hi)), e.sub(e.sub(hfsq, inner), f))


def _log_specials(e: _E, x, y):
    y = e.sel(e.cmp("==", x, e.c(math.inf)), x, y)
    y = e.sel(e.cmp("==", x, e.c(0.0)), e.c(-math.inf), y)
    y = e.sel(e.cmp("<", x, e.c(0.0)), e.c(math.nan), y)
    return e.sel(e.isnan(x), x, y)


def _log(e: _E, x):
    return _log_specials(e, x, _log_finite_pos(e, x))


def _log1p(e: _E, x):
    u = e.add(x, e.c(1.0))
    lu = _log_specials(e, u, _log_finite_pos(e, u))
    corr = e.div(e.sub(x, e.sub(u, e.c(1.0))), u)
    ok = e.b.and_(e.cmp(">", u, e.c(0.0)), e.cmp("<", u, e.c(math.inf)))
    y = e.add(lu, e.sel(ok, corr, e.c(0.0)))
    y = e.sel(e.cmp("==", u, e.c(1.0)), x, y)
    return e.sel(e.isnan(x), x, y)


def _softplus(e: _E, x):
    xs = x                      # nan lanes compute garbage; the final select returns x
    m = e.sel(e.cmp(">", xs, e.c(0.0)), xs, e.c(0.0))
    ex = _exp_clamped(e, e.b.fneg(e.fabs(xs)))             # in [0, 1]
    u = e.add(ex, e.c(1.0))                                 # in [1, 2]
    lu = _log_finite_pos(e, u)
    corr = e.div(e.sub(ex, e.sub(u, e.c(1.0))), u)
    l1p = e.sel(e.cmp("==", u, e.c(1.0)), ex, e.add(lu, corr))
    y = e.add(m, l1p)
    return e.sel(e.isnan(x), x, y)


# ---- erf -------------------------------------------------------------------------------------
def _erf(e: _E, x):
    xs = x                      # nan lanes compute garbage; the final select returns x
    ax = e.fabs(xs)
    z = e.mul(xs, xs)
    ysmall = e.fma(xs, e.poly(z, _ERF_E[e.bits]), xs)
    a = e.clamp(ax, 1.0, _ERF_CLAMP[e.bits])
    pieces = _ERF_R[e.bits]
    centre = e.c(pieces[-1][1])
    coeffs = [e.c(c) for c in pieces[-1][2]]
    for i in range(len(pieces) - 2, -1, -1):               # lanes below the next start use piece i
        below = e.cmp("<", a, e.c(pieces[i + 1][0]))
        centre = e.sel(below, e.c(pieces[i][1]), centre)
        coeffs = [e.sel(below, e.c(c), old) for c, old in zip(pieces[i][2], coeffs)]
    u = e.sub(a, centre)
    R = coeffs[-1]
    for cf in reversed(coeffs[:-1]):
        R = e.fma(R, u, cf)
    ex = _exp_clamped(e, e.b.fneg(e.mul(a, a)))
    ylarge = e.copysign(e.sub(e.c(1.0), e.mul(ex, R)), xs)
    y = e.sel(e.cmp("<", ax, e.c(1.0)), ysmall, ylarge)
    return e.sel(e.isnan(x), x, y)


# ---- sin / cos -------------------------------------------------------------------------------
def _two_sum(d: _E, a, b):
    s = d.add(a, b)
    bb = d.sub(s, a)
    err = d.add(d.sub(a, d.sub(s, bb)), d.sub(b, bb))
    return s, err


def _sincos_reduce(e: _E, x):
    """(ok, y0, y1, k): x = k*pi/2 + (y0 + y1) for |x| <= SINCOS_LIMIT (ok false for nan, inf and
    larger |x|; such lanes are reduced as if x were 0).  float64: four-part pi/2 with TwoSum.
    float32: the reduction runs in float64 (x - k*P1 - k*P1t, good to ~1e-20 absolute) and r is
    split into two floats."""
    ok = e.cmp("<=", e.fabs(x), e.c(SINCOS_LIMIT))
    if e.bits == 32:
        dty = ir.VectorType(ir.DoubleType(), e.n) if e.n else ir.DoubleType()
        d = _E(e.b, dty)
        xd = e.b.fpext(e.sel(ok, x, e.c(0.0)), dty)
        kf, kd = d.round_to_int(d.mul(xd, d.c(2.0 / math.pi)))
        r = d.sub(d.sub(xd, d.mul(kf, d.c(_PIO2[0]))), d.mul(kf, d.c(_PIO2_1T)))
        y0 = e.b.fptrunc(r, e.ty)
        y1 = e.b.fptrunc(d.sub(r, e.b.fpext(y0, dty)), e.ty)   # r = y0 + y1
        k = e.b.trunc(kd, e.ity)
    else:
        xs = e.sel(ok, x, e.c(0.0))
        kf, k = e.round_to_int(e.mul(xs, e.c(2.0 / math.pi)))
        p1, p2, p3, p3t = _PIO2
        r0 = e.sub(xs, e.mul(kf, e.c(p1)))                       # exact
        s1, e1 = _two_sum(e, r0, e.b.fneg(e.mul(kf, e.c(p2))))
        s2, e2 = _two_sum(e, s1, e.b.fneg(e.mul(kf, e.c(p3))))
        tail = e.sub(e.add(e1, e2), e.mul(kf, e.c(p3t)))
        y0 = e.add(s2, tail)
        y1 = e.add(e.sub(s2, y0), tail)
    return ok, y0, y1, k


def _sincos_poly(e: _E, y0, y1):
    """(sin(y0 + y1), cos(y0 + y1)) for |y0 + y1| <= pi/4."""
    z = e.mul(y0, y0)
    # sin(y0 + y1) ~ y0 + (y0*z*S(z) + y1*(1 - z/2))
    sn_hi = e.mul(e.mul(y0, z), e.poly(z, _SIN_S[e.bits]))
    sn_hi = e.add(sn_hi, e.mul(y1, e.sub(e.c(1.0), e.mul(z, e.c(0.5)))))
    sn = e.add(y0, sn_hi)
    # cos(y0 + y1) ~ (1 - z/2) + (z^2*C(z) + ((1 - w) - z/2) - y0*y1)
    hz = e.mul(z, e.c(0.5))
    w = e.sub(e.c(1.0), hz)
    corr = e.sub(e.sub(e.sub(e.c(1.0), w), hz), e.mul(y0, y1))
    cn = e.add(w, e.add(e.mul(e.mul(z, z), e.poly(z, _COS_C[e.bits])), corr))
    return sn, cn


def _flip_sign(e: _E, val, neg):
    """val with its sign flipped where neg (an int with bit 1 set, i.e. 2) is set."""
    return e.as_float(e.b.xor(e.as_int(val), e.b.shl(neg, e.ci(e.bits - 2))))


def _sincos(e: _E, x, which: str):
    """sin, cos or tan of x from one reduction and the quadrant k & 3."""
    ok, y0, y1, k = _sincos_reduce(e, x)
    if which == "tan" and e.bits == 32:
        # float32 tan: sin and cos of r in float64 (r = y0 + y1 exactly), one rounding at the end
        dty = ir.VectorType(ir.DoubleType(), e.n) if e.n else ir.DoubleType()
        d = _E(e.b, dty)
        r = d.add(e.b.fpext(y0, dty), e.b.fpext(y1, dty))
        z = d.mul(r, r)
        sn = d.add(r, d.mul(d.mul(r, z), d.poly(z, _SIN_S[64])))
        cn = d.add(d.sub(d.c(1.0), d.mul(z, d.c(0.5))), d.mul(d.mul(z, z), d.poly(z, _COS_C[64])))
    else:
        d = e
        sn, cn = _sincos_poly(e, y0, y1)
    q = e.b.and_(k, e.ci(3))
    odd = e.b.icmp_signed("!=", e.b.and_(q, e.ci(1)), e.ci(0))
    if which == "tan":          # tan(r + k*pi/2) = tan(r) (k even), -cos(r)/sin(r) (k odd)
        odd_d = odd
        val = d.div(d.sel(odd_d, d.b.fneg(cn), sn), d.sel(odd_d, sn, cn))
        if d is not e:
            val = e.b.fptrunc(val, e.ty)
    elif which == "sin":
        val = _flip_sign(e, e.sel(odd, cn, sn), e.b.and_(q, e.ci(2)))
    else:
        val = _flip_sign(e, e.sel(odd, sn, cn), e.b.and_(e.b.add(q, e.ci(1)), e.ci(2)))
    val = e.sel(ok, val, e.c(math.nan))                       # nan/inf/out of range
    if which != "cos":
        val = e.sel(e.cmp("==", x, e.c(0.0)), x, val)       # sin(-0) = tan(-0) = -0
    return e.sel(e.isnan(x), x, val)


def _sin(e: _E, x):
    return _sincos(e, x, "sin")


def _cos(e: _E, x):
    return _sincos(e, x, "cos")


def _tan(e: _E, x):
    return _sincos(e, x, "tan")


_EMITTERS = dict(exp=_exp, expm1=_expm1, log=_log, log1p=_log1p, tanh=_tanh, sigmoid=_sigmoid,
                 softplus=_softplus, erf=_erf, sin=_sin, cos=_cos, tan=_tan)
assert tuple(_EMITTERS) == SUPPORTED


def emit_unary(builder: ir.IRBuilder, name: str, x: ir.Value, *, libm_fallback: bool = True,
               fast: bool = False) -> ir.Value:
    """Emit ``name(x)`` inline at the builder's position.

    fast: where a cheaper, less accurate form exists, use it (today: float32 tanh, a rational
    approximation with max error FAST_ULP_BOUNDS['tanh'] instead of ULP_BOUNDS[32]['tanh'],
    about 2x faster; same special values).  Other names/dtypes ignore it.

    libm_fallback (sin/cos/tan, on by default): correct over the whole float range.  The pure-IR
    form covers |x| <= SINCOS_LIMIT; its result then goes through a small function (declared in
    the module with vector variants, see vmath_full_range.py) that calls libm for the rare elements with
    SINCOS_LIMIT < |x| < inf.  The loop vectoriser keeps the loop vectorised: it calls the
    vector variant once per vector, and that costs a compare and a branch unless a lane is
    huge.  libm_fallback=False: pure IR (no calls, globals or branches), nan beyond the limit."""
    try:
        fn = _EMITTERS[name]
    except KeyError:
        raise NotImplementedError(f"codegen.llvm.vmath: no vector emitter for {name!r}; "
                                  f"supported: {', '.join(SUPPORTED)}") from None
    e = _E(builder, x.type)
    if fast and name == "tanh" and e.bits == 32:
        fn = _tanh_fast
    y = fn(e, x)
    if libm_fallback and name in RANGE_LIMITED:
        from .vmath_full_range import full_range
        y = full_range(e, name, x, y)
    return y
