"""Confusion-matrix metrics (Keras 3): TruePositives..., Precision, Recall and AUC.

Labels are cast to bool and predictions compared with each threshold by ``pred > threshold``;
weights are broadcast to the predictions' shape; everything is flattened (multi_label=False).
AUC's thresholds are Keras's: -epsilon, i/(n-1) for i = 1..n-2, 1+epsilon, and its result is the
Riemann sum of the ROC (or PR) curve by interpolation (PR: the Davis & Goadrich interpolation),
minoring or majoring."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import symnet as sn

from .. import backend
from ..losses.loss import class_index, squeeze_or_expand_to_same_rank, to_tensor

from .metric import Metric, divide_no_nan


NEG_INF = -1e10   # Keras's metrics_utils.NEG_INF: the threshold used with top_k


def _filter_top_k(x: sn.Variable, k: int) -> sn.Variable:
    """Entries outside the top k of the last axis become NEG_INF (ties: the lower index wins, as
    ops.top_k)."""
    a = sn.expand_dims(x, -1)                      # x_i along axis -2
    b = sn.expand_dims(x, -2)                      # x_j along axis -1
    idx = class_index(x, -1)
    i_idx, j_idx = sn.expand_dims(idx, -1), sn.expand_dims(idx, -2)
    ahead = sn.or_(sn.gt(b, a), sn.and_(sn.eq(b, a), sn.lt(j_idx, i_idx)))   # j ranks before i
    rank = sn.sum(sn.cast(ahead, "int64"), axis=-1)
    keep = sn.cast(sn.lt(rank, k), x.dtype)
    return x * keep + NEG_INF * (1.0 - keep)


def _confusion_counts(y_true: Any, y_pred: Any, thresholds: Sequence[float], sample_weight: Any,
                      dtype: str, class_id: int | None = None, kinds: Sequence[str] = ("tp", "fp", "tn", "fn"),
                      top_k: int | None = None) -> dict:
    """{kind: per-threshold weighted count} as symbolic vectors of len(thresholds)."""
    y_pred = to_tensor(y_pred, dtype)
    y_true = to_tensor(y_true, dtype) if not (isinstance(y_true, sn.Variable) and y_true.dtype == dtype) else y_true
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        y_true = y_true[(slice(None),) * (y_true.ndim - 1) + (class_id,)]
        y_pred = y_pred[(slice(None),) * (y_pred.ndim - 1) + (class_id,)]
    preds = sn.reshape(y_pred, (1, -1))
    labels = sn.reshape(sn.neq(y_true, 0), (1, -1))
    thr = sn.constant(np.asarray(thresholds, dtype=dtype).reshape(-1, 1))
    pred_pos = sn.gt(preds, thr)                                   # (T, N)
    if sample_weight is not None:
        w = to_tensor(sample_weight, dtype)
        if w.ndim > y_pred.ndim:
            w = sn.reshape(w, y_pred.shape)
        while w.ndim < y_pred.ndim and w.ndim > 0:
            w = sn.expand_dims(w, -1)          # per-sample weights apply to every entry of the sample
        w = sn.reshape(sn.broadcast_to(w, y_pred.shape) if w.ndim != y_pred.ndim or
                       w.static_shape != y_pred.static_shape else w, (1, -1))
    else:
        w = None

    def count(mask):
        m = sn.cast(mask, dtype)
        return sn.sum(m * w if w is not None else m, axis=1)

    out = {}
    if "tp" in kinds:
        out["tp"] = count(sn.and_(labels, pred_pos))
    if "fp" in kinds:
        out["fp"] = count(sn.and_(sn.not_(labels), pred_pos))
    if "tn" in kinds:
        out["tn"] = count(sn.and_(sn.not_(labels), sn.not_(pred_pos)))
    if "fn" in kinds:
        out["fn"] = count(sn.and_(labels, sn.not_(pred_pos)))
    return out


def _thresholds(thresholds: Any, default: float) -> list[float]:
    if thresholds is None:
        return [default]
    if isinstance(thresholds, (list, tuple, np.ndarray)):
        t = [float(x) for x in thresholds]
    else:
        t = [float(thresholds)]
    for x in t:
        if not 0.0 <= x <= 1.0:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {thresholds}")
    return t


class _ConfusionBase(Metric):
    _kinds: tuple = ()
    _var_names = {"tp": "true_positives", "fp": "false_positives", "tn": "true_negatives", "fn": "false_negatives"}

    def __init__(self, thresholds: Any = None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype: str | None = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k, self.class_id = top_k, class_id
        self.thresholds = [NEG_INF] if (thresholds is None and top_k is not None) else _thresholds(thresholds, 0.5)
        self._single = thresholds is None or not isinstance(thresholds, (list, tuple, np.ndarray))
        self._vars = {k: self.add_variable((len(self.thresholds),), 0.0, name=self._var_names[k])
                      for k in self._kinds}

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = _confusion_counts(y_true, y_pred, self.thresholds, sample_weight, self.dtype, self.class_id,
                                   self._kinds, self.top_k)
        return [(self._vars[k], self._vars[k] + counts[k]) for k in self._kinds]

    def _out(self, x):
        return x[0] if self._single else x

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_ConfusionBase):
    _kinds = ("tp", "fp")

    def __init__(self, thresholds: Any = None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype: str | None = None) -> None:
        super().__init__(thresholds, top_k, class_id, name, dtype)
        self.true_positives, self.false_positives = self._vars["tp"], self._vars["fp"]

    def result(self):
        return self._out(divide_no_nan(self.true_positives, self.true_positives + self.false_positives))


class Recall(_ConfusionBase):
    _kinds = ("tp", "fn")

    def __init__(self, thresholds: Any = None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype: str | None = None) -> None:
        super().__init__(thresholds, top_k, class_id, name, dtype)
        self.true_positives, self.false_negatives = self._vars["tp"], self._vars["fn"]

    def result(self):
        return self._out(divide_no_nan(self.true_positives, self.true_positives + self.false_negatives))


def _count_metric(cls_name: str, kind: str, default_name: str) -> type:
    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: str | None = None) -> None:
        self._kinds = (kind,)
        _ConfusionBase.__init__(self, thresholds, None, None, name, dtype)
        self.accumulator = self._vars[kind]

    def result(self):
        return self._out(sn.identity(self.accumulator))

    def get_config(self):
        return {"name": self.name, "dtype": self._dtype, "thresholds": self.init_thresholds}
    return type(cls_name, (_ConfusionBase,), {"__init__": __init__, "result": result, "get_config": get_config})


TruePositives = _count_metric("TruePositives", "tp", "true_positives")
FalsePositives = _count_metric("FalsePositives", "fp", "false_positives")
TrueNegatives = _count_metric("TrueNegatives", "tn", "true_negatives")
FalseNegatives = _count_metric("FalseNegatives", "fn", "false_negatives")


class AUC(Metric):
    """Area under the ROC or PR curve from confusion counts at num_thresholds thresholds."""

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", summation_method: str = "interpolation",
                 name: str | None = None, dtype: str | None = None, thresholds: Sequence[float] | None = None,
                 multi_label: bool = False, num_labels: int | None = None, label_weights: Any = None,
                 from_logits: bool = False) -> None:
        super().__init__(name=name, dtype=dtype)
        if multi_label or label_weights is not None:
            raise NotImplementedError("AUC(multi_label=True / label_weights) (keras_api/metrics/confusion_metrics.py)")
        curve = curve.upper() if isinstance(curve, str) else curve
        if curve not in ("ROC", "PR"):
            raise ValueError(f'Invalid `curve` argument value "{curve}". Expected one of: ROC, PR')
        summation_method = summation_method.lower()
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f'Invalid `summation_method` argument value "{summation_method}". Expected one of: '
                             "interpolation, minoring, majoring")
        self.curve, self.summation_method = curve, summation_method
        self.multi_label, self.num_labels, self.label_weights = multi_label, num_labels, label_weights
        self._from_logits = from_logits
        eps = backend.epsilon()
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            inner = sorted(float(t) for t in thresholds)
            self._thresholds_distributed_evenly = False
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: "
                                 f"num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._thresholds = [0.0 - eps] + inner + [1.0 + eps]
        n = self.num_thresholds
        self.true_positives = self.add_variable((n,), 0.0, name="true_positives")
        self.false_positives = self.add_variable((n,), 0.0, name="false_positives")
        self.true_negatives = self.add_variable((n,), 0.0, name="true_negatives")
        self.false_negatives = self.add_variable((n,), 0.0, name="false_negatives")

    @property
    def thresholds(self) -> list[float]:
        return list(self._thresholds)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self._from_logits:
            y_pred = sn.sigmoid(to_tensor(y_pred, self.dtype))
        c = _confusion_counts(y_true, y_pred, self._thresholds, sample_weight, self.dtype)
        return [(self.true_positives, self.true_positives + c["tp"]),
                (self.false_positives, self.false_positives + c["fp"]),
                (self.true_negatives, self.true_negatives + c["tn"]),
                (self.false_negatives, self.false_negatives + c["fn"])]

    def _interpolate_pr_auc(self):
        n = self.num_thresholds
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        prec_slope = divide_no_nan(dtp, sn.maximum(dp, 0.0))
        intercept = tp[1:] - prec_slope * p[1:]
        both = sn.and_(sn.gt(p[: n - 1], 0), sn.gt(p[1:], 0))
        safe_p_ratio = sn.switch(both, divide_no_nan(p[: n - 1], sn.maximum(p[1:], 0.0)), sn.ones_like(p[1:]))
        inc = divide_no_nan(prec_slope * (dtp + intercept * sn.log(safe_p_ratio)),
                            sn.maximum(tp[1:] + fn[1:], 0.0))
        return sn.sum(inc)

    def result(self):
        n = self.num_thresholds
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = sn.minimum(y[: n - 1], y[1:])
        else:
            heights = sn.maximum(y[: n - 1], y[1:])
        return sn.sum((x[: n - 1] - x[1:]) * heights)

    def get_config(self):
        cfg = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
               "summation_method": self.summation_method, "multi_label": self.multi_label,
               "num_labels": self.num_labels, "label_weights": self.label_weights, "from_logits": self._from_logits}
        if not self._thresholds_distributed_evenly:
            cfg["thresholds"] = self._thresholds[1:-1]
        return cfg
