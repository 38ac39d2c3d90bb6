"""Differential check of K-AUX's modules against real Keras 3 (JAX backend): every loss (x reductions x
sample weights), activation, optimizer (x options, clipping, weight decay, schedules: 5 steps), metric
(several weighted batches) and the names, variable order and configs. Keras is never a dependency
and the run costs ~20 s of CPU, so it runs only with SYMNET_TEST_KERAS=1 and Keras 3 + JAX installed:

    SYMNET_TEST_KERAS=1 python3 -m pytest tests/keras_api/test_aux_vs_keras.py
"""
import importlib.util
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Differences that are deliberate: Nadam's u_product variable is named (Keras leaves it 'variable');
# Identity keeps its gain in the config; L1/L2 configs hold the Python float (Keras rounds to float32);
# the 'l1_l2' and 'logcosh' strings are accepted (Keras 3.15's get() rejects them).
ALLOWED = ("VARS Nadam", "INIT identity", "REG l1", "REG l2", "REG l1_l2", "alias ")

SCRIPT = r'''
import os, sys, json
os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, sys.argv[1])
import numpy as np
import keras
import symnet as sn
import keras_api as sk

rng = np.random.default_rng(0)
N, C = 6, 4
P = rng.uniform(0.05, 0.95, (N, C)).astype("float32")
TR = rng.uniform(0.1, 2.0, (N, C)).astype("float32")
TB = (rng.uniform(size=(N, C)) > 0.5).astype("float32")
TO = np.eye(C, dtype="float32")[rng.integers(0, C, N)]
TS = rng.integers(0, C, N)
LG = rng.normal(0, 3, (N, C)).astype("float32")
W = rng.uniform(0, 2, N).astype("float32")
report = []

def cmp(name, a, b, tol=1e-5):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    ok = a.shape == b.shape and np.allclose(a, b, rtol=tol, atol=tol)
    if not ok:
        report.append(f"MISMATCH {name}: ours={a.ravel()[:6]} keras={b.ravel()[:6]}")
    return ok

# ---- losses
cases = [("MeanSquaredError", {}, TR, P), ("MeanAbsoluteError", {}, TR, P), ("MeanAbsolutePercentageError", {}, TR, P),
         ("MeanSquaredLogarithmicError", {}, TR, P), ("Huber", {}, TR, P * 3), ("Huber", {"delta": 0.5}, TR, P * 3),
         ("LogCosh", {}, TR, P), ("CosineSimilarity", {}, TR - 1, P - 0.5), ("BinaryCrossentropy", {}, TB, P),
         ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, TB, LG),
         ("CategoricalCrossentropy", {}, TO, P), ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, TO, LG),
         ("SparseCategoricalCrossentropy", {}, TS, P), ("SparseCategoricalCrossentropy", {"from_logits": True}, TS, LG),
         ("Hinge", {}, TB, LG), ("SquaredHinge", {}, TB, LG), ("CategoricalHinge", {}, TO, LG),
         ("KLDivergence", {}, TO * 0.7 + 0.075, P), ("Poisson", {}, TR, P)]
for cls, kw, t, p in cases:
    for red in ["sum_over_batch_size", "sum", None, "mean_with_sample_weight"]:
        kl = getattr(keras.losses, cls)(reduction=red, **kw)
        ol = getattr(sk.losses, cls)(reduction=red, **kw)
        for sw in (None, W):
            kv = np.asarray(kl(t, p, sample_weight=sw))
            yt = sn.tensor((None,) * t.ndim, dtype="int64" if t.dtype.kind == "i" else "float32")
            yp = sn.matrix("p")
            if sw is None:
                ov = sn.function([yt, yp], ol(yt, yp), mode="reference")(t, p)
            else:
                s = sn.vector("s")
                ov = sn.function([yt, yp, s], ol(yt, yp, sample_weight=s), mode="reference")(t, p, sw)
            cmp(f"loss {cls}{kw} red={red} sw={sw is not None}", ov, kv)
    assert ol.name == kl.name or report.append(f"NAME loss {cls}: ours={ol.name} keras={kl.name}")
for alias in ["mse", "mae", "mape", "msle", "kld", "kl_divergence", "logcosh", "huber", "binary_crossentropy", "poisson",
              "categorical_hinge", "cosine_similarity", "squared_hinge", "hinge", "sparse_categorical_crossentropy"]:
    try:
        k = keras.losses.get(alias)
        kn = getattr(k, "name", getattr(k, "__name__", None))
    except Exception as e:
        kn = f"ERR {e}"
    report.append(f"alias {alias}: ours={sk.losses.get(alias).name} keras.get={kn}")

# ---- activations
X = np.linspace(-5, 5, 23).astype("float32").reshape(1, -1)
for name in ["relu", "sigmoid", "tanh", "softmax", "softplus", "softsign", "elu", "selu", "gelu", "silu", "swish",
             "hard_sigmoid", "leaky_relu", "linear", "exponential", "relu6", "mish", "log_softmax", "hard_silu"]:
    try:
        kf = keras.activations.get(name)
    except Exception as e:
        report.append(f"activation {name}: keras has none ({e})"); continue
    x = sn.matrix("x")
    ov = sn.function([x], sk.activations.get(name)(x), mode="reference")(X)
    cmp(f"activation {name}", ov, np.asarray(kf(X)))

# ---- optimizers: 5 steps with fixed quadratic grads
W0 = rng.normal(0, 1, (3, 2)).astype("float32"); B0 = rng.normal(0, 1, (2,)).astype("float32")
TW = rng.normal(0, 1, (3, 2)).astype("float32"); TBb = rng.normal(0, 1, (2,)).astype("float32")
sched = {"exp": lambda m: m.schedules.ExponentialDecay(0.1, 2, 0.5, staircase=True),
         "pw": lambda m: m.schedules.PiecewiseConstantDecay([1, 3], [0.1, 0.05, 0.01]),
         "cos": lambda m: m.schedules.CosineDecay(0.0, 3, alpha=0.1, warmup_target=0.2, warmup_steps=2),
         "inv": lambda m: m.schedules.InverseTimeDecay(0.1, 1, 0.5)}
ocases = [("SGD", {}), ("SGD", {"learning_rate": 0.1, "momentum": 0.9}), ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
          ("SGD", {"learning_rate": 0.1, "weight_decay": 0.05}), ("RMSprop", {}), ("RMSprop", {"learning_rate": 0.05, "centered": True, "momentum": 0.5}),
          ("Adam", {}), ("Adam", {"learning_rate": 0.1, "amsgrad": True}), ("Adam", {"learning_rate": 0.1, "weight_decay": 0.1}),
          ("AdamW", {}), ("AdamW", {"learning_rate": 0.1, "weight_decay": 0.2}), ("Adagrad", {}), ("Adagrad", {"learning_rate": 0.1}),
          ("Adadelta", {}), ("Adadelta", {"learning_rate": 1.0}), ("Adamax", {"learning_rate": 0.1}), ("Nadam", {"learning_rate": 0.1}),
          ("Nadam", {}), ("Ftrl", {}), ("Ftrl", {"learning_rate": 0.1, "l1_regularization_strength": 0.01, "l2_regularization_strength": 0.02,
                                                "l2_shrinkage_regularization_strength": 0.03, "beta": 0.1}),
          ("SGD", {"learning_rate": 0.1, "clipnorm": 0.5}), ("Adam", {"learning_rate": 0.1, "clipvalue": 0.3}),
          ("RMSprop", {"learning_rate": 0.05, "global_clipnorm": 0.7})] + [("SGD", {"schedule": k}) for k in sched] + [("Adam", {"schedule": "cos", "weight_decay": 0.1})]
for cls, kw in ocases:
    def make(mod):
        k = dict(kw)
        if "schedule" in k:
            k["learning_rate"] = sched[k.pop("schedule")](mod)
        return getattr(mod, cls)(**k)
    ko = make(keras.optimizers)
    kw_, kb_ = keras.Variable(W0, name="kernel"), keras.Variable(B0, name="bias")
    oo = make(sk.optimizers)
    ow, ob = sn.shared(W0.copy(), name="kernel"), sn.shared(B0.copy(), name="bias")
    loss = 0.5 * sn.sum(sn.square(ow - TW)) + sn.sum(sn.square(ob - TBb))
    f = sn.function([], [], updates=oo.get_updates([ow, ob], sn.grad(loss, [ow, ob])), mode="reference")
    for step in range(5):
        gw = np.asarray(kw_.value) - TW; gb = 2 * (np.asarray(kb_.value) - TBb)
        ko.apply_gradients([(gw, kw_), (gb, kb_)])
        f()
    ok = cmp(f"optimizer {cls}{kw} kernel", ow.get_value(), np.asarray(kw_.value), 1e-5)
    cmp(f"optimizer {cls}{kw} bias", ob.get_value(), np.asarray(kb_.value), 1e-5)
    kn = [v.name for v in ko.variables]; on = [v.name.split("/")[-1] for v in oo.variables]
    if kn != on:
        report.append(f"VARS {cls}{kw}: ours={on} keras={kn}")
    kc, oc = ko.get_config(), oo.get_config()
    for key in kc:
        if key not in oc:
            report.append(f"CONFIG {cls}: key {key} missing in ours")
        elif key != "learning_rate" and kc[key] != oc[key]:
            report.append(f"CONFIG {cls}: {key} ours={oc[key]} keras={kc[key]}")
    if ko.name != oo.name:
        report.append(f"NAME optimizer {cls}: ours={oo.name} keras={ko.name}")

# ---- metrics
def feed(km, om, batches, yt_nd, yp_nd, yt_dtype="float32"):
    yt = sn.tensor((None,) + yt_nd, dtype=yt_dtype); yp = sn.tensor((None,) + yp_nd); s = sn.vector("s")
    fw = sn.function([yt, yp, s], [], updates=om.update_state(yt, yp, sample_weight=s), mode="reference")
    f = sn.function([yt, yp], [], updates=om.update_state(yt, yp), mode="reference")
    for t, p, w in batches:
        km.update_state(t, p, sample_weight=w)
        if w is None: f(t, p)
        else: fw(t, p, w)
    return om.result_value(), np.asarray(km.result())

B = 8
bb = []
for i in range(3):
    t = (rng.uniform(size=(B, 1)) > 0.5).astype("float32")
    p = np.clip(0.3 * t + rng.uniform(0, 0.7, (B, 1)), 0, 1).astype("float32")
    p[0, 0] = 0.5
    bb.append((t, p, None if i == 0 else rng.uniform(0, 2, B).astype("float32")))
for name, kw in [("BinaryAccuracy", {}), ("BinaryAccuracy", {"threshold": 0.7}), ("AUC", {}), ("AUC", {"curve": "PR"}),
                 ("AUC", {"num_thresholds": 7, "summation_method": "minoring"}), ("Precision", {}), ("Recall", {}),
                 ("Precision", {"thresholds": [0.3, 0.6]}), ("Recall", {"thresholds": [0.3, 0.6]}),
                 ("MeanSquaredError", {}), ("RootMeanSquaredError", {}), ("MeanAbsoluteError", {}),
                 ("BinaryCrossentropy", {}), ("TruePositives", {}), ("FalseNegatives", {})]:
    km = getattr(keras.metrics, name)(**kw); om = getattr(sk.metrics, name)(**kw)
    o, k = feed(km, om, bb, (1,), (1,))
    cmp(f"metric {name}{kw}", o, k, 2e-5)
    if km.name != om.name: report.append(f"NAME metric {name}: ours={om.name} keras={km.name}")
cb, sb = [], []
for i in range(3):
    lab = rng.integers(0, C, B); p = rng.uniform(0.05, 1, (B, C)).astype("float32")
    w = None if i == 0 else rng.uniform(0, 2, B).astype("float32")
    cb.append((np.eye(C, dtype="float32")[lab], p, w)); sb.append((lab, p, w))
for name, kw in [("CategoricalAccuracy", {}), ("TopKCategoricalAccuracy", {"k": 2}), ("CategoricalCrossentropy", {}),
                 ("KLDivergence", {}), ("CategoricalHinge", {}), ("CosineSimilarity", {}), ("Precision", {"top_k": 2}),
                 ("Recall", {"top_k": 2, "class_id": 1}), ("Poisson", {}), ("LogCoshError", {}), ("Hinge", {})]:
    km = getattr(keras.metrics, name)(**kw); om = getattr(sk.metrics, name)(**kw)
    cmp(f"metric {name}{kw}", *feed(km, om, cb, (C,), (C,)), 2e-5)
    if km.name != om.name: report.append(f"NAME metric {name}: ours={om.name} keras={km.name}")
for name, kw in [("SparseCategoricalAccuracy", {}), ("SparseTopKCategoricalAccuracy", {"k": 2}), ("SparseCategoricalCrossentropy", {})]:
    km = getattr(keras.metrics, name)(**kw); om = getattr(sk.metrics, name)(**kw)
    cmp(f"metric {name}{kw}", *feed(km, om, sb, (), (C,), "int64"), 2e-5)
    if km.name != om.name: report.append(f"NAME metric {name}: ours={om.name} keras={km.name}")

# ---- initializers: config defaults
for name in ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal", "random_uniform",
             "random_normal", "truncated_normal", "orthogonal", "constant", "identity", "zeros", "ones", "variance_scaling"]:
    try:
        k = keras.initializers.get(name)
    except Exception:
        continue
    o = sk.initializers.get(name)
    if type(k).__name__ != type(o).__name__ or k.get_config() != o.get_config():
        report.append(f"INIT {name}: ours={type(o).__name__}{o.get_config()} keras={type(k).__name__}{k.get_config()}")
for name in ["l1", "l2", "l1_l2"]:
    try:
        k = keras.regularizers.get(name)
    except Exception as e:
        report.append(f"REG {name}: keras.get raises {e}"); continue
    o = sk.regularizers.get(name)
    if k.get_config() != o.get_config():
        report.append(f"REG {name}: ours={o.get_config()} keras={k.get_config()}")
for name in ["max_norm", "non_neg", "unit_norm", "min_max_norm"]:
    try:
        k = keras.constraints.get(name)
    except Exception as e:
        report.append(f"CONS {name}: keras.get raises {e}"); continue
    o = sk.constraints.get(name)
    if k.get_config() != o.get_config() or type(k).__name__ != type(o).__name__:
        report.append(f"CONS {name}: ours={type(o).__name__}{o.get_config()} keras={type(k).__name__}{k.get_config()}")
print("\n".join(report) or "ALL MATCH")
'''


@pytest.mark.skipif(os.environ.get("SYMNET_TEST_KERAS") != "1" or importlib.util.find_spec("keras") is None
                    or importlib.util.find_spec("jax") is None,
                    reason="set SYMNET_TEST_KERAS=1 with Keras 3 and JAX installed")
def test_losses_optimizers_metrics_match_keras():
    env = dict(os.environ, KERAS_BACKEND="jax")
    out = subprocess.run([sys.executable, "-c", SCRIPT, ROOT], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = [ln for ln in out.stdout.splitlines() if ln.strip()]
    bad = [ln for ln in lines if not ln.startswith(ALLOWED) and ln != "ALL MATCH"]
    assert not bad, "\n".join(bad)
