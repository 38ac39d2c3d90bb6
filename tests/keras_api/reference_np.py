"""NumPy reference implementations written from Keras 3's documented formulas.

Used by the keras_api tests as the oracle for losses, optimizers, schedules and metrics. Nothing
here imports keras_api or symnet."""
from __future__ import annotations

import math

import numpy as np

EPS = 1e-7


# ---------------------------------------------------------------------------------------------
# losses: per-sample values (mean/sum over the last axis) and Keras 3's reductions
# ---------------------------------------------------------------------------------------------
def mse(t, p):
    return np.mean((t - p) ** 2, axis=-1)


def mae(t, p):
    return np.mean(np.abs(t - p), axis=-1)


def mape(t, p):
    return 100.0 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPS)), axis=-1)


def msle(t, p):
    return np.mean((np.log(np.maximum(p, EPS) + 1.0) - np.log(np.maximum(t, EPS) + 1.0)) ** 2, axis=-1)


def huber(t, p, delta=1.0):
    e = p - t
    a = np.abs(e)
    return np.mean(np.where(a <= delta, 0.5 * e ** 2, delta * a - 0.5 * delta ** 2), axis=-1)


def log_cosh(t, p):
    return np.mean(np.log(np.cosh(p - t)), axis=-1)


def _l2n(x, axis=-1):
    return x * np.minimum(1.0 / np.sqrt(np.sum(x * x, axis=axis, keepdims=True)), 1.0 / EPS)


def cosine_similarity(t, p, axis=-1):
    return -np.sum(_l2n(t, axis) * _l2n(p, axis), axis=axis)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def binary_crossentropy(t, p, from_logits=False, label_smoothing=0.0):
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return np.mean(np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p))), axis=-1)
    p = np.clip(p, EPS, 1 - EPS)
    return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)), axis=-1)


def _log_softmax(x):
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), -1, keepdims=True))


def categorical_crossentropy(t, p, from_logits=False, label_smoothing=0.0):
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / t.shape[-1]
    if from_logits:
        lp = _log_softmax(p)
    else:
        lp = np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))
    return -np.sum(t * lp, axis=-1)


def sparse_categorical_crossentropy(t, p, from_logits=False):
    t = np.asarray(t).astype(int)
    if t.ndim == p.ndim:
        t = t[..., 0]
    return categorical_crossentropy(np.eye(p.shape[-1])[t], p, from_logits)


def _hinge_labels(t):
    return 2.0 * t - 1.0 if np.all((t == 0) | (t == 1)) else t


def hinge(t, p):
    return np.mean(np.maximum(1.0 - _hinge_labels(t) * p, 0.0), axis=-1)


def squared_hinge(t, p):
    return np.mean(np.maximum(1.0 - _hinge_labels(t) * p, 0.0) ** 2, axis=-1)


def categorical_hinge(t, p):
    pos = np.sum(t * p, -1)
    neg = np.max((1.0 - t) * p, -1)
    return np.maximum(neg - pos + 1.0, 0.0)


def kl_divergence(t, p):
    t, p = np.clip(t, EPS, 1), np.clip(p, EPS, 1)
    return np.sum(t * np.log(t / p), axis=-1)


def poisson(t, p):
    return np.mean(p - t * np.log(p + EPS), axis=-1)


