"""compile()'s loss and metric containers, resolved per output once the model's outputs and the
targets' shapes are known (at the first fit/evaluate/train_on_batch), as Keras 3 does.

Keras 3 semantics kept here: the total loss is sum(loss_weight_i * loss_i) plus regularization
losses; with several losses each output also gets an unweighted ``<output>_loss`` Mean tracker;
``metrics`` ignore sample weights and ``weighted_metrics`` use them; with several outputs metric
names get the output name as prefix."""
from __future__ import annotations

from typing import Any, Sequence


def _per_output(spec: Any, names: Sequence[str], what: str, allow_single: bool = True) -> list:
    """Spread a compile() argument over the outputs: one value for all, a list in output order, or a dict."""
    n = len(names)
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in names]
        if unknown:
            raise ValueError(f"In the dict argument `{what}`, key(s) {unknown} do not correspond to any model output. "
                             f"Received: {what}={spec}; the model's outputs are {list(names)}")
        return [spec.get(k) for k in names]
    if isinstance(spec, (list, tuple)):
        if n == 1 and what in ("metrics", "weighted_metrics"):
            return [list(spec)]
        if len(spec) != n:
            raise ValueError(f"For a model with {n} output(s), when providing the `{what}` argument as a list, it "
                             f"should have as many entries as the model has outputs. Received: {what}={spec} of "
                             f"length {len(spec)} whereas the model has {n} outputs ({', '.join(names)}).")
        return list(spec)
    if n > 1 and what in ("metrics", "weighted_metrics") and spec is not None:
        raise ValueError(f"For a model with multiple outputs, `{what}` must be a list (one entry per output) or a "
                         f"dict keyed by output name. Received: {what}={spec}")
    return [spec] * n


class CompileState:
    """The resolved losses, loss weights, metrics and trackers of a compiled model."""

    def __init__(self, loss: Any, loss_weights: Any, metrics: Any, weighted_metrics: Any, output_names: list[str],
                 y_ndims: list[int | None], y_last_dims: list[int | None], pred_shapes: list[tuple]) -> None:
        from .. import losses as losses_mod
        from .. import metrics as metrics_mod
        self.output_names = list(output_names)
        n = len(output_names)
        user_losses = _per_output(loss, output_names, "loss") if loss is not None else [None] * n
        self.losses = [losses_mod.get(l) if l is not None else None for l in user_losses]
        if loss_weights is None:
            self.loss_weights = [None] * n
        elif isinstance(loss_weights, (int, float)) and n == 1:
            self.loss_weights = [float(loss_weights)]
        else:
            self.loss_weights = [None if w is None else float(w) for w in _per_output(loss_weights, output_names,
                                                                                     "loss_weights")]
        self.loss_tracker = metrics_mod.Mean(name="loss")
        with_loss = [i for i in range(n) if self.losses[i] is not None]
        self.output_loss_trackers = {i: metrics_mod.Mean(name=f"{output_names[i]}_loss") for i in with_loss} \
            if len(with_loss) > 1 else {}

        def resolve_list(spec: Any) -> list[list]:
            per = _per_output(spec, output_names, "metrics") if spec is not None else [None] * n
            out = []
            for i, entry in enumerate(per):
                items = entry if isinstance(entry, (list, tuple)) else ([] if entry is None else [entry])
                ms = []
                for ident in items:
                    m = metrics_mod.resolve(ident, loss=user_losses[i], y_true_ndim=y_ndims[i],
                                            y_pred_shape=pred_shapes[i], y_true_last_dim=y_last_dims[i])
                    if n > 1:
                        m.name = f"{output_names[i]}_{m.name}"
                    ms.append(m)
                out.append(ms)
            return out

        self.metrics = resolve_list(metrics)
        self.weighted_metrics = resolve_list(weighted_metrics)
        names = [m.name for ms in self.metrics + self.weighted_metrics for m in ms]
        dup = sorted({x for x in names if names.count(x) > 1})
        if dup:
            raise ValueError(f"Metric names must be unique; {dup} appear more than once (give them distinct "
                             "`name=` arguments)")

    def compile_metrics(self) -> list:
        """Compiled metrics in Keras's order: per output metrics, then weighted metrics."""
        return [m for ms in self.metrics for m in ms] + [m for ms in self.weighted_metrics for m in ms]

    def all_trackers(self) -> list:
        """Keras 3's model.metrics order: loss, compiled metrics, per-output losses."""
        return [self.loss_tracker] + self.compile_metrics() + list(self.output_loss_trackers.values())

    def needs_target(self, i: int) -> bool:
        return self.losses[i] is not None or bool(self.metrics[i]) or bool(self.weighted_metrics[i])
