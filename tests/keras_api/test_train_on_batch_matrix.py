"""Every optimizer x every loss: a Dense model with fixed weights and data, 5 train_on_batch
steps; the returned losses and the weights after each step match the NumPy reference (Keras's
formulas; gradients by central differences of the reference loss, in float64)."""
import numpy as np
import pytest

import symnet as sn
import keras_api as keras
import reference_np as R

rng = np.random.default_rng(7)
N, D = 6, 3
X = rng.normal(0, 1, (N, D))
SW = rng.uniform(0.2, 2.0, N)


def _softplus(z):
    return np.log1p(np.exp(z))


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


ACT = {"linear": lambda z: z, "softplus": _softplus, "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
       "softmax": _softmax}
ONEHOT = np.eye(3)[rng.integers(0, 3, N)]
SPARSE = rng.integers(0, 3, N)

# loss name -> (units, activation, y_true, reference per-sample loss)
LOSSES = {
    "mean_squared_error": (2, "linear", rng.normal(0, 1, (N, 2)), R.mse),
    "mean_absolute_error": (2, "linear", rng.normal(0, 1, (N, 2)), R.mae),
    "mean_absolute_percentage_error": (2, "linear", rng.uniform(0.5, 2, (N, 2)), R.mape),
    "mean_squared_logarithmic_error": (2, "softplus", rng.uniform(0.1, 3, (N, 2)), R.msle),
    "huber": (2, "linear", rng.normal(0, 1.5, (N, 2)), R.huber),
    "log_cosh": (2, "linear", rng.normal(0, 1, (N, 2)), R.log_cosh),
    "cosine_similarity": (2, "linear", rng.normal(0, 1, (N, 2)), R.cosine_similarity),
    "poisson": (2, "softplus", rng.poisson(1.5, (N, 2)).astype(float), R.poisson),
    "binary_crossentropy": (1, "sigmoid", rng.integers(0, 2, (N, 1)).astype(float), R.binary_crossentropy),
    "categorical_crossentropy": (3, "softmax", ONEHOT, R.categorical_crossentropy),
    "sparse_categorical_crossentropy": (3, "softmax", SPARSE, R.sparse_categorical_crossentropy),
    "kl_divergence": (3, "softmax", _softmax(rng.normal(0, 1, (N, 3))), R.kl_divergence),
    "hinge": (1, "tanh", rng.integers(0, 2, (N, 1)).astype(float), R.hinge),
    "squared_hinge": (1, "tanh", 2 * rng.integers(0, 2, (N, 1)).astype(float) - 1, R.squared_hinge),
    "categorical_hinge": (3, "linear", ONEHOT, R.categorical_hinge),
}
# optimizer name -> (keras constructor, reference kind, reference kwargs)
OPTIMIZERS = {
    "sgd": (lambda: keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True), "sgd",
            {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    "rmsprop": (lambda: keras.optimizers.RMSprop(0.01), "rmsprop", {"lr": 0.01}),
    "adam": (lambda: keras.optimizers.Adam(0.05), "adam", {"lr": 0.05}),
    "adamw": (lambda: keras.optimizers.AdamW(0.05, weight_decay=0.1), "adamw", {"lr": 0.05, "weight_decay": 0.1}),
    "adagrad": (lambda: keras.optimizers.Adagrad(0.1), "adagrad", {"lr": 0.1}),
    "adadelta": (lambda: keras.optimizers.Adadelta(1.0), "adadelta", {"lr": 1.0}),
    "adamax": (lambda: keras.optimizers.Adamax(0.05), "adamax", {"lr": 0.05}),
    "nadam": (lambda: keras.optimizers.Nadam(0.05), "nadam", {"lr": 0.05}),
    "ftrl": (lambda: keras.optimizers.Ftrl(0.1), "ftrl", {"lr": 0.1}),
}


def _initial(units):
    r = np.random.default_rng(units)
    return r.normal(0, 0.5, (D, units)), r.normal(0, 0.1, (units,))


def _ref_loss(params, units, act, y, ref, sw):
    w = params[: D * units].reshape(D, units)
    b = params[D * units:]
    return R.reduce(ref(y, ACT[act](X @ w + b)), sw)


def _reference(loss_name, opt_name, sw, steps=5):
    units, act, y, ref = LOSSES[loss_name]
    _, kind, rkw = OPTIMIZERS[opt_name]
    w, b = _initial(units)
    opt = R.RefOptimizer(kind, **rkw)
    losses, weights = [], []
    for _ in range(steps):
        p = np.concatenate([w.ravel(), b])
        losses.append(_ref_loss(p, units, act, y, ref, sw))
        g = np.zeros_like(p)
        h = 1e-6
        for i in range(p.size):
            a, c = p.copy(), p.copy()
            a[i] += h
            c[i] -= h
            g[i] = (_ref_loss(a, units, act, y, ref, sw) - _ref_loss(c, units, act, y, ref, sw)) / (2 * h)
        # exact zeros (flat pieces of hinge losses) come out as ~1e-10 noise, which Adam-like
        # optimizers would normalise into real steps
        g[np.abs(g) < 1e-8] = 0.0
        w, b = opt.step([w, b], [g[: D * units].reshape(D, units), g[D * units:]])
        weights.append((w, b))
    return losses, weights


def _keras(loss_name, opt_name, sw, dtype="float64", steps=5):
    units, act, y, _ = LOSSES[loss_name]
    with sn.config.change_flags(floatX=dtype, mode="reference"):
        model = keras.Sequential([keras.Input((D,)), keras.layers.Dense(units, activation=act)])
        model.set_weights([a.astype(dtype) for a in _initial(units)])
        model.compile(optimizer=OPTIMIZERS[opt_name][0](), loss=loss_name)
        yy = y.astype("int64") if loss_name.startswith("sparse") else y.astype(dtype)
        losses, weights = [], []
        for _ in range(steps):
            losses.append(float(model.train_on_batch(X.astype(dtype), yy, sample_weight=sw)))
            weights.append(tuple(model.get_weights()))
    return losses, weights


@pytest.mark.parametrize("opt_name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("loss_name", sorted(LOSSES))
def test_five_train_on_batch_steps_float64(loss_name, opt_name):
    sw = SW if loss_name in ("mean_squared_error", "binary_crossentropy", "sparse_categorical_crossentropy",
                             "huber", "kl_divergence") else None
    got_l, got_w = _keras(loss_name, opt_name, sw)
    want_l, want_w = _reference(loss_name, opt_name, sw)
    np.testing.assert_allclose(got_l, want_l, rtol=1e-7, atol=1e-9, err_msg="losses")
    for step, ((gk, gb), (wk, wb)) in enumerate(zip(got_w, want_w)):
        np.testing.assert_allclose(gk, wk, rtol=1e-6, atol=1e-8, err_msg=f"kernel after step {step + 1}")
        np.testing.assert_allclose(gb, wb, rtol=1e-6, atol=1e-8, err_msg=f"bias after step {step + 1}")


@pytest.mark.parametrize("opt_name", sorted(OPTIMIZERS))
def test_float32_every_optimizer(opt_name):
    got_l, got_w = _keras("categorical_crossentropy", opt_name, None, dtype="float32")
    want_l, want_w = _reference("categorical_crossentropy", opt_name, None)
    np.testing.assert_allclose(got_l, want_l, rtol=1e-4)
    k0, _ = _initial(3)
    np.testing.assert_allclose(got_w[-1][0] - k0, want_w[-1][0] - k0, rtol=2e-3, atol=1e-5)
