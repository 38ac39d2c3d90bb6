"""Counter-based random sampling: Philox-4x32-10 and the RandomVariable op.

The stream is a pure function of (key, counter), so every backend (NumPy here, LLVM and CUDA
later) can compute any element independently, in parallel, and produce the same numbers.

Definition (what every backend must reproduce):

* state = uint64 vector [key, counter]. A draw of N elements that needs B Philox blocks per
  element uses blocks j = t*N + i (element i, its t-th block, 0 <= t < B), and block j is
  Philox-4x32-10 applied to the counter words (lo32(c), hi32(c), 0, 0) with c = counter + j
  (mod 2**64) and the key words (lo32(key), hi32(key)), giving 32-bit words w0..w3. The new
  state is [key, counter + N*B (mod 2**64)].
* uniform (B = 1), output dtype with b significand bits (float16: 11, float32: 24, float64: 53):
  u = ((w0 << 32 | w1) >> (64 - b)) * 2**-b, exactly representable, in [0, 1);
  x = low + (high - low) * u evaluated in the output dtype (no fused multiply-add), and where
  low < high any x >= high becomes the largest value below high, so x is in [low, high).
* normal (B = 1), Box-Muller in float64: u1 = (((w0 << 32 | w1) >> 11) + 1) * 2**-53 in (0, 1],
  u2 = ((w2 << 32 | w3) >> 11) * 2**-53 in [0, 1), z = sqrt(-2 log u1) * cos(2 pi u2);
  x = avg + std * cast(z, dtype) evaluated in the output dtype.
* binomial(n, p) (B = ceil(n / 4)): trial k uses word w[k % 4] of block k // 4 and succeeds
  when w * 2**-32 < p (in float64); x = number of successes, cast to the output dtype.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..graph import Apply, Op, as_variable, describe
from ..types import TensorType, broadcast_shapes, fmt_shape, is_int

MASK32 = np.uint64(0xFFFFFFFF)
PHILOX_M = (np.uint64(0xD2511F53), np.uint64(0xCD9E8D57))
PHILOX_W = (np.uint64(0x9E3779B9), np.uint64(0xBB67AE85))
_U32 = np.uint64(32)


def philox4x32(counter: Sequence[np.ndarray], key: Sequence[Any], rounds: int = 10) -> list[np.ndarray]:
    """Philox-4x32-R (Random123) on uint64 arrays holding 32-bit words; vectorised over elements."""
    c0, c1, c2, c3 = [np.asarray(c, dtype=np.uint64) & MASK32 for c in counter]
    k0, k1 = np.uint64(int(key[0]) & 0xFFFFFFFF), np.uint64(int(key[1]) & 0xFFFFFFFF)
    for r in range(rounds):
        if r:
            k0 = (k0 + PHILOX_W[0]) & MASK32
            k1 = (k1 + PHILOX_W[1]) & MASK32
        p0 = PHILOX_M[0] * c0           # 32 x 32 -> 64 bits: exact in uint64
        p1 = PHILOX_M[1] * c2
        c0, c1, c2, c3 = (p1 >> _U32) ^ c1 ^ k0, p1 & MASK32, (p0 >> _U32) ^ c3 ^ k1, p0 & MASK32
    return [c0, c1, c2, c3]


def philox_blocks(key: int, counter: int, start: int, count: int) -> list[np.ndarray]:
    """Words w0..w3 of blocks start .. start+count-1 of the stream at (key, counter)."""
    with np.errstate(over="ignore"):
        c = np.uint64((counter + start) % 2 ** 64) + np.arange(count, dtype=np.uint64)
    return philox4x32((c & MASK32, c >> _U32, np.zeros_like(c), np.zeros_like(c)),
                      (key & 0xFFFFFFFF, key >> 32))


def _bits53(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    return ((hi << _U32) | lo) >> np.uint64(11)


def uniform01(words: list[np.ndarray], dtype: str) -> np.ndarray:
    """u in [0, 1) with the dtype's significand width, exact in that dtype."""
    b = np.finfo(dtype).nmant + 1
    w = ((words[0] << _U32) | words[1]) >> np.uint64(64 - b)
    return (w.astype(np.float64) * 2.0 ** -b).astype(dtype)


def standard_normal(words: list[np.ndarray]) -> np.ndarray:
    """Box-Muller (cosine branch) in float64."""
    u1 = (_bits53(words[0], words[1]) + np.uint64(1)).astype(np.float64) * 2.0 ** -53
    u2 = _bits53(words[2], words[3]).astype(np.float64) * 2.0 ** -53
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


_PARAMS = {"uniform": ("low", "high"), "normal": ("avg", "std"), "binomial": ("p",)}


