"""sn.random: the Philox-4x32-10 generator against the Random123 known answers, the stream's
definition (counter layout, bits -> floats), reproducibility, fresh draws per call, reseeding,
moments on 1e5 samples, the exact [low, high) range, binomial values, and the errors."""
from __future__ import annotations

import numpy as np
import pytest

import symnet as sn
from symnet.ops.random import philox4x32
from symnet.random import MRG_RandomStreams, RandomStream, RandomStreams, derive_key

N = 100_000


def F(inputs, outputs, **kw):
    return sn.function(inputs, outputs, mode="reference", **kw)


@pytest.mark.parametrize("ctr,key,expected", [
    ((0, 0, 0, 0), (0, 0), (0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8)),
    ((0xffffffff,) * 4, (0xffffffff,) * 2, (0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd)),
    ((0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344), (0xa4093822, 0x299f31d0),
     (0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1)),
])
def test_philox4x32_10_known_answers(ctr, key, expected):
    """Random123's kat_vectors rows 'philox4x32 10'; also vectorised (same answer in every lane)."""
    assert tuple(int(w) for w in philox4x32(ctr, key)) == expected
    lanes = philox4x32([np.full(5, c, dtype=np.uint64) for c in ctr], key)
    assert all((w == e).all() for w, e in zip(lanes, expected))


def _expected_uniform(key, counter, n, dtype):
    """The documented definition, recomputed here: block counter+i, top bits of w0:w1."""
    c = np.uint64(counter) + np.arange(n, dtype=np.uint64)
    w = philox4x32((c & np.uint64(0xFFFFFFFF), c >> np.uint64(32), np.zeros(n, np.uint64), np.zeros(n, np.uint64)),
                   (key & 0xFFFFFFFF, key >> 32))
    bits = np.finfo(dtype).nmant + 1
    top = ((w[0] << np.uint64(32)) | w[1]) >> np.uint64(64 - bits)
    return np.array([int(t) / 2.0 ** bits for t in top], dtype=dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_uniform_follows_the_documented_stream(dtype):
    rs = RandomStream(7)
    u = rs.uniform((3, 5), dtype=dtype)
    f = F([], u)
    key = derive_key(7, 0)
    first, second = f(), f()
    assert first.dtype == dtype and first.shape == (3, 5)
    np.testing.assert_array_equal(first.reshape(-1), _expected_uniform(key, 0, 15, dtype))
    np.testing.assert_array_equal(second.reshape(-1), _expected_uniform(key, 15, 15, dtype))
    state = rs.state_updates[0][0].get_value()
    assert state.dtype == np.uint64 and list(state) == [key, 30]


def test_same_seed_same_numbers_and_successive_calls_differ():
    def draws(seed):
        rs = RandomStream(seed)
        f = F([], [rs.uniform((4,)), rs.normal((2, 3)), rs.binomial((5,), n=3, p=0.4)])
        return [f() for _ in range(3)]
    a, b, c = draws(123), draws(123), draws(124)
    for call_a, call_b in zip(a, b):
        for x, y in zip(call_a, call_b):
            np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0][0], a[1][0]) and not np.array_equal(a[1][1], a[2][1])
    assert not np.array_equal(a[0][0], c[0][0])
    assert not np.array_equal(a[0][0][:2], a[0][1].reshape(-1)[:2])   # two samples: two keys


def test_successive_calls_continue_one_stream():
    """The counter advances by the number of blocks used: two draws of n == one draw of 2n."""
    rs1, rs2 = RandomStream(5), RandomStream(5)
    f1 = F([], rs1.normal((6,), dtype="float64"))
    f2 = F([], rs2.normal((12,), dtype="float64"))
    np.testing.assert_array_equal(np.concatenate([f1(), f1()]), f2())


