"""Keras losses vs the NumPy reference: values (float32/float64), sample weights, reductions,
gradients vs finite differences of the reference, names, aliases and errors."""
import numpy as np
import pytest

import symnet as sn
import keras_api.losses as L
import reference_np as R

N, C = 6, 4
rng = np.random.default_rng(0)
P = rng.uniform(0.05, 0.95, (N, C))
T_REG = rng.uniform(0.1, 2.0, (N, C))
T_BIN = (rng.uniform(size=(N, C)) > 0.5).astype(float)
T_ONEHOT = np.eye(C)[rng.integers(0, C, N)]
T_SPARSE = rng.integers(0, C, N)
T_PM1 = 2 * T_BIN - 1
LOGITS = rng.normal(0, 2, (N, C))
P_SOFT = P / P.sum(-1, keepdims=True)

# (identifier, class, kwargs, reference fn, y_true, y_pred)
CASES = [
    ("mse", L.MeanSquaredError, {}, R.mse, T_REG, P * 2),
    ("mae", L.MeanAbsoluteError, {}, R.mae, T_REG, P * 2),
    ("mape", L.MeanAbsolutePercentageError, {}, R.mape, T_REG, P * 2),
    ("msle", L.MeanSquaredLogarithmicError, {}, R.msle, T_REG, P * 2),
    ("huber", L.Huber, {}, R.huber, T_REG, P * 3),
    ("log_cosh", L.LogCosh, {}, R.log_cosh, T_REG, P * 2),
    ("cosine_similarity", L.CosineSimilarity, {}, R.cosine_similarity, T_REG - 1, P - 0.5),
    ("binary_crossentropy", L.BinaryCrossentropy, {}, R.binary_crossentropy, T_BIN, P),
    ("categorical_crossentropy", L.CategoricalCrossentropy, {}, R.categorical_crossentropy, T_ONEHOT, P),
    ("sparse_categorical_crossentropy", L.SparseCategoricalCrossentropy, {}, R.sparse_categorical_crossentropy,
     T_SPARSE, P),
    ("hinge", L.Hinge, {}, R.hinge, T_BIN, LOGITS),
    ("squared_hinge", L.SquaredHinge, {}, R.squared_hinge, T_PM1, LOGITS),
    ("categorical_hinge", L.CategoricalHinge, {}, R.categorical_hinge, T_ONEHOT, LOGITS),
    ("kl_divergence", L.KLDivergence, {}, R.kl_divergence, P_SOFT[::-1].copy(), P_SOFT),
    ("poisson", L.Poisson, {}, R.poisson, T_REG, P * 2),
    ("bce_logits_smooth", L.BinaryCrossentropy, {"from_logits": True, "label_smoothing": 0.1},
     lambda t, p: R.binary_crossentropy(t, p, True, 0.1), T_BIN, LOGITS),
    ("bce_smooth", L.BinaryCrossentropy, {"label_smoothing": 0.2},
     lambda t, p: R.binary_crossentropy(t, p, False, 0.2), T_BIN, P),
    ("cce_logits_smooth", L.CategoricalCrossentropy, {"from_logits": True, "label_smoothing": 0.1},
     lambda t, p: R.categorical_crossentropy(t, p, True, 0.1), T_ONEHOT, LOGITS),
    ("scce_logits", L.SparseCategoricalCrossentropy, {"from_logits": True},
     lambda t, p: R.sparse_categorical_crossentropy(t, p, True), T_SPARSE, LOGITS),
]
IDS = [c[0] for c in CASES]


def _inputs(y_true, dtype):
    yt = sn.tensor((None,) * y_true.ndim, dtype="int64" if y_true.dtype.kind == "i" else dtype, name="y_true")
    yp = sn.tensor((None, C), dtype=dtype, name="y_pred")
    return yt, yp


