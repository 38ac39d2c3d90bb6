"""sn.scan: Theano's semantics, differential (reference vs LLVM) and gradients by finite differences."""
from __future__ import annotations

import numpy as np
import pytest

import symnet as sn

MODES = ["reference", "llvm"]
rng = np.random.default_rng(0)


@pytest.mark.parametrize("mode", MODES)
def test_power_by_repeated_multiplication(mode):
    A, k = sn.vector("A"), sn.iscalar("k")
    result, updates = sn.scan(lambda prior, A: prior * A, outputs_info=sn.ones_like(A), non_sequences=A,
                              n_steps=k)
    f = sn.function([A, k], result[-1], updates=updates, mode=mode)
    np.testing.assert_allclose(f(np.arange(10, dtype="float32"), 2), np.arange(10) ** 2)
    full = sn.function([A, k], result, mode=mode)(np.arange(4, dtype="float32"), 3)
    assert full.shape == (3, 4)
    np.testing.assert_allclose(full, [np.arange(4) ** p for p in (1, 2, 3)])


@pytest.mark.parametrize("mode", MODES)
def test_polynomial_evaluation_and_gradient(mode):
    c, x = sn.vector("c", dtype="float64"), sn.dscalar("x")
    comps, updates = sn.scan(lambda ci, power, x: ci * (x ** power), outputs_info=None,
                             sequences=[c, sn.arange(1000)], non_sequences=x)
    poly = comps.sum()
    f = sn.function([c, x], [poly, sn.grad(poly, x), sn.grad(poly, c)], mode=mode)
    val, gx, gc = f(np.array([1., 0., 2.]), 3.0)
    assert val == pytest.approx(19.0)
    assert gx == pytest.approx(12.0)
    np.testing.assert_allclose(gc, [1, 3, 9])
    assert len(updates) == 0


@pytest.mark.parametrize("mode", MODES)
def test_reduce_foldl_foldr_map(mode):
    x = sn.vector("x", dtype="float64")
    s, _ = sn.reduce(lambda v, acc: acc + v, sequences=x, outputs_info=sn.constant(0.0, dtype="float64"))
    l, _ = sn.foldl(lambda v, acc: acc * 2 + v, sequences=x, outputs_info=sn.constant(0.0, dtype="float64"))
    r, _ = sn.foldr(lambda v, acc: acc * 2 + v, sequences=x, outputs_info=sn.constant(0.0, dtype="float64"))
    m, _ = sn.map(lambda v: v * v, sequences=x)
    f = sn.function([x], [s, l, r, m], mode=mode)
    s_, l_, r_, m_ = f(np.array([1., 2., 3.]))
    assert s_ == 6 and l_ == 11 and r_ == 17
    np.testing.assert_allclose(m_, [1, 4, 9])


@pytest.mark.parametrize("mode", MODES)
def test_output_taps_fibonacci_and_sequence_taps(mode):
    a = sn.vector("a", dtype="float64")
    fib, _ = sn.scan(lambda a2, a1: a1 + a2, outputs_info=[dict(initial=a, taps=[-2, -1])], n_steps=6)
    np.testing.assert_allclose(sn.function([a], fib, mode=mode)(np.array([0., 1.])), [1, 2, 3, 5, 8, 13])
    x = sn.vector("x", dtype="float64")
    y, _ = sn.scan(lambda xm1, x0, xp1: xm1 - 2 * x0 + xp1, sequences=dict(input=x, taps=[-1, 0, 1]))
    np.testing.assert_allclose(sn.function([x], y, mode=mode)(np.arange(6.) ** 2), [2, 2, 2, 2])
    # a gap in the taps: [-3, -1] reads three and one steps back
    z, _ = sn.scan(lambda z3, z1: z3 + z1, outputs_info=[dict(initial=a, taps=[-3, -1])], n_steps=3)
    np.testing.assert_allclose(sn.function([a], z, mode=mode)(np.array([1., 2., 3.])), [4, 6, 9])


@pytest.mark.parametrize("mode", MODES)
def test_go_backwards_and_several_outputs_with_none(mode):
    x = sn.vector("x", dtype="float64")
    (run, sq), _ = sn.scan(lambda v, acc: [acc + v, v * v], sequences=x,
                           outputs_info=[sn.constant(0.0, dtype="float64"), None], go_backwards=True)
    r, q = sn.function([x], [run, sq], mode=mode)(np.array([1., 2., 3.]))
    np.testing.assert_allclose(r, [3, 5, 6])
    np.testing.assert_allclose(q, [9, 4, 1])


