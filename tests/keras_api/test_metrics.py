"""Keras 3 metrics accumulated over several batches with sample weights vs NumPy; AUC vs a NumPy
reimplementation of Keras's algorithm and vs scikit-learn; names and 'accuracy' resolution."""
import numpy as np
import pytest

import symnet as sn
import keras_api.metrics as M
import reference_np as R

rng = np.random.default_rng(2)
B, C = 8, 5
BATCHES = 3


def _drive(metric, batches, ndims, dtypes=("float32", "float32")):
    """Compile one update function and feed the batches through it (as the trainer does)."""
    yt = sn.tensor((None,) + ndims[0], dtype=dtypes[0], name="y_true")
    yp = sn.tensor((None,) + ndims[1], dtype=dtypes[1], name="y_pred")
    sw = sn.vector("sw")
    upd_w = sn.function([yt, yp, sw], [], updates=metric.update_state(yt, yp, sample_weight=sw), mode="reference")
    upd = sn.function([yt, yp], [], updates=metric.update_state(yt, yp), mode="reference")
    res = sn.function([], metric.result(), mode="reference")
    for t, p, w in batches:
        if w is None:
            upd(t, p)
        else:
            upd_w(t, p, w.astype("float32"))
    return res()


def _weights(i):
    return None if i == 0 else rng.uniform(0, 2, B)


def test_binary_accuracy_weighted_epoch_average():
    batches, per = [], []
    for i in range(BATCHES):
        t = (rng.uniform(size=(B, 1)) > 0.5).astype("float32")
        p = rng.uniform(size=(B, 1)).astype("float32")
        w = _weights(i)
        batches.append((t, p, w))
        per.append(((p[:, 0] > 0.5) == (t[:, 0] == 1)).astype(float))
    got = _drive(M.BinaryAccuracy(), batches, ((1,), (1,)))
    assert got == pytest.approx(R.weighted_mean(per, [b[2] for b in batches]), rel=1e-6)


def test_binary_accuracy_threshold_and_multi_column():
    t = (rng.uniform(size=(B, 3)) > 0.5).astype("float32")
    p = rng.uniform(size=(B, 3)).astype("float32")
    w = rng.uniform(0, 2, B)
    got = _drive(M.BinaryAccuracy(threshold=0.7), [(t, p, w)], ((3,), (3,)))
    per = ((p > 0.7) == (t == 1)).mean(-1)
    assert got == pytest.approx(R.weighted_mean([per], [w]), rel=1e-6)


def test_categorical_and_sparse_and_topk_accuracy():
    batches_c, batches_s, per_c, per_top = [], [], [], []
    for i in range(BATCHES):
        lab = rng.integers(0, C, B)
        p = rng.uniform(size=(B, C)).astype("float32")
        w = _weights(i)
        batches_c.append((np.eye(C, dtype="float32")[lab], p, w))
        batches_s.append((lab.astype("int64"), p, w))
        per_c.append((p.argmax(-1) == lab).astype(float))
        rank = 1 + (p > p[np.arange(B), lab][:, None]).sum(-1)
        per_top.append((rank <= 2).astype(float))
    ws = [b[2] for b in batches_c]
    assert _drive(M.CategoricalAccuracy(), batches_c, ((C,), (C,))) == pytest.approx(R.weighted_mean(per_c, ws), rel=1e-6)
    assert _drive(M.SparseCategoricalAccuracy(), batches_s, ((), (C,)), ("int64", "float32")) == \
        pytest.approx(R.weighted_mean(per_c, ws), rel=1e-6)
    assert _drive(M.TopKCategoricalAccuracy(k=2), batches_c, ((C,), (C,))) == \
        pytest.approx(R.weighted_mean(per_top, ws), rel=1e-6)
    assert _drive(M.SparseTopKCategoricalAccuracy(k=2), batches_s, ((), (C,)), ("int64", "float32")) == \
        pytest.approx(R.weighted_mean(per_top, ws), rel=1e-6)
    # top-5 of 5 classes is always right
    assert _drive(M.TopKCategoricalAccuracy(), batches_c, ((C,), (C,))) == pytest.approx(1.0)


