"""Keras 3 optimizers vs the NumPy reference: 5 steps on a fixed quadratic problem driven through
sn.function(updates=opt.get_updates(...)), for every optimizer and each main option."""
import warnings

import numpy as np
import pytest

import symnet as sn
import keras_api.optimizers as O
from keras_api.optimizers import schedules as S
from keras_api import constraints
import reference_np as R

rng = np.random.default_rng(1)
W0 = rng.normal(0, 1, (3, 2))
B0 = rng.normal(0, 1, (2,))
TW = rng.normal(0, 1, (3, 2))
TB = rng.normal(0, 1, (2,))
CW = rng.uniform(0.5, 3.0, (3, 2))
CB = rng.uniform(0.5, 3.0, (2,))


def np_grads(w, b):
    return [CW * (w - TW), CB * (b - TB)]


def sched(kind):
    """(keras schedule, reference fn)"""
    if kind == "exp":
        return S.ExponentialDecay(0.1, 2, 0.5, staircase=False), lambda s: R.exponential_decay(s, 0.1, 2, 0.5)
    if kind == "exp_stair":
        return S.ExponentialDecay(0.1, 2, 0.5, staircase=True), lambda s: R.exponential_decay(s, 0.1, 2, 0.5, True)
    if kind == "piecewise":
        return (S.PiecewiseConstantDecay([1, 3], [0.1, 0.05, 0.01]),
                lambda s: R.piecewise_constant(s, [1, 3], [0.1, 0.05, 0.01]))
    if kind == "cosine":
        return S.CosineDecay(0.1, 4, alpha=0.1), lambda s: R.cosine_decay(s, 0.1, 4, 0.1)
    if kind == "cosine_warmup":
        return (S.CosineDecay(0.0, 3, warmup_target=0.2, warmup_steps=2),
                lambda s: R.cosine_decay(s, 0.0, 3, 0.0, 0.2, 2))
    if kind == "inverse_time":
        return S.InverseTimeDecay(0.1, 1, 0.5, staircase=False), lambda s: R.inverse_time_decay(s, 0.1, 1, 0.5)
    if kind == "inverse_time_stair":
        return S.InverseTimeDecay(0.1, 2, 0.5, staircase=True), lambda s: R.inverse_time_decay(s, 0.1, 2, 0.5, True)
    raise ValueError(kind)