def test_reseed_and_functions_share_states():
    rs = RandomStream(1)
    u = rs.uniform((8,))
    f, g = F([], u), F([], u * 2.0)
    a = f()
    b = g()                                 # a second function advances the same state
    assert not np.array_equal(a * 2.0, b)
    rs.seed(1)
    np.testing.assert_array_equal(f(), a)
    rs.seed(2)
    assert not np.array_equal(f(), a)
    h = F([], u, no_default_updates=True)
    np.testing.assert_array_equal(h(), h())


def test_symbolic_size_and_broadcast_parameters():
    x = sn.matrix("x")
    rs = RandomStream(3)
    s = rs.uniform(x.shape, low=sn.constant(np.array([0.0, 10.0, 20.0], "float32")), high=30.0)
    t = rs.normal((x.shape[0], 2), loc=5.0, scale=0.0)
    out_s, out_t = F([x], [s, t])(np.zeros((4, 3), "float32"))
    assert out_s.shape == (4, 3) and out_s.dtype == np.float32
    assert (out_s[:, 1] >= 10).all() and (out_s[:, 2] >= 20).all() and (out_s < 30).all()
    assert out_t.shape == (4, 2)
    np.testing.assert_array_equal(out_t, 5.0)
    assert rs.uniform((2, 3)).type.shape == (2, 3)
    lo = sn.vector("lo")
    w = rs.uniform(low=lo, high=lo + 1.0)                # size None: the parameters' broadcast shape
    out_w = F([lo], w)(np.array([1.0, 5.0, 9.0], "float32"))
    assert out_w.shape == (3,) and (out_w >= [1, 5, 9]).all() and (out_w < [2, 6, 10]).all()
    assert rs.normal((x.shape[0], 7)).type.shape == (None, 7)


def test_uniform_moments_and_range():
    rs = RandomStream(11)
    u = F([], rs.uniform((N,), low=-1.0, high=3.0))()
    assert u.dtype == np.float32
    assert u.min() >= -1.0 and u.max() < 3.0
    assert abs(u.mean() - 1.0) < 5 * 4 / np.sqrt(12 * N)
    assert abs(u.var() - 16 / 12) < 0.02
    hist, _ = np.histogram(u, bins=20, range=(-1, 3))     # chi-square against flat, 19 dof
    chi2 = ((hist - N / 20) ** 2 / (N / 20)).sum()
    assert chi2 < 50


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_uniform_never_returns_high_even_after_rounding(dtype):
    """low + (high - low) * u rounds up to high for about half the draws here; all are mapped below."""
    rs = RandomStream(0)
    lo = 2.0 ** 23 if dtype == "float32" else 2.0 ** 52     # spacing 1: u >= 0.5 rounds up to high
    u = F([], rs.uniform((10_000,), low=lo, high=lo + 1, dtype=dtype))()
    assert u.dtype == dtype
    assert (u >= lo).all() and (u < lo + 1).all()
    v = F([], rs.uniform((N,), low=0.0, high=1.0, dtype=dtype))()
    assert (v >= 0).all() and (v < 1).all()


def test_normal_moments():
    rs = RandomStream(12)
    z = F([], rs.normal((N,), avg=2.0, std=3.0, dtype="float64"))()
    assert abs(z.mean() - 2.0) < 5 * 3 / np.sqrt(N)
    assert abs(z.std() - 3.0) < 0.05
    zs = (z - 2.0) / 3.0
    assert abs(np.mean(zs ** 3)) < 0.05 and abs(np.mean(zs ** 4) - 3.0) < 0.1   # skew 0, kurtosis 3
    assert abs(np.mean(np.abs(zs) < 1) - 0.6827) < 0.01
    z32 = F([], RandomStream(12).normal((1000,)))()
    assert z32.dtype == np.float32 and np.isfinite(z32).all()


@pytest.mark.parametrize("n,p", [(1, 0.5), (1, 0.1), (7, 0.3), (20, 0.9)])
def test_binomial_values_and_moments(n, p):
    rs = RandomStream(13)
    b = F([], rs.binomial((N,), n=n, p=p))()
    assert b.dtype == np.int64
    assert b.min() >= 0 and b.max() <= n
    assert abs(b.mean() - n * p) < 5 * np.sqrt(n * p * (1 - p) / N)
    assert abs(b.var() - n * p * (1 - p)) < 0.05 * n * p * (1 - p) + 0.01