@pytest.mark.parametrize("mode", MODES)
def test_until(mode):
    def power_of_2(previous_power, max_value):
        return previous_power * 2, sn.scan_module.until(previous_power * 2 > max_value)
    max_value = sn.dscalar("m")
    values, _ = sn.scan(power_of_2, outputs_info=sn.constant(1.), non_sequences=max_value, n_steps=1024)
    np.testing.assert_allclose(sn.function([max_value], values, mode=mode)(45), [2, 4, 8, 16, 32, 64])


@pytest.mark.parametrize("mode", MODES)
def test_random_draws_inside_the_step_are_updates(mode):
    srng = sn.random.RandomStream(3)
    z, upd = sn.scan(lambda: srng.uniform(size=(2,)), n_steps=3)
    assert len(upd) == 1
    f = sn.function([], z, updates=upd, mode=mode)
    a, b = f(), f()
    assert a.shape == (3, 2) and not np.allclose(a, b)
    assert len({tuple(r) for r in a}) == 3           # each step draws new numbers


def test_random_streams_agree_between_backends():
    outs = []
    for mode in MODES:
        srng = sn.random.RandomStream(11)
        z, upd = sn.scan(lambda h: h + srng.normal(size=(3,)), outputs_info=sn.zeros((3,)), n_steps=4)
        f = sn.function([], z, updates=upd, mode=mode)
        outs.append((f(), f()))
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-6)
    np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-6)


@pytest.mark.parametrize("mode", MODES)
def test_rbm_gibbs_chain(mode):
    """Theano's RBM example: binomial draws inside the step, the rng updates returned."""
    W = sn.shared(rng.normal(size=(6, 4)).astype("float32"), "W")
    bvis = sn.shared(np.zeros(6, "float32"), "bvis")
    bhid = sn.shared(np.zeros(4, "float32"), "bhid")
    trng = sn.random.RandomStream(1234)

    def one_step(vsample):
        hmean = sn.sigmoid(sn.dot(vsample, W) + bhid)
        hsample = trng.binomial(size=hmean.shape, n=1, p=hmean, dtype="float32")
        vmean = sn.sigmoid(sn.dot(hsample, W.T) + bvis)
        return trng.binomial(size=vsample.shape, n=1, p=vmean, dtype="float32")

    sample = sn.vector("sample")
    values, updates = sn.scan(one_step, outputs_info=sample, n_steps=10)
    gibbs = sn.function([sample], values[-1], updates=updates, mode=mode)
    out = gibbs(np.ones(6, "float32"))
    assert out.shape == (6,) and set(np.unique(out)) <= {0.0, 1.0}


@pytest.mark.parametrize("mode", MODES)
def test_shared_update_inside_the_step(mode):
    count = sn.shared(np.array(0.0), "count")
    x = sn.vector("x", dtype="float64")
    y, upd = sn.scan(lambda v: (v * 2, {count: count + v}), sequences=x)
    f = sn.function([x], y, updates=upd, mode=mode)
    np.testing.assert_allclose(f(np.array([1., 2., 3.])), [2, 4, 6])
    assert count.get_value() == 6.0
    f(np.array([1.0]))
    assert count.get_value() == 7.0


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_rnn_gradient_finite_differences(mode, dtype):
    def rnn(x, h0, W, U):
        h, _ = sn.scan(lambda x_t, h, W, U: sn.tanh(sn.dot(x_t, W) + sn.dot(h, U)), sequences=x,
                       outputs_info=h0, non_sequences=[W, U])
        return h
    pt = [rng.normal(size=s).astype(dtype) * 0.5 for s in [(5, 3, 4), (3, 2), (4, 2), (2, 2)]]
    sn.verify_grad(rnn, pt, mode=mode)