# (id, keras class, keras kwargs, reference kind, reference kwargs)
CASES = [
    ("sgd", O.SGD, {}, "sgd", {}),
    ("sgd_lr", O.SGD, {"learning_rate": 0.1}, "sgd", {"lr": 0.1}),
    ("sgd_momentum", O.SGD, {"learning_rate": 0.1, "momentum": 0.9}, "sgd", {"lr": 0.1, "momentum": 0.9}),
    ("sgd_nesterov", O.SGD, {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}, "sgd",
     {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("sgd_weight_decay", O.SGD, {"learning_rate": 0.1, "weight_decay": 0.05}, "sgd", {"lr": 0.1, "weight_decay": 0.05}),
    ("rmsprop", O.RMSprop, {}, "rmsprop", {}),
    ("rmsprop_lr", O.RMSprop, {"learning_rate": 0.05}, "rmsprop", {"lr": 0.05}),
    ("rmsprop_centered", O.RMSprop, {"learning_rate": 0.05, "centered": True}, "rmsprop",
     {"lr": 0.05, "centered": True}),
    ("rmsprop_momentum", O.RMSprop, {"learning_rate": 0.05, "momentum": 0.5}, "rmsprop",
     {"lr": 0.05, "momentum": 0.5}),
    ("rmsprop_centered_momentum", O.RMSprop, {"learning_rate": 0.05, "momentum": 0.5, "centered": True, "rho": 0.8},
     "rmsprop", {"lr": 0.05, "momentum": 0.5, "centered": True, "rho": 0.8}),
    ("adam", O.Adam, {}, "adam", {}),
    ("adam_lr", O.Adam, {"learning_rate": 0.1, "beta_1": 0.8, "beta_2": 0.99}, "adam",
     {"lr": 0.1, "beta_1": 0.8, "beta_2": 0.99}),
    ("adam_amsgrad", O.Adam, {"learning_rate": 0.1, "amsgrad": True}, "adam", {"lr": 0.1, "amsgrad": True}),
    ("adam_weight_decay", O.Adam, {"learning_rate": 0.1, "weight_decay": 0.1}, "adam",
     {"lr": 0.1, "weight_decay": 0.1}),
    ("adamw", O.AdamW, {}, "adamw", {}),
    ("adamw_lr", O.AdamW, {"learning_rate": 0.1, "weight_decay": 0.2}, "adamw", {"lr": 0.1, "weight_decay": 0.2}),
    ("adagrad", O.Adagrad, {}, "adagrad", {}),
    ("adagrad_lr", O.Adagrad, {"learning_rate": 0.1, "initial_accumulator_value": 0.5}, "adagrad",
     {"lr": 0.1, "initial_accumulator_value": 0.5}),
    ("adadelta", O.Adadelta, {}, "adadelta", {}),
    ("adadelta_lr", O.Adadelta, {"learning_rate": 1.0, "rho": 0.9}, "adadelta", {"lr": 1.0, "rho": 0.9}),
    ("adamax", O.Adamax, {}, "adamax", {}),
    ("adamax_lr", O.Adamax, {"learning_rate": 0.1}, "adamax", {"lr": 0.1}),
    ("nadam", O.Nadam, {}, "nadam", {}),
    ("nadam_lr", O.Nadam, {"learning_rate": 0.1}, "nadam", {"lr": 0.1}),
    ("ftrl", O.Ftrl, {}, "ftrl", {}),
    ("ftrl_reg", O.Ftrl, {"learning_rate": 0.1, "l1_regularization_strength": 0.01,
                           "l2_regularization_strength": 0.02, "l2_shrinkage_regularization_strength": 0.03,
                           "beta": 0.1},
     "ftrl", {"lr": 0.1, "l1_regularization_strength": 0.01, "l2_regularization_strength": 0.02,
              "l2_shrinkage_regularization_strength": 0.03, "beta": 0.1}),
    ("clipnorm", O.SGD, {"learning_rate": 0.1, "clipnorm": 0.5}, "sgd", {"lr": 0.1, "clipnorm": 0.5}),
    ("clipvalue", O.Adam, {"learning_rate": 0.1, "clipvalue": 0.3}, "adam", {"lr": 0.1, "clipvalue": 0.3}),
    ("global_clipnorm", O.RMSprop, {"learning_rate": 0.05, "global_clipnorm": 0.7}, "rmsprop",
     {"lr": 0.05, "global_clipnorm": 0.7}),
]
for _k in ("exp", "exp_stair", "piecewise", "cosine", "cosine_warmup", "inverse_time", "inverse_time_stair"):
    CASES.append((f"sgd_{_k}", O.SGD, {"schedule": _k}, "sgd", {"schedule": _k}))
CASES.append(("adam_cosine_wd", O.Adam, {"schedule": "cosine", "weight_decay": 0.1}, "adam",
              {"schedule": "cosine", "weight_decay": 0.1}))
IDS = [c[0] for c in CASES]


def _run(cls, kw, dtype, steps=5):
    kw = dict(kw)
    if "schedule" in kw:
        kw["learning_rate"] = sched(kw.pop("schedule"))[0]
    with sn.config.change_flags(floatX=dtype):
        w = sn.shared(W0.astype(dtype), name="dense/kernel")
        b = sn.shared(B0.astype(dtype), name="dense/bias")
        loss = 0.5 * sn.sum(CW.astype(dtype) * sn.square(w - TW.astype(dtype))) + \
            0.5 * sn.sum(CB.astype(dtype) * sn.square(b - TB.astype(dtype)))
        opt = cls(**kw)
        gw, gb = sn.grad(loss, [w, b])
        f = sn.function([], loss, updates=opt.get_updates([w, b], [gw, gb]), mode="reference")
        hist = []
        for _ in range(steps):
            f()
            hist.append((w.get_value(), b.get_value()))
    return opt, hist


def _ref(kind, rkw, steps=5):
    rkw = dict(rkw)
    if "schedule" in rkw:
        rkw["schedule"] = sched(rkw["schedule"])[1]
    ref = R.RefOptimizer(kind, **rkw)
    w, b = W0.copy(), B0.copy()
    hist = []
    for _ in range(steps):
        w, b = ref.step([w, b], np_grads(w, b))
        hist.append((w, b))
    return hist


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_five_steps_match_reference(case, dtype):
    _, cls, kw, kind, rkw = case
    opt, got = _run(cls, kw, dtype)
    want = _ref(kind, rkw)
    assert int(opt.iterations.get_value()) == 5
    for step, ((gw, gb), (ww, wb)) in enumerate(zip(got, want)):
        assert gw.dtype == dtype
        if dtype == "float64":
            np.testing.assert_allclose(gw, ww, rtol=1e-9, atol=1e-12, err_msg=f"kernel after step {step + 1}")
            np.testing.assert_allclose(gb, wb, rtol=1e-9, atol=1e-12, err_msg=f"bias after step {step + 1}")
        else:
            # compare the movement, so optimizers with tiny default steps are still checked
            np.testing.assert_allclose(gw - W0, ww - W0, rtol=2e-3, atol=2e-6, err_msg=f"step {step + 1}")
            np.testing.assert_allclose(gb - B0, wb - B0, rtol=2e-3, atol=2e-6, err_msg=f"step {step + 1}")


def test_the_reference_itself_moves_every_case():
    """Guards against a vacuous comparison: every case changes the weights."""
    for _, _, _, kind, rkw in CASES:
        w, _ = _ref(kind, rkw)[-1]
        assert np.abs(w - W0).max() > 5e-6, kind


@pytest.mark.parametrize("name,cls,lr", [("sgd", O.SGD, 0.01), ("rmsprop", O.RMSprop, 0.001), ("adam", O.Adam, 0.001),
                                         ("adamw", O.AdamW, 0.001), ("adagrad", O.Adagrad, 0.001),
                                         ("adadelta", O.Adadelta, 0.001), ("adamax", O.Adamax, 0.001),
                                         ("nadam", O.Nadam, 0.001), ("ftrl", O.Ftrl, 0.001)])
def test_get_by_name_and_default_learning_rates(name, cls, lr):
    opt = O.get(name)
    assert type(opt) is cls
    assert opt.learning_rate == pytest.approx(lr)
    assert type(O.get(cls.__name__)) is cls
    again = O.deserialize(O.serialize(opt))
    assert type(again) is cls and again.get_config() == opt.get_config()


def test_keras_defaults():
    r = O.RMSprop()
    assert (r.rho, r.momentum, r.epsilon, r.centered) == (0.9, 0.0, 1e-7, False)
    a = O.Adam()
    assert (a.beta_1, a.beta_2, a.epsilon, a.amsgrad) == (0.9, 0.999, 1e-7, False)
    assert O.AdamW().weight_decay == 0.004
    assert O.Adagrad().initial_accumulator_value == 0.1
    assert (O.Adadelta().rho, O.Adadelta().epsilon) == (0.95, 1e-7)
    f = O.Ftrl()
    assert (f.learning_rate_power, f.initial_accumulator_value, f.beta) == (-0.5, 0.1, 0.0)
    assert (O.SGD().momentum, O.SGD().nesterov) == (0.0, False)


def test_variables_in_keras_order():
    w = sn.shared(np.zeros((2, 2), "float32"), name="w")
    b = sn.shared(np.zeros(2, "float32"), name="b")
    opt = O.Adam(amsgrad=True)
    opt.build([w, b])
    names = [v.name.split("/")[-1] for v in opt.variables]
    assert names == ["iteration", "learning_rate", "w_momentum", "w_velocity", "b_momentum", "b_velocity",
                     "w_velocity_hat", "b_velocity_hat"]
    assert opt.iterations.dtype == "int64"
    opt2 = O.SGD(learning_rate=S.ExponentialDecay(0.1, 10, 0.9))
    opt2.build([w])
    assert [v.name.split("/")[-1] for v in opt2.variables] == ["iteration"]


def test_learning_rate_property_and_setter_used_by_callbacks():
    opt = O.SGD(learning_rate=0.1)
    w = sn.shared(np.ones(2), name="w")
    f = sn.function([], [], updates=opt.get_updates([w], [sn.ones_like(w)]), mode="reference")
    f()
    opt.learning_rate = 0.5
    assert opt.learning_rate == pytest.approx(0.5)
    f()
    np.testing.assert_allclose(w.get_value(), [1 - 0.1 - 0.5] * 2, rtol=1e-6)
    sch = O.SGD(learning_rate=S.ExponentialDecay(0.1, 1, 0.5))
    assert sch.learning_rate == pytest.approx(0.1)
    with pytest.raises(TypeError):
        sch.learning_rate = 0.2


def test_legacy_lr_keyword_warns_and_decay_is_rejected():
    with pytest.warns(DeprecationWarning):
        opt = O.RMSprop(lr=0.02)
    assert opt.learning_rate == pytest.approx(0.02)
    with pytest.raises(ValueError, match="decay"):
        O.SGD(decay=0.1)


def test_only_one_clipping_option():
    with pytest.raises(ValueError, match="Only one of"):
        O.SGD(clipnorm=1.0, clipvalue=1.0)


def test_unknown_optimizer_name_lists_valid_names():
    with pytest.raises(ValueError) as e:
        O.get("adamm")
    assert "adamm" in str(e.value) and "rmsprop" in str(e.value) and "nadam" in str(e.value)


def test_constraints_apply_to_the_new_value_and_weight_decay_exclusion():
    w = sn.shared(np.array([[3.0, 0.1], [4.0, 0.2]]), name="kernel")
    b = sn.shared(np.array([-1.0, 1.0]), name="bias")
    opt = O.SGD(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    ups = opt.get_updates([w, b], [sn.zeros_like(w), sn.ones_like(b)],
                          constraints={w: constraints.MaxNorm(2.0), b: constraints.NonNeg()})
    sn.function([], [], updates=ups, mode="reference")()
    decayed = np.array([[3.0, 0.1], [4.0, 0.2]]) * (1 - 0.05)
    norms = np.sqrt((decayed ** 2).sum(0, keepdims=True))
    np.testing.assert_allclose(w.get_value(), decayed * np.clip(norms, 0, 2) / (1e-7 + norms), rtol=1e-9)
    np.testing.assert_allclose(b.get_value(), [0.0, 0.9])          # no decay on the bias; NonNeg after


def test_eager_apply_gradients():
    w = sn.shared(np.array([1.0, 2.0]), name="w")
    opt = O.Adam(learning_rate=0.1)
    for _ in range(3):
        opt.apply_gradients([(np.array([0.5, -0.5]), w)])
    ref = R.RefOptimizer("adam", lr=0.1)
    v = [np.array([1.0, 2.0])]
    for _ in range(3):
        v = ref.step(v, [np.array([0.5, -0.5])])
    np.testing.assert_allclose(w.get_value(), v[0], rtol=1e-7)   # the learning rate is stored in floatX (float32)
    assert int(opt.iterations.get_value()) == 3


def test_schedules_numeric_and_symbolic_agree():
    it = sn.shared(np.int64(0))
    for k in ("exp", "exp_stair", "piecewise", "cosine", "cosine_warmup", "inverse_time", "inverse_time_stair"):
        s, ref = sched(k)
        f = sn.function([], s(it), mode="reference")
        for step in range(8):
            it.set_value(np.int64(step))
            assert float(f()) == pytest.approx(ref(step), rel=1e-6, abs=1e-8), (k, step)
            assert s(step) == pytest.approx(ref(step), rel=1e-6, abs=1e-8), (k, step)
        again = S.deserialize(S.serialize(s))
        assert again.get_config() == s.get_config()


def test_auto_names_like_keras():
    from keras_api.layers.base import clear_session
    clear_session()
    assert [O.SGD().name, O.SGD().name, O.RMSprop().name, O.AdamW().name, O.Adam(name="mine").name] == \
        ["sgd", "sgd_1", "rm_sprop", "adam_w", "mine"]