def reduce(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Keras 3: weighted sum, divided by the number of loss elements (or by sum(w))."""
    if sample_weight is not None:
        w = np.asarray(sample_weight, dtype=values.dtype)
        if w.ndim == values.ndim + 1 and w.shape[-1] == 1:
            w = w[..., 0]
        values = values * w
    if reduction in (None, "none"):
        return values
    s = values.sum()
    if reduction == "sum":
        return s
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return s / np.sum(sample_weight)
    return s / values.size


# ---------------------------------------------------------------------------------------------
# learning-rate schedules
# ---------------------------------------------------------------------------------------------
def exponential_decay(step, lr0, decay_steps, rate, staircase=False):
    p = step / decay_steps
    return lr0 * rate ** (math.floor(p) if staircase else p)


def inverse_time_decay(step, lr0, decay_steps, rate, staircase=False):
    p = step / decay_steps
    return lr0 / (1.0 + rate * (math.floor(p) if staircase else p))


def piecewise_constant(step, boundaries, values):
    for b, v in zip(boundaries, values):
        if step <= b:
            return v
    return values[-1]


def cosine_decay(step, lr0, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
    def decay(s, frm):
        frac = s / decay_steps
        return frm * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * frac)) + alpha)
    if warmup_target is None:
        return decay(min(step, decay_steps), lr0)
    s = min(step, decay_steps + warmup_steps)
    if s < warmup_steps:
        return (warmup_target - lr0) * s / warmup_steps + lr0
    return decay(s - warmup_steps, warmup_target)


# ---------------------------------------------------------------------------------------------
# optimizers: one step of Keras 3's pipeline on lists of NumPy arrays
# ---------------------------------------------------------------------------------------------
class RefOptimizer:
    """state: dict of per-variable slot lists; step(params, grads) -> new params (copies)."""

    def __init__(self, kind, lr=None, schedule=None, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, **hp):
        defaults = {"sgd": 0.01}
        self.kind, self.hp = kind, hp
        self.lr = lr if lr is not None else defaults.get(kind, 0.001)
        self.schedule = schedule
        self.weight_decay = weight_decay if not (kind == "adamw" and weight_decay is None) else 0.004
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.iterations = 0
        self.slots = None
        self.u_product = 1.0

    def _init_slots(self, params):
        k, hp = self.kind, self.hp
        z = [np.zeros_like(p) for p in params]
        s = {}
        if k == "sgd" and hp.get("momentum", 0.0):
            s["m"] = [a.copy() for a in z]
        if k == "rmsprop":
            s["v"] = [a.copy() for a in z]
            s["mom"] = [a.copy() for a in z]
            s["avg"] = [a.copy() for a in z]
        if k in ("adam", "adamw", "nadam", "adamax"):
            s["m"], s["v"], s["vh"] = [a.copy() for a in z], [a.copy() for a in z], [a.copy() for a in z]
        if k == "adagrad":
            s["acc"] = [np.full_like(p, hp.get("initial_accumulator_value", 0.1)) for p in params]
        if k == "adadelta":
            s["eg"], s["ed"] = [a.copy() for a in z], [a.copy() for a in z]
        if k == "ftrl":
            s["acc"] = [np.full_like(p, hp.get("initial_accumulator_value", 0.1)) for p in params]
            s["lin"] = [a.copy() for a in z]
        self.slots = s

    def current_lr(self):
        return self.schedule(self.iterations) if self.schedule else self.lr

    def clip(self, grads):
        if self.clipnorm:
            out = []
            for g in grads:
                n = np.sqrt(np.sum(g * g))
                out.append(g * self.clipnorm / max(n, self.clipnorm))
            return out
        if self.global_clipnorm:
            n = np.sqrt(sum(np.sum(g * g) for g in grads))
            scale = self.global_clipnorm * min(1.0 / n, 1.0 / self.global_clipnorm)
            return [g * scale for g in grads]
        if self.clipvalue:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def step(self, params, grads):
        if self.slots is None:
            self._init_slots(params)
        grads = self.clip([np.asarray(g, dtype=np.float64) for g in grads])
        lr = self.current_lr()
        params = [np.asarray(p, dtype=np.float64).copy() for p in params]
        if self.weight_decay is not None:
            params = [p - p * self.weight_decay * lr for p in params]
        if self.kind == "nadam":
            b1 = self.hp.get("beta_1", 0.9)
            self.u_product = self.u_product * b1 * (1.0 - 0.5 * 0.96 ** (self.iterations + 1))
        out = [self._update(i, g, p, lr) for i, (g, p) in enumerate(zip(grads, params))]
        self.iterations += 1
        return out

    def _update(self, i, g, w, lr):
        k, hp, s, t = self.kind, self.hp, self.slots, self.iterations + 1
        if k == "sgd":
            mom = hp.get("momentum", 0.0)
            if not mom:
                return w - lr * g
            s["m"][i] = mom * s["m"][i] - lr * g
            if hp.get("nesterov"):
                return w + mom * s["m"][i] - lr * g
            return w + s["m"][i]
        if k == "rmsprop":
            rho, mom, eps = hp.get("rho", 0.9), hp.get("momentum", 0.0), hp.get("epsilon", 1e-7)
            s["v"][i] = rho * s["v"][i] + (1 - rho) * g * g
            if hp.get("centered"):
                s["avg"][i] = rho * s["avg"][i] + (1 - rho) * g
                den = s["v"][i] - s["avg"][i] ** 2 + eps
            else:
                den = s["v"][i] + eps
            inc = lr * g / np.sqrt(den)
            if mom > 0:
                s["mom"][i] = mom * s["mom"][i] + inc
                return w - s["mom"][i]
            return w - inc
        if k in ("adam", "adamw"):
            b1, b2, eps = hp.get("beta_1", 0.9), hp.get("beta_2", 0.999), hp.get("epsilon", 1e-7)
            alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            s["m"][i] = s["m"][i] + (g - s["m"][i]) * (1 - b1)
            s["v"][i] = s["v"][i] + (g * g - s["v"][i]) * (1 - b2)
            v = s["v"][i]
            if hp.get("amsgrad"):
                s["vh"][i] = np.maximum(s["vh"][i], v)
                v = s["vh"][i]
            return w - s["m"][i] * alpha / (np.sqrt(v) + eps)
        if k == "adagrad":
            s["acc"][i] = s["acc"][i] + g * g
            return w - lr * g / np.sqrt(s["acc"][i] + hp.get("epsilon", 1e-7))
        if k == "adadelta":
            rho, eps = hp.get("rho", 0.95), hp.get("epsilon", 1e-7)
            s["eg"][i] = rho * s["eg"][i] + (1 - rho) * g * g
            d = -np.sqrt(s["ed"][i] + eps) * g / np.sqrt(s["eg"][i] + eps)
            s["ed"][i] = rho * s["ed"][i] + (1 - rho) * d * d
            return w + lr * d
        if k == "adamax":
            b1, b2, eps = hp.get("beta_1", 0.9), hp.get("beta_2", 0.999), hp.get("epsilon", 1e-7)
            s["m"][i] = s["m"][i] + (g - s["m"][i]) * (1 - b1)
            s["v"][i] = np.maximum(b2 * s["v"][i], np.abs(g))
            return w - lr * s["m"][i] / ((1 - b1 ** t) * (s["v"][i] + eps))
        if k == "nadam":
            b1, b2, eps = hp.get("beta_1", 0.9), hp.get("beta_2", 0.999), hp.get("epsilon", 1e-7)
            u_t = b1 * (1 - 0.5 * 0.96 ** t)
            u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
            up_t = self.u_product
            up_t1 = up_t * u_t1
            s["m"][i] = s["m"][i] + (g - s["m"][i]) * (1 - b1)
            s["v"][i] = s["v"][i] + (g * g - s["v"][i]) * (1 - b2)
            m_hat = u_t1 * s["m"][i] / (1 - up_t1) + (1 - u_t) * g / (1 - up_t)
            v_hat = s["v"][i] / (1 - b2 ** t)
            return w - m_hat * lr / (np.sqrt(v_hat) + eps)
        if k == "ftrl":
            p = hp.get("learning_rate_power", -0.5)
            l1 = hp.get("l1_regularization_strength", 0.0)
            l2 = hp.get("l2_regularization_strength", 0.0) + hp.get("beta", 0.0) / (2 * lr)
            shrink = hp.get("l2_shrinkage_regularization_strength", 0.0)
            gg = g + 2 * shrink * w
            acc, new_acc = s["acc"][i], s["acc"][i] + g * g
            s["lin"][i] = s["lin"][i] + gg - (new_acc ** -p - acc ** -p) / lr * w
            quad = new_acc ** -p / lr + 2 * l2
            s["acc"][i] = new_acc
            lin = s["lin"][i]
            return (np.clip(lin, -l1, l1) - lin) / quad
        raise ValueError(k)


# ---------------------------------------------------------------------------------------------
# metrics
# ---------------------------------------------------------------------------------------------
def keras_auc_thresholds(num_thresholds=200):
    inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return np.array([0.0 - EPS] + inner + [1.0 + EPS])


def confusion(y_true, y_pred, thresholds, sample_weight=None):
    """Per-threshold weighted tp, fp, tn, fn (labels cast to bool, pred > threshold)."""
    lab = (np.asarray(y_true) != 0).reshape(-1)
    pred = np.asarray(y_pred, dtype=np.float64).reshape(-1)
    w = np.ones_like(pred) if sample_weight is None else np.broadcast_to(
        np.asarray(sample_weight, dtype=np.float64).reshape(np.shape(y_true)[:1] + (1,) * (np.ndim(y_pred) - 1)),
        np.shape(y_pred)).reshape(-1)
    pos = pred[None, :] > np.asarray(thresholds)[:, None]
    tp = np.sum(w * (lab & pos), 1)
    fp = np.sum(w * (~lab & pos), 1)
    tn = np.sum(w * (~lab & ~pos), 1)
    fn = np.sum(w * (lab & ~pos), 1)
    return tp, fp, tn, fn


def _dnn(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))


def auc_from_counts(tp, fp, tn, fn, curve="ROC", summation_method="interpolation"):
    n = len(tp)
    if curve == "PR" and summation_method == "interpolation":
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _dnn(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = np.where((p[:-1] > 0) & (p[1:] > 0), _dnn(p[:-1], np.maximum(p[1:], 0)), 1.0)
        return float(np.sum(_dnn(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))))
    recall = _dnn(tp, tp + fn)
    if curve == "ROC":
        x, y = _dnn(fp, fp + tn), recall
    else:
        x, y = recall, _dnn(tp, tp + fp)
    if summation_method == "interpolation":
        h = (y[: n - 1] + y[1:]) / 2
    elif summation_method == "minoring":
        h = np.minimum(y[: n - 1], y[1:])
    else:
        h = np.maximum(y[: n - 1], y[1:])
    return float(np.sum((x[: n - 1] - x[1:]) * h))


def weighted_mean(per_sample_batches, weight_batches):
    """Keras's epoch average: sum(values * w) / sum(w) (w = 1 when None)."""
    tot = cnt = 0.0
    for v, w in zip(per_sample_batches, weight_batches):
        w = np.ones(len(v)) if w is None else np.asarray(w, dtype=np.float64)
        tot += float(np.sum(v * w))
        cnt += float(np.sum(w))
    return tot / cnt if cnt else 0.0