def test_sparse_accuracy_with_column_labels():
    lab = rng.integers(0, C, B)
    p = rng.uniform(size=(B, C)).astype("float32")
    got = _drive(M.SparseCategoricalAccuracy(), [(lab[:, None].astype("float32"), p, None)], ((1,), (C,)))
    assert got == pytest.approx((p.argmax(-1) == lab).mean())


@pytest.mark.parametrize("metric,ref", [
    (M.MeanSquaredError, R.mse), (M.MeanAbsoluteError, R.mae), (M.MeanAbsolutePercentageError, R.mape),
    (M.MeanSquaredLogarithmicError, R.msle), (M.LogCoshError, R.log_cosh), (M.Poisson, R.poisson),
    (M.KLDivergence, R.kl_divergence), (M.BinaryCrossentropy, R.binary_crossentropy),
    (M.CategoricalCrossentropy, R.categorical_crossentropy), (M.Hinge, R.hinge), (M.SquaredHinge, R.squared_hinge),
    (M.CategoricalHinge, R.categorical_hinge),
    (M.CosineSimilarity, lambda t, p: -R.cosine_similarity(t, p)),
])
def test_mean_wrappers_weighted(metric, ref):
    batches, per = [], []
    for i in range(BATCHES):
        t = rng.uniform(0.05, 1, (B, C)).astype("float32")
        p = rng.uniform(0.05, 1, (B, C)).astype("float32")
        w = _weights(i)
        batches.append((t, p, w))
        per.append(ref(t.astype(float), p.astype(float)))
    got = _drive(metric(), batches, ((C,), (C,)))
    assert got == pytest.approx(R.weighted_mean(per, [b[2] for b in batches]), rel=2e-5)


def test_sparse_crossentropy_metric():
    lab = rng.integers(0, C, B)
    p = rng.uniform(0.05, 1, (B, C)).astype("float32")
    w = rng.uniform(0, 2, B)
    got = _drive(M.SparseCategoricalCrossentropy(), [(lab, p, w)], ((), (C,)), ("int64", "float32"))
    assert got == pytest.approx(R.weighted_mean([R.sparse_categorical_crossentropy(lab, p.astype(float))], [w]),
                                rel=1e-5)


def test_root_mean_squared_error_is_sqrt_of_weighted_mean():
    batches, per = [], []
    for i in range(BATCHES):
        t = rng.normal(size=(B, 2)).astype("float32")
        p = rng.normal(size=(B, 2)).astype("float32")
        w = _weights(i)
        batches.append((t, p, w))
        per.append(((t - p) ** 2).mean(-1))
    got = _drive(M.RootMeanSquaredError(), batches, ((2,), (2,)))
    assert got == pytest.approx(np.sqrt(R.weighted_mean(per, [b[2] for b in batches])), rel=1e-5)


def test_mean_and_sum_with_scalar_and_vector_weights():
    m, s = M.Mean(), M.Sum()
    v = sn.vector("v")
    w = sn.vector("w")
    f = sn.function([v, w], [], updates=m.update_state(v, sample_weight=w) + s.update_state(v, sample_weight=w),
                    mode="reference")
    g = sn.function([v], [], updates=m.update_state(v) + s.update_state(v), mode="reference")
    a, wa = np.array([1, 2, 3], "float32"), np.array([0.5, 0, 2], "float32")
    b = np.array([4, 5], "float32")
    f(a, wa)
    g(b)
    assert m.result_value() == pytest.approx((0.5 + 6 + 4 + 5) / (2.5 + 2))
    assert s.result_value() == pytest.approx(0.5 + 6 + 9)
    m.reset_state()
    s.reset_state()
    assert m.result_value() == 0.0 and s.result_value() == 0.0
    g(b)
    assert m.result_value() == pytest.approx(4.5)


def _auc_batches():
    batches = []
    for i in range(BATCHES):
        t = (rng.uniform(size=(B * 4,)) > 0.4).astype("float32")
        p = np.clip(0.35 * t + rng.uniform(0, 0.7, B * 4), 0, 1).astype("float32")
        p[:3] = [0.0, 1.0, 0.5]                  # exact threshold values
        w = None if i == 0 else rng.uniform(0, 2, B * 4)
        batches.append((t, p, w))
    return batches