def test_binomial_edge_probabilities_dtype_and_tensor_p():
    rs = RandomStream(14)
    zero, one = F([], [rs.binomial((50,), n=3, p=0.0), rs.binomial((50,), n=3, p=1.0)])()
    assert (zero == 0).all() and (one == 3).all()
    mask = F([], rs.binomial((4, 1000), p=sn.constant(np.array([[0.0], [0.2], [0.8], [1.0]])), dtype="float32"))()
    assert mask.dtype == np.float32 and set(np.unique(mask)) <= {0.0, 1.0}
    assert (mask[0] == 0).all() and (mask[3] == 1).all() and 0.1 < mask[1].mean() < 0.3
    p = sn.scalar("p", dtype="float64")
    f = F([p], rs.binomial((3,), p=p))
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
        f(1.5)


def test_not_differentiable_and_usable_in_gradients():
    rs = RandomStream(15)
    w = sn.shared(np.ones(4), name="w")
    mask = rs.binomial((4,), p=0.5, dtype="float64")
    g = sn.grad(sn.sum(w * mask), w)                    # dropout-style: the mask is a constant
    gv = F([], [g, mask])
    a, m = gv()
    assert set(np.unique(a)) <= {0.0, 1.0}
    low = sn.scalar("low", dtype="float64")
    u = rs.uniform((3,), low=low, high=2.0, dtype="float64")
    with pytest.raises(sn.DisconnectedInputError):
        sn.grad(sn.sum(u), low)
    node = u.owner
    assert node.op.connection_pattern(node) == [[False, False]] * len(node.inputs)


def test_errors():
    rs = RandomStream(16)
    with pytest.raises(TypeError, match="float dtype"):
        rs.uniform((2,), dtype="int32")
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
        rs.binomial((2,), p=1.5)
    with pytest.raises(ValueError, match="non-negative int"):
        rs.binomial((2,), n=-1)
    with pytest.raises(ValueError, match="negative dimension"):
        rs.uniform((2, -1))
    with pytest.raises(ValueError, match="ndim=3"):
        rs.uniform((2, 2), ndim=3)
    with pytest.raises(ValueError, match="low.*does not broadcast|cannot be broadcast"):
        rs.uniform((2, 3), low=sn.constant(np.zeros(4, "float32")))
    with pytest.raises(TypeError, match="seed"):
        RandomStream("abc")
    with pytest.raises(NotImplementedError, match="truncate"):
        rs.normal((2,), truncate=True)
    k = sn.scalar("k", dtype="int64")
    f = F([k], rs.uniform((k,)))
    with pytest.raises(ValueError, match="negative dimension"):
        f(-2)


def test_theano_names_and_unseeded_streams():
    assert RandomStreams is RandomStream and sn.random.RandomStream is RandomStream
    a = F([], MRG_RandomStreams().uniform((4,)))()
    b = F([], MRG_RandomStreams(12345).uniform((4,)))()
    np.testing.assert_array_equal(a, b)            # Theano's default seed 12345
    c = F([], RandomStream().uniform((4,)))()
    d = F([], RandomStream().uniform((4,)))()
    assert not np.array_equal(c, d)                 # seed=None: drawn from the OS
    rs = RandomStream(1)
    s = rs.uniform((2,))
    assert rs.updates()[0][1] is s.owner.outputs[0] and rs.updates()[0][0].default_update is s.owner.outputs[0]


def test_infer_shape_and_empty_samples():
    rs = RandomStream(17)
    u = rs.uniform((0, 3))
    assert F([], u)().shape == (0, 3)
    node = u.owner
    assert node.op.infer_shape(node, [(2,), (2,)] + [()] * 2, [None, np.array([4, 5]), None, None]) == [(2,), (4, 5)]
    b = rs.binomial((), n=5)
    out = F([], b)()
    assert out.shape == () and 0 <= out <= 5