class RandomVariable(Op):
    """(state, shape, *params) -> (new_state, sample): one draw from the counter-based stream.

    Not differentiable: the state, the shape and the distribution parameters are all
    disconnected (Theano's behaviour); reparameterise (avg + std * normal(0, 1)) for gradients."""

    __props__ = ("dist", "dtype", "ndim", "n")

    def __init__(self, dist: str, dtype: str, ndim: int, n: int = 0) -> None:
        if dist not in _PARAMS:
            raise ValueError(f"unknown distribution {dist!r}; known: {', '.join(_PARAMS)}")
        self.dist, self.dtype, self.ndim, self.n = dist, str(np.dtype(dtype)), int(ndim), int(n)

    def __str__(self) -> str:
        extra = f", n={self.n}" if self.dist == "binomial" else ""
        return f"RandomVariable{{{self.dist}, {self.dtype}{extra}}}"

    def make_node(self, state: Any, shape: Any, *params: Any, static: Sequence | None = None) -> Apply:
        from .shape import _static_values
        state, shape = as_variable(state), as_variable(shape)
        if state.dtype != "uint64" or state.type.shape != (2,):
            raise TypeError(f"a random state must be a uint64 vector of length 2, got {state.type} ({describe(state)})")
        if shape.ndim != 1 or not is_int(shape.dtype) or shape.type.shape[0] not in (None, self.ndim):
            raise TypeError(f"the size of a {self.ndim}-d sample must be an int vector of length {self.ndim}, "
                            f"got {shape.type}")
        names = _PARAMS[self.dist]
        if len(params) != len(names):
            raise TypeError(f"{self.dist} takes the parameters {names}, got {len(params)}")
        pdtype = "float64" if self.dist == "binomial" else self.dtype
        params = [as_variable(p) for p in params]
        for name, p in zip(names, params):
            if p.dtype != pdtype:
                raise TypeError(f"{self.dist}: parameter {name} ({describe(p)}) must have dtype {pdtype}, "
                                f"got {p.dtype}")
        out = list(static) if static is not None else list(_static_values(shape, self.ndim))
        for name, p in zip(names, params):
            if p.ndim > self.ndim:
                raise ValueError(f"{self.dist}: parameter {name} ({describe(p)}, shape {fmt_shape(p.type.shape)}) "
                                 f"has more dims than the sample shape {tuple(out)}")
            b = broadcast_shapes(tuple(out), p.type.shape,
                                 context=f"{self.dist}: parameter {name} against the sample size")
            for a, (d, e) in enumerate(zip(out, b)):
                if d is not None and d != e:
                    raise ValueError(f"{self.dist}: parameter {name} ({describe(p)}, shape {fmt_shape(p.type.shape)}) "
                                     f"does not broadcast to the sample size {tuple(out)}")
        return Apply(self, [state, shape, *params], [TensorType("uint64", (2,)), TensorType(self.dtype, out)])

    def blocks_per_element(self) -> int:
        return -(-self.n // 4) if self.dist == "binomial" else 1

    def perform(self, node, inputs):
        state, shape, *params = inputs
        size = tuple(int(d) for d in shape)
        if any(d < 0 for d in size):
            raise ValueError(f"{self}: negative dimension in the sample size {size} (built at "
                             f"{node.tag.get('trace', '?')})")
        try:
            params = [np.broadcast_to(p, size) for p in params]
        except ValueError:
            raise ValueError(f"{self}: parameters of shapes {[np.shape(p) for p in inputs[2:]]} do not broadcast "
                             f"to the sample size {size} (built at {node.tag.get('trace', '?')})") from None
        key, counter = int(state[0]), int(state[1])
        n_el = int(np.prod(size, dtype=np.int64))
        nb = self.blocks_per_element()
        new_state = np.array([key, (counter + n_el * nb) % 2 ** 64], dtype=np.uint64)
        sample = getattr(self, "_" + self.dist)(node, key, counter, n_el, params)
        return [new_state, np.array(sample.reshape(size), dtype=self.dtype, order="C")]

    def _uniform(self, node, key, counter, n_el, params):
        low, high = [p.reshape(-1) for p in params]
        u = uniform01(philox_blocks(key, counter, 0, n_el), self.dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            x = low + (high - low) * u
        below = np.nextafter(high, np.asarray(-np.inf, dtype=self.dtype))
        return np.where((low < high) & (x >= high), below, x)

    def _normal(self, node, key, counter, n_el, params):
        avg, std = [p.reshape(-1) for p in params]
        z = standard_normal(philox_blocks(key, counter, 0, n_el)).astype(self.dtype)
        return avg + std * z

    def _binomial(self, node, key, counter, n_el, params):
        p = params[0].reshape(-1)
        if p.size and (np.any(p < 0) or np.any(p > 1) or np.any(np.isnan(p))):
            raise ValueError(f"binomial: p must be in [0, 1], got values from {np.nanmin(p)} to {np.nanmax(p)} "
                             f"(built at {node.tag.get('trace', '?')})")
        count = np.zeros(n_el, dtype=np.int64)
        for t in range(self.blocks_per_element()):
            words = philox_blocks(key, counter, t * n_el, n_el)
            for k in range(min(4, self.n - 4 * t)):
                count += (words[k].astype(np.float64) * 2.0 ** -32 < p)
        return count

    def infer_shape(self, node, input_shapes, input_values):
        if input_values[1] is None:
            raise NotImplementedError("RandomVariable.infer_shape needs the value of the sample size")
        return [(2,), tuple(int(d) for d in input_values[1])]

    def grad(self, inputs, output_grads):
        return [None] * len(inputs)

    def connection_pattern(self, node):
        return [[False, False] for _ in node.inputs]