@pytest.mark.parametrize("curve,summation", [("ROC", "interpolation"), ("ROC", "minoring"), ("ROC", "majoring"),
                                             ("PR", "interpolation"), ("PR", "minoring"), ("PR", "majoring")])
def test_auc_matches_numpy_keras_algorithm(curve, summation):
    batches = _auc_batches()
    got = _drive(M.AUC(num_thresholds=50, curve=curve, summation_method=summation), batches, ((), ()))
    th = R.keras_auc_thresholds(50)
    counts = [sum(x) for x in zip(*[R.confusion(t, p, th, w) for t, p, w in batches])]
    assert got == pytest.approx(R.auc_from_counts(*counts, curve=curve, summation_method=summation), rel=1e-5)


def test_auc_close_to_sklearn():
    from sklearn.metrics import average_precision_score, roc_auc_score
    batches = _auc_batches()
    t = np.concatenate([b[0] for b in batches])
    p = np.concatenate([b[1] for b in batches])
    w = np.concatenate([np.ones(len(b[0])) if b[2] is None else b[2] for b in batches])
    got = _drive(M.AUC(num_thresholds=1000), batches, ((), ()))
    assert got == pytest.approx(roc_auc_score(t, p, sample_weight=w), abs=5e-3)
    pr = _drive(M.AUC(num_thresholds=1000, curve="PR"), batches, ((), ()))
    assert pr == pytest.approx(average_precision_score(t, p, sample_weight=w), abs=3e-2)


def test_auc_keras_thresholds_and_variables():
    a = M.AUC(name="auc")
    assert a.num_thresholds == 200
    th = a.thresholds
    assert th[0] == pytest.approx(-1e-7) and th[-1] == pytest.approx(1 + 1e-7) and th[1] == pytest.approx(1 / 199)
    assert [v.name for v in a.variables] == ["auc/true_positives", "auc/false_positives", "auc/true_negatives",
                                             "auc/false_negatives"]


def test_precision_recall_thresholds_weights():
    batches = _auc_batches()
    th = [0.3, 0.5, 0.8]
    counts = [sum(x) for x in zip(*[R.confusion(t, p, th, w) for t, p, w in batches])]
    tp, fp, tn, fn = counts
    prec = _drive(M.Precision(thresholds=th), batches, ((), ()))
    rec = _drive(M.Recall(thresholds=th), batches, ((), ()))
    np.testing.assert_allclose(prec, tp / (tp + fp), rtol=1e-5)
    np.testing.assert_allclose(rec, tp / (tp + fn), rtol=1e-5)
    p1 = _drive(M.Precision(), batches, ((), ()))
    tp5, fp5, _, fn5 = [sum(x) for x in zip(*[R.confusion(t, p, [0.5], w) for t, p, w in batches])]
    assert np.ndim(p1) == 0 and float(p1) == pytest.approx(float(tp5[0] / (tp5[0] + fp5[0])), rel=1e-5)
    assert _drive(M.Recall(), [(np.zeros(4, "float32"), np.ones(4, "float32"), None)], ((), ())) == 0.0  # no nan


def test_precision_class_id():
    lab = rng.integers(0, 3, B)
    t = np.eye(3, dtype="float32")[lab]
    p = rng.uniform(size=(B, 3)).astype("float32")
    got = _drive(M.Precision(class_id=1), [(t, p, None)], ((3,), (3,)))
    tp = np.sum((t[:, 1] == 1) & (p[:, 1] > 0.5))
    fp = np.sum((t[:, 1] == 0) & (p[:, 1] > 0.5))
    assert got == pytest.approx(tp / (tp + fp) if tp + fp else 0.0)