def _cast_true(y_true, dtype):
    return y_true.astype("int64") if y_true.dtype.kind == "i" else y_true.astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_loss_values_weights_and_reductions(case, dtype):
    name, cls, kw, ref, y_true, y_pred = case
    with sn.config.change_flags(floatX=dtype):
        yt, yp = _inputs(y_true, dtype)
        sw = sn.vector("sw", dtype=dtype)
        outs = [cls(**kw)(yt, yp), cls(**kw)(yt, yp, sample_weight=sw),
                cls(reduction="sum", **kw)(yt, yp, sample_weight=sw),
                cls(reduction=None, **kw)(yt, yp, sample_weight=sw),
                cls(reduction="mean_with_sample_weight", **kw)(yt, yp, sample_weight=sw)]
        f = sn.function([yt, yp, sw], outs, mode="reference")
        w = np.linspace(0.0, 2.0, N)
        got = f(_cast_true(y_true, dtype), y_pred.astype(dtype), w.astype(dtype))
    assert all(g.dtype == dtype for g in got)
    per = ref(y_true.astype(np.float64), y_pred.astype(np.float64))
    want = [R.reduce(per), R.reduce(per, w), R.reduce(per, w, "sum"), R.reduce(per, w, None),
            R.reduce(per, w, "mean_with_sample_weight")]
    tol = dict(rtol=2e-5, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-10)
    for g, wv in zip(got, want):
        np.testing.assert_allclose(g, wv, **tol)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_loss_gradient_matches_finite_differences(case):
    name, cls, kw, ref, y_true, y_pred = case
    with sn.config.change_flags(floatX="float64"):
        yt, yp = _inputs(y_true, "float64")
        loss = cls(**kw)(yt, yp)
        f = sn.function([yt, yp], sn.grad(loss, yp), mode="reference")
        got = f(_cast_true(y_true, "float64"), y_pred)
    h = 1e-6
    num = np.zeros_like(y_pred)
    for idx in np.ndindex(*y_pred.shape):
        a, b = y_pred.copy(), y_pred.copy()
        a[idx] += h
        b[idx] -= h
        num[idx] = (R.reduce(ref(y_true, a)) - R.reduce(ref(y_true, b))) / (2 * h)
    np.testing.assert_allclose(got, num, rtol=1e-5, atol=1e-7)


def test_function_forms_and_aliases():
    yt, yp = sn.matrix("t", dtype="float64"), sn.matrix("p", dtype="float64")
    f = sn.function([yt, yp], [L.mse(yt, yp), L.mean_squared_error(yt, yp), L.mae(yt, yp), L.kld(yt, yp),
                               L.kullback_leibler_divergence(yt, yp), L.logcosh(yt, yp),
                               L.binary_crossentropy(yt, yp)], mode="reference")
    a, b = P_SOFT[::-1].copy(), P_SOFT
    out = f(a, b)
    np.testing.assert_allclose(out[0], R.mse(a, b))
    np.testing.assert_allclose(out[1], R.mse(a, b))
    np.testing.assert_allclose(out[2], R.mae(a, b))
    np.testing.assert_allclose(out[3], R.kl_divergence(a, b))
    np.testing.assert_allclose(out[4], R.kl_divergence(a, b))
    np.testing.assert_allclose(out[5], R.log_cosh(a, b))
    np.testing.assert_allclose(out[6], R.binary_crossentropy(a, b))


@pytest.mark.parametrize("alias,cls,name", [
    ("mse", L.MeanSquaredError, "mean_squared_error"), ("mae", L.MeanAbsoluteError, "mean_absolute_error"),
    ("mape", L.MeanAbsolutePercentageError, "mean_absolute_percentage_error"),
    ("msle", L.MeanSquaredLogarithmicError, "mean_squared_logarithmic_error"),
    ("kld", L.KLDivergence, "kl_divergence"), ("kullback_leibler_divergence", L.KLDivergence, "kl_divergence"),
    ("logcosh", L.LogCosh, "log_cosh"), ("huber_loss", L.Huber, "huber_loss"), ("huber", L.Huber, "huber_loss"),
    ("binary_crossentropy", L.BinaryCrossentropy, "binary_crossentropy"),
    ("sparse_categorical_crossentropy", L.SparseCategoricalCrossentropy, "sparse_categorical_crossentropy"),
    ("categorical_hinge", L.CategoricalHinge, "categorical_hinge"), ("poisson", L.Poisson, "poisson"),
    ("cosine_similarity", L.CosineSimilarity, "cosine_similarity"),
])
def test_get_resolves_aliases_to_keras_classes_and_names(alias, cls, name):
    loss = L.get(alias)
    assert type(loss) is cls and loss.name == name
    assert L.get(loss) is loss
    assert type(L.get(L.deserialize(L.serialize(loss)))) is cls


def test_get_with_functions_and_custom_callables():
    assert isinstance(L.get(L.mean_squared_error), L.MeanSquaredError)

    def my_loss(t, p):
        return sn.mean(sn.abs(t - p), axis=-1)
    w = L.get(my_loss)
    assert w.name == "my_loss"
    yt, yp = sn.matrix("t", dtype="float64"), sn.matrix("p", dtype="float64")
    out = sn.function([yt, yp], w(yt, yp), mode="reference")(T_REG, P)
    np.testing.assert_allclose(out, R.mae(T_REG, P).mean())