@pytest.mark.parametrize("mode", MODES)
def test_gradient_through_taps_and_implicit_shared(mode):
    W = sn.shared(np.array([[0.3, -0.2], [0.1, 0.4]]), "W")

    def f(x, init):
        out, _ = sn.scan(lambda xm1, x0, o2, o1: sn.tanh(sn.dot(o1, W) + o2 * xm1 + x0),
                         sequences=dict(input=x, taps=[-1, 0]), outputs_info=dict(initial=init, taps=[-2, -1]))
        return out
    sn.verify_grad(f, [rng.normal(size=(6, 2)), rng.normal(size=(2, 2))], mode=mode)
    x, init = sn.dmatrix("x"), sn.dmatrix("i")
    gW = sn.grad(f(x, init).sum(), W)
    xv, iv = rng.normal(size=(6, 2)), rng.normal(size=(2, 2))
    g = sn.function([x, init], gW, mode=mode)(xv, iv)
    fc = sn.function([x, init], f(x, init).sum(), mode=mode)
    eps, num = 1e-6, np.zeros((2, 2))
    w0 = W.get_value()
    for i in range(2):
        for j in range(2):
            w = w0.copy(); w[i, j] += eps; W.set_value(w); fp = fc(xv, iv)
            w[i, j] -= 2 * eps; W.set_value(w); fm = fc(xv, iv)
            num[i, j] = (fp - fm) / (2 * eps)
    W.set_value(w0)
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("mode", MODES)
def test_truncate_gradient(mode):
    x, h0, u = sn.dvector("x"), sn.dscalar("h0"), sn.dscalar("u")
    h, _ = sn.scan(lambda xt, h, u: h * u + xt, sequences=x, outputs_info=h0, non_sequences=u,
                   truncate_gradient=2)
    gx, gh0, gu = sn.grad(h[-1], [x, h0, u])
    f = sn.function([x, h0, u], [gx, gh0, gu], mode=mode)
    gxv, gh0v, guv = f(np.array([1., 2., 3., 4.]), 1.0, 0.5)
    # only the last two steps are backpropagated
    np.testing.assert_allclose(gxv, [0, 0, 0.5, 1])
    assert gh0v == 0
    # h = 1.5, 2.75, 4.375, 6.1875; the last two steps: dh4/du = h3 + u * h2
    assert guv == pytest.approx(4.375 + 0.5 * 2.75)


@pytest.mark.parametrize("mode", MODES)
def test_jacobian_and_hessian_of_unknown_length(mode):
    v = sn.dvector("v")
    J = sn.jacobian(sn.tanh(v) * v.sum(), v)
    H = sn.hessian((v ** 3).sum() + v[0] * v[1], v)
    f = sn.function([v], [J, H], mode=mode)
    xv = np.array([0.1, 0.2, 0.3])
    j, h = f(xv)
    ref = np.diag((1 - np.tanh(xv) ** 2) * xv.sum()) + np.tanh(xv)[:, None]
    np.testing.assert_allclose(j, ref, rtol=1e-10)
    want = np.diag(6 * xv)
    want[0, 1] = want[1, 0] = 1
    np.testing.assert_allclose(h, want)


@pytest.mark.parametrize("mode", MODES)
def test_zero_steps_and_shapes(mode):
    x = sn.dmatrix("x")
    h, _ = sn.scan(lambda r, acc: acc + r, sequences=x, outputs_info=sn.zeros((3,), dtype="float64"))
    m, _ = sn.map(lambda r: r.sum() * sn.ones((2,), dtype="float64"), sequences=x)
    f = sn.function([x], [h, m], mode=mode)
    hv, mv = f(np.zeros((0, 3)))
    assert hv.shape == (0, 3) and mv.shape == (0, 2)
    hv, mv = f(np.ones((1, 3)))
    assert hv.shape == (1, 3) and mv.shape == (1, 2)


def test_errors():
    x = sn.dvector("x")
    with pytest.raises(ValueError, match="n_steps"):
        sn.scan(lambda: x)
    with pytest.raises(ValueError, match="dtype"):
        sn.scan(lambda v, acc: acc + v, sequences=x, outputs_info=sn.constant(np.float32(0)))
    with pytest.raises(ValueError, match="outputs_info"):
        sn.scan(lambda v, a: [a, a], sequences=x, outputs_info=[sn.constant(0.0, dtype="float64")])
    h, _ = sn.scan(lambda a: sn.concatenate([a, a]), outputs_info=x, n_steps=2)
    with pytest.raises(ValueError, match="keep its shape"):
        sn.function([x], h, mode="reference")(np.ones(2))


def test_theano_spelling():
    import symnet as theano
    assert theano.scan_module.until is sn.scan_module.until
    from symnet.scan_module import until, scan  # noqa: F401
    assert callable(theano.scan)


def _scan_nodes(f):
    from symnet.ops.scan import Scan
    return [n for n in f.fgraph.nodes if isinstance(n.op, Scan)]