def test_names_and_get():
    expect = {"accuracy": "Accuracy", "binary_accuracy": "BinaryAccuracy", "mae": "MeanAbsoluteError",
              "mse": "MeanSquaredError", "auc": "AUC", "precision": "Precision", "recall": "Recall",
              "top_k_categorical_accuracy": "TopKCategoricalAccuracy"}
    for ident, cls in expect.items():
        m = M.get(ident)
        assert type(m).__name__ == cls and m.name == ident
    assert M.BinaryAccuracy().name == "binary_accuracy" and M.BinaryAccuracy().threshold == 0.5
    assert M.RootMeanSquaredError().name == "root_mean_squared_error"
    assert M.SparseTopKCategoricalAccuracy().k == 5
    assert M.get(M.binary_accuracy).name == "binary_accuracy"
    with pytest.raises(ValueError) as e:
        M.get("acuracy")
    assert "acuracy" in str(e.value) and "binary_accuracy" in str(e.value)


@pytest.mark.parametrize("ident,loss,yt_ndim,yp_shape,cls", [
    ("accuracy", "binary_crossentropy", 2, (None, 1), M.BinaryAccuracy),
    ("accuracy", "categorical_crossentropy", 2, (None, 10), M.CategoricalAccuracy),
    ("acc", "sparse_categorical_crossentropy", 1, (None, 10), M.SparseCategoricalAccuracy),
    ("accuracy", "mse", 2, (None, 1), M.BinaryAccuracy),              # Keras 3 decides by shapes
    ("accuracy", None, 1, (None, 3), M.SparseCategoricalAccuracy),
    ("accuracy", "sparse_categorical_crossentropy", None, None, M.SparseCategoricalAccuracy),  # by loss
    ("accuracy", "binary_crossentropy", None, None, M.BinaryAccuracy),
    ("accuracy", None, None, None, M.CategoricalAccuracy),
    ("crossentropy", None, 1, (None, 3), M.SparseCategoricalCrossentropy),
])
def test_resolve_accuracy(ident, loss, yt_ndim, yp_shape, cls):
    m = M.resolve(ident, loss, y_true_ndim=yt_ndim, y_pred_shape=yp_shape)
    assert type(m) is cls and m.name == ident


def test_resolve_sparse_by_trailing_one():
    m = M.resolve("accuracy", None, y_true_ndim=2, y_pred_shape=(None, 4), y_true_last_dim=1)
    assert type(m) is M.SparseCategoricalAccuracy


def test_config_round_trip():
    m = M.AUC(num_thresholds=10, curve="PR", name="pr")
    again = M.deserialize(M.serialize(m))
    assert type(again) is M.AUC and again.num_thresholds == 10 and again.curve == "PR" and again.name == "pr"


def test_precision_recall_top_k():
    t = (rng.uniform(size=(B, C)) > 0.6).astype("float32")
    p = rng.uniform(size=(B, C)).astype("float32")
    p[0, :2] = p[0, 2]                                            # a tie: lower index ranks first
    order = np.argsort(-p, axis=-1, kind="stable")[:, :2]
    top = np.zeros_like(t, dtype=bool)
    np.put_along_axis(top, order, True, axis=-1)
    tp = np.sum(top & (t == 1))
    fp = np.sum(top & (t == 0))
    fn = np.sum(~top & (t == 1))
    assert _drive(M.Precision(top_k=2), [(t, p, None)], ((C,), (C,))) == pytest.approx(tp / (tp + fp))
    assert _drive(M.Recall(top_k=2), [(t, p, None)], ((C,), (C,))) == pytest.approx(tp / (tp + fn))
    sel = top[:, 1]
    tp1, fp1 = np.sum(sel & (t[:, 1] == 1)), np.sum(sel & (t[:, 1] == 0))
    got = _drive(M.Precision(top_k=2, class_id=1), [(t, p, None)], ((C,), (C,)))
    assert got == pytest.approx(tp1 / (tp1 + fp1) if tp1 + fp1 else 0.0)


def test_auto_names_are_uniquified_like_keras():
    from keras_api.layers.base import clear_session
    clear_session()
    assert [M.AUC().name, M.AUC().name, M.Precision().name, M.TruePositives().name] == ["auc", "auc_1", "precision",
                                                                                      "true_positives"]
    assert M.BinaryAccuracy().name == "binary_accuracy"          # explicit default names are not counted
    clear_session()
    assert M.AUC().name == "auc"
