"""sn.einsum against np.einsum on hypothesis-chosen specs and shapes (0, 1 and odd sizes, static and
unknown dims, float32/float64) on the reference and LLVM backends; gradients with verify_grad; and
sn.nnet.dot_product_attention against a NumPy transcription of Keras's formula."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import symnet as sn

LABELS = "abcde"


@st.composite
def einsum_cases(draw):
    sizes = {c: draw(st.sampled_from([0, 1, 2, 3, 5])) for c in LABELS}
    n_ops = draw(st.integers(1, 3))
    terms = []
    for _ in range(n_ops):
        k = draw(st.integers(0, 3))
        terms.append("".join(draw(st.permutations(LABELS))[:k]))
    used = sorted(set("".join(terms)))
    out = "".join(c for c in draw(st.permutations(used)) if draw(st.booleans()))
    spec = ",".join(terms) + "->" + out
    shapes = [tuple(sizes[c] for c in t) for t in terms]
    return spec, shapes


def _run(spec, arrays, static, mode, dtype):
    xs = [sn.tensor(a.shape if static else (None,) * a.ndim, dtype=dtype) for a in arrays]
    return sn.function(xs, sn.einsum(spec, *xs), mode=mode)(*arrays)


@settings(max_examples=40, deadline=None)
@given(case=einsum_cases(), dtype=st.sampled_from(["float32", "float64"]), static=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_einsum_matches_numpy(case, dtype, static, seed):
    spec, shapes = case
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    want = np.einsum(spec, *arrays)
    tol = 1e-4 if dtype == "float32" else 1e-11
    for mode in ("reference", "llvm"):
        got = _run(spec, arrays, static, mode, dtype)
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("spec,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ii->i", [(3, 3)]), ("ii", [(4, 4)]),
    ("ij->", [(2, 3)]), ("ij->ji", [(2, 3)]), ("...ij,...jk", [(2, 1, 3, 4), (5, 4, 2)]),
    ("i...->...", [(3, 2, 4)]), ("i,i", [(0,), (0,)]), ("i,j->ij", [(3,), (0,)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]), ("bij,bjk->bik", [(1, 3, 0), (1, 0, 2)]),
    ("abc,cde->abde", [(2, 3, 4), (4, 5, 6)]), ("aecd,abcd->acbe", [(2, 3, 4, 5), (2, 6, 4, 5)]),
    ("acbe,aecd->abcd", [(2, 4, 6, 3), (2, 3, 4, 5)]), ("ab,ab->ab", [(3, 4), (3, 4)]),
    ("iij,jk->ik", [(3, 3, 2), (2, 5)]), ("ba,ab", [(1, 1), (1, 1)]),
])
@pytest.mark.parametrize("mode", ["reference", "llvm"])
def test_einsum_specs(spec, shapes, mode):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    for static in (True, False):
        got = _run(spec, arrays, static, mode, "float64")
        np.testing.assert_allclose(got, np.einsum(spec, *arrays), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("spec,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("abc,cd->abd", [(2, 3, 5), (5, 1)]), ("ii->i", [(3, 3)]),
    ("aecd,abcd->acbe", [(2, 3, 1, 2), (2, 3, 1, 2)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 1)]),
    ("...ij,...jk", [(2, 1, 3, 2), (3, 2, 2)]), ("ij->", [(3, 5)]),
])
def test_einsum_grad(spec, shapes):
    rng = np.random.default_rng(1)
    sn.verify_grad(lambda *xs: sn.einsum(spec, *xs), [rng.standard_normal(s) for s in shapes], mode="reference")
    sn.verify_grad(lambda *xs: sn.einsum(spec, *xs), [rng.standard_normal(s) for s in shapes])


def test_einsum_float32_grad_llvm():
    rng = np.random.default_rng(2)
    sn.verify_grad(lambda a, b: sn.einsum("abc,cd->abd", a, b),
                   [rng.standard_normal((2, 3, 4)).astype("float32"), rng.standard_normal((4, 5)).astype("float32")])


@pytest.mark.parametrize("spec,shapes,match", [
    ("ij,jk->ik", [(2, 3), (4, 5)], "label 'j' has size 3"),
    ("ij,jk", [(2, 3)], "name 2 operand"),
    ("ijk->i", [(2, 3)], "has 2 dimension"),
    ("ij->iz", [(2, 3)], "'z'"),
    ("i1->i", [(2, 3)], "invalid subscript"),
    ("ij->ii", [(2, 2)], "repeats"),
])
def test_einsum_errors(spec, shapes, match):
    xs = [sn.tensor(s, dtype="float64") for s in shapes]
    with pytest.raises(ValueError, match=match):
        sn.einsum(spec, *xs)


# ------------------------------------------------------------------------------------------
# dot_product_attention
# ------------------------------------------------------------------------------------------
def attention_reference(q, k, v, bias=None, mask=None, scale=None, is_causal=False):
    """Keras's formula (keras/src/backend/numpy/nn.py), with jax's grouped heads."""
    n, kh = q.shape[2], k.shape[2]
    k, v = np.repeat(k, n // kh, axis=2), np.repeat(v, n // kh, axis=2)
    scale = 1.0 / np.sqrt(k.shape[-1]) if scale is None else scale
    logits = np.einsum("BTNH,BSNH->BNTS", q, k) * scale
    if bias is not None:
        logits = logits + bias
    keep = np.ones(logits.shape, bool)
    if mask is not None:
        keep &= mask
    if is_causal:
        keep &= np.tril(np.ones(logits.shape[2:], bool))
    logits = np.where(keep, logits, -0.7 * 3.38953e38).astype(logits.dtype)
    p = np.exp(logits - logits.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    return np.einsum("BNTS,BSNH->BTNH", p, v)


@pytest.mark.parametrize("n,kh", [(1, 1), (4, 4), (4, 2), (3, 1)])
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("mode", ["reference", "llvm"])
def test_dot_product_attention(n, kh, causal, mode):
    rng = np.random.default_rng(n * 10 + kh)
    q = rng.standard_normal((2, 3, n, 5))
    k = rng.standard_normal((2, 4, kh, 5))
    v = rng.standard_normal((2, 4, kh, 5))
    bias = rng.standard_normal((1, n, 3, 4))
    mask = rng.random((2, 1, 3, 4)) > 0.3
    Q = sn.tensor((None, None, n, 5), dtype="float64")
    K = sn.tensor((None, None, kh, 5), dtype="float64")
    V = sn.tensor((None, None, kh, 5), dtype="float64")
    B = sn.tensor((1, n, None, None), dtype="float64")
    M = sn.tensor((None, 1, None, None), dtype="bool")
    out = sn.nnet.dot_product_attention(Q, K, V, bias=B, mask=M, is_causal=causal)
    plain = sn.nnet.dot_product_attention(Q, K, V, scale=0.3)
    f = sn.function([Q, K, V, B, M], [out, plain], mode=mode, on_unused_input="ignore")
    got, got_plain = f(q, k, v, bias, mask)
    np.testing.assert_allclose(got, attention_reference(q, k, v, bias, mask, is_causal=causal), rtol=1e-10)
    np.testing.assert_allclose(got_plain, attention_reference(q, k, v, scale=0.3), rtol=1e-10)


def test_dot_product_attention_grad():
    rng = np.random.default_rng(3)
    mask = rng.random((1, 1, 3, 4)) > 0.3
    mask[..., 0] = True
    pts = [rng.standard_normal((1, 3, 2, 2)), rng.standard_normal((1, 4, 1, 2)), rng.standard_normal((1, 4, 1, 2))]
    sn.verify_grad(lambda q, k, v: sn.nnet.dot_product_attention(q, k, v, mask=mask, is_causal=True), pts,
                   mode="reference")
    sn.verify_grad(lambda q, k, v: sn.nnet.dot_product_attention(q, k, v, mask=mask), pts)


def test_dot_product_attention_float32_and_errors():
    rng = np.random.default_rng(4)
    q = rng.standard_normal((2, 5, 2, 3)).astype("float32")
    Q = sn.tensor((None, None, 2, 3), dtype="float32")
    out = sn.nnet.dot_product_attention(Q, Q, Q, is_causal=True)
    assert out.dtype == "float32"
    got = sn.function([Q], out)(q)
    np.testing.assert_allclose(got, attention_reference(q, q, q, is_causal=True), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="only supports 4D inputs"):
        sn.nnet.dot_product_attention(sn.tensor((None, 2, 3)), sn.tensor((None, 2, 3)), sn.tensor((None, 2, 3)))
    with pytest.raises(ValueError, match="multiple"):
        sn.nnet.dot_product_attention(sn.tensor((1, 2, 3, 4)), sn.tensor((1, 2, 2, 4)), sn.tensor((1, 2, 2, 4)))