@pytest.mark.parametrize("mode", MODES)
def test_rewrites_pushout_hoist_and_prune(mode):
    from symnet.ops.blas import MatMul
    from symnet.graph import toposort
    x, h0 = sn.tensor3("x"), sn.matrix("h0")
    W = sn.shared(rng.normal(size=(4, 3)).astype("float32"), "W")
    U = sn.shared(rng.normal(size=(3, 3)).astype("float32"), "U")

    def step(x_t, h, W, U):
        return sn.tanh(sn.dot(x_t, W) + sn.dot(h, U * 0.5)), (h ** 2).sum(axis=1)
    (hs, sq), _ = sn.scan(step, sequences=x, outputs_info=[h0, None], non_sequences=[W, U])
    xv, hv = rng.normal(size=(6, 2, 4)).astype("float32"), rng.normal(size=(2, 3)).astype("float32")
    f = sn.function([x, h0], hs, mode=mode)
    (node,) = _scan_nodes(f)
    inner = toposort(node.op.inner_outputs, blockers=node.op.inner_inputs)
    mm = [n for n in inner if isinstance(n.op, MatMul) or type(n.op).__name__ == "Gemm"]
    assert len(mm) <= 1                                    # only h @ U is left in the step
    assert node.op.n_nitsot == 0                           # the unused output is pruned
    assert not any(type(n.op).__name__ == "Elemwise" and "mul" in str(n.op) and
                   any(i.name == "U[inner]" for i in n.inputs) for n in inner)   # U * 0.5 hoisted
    # the numbers do not change
    ref = []
    h = hv
    for t in range(6):
        h = np.tanh(xv[t] @ W.get_value() + h @ (U.get_value() * 0.5))
        ref.append(h)
    np.testing.assert_allclose(f(xv, hv), np.stack(ref), rtol=1e-5, atol=1e-6)
    with sn.config.change_flags(optimizer=None):
        g = sn.function([x, h0], hs, mode=mode)
    np.testing.assert_allclose(g(xv, hv), np.stack(ref), rtol=1e-5, atol=1e-6)
    # the gradient of the rewritten loop
    cost = hs.sum()
    fg = sn.function([x, h0], sn.grad(cost, [W, U]), mode=mode)
    with sn.config.change_flags(optimizer=None):
        fr = sn.function([x, h0], sn.grad(cost, [W, U]), mode="reference")
    for a, b in zip(fg(xv, hv), fr(xv, hv)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mode", MODES)
def test_hessian_through_a_recurrence(mode):
    """Second derivatives: the gradient of the BPTT scan (itself a scan), looped by jacobian's scan."""
    w, x = sn.dvector("w"), sn.dmatrix("x")
    h, _ = sn.scan(lambda xt, h, w: sn.tanh(xt * w + h * w[::-1]), sequences=x, outputs_info=sn.zeros_like(w),
                   non_sequences=w)
    cost = (h ** 2).sum()
    fH = sn.function([w, x], sn.hessian(cost, w), mode=mode)
    fg = sn.function([w, x], sn.grad(cost, w), mode=mode)
    wv, xv = np.array([0.3, -0.5, 0.8]), rng.normal(size=(4, 3))
    num = np.stack([(fg(wv + e, xv) - fg(wv - e, xv)) / 2e-6 for e in np.eye(3) * 1e-6])
    np.testing.assert_allclose(fH(wv, xv), num, atol=1e-6)


try:
    from hypothesis import given, strategies as st
except ImportError:  # pragma: no cover
    given = None

if given is not None:
    @given(n=st.integers(0, 7), width=st.integers(1, 4), dtype=st.sampled_from(["float32", "float64"]),
           back=st.booleans())
    def test_property_running_sums_match_numpy(n, width, dtype, back):
        """Cumulative sums and per-step products on random lengths (0 included), both backends."""
        x = sn.tensor((None, width), dtype=dtype)
        (acc, prod), _ = sn.scan(lambda r, a: [a + r, r * 2], sequences=x,
                                 outputs_info=[sn.zeros((width,), dtype=dtype), None], go_backwards=back)
        xv = np.random.default_rng(n).normal(size=(n, width)).astype(dtype)
        src = xv[::-1] if back else xv
        for mode in MODES:
            a, p = sn.function([x], [acc, prod], mode=mode)(xv)
            assert a.shape == (n, width) and p.dtype == dtype
            np.testing.assert_allclose(a, np.cumsum(src, axis=0), rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(p, src * 2, rtol=1e-6)