def test_unknown_loss_name_lists_valid_names():
    with pytest.raises(ValueError) as e:
        L.get("mean_sqared_error")
    msg = str(e.value)
    assert "mean_sqared_error" in msg and "mean_squared_error" in msg and "categorical_crossentropy" in msg


def test_bad_reduction_raises():
    with pytest.raises(ValueError, match="reduction"):
        L.MeanSquaredError(reduction="avg")


def test_keras_documented_examples():
    """Numbers from Keras's docstrings."""
    yt, yp = sn.matrix("t"), sn.matrix("p")
    f = sn.function([yt, yp], [L.binary_crossentropy(yt, yp), L.Huber()(yt, yp)], mode="reference")
    bce, hub = f(np.array([[0, 1], [0, 0]], "float32"), np.array([[0.6, 0.4], [0.4, 0.6]], "float32"))
    np.testing.assert_allclose(bce, [0.916, 0.714], atol=1e-3)
    np.testing.assert_allclose(hub, 0.155, atol=1e-3)
    yi = sn.vector("i", dtype="int64")
    g = sn.function([yi, yp], L.sparse_categorical_crossentropy(yi, yp), mode="reference")
    np.testing.assert_allclose(g(np.array([1, 2]), np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]], "float32")),
                               [0.0513, 2.303], atol=1e-3)


def test_sparse_labels_with_trailing_one_and_per_sample_weight_column():
    yi = sn.tensor((None, 1), dtype="int64")
    yp = sn.matrix("p", dtype="float64")
    sw = sn.tensor((None, 1), dtype="float64")
    f = sn.function([yi, yp, sw], L.SparseCategoricalCrossentropy()(yi, yp, sample_weight=sw), mode="reference")
    w = np.arange(N, dtype=float)[:, None]
    got = f(T_SPARSE[:, None], P, w)
    np.testing.assert_allclose(got, R.reduce(R.sparse_categorical_crossentropy(T_SPARSE, P), w[:, 0]))


def test_get_config_round_trip():
    loss = L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1, name="cce")
    cfg = loss.get_config()
    assert cfg["from_logits"] is True and cfg["label_smoothing"] == 0.1 and cfg["name"] == "cce"
    again = L.CategoricalCrossentropy.from_config(cfg)
    assert again.from_logits and again.name == "cce"


def test_crossentropy_of_saturated_sigmoid_and_softmax_outputs_is_finite_float32():
    """Stability comes from symnet's rewrites: bce of a sigmoid output equals the from-logits loss
    (gradients included); cce/scce of a softmax output stay finite with finite gradients."""
    z = sn.matrix("z", dtype="float32")
    t = sn.matrix("t", dtype="float32")
    ti = sn.vector("ti", dtype="int64")
    zz = np.array([[200.0, -300.0, 0.0], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], "float32")
    tt = np.array([[0, 1.0, 0], [1, 0, 0], [0, 0, 1]], "float32")
    bce = L.binary_crossentropy(t, sn.sigmoid(z))
    bce_l = L.binary_crossentropy(t, z, from_logits=True)
    f = sn.function([t, z], [bce, sn.grad(sn.sum(bce), z), bce_l, sn.grad(sn.sum(bce_l), z)], mode="reference")
    a, ga, b, gb = f(tt, zz)
    np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(ga, gb, rtol=1e-5, atol=1e-9)
    want = R.binary_crossentropy(tt.astype(float), zz.astype(float), from_logits=True)
    np.testing.assert_allclose(b, want, rtol=1e-6)
    s = 1 / (1 + np.exp(-zz.astype(float)))
    np.testing.assert_allclose(gb, (s - tt) / 3, rtol=1e-5, atol=1e-9)    # exact at z = 0 too
    for out in (L.categorical_crossentropy(t, sn.softmax(z)),):
        g = sn.function([t, z], [out, sn.grad(sn.sum(out), z)], mode="reference")(tt, zz)
        assert all(np.isfinite(x).all() for x in g)
        assert g[0][0] >= 16.0                         # at least Keras's clipped value -log(1e-7)
        np.testing.assert_allclose(g[0][1:], R.categorical_crossentropy(tt[1:], zz[1:], True), rtol=1e-6)
    out = L.sparse_categorical_crossentropy(ti, sn.softmax(z))
    g = sn.function([ti, z], [out, sn.grad(sn.sum(out), z)], mode="reference")(np.array([1, 0, 2]), zz)
    assert all(np.isfinite(x).all() for x in g) and g[0][0] >= 16.0
