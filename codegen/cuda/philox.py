"""Philox-4x32-10 and the uniform / normal transforms of symnet/ops/random.py in CUDA C.

The same definition as codegen/llvm/philox.py (and RandomVariable.perform): sample number i of a
draw is the Philox block of counter + i, so uniform samples are bit-identical to the CPU's; normal
samples are up to the rounding of CUDA's double log/cos against libm's. The arithmetic after the
generator uses the _rn intrinsics, so nvcc's FMA contraction cannot change a sample.
"""
from __future__ import annotations

import math

PHILOX_PRELUDE = r"""
// Philox-4x32-10 (Salmon et al.), counter = ctr + flat index, key = 64-bit key
__device__ __forceinline__ void sn_philox(unsigned long long key, unsigned long long ctr, unsigned int w[4]) {
  unsigned int c0 = (unsigned int)ctr, c1 = (unsigned int)(ctr >> 32), c2 = 0u, c3 = 0u;
  unsigned int k0 = (unsigned int)key, k1 = (unsigned int)(key >> 32);
#pragma unroll
  for (int r = 0; r < 10; ++r) {
    if (r) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
    const unsigned long long p0 = (unsigned long long)c0 * 0xD2511F53ull;
    const unsigned long long p1 = (unsigned long long)c2 * 0xCD9E8D57ull;
    const unsigned int n0 = (unsigned int)(p1 >> 32) ^ c1 ^ k0, n2 = (unsigned int)(p0 >> 32) ^ c3 ^ k1;
    c1 = (unsigned int)p1; c3 = (unsigned int)p0; c0 = n0; c2 = n2;
  }
  w[0] = c0; w[1] = c1; w[2] = c2; w[3] = c3;
}
__device__ __forceinline__ unsigned long long sn_join64(unsigned int hi, unsigned int lo) {
  return ((unsigned long long)hi << 32) | lo;
}
__device__ __forceinline__ float sn_uniform(unsigned long long key, unsigned long long ctr, unsigned long long i, float low, float high) {
  unsigned int w[4]; sn_philox(key, ctr + i, w);
  const float u = (float)__dmul_rn((double)(sn_join64(w[0], w[1]) >> 40), 5.9604644775390625e-08);
  const float x = __fadd_rn(low, __fmul_rn(__fsub_rn(high, low), u));
  return (low < high && x >= high) ? nextafterf(high, -__int_as_float(0x7f800000)) : x;
}
__device__ __forceinline__ double sn_uniform(unsigned long long key, unsigned long long ctr, unsigned long long i, double low, double high) {
  unsigned int w[4]; sn_philox(key, ctr + i, w);
  const double u = __dmul_rn((double)(sn_join64(w[0], w[1]) >> 11), 1.1102230246251565e-16);
  const double x = __dadd_rn(low, __dmul_rn(__dsub_rn(high, low), u));
  return (low < high && x >= high) ? nextafter(high, -__longlong_as_double(0x7ff0000000000000LL)) : x;
}
__device__ __forceinline__ double sn_std_normal(unsigned long long key, unsigned long long ctr, unsigned long long i) {
  unsigned int w[4]; sn_philox(key, ctr + i, w);
  const double u1 = __dmul_rn((double)((sn_join64(w[0], w[1]) >> 11) + 1ull), 1.1102230246251565e-16);
  const double u2 = __dmul_rn((double)(sn_join64(w[2], w[3]) >> 11), 1.1102230246251565e-16);
  return __dmul_rn(__dsqrt_rn(__dmul_rn(-2.0, log(u1))), cos(__dmul_rn(TWO_PI, u2)));
}
__device__ __forceinline__ float sn_normal(unsigned long long key, unsigned long long ctr, unsigned long long i, float avg, float std) {
  return __fadd_rn(avg, __fmul_rn(std, (float)sn_std_normal(key, ctr, i)));
}
__device__ __forceinline__ double sn_normal(unsigned long long key, unsigned long long ctr, unsigned long long i, double avg, double std) {
  return __dadd_rn(avg, __dmul_rn(std, sn_std_normal(key, ctr, i)));
}
""".replace("TWO_PI", repr(2.0 * math.pi))

assert 2.0 ** -24 == 5.9604644775390625e-08 and 2.0 ** -53 == 1.1102230246251565e-16


def sample_expr(dist: str, dtype: str, xs: list, flat: str) -> str:
    """The C expression of sample number `flat` of `dist` in `dtype`; xs = [key, counter, *params]."""
    if dist not in ("uniform", "normal") or dtype not in ("float32", "float64"):
        raise NotImplementedError(f"random {dist} in {dtype} in codegen/cuda/philox.py")
    key, ctr, a, b = xs
    return f"sn_{dist}({key}, {ctr}, (unsigned long long)({flat}), {a}, {b})"
