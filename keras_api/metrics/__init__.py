"""Keras 3 metrics: stateful classes with symbolic updates, metric functions, ``get`` and
``resolve`` (Keras's choice of the accuracy class for 'accuracy'/'acc')."""
from __future__ import annotations

from typing import Any, Sequence

from .._names import lookup
from .. import losses as _losses
from .metric import Mean, MeanMetricWrapper, Metric, Sum, reduce_to_samplewise_values  # noqa: F401
from .accuracy_metrics import (  # noqa: F401
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy, accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)
from .regression_metrics import (  # noqa: F401
    BinaryCrossentropy, CategoricalCrossentropy, CategoricalHinge, CosineSimilarity, Hinge, KLDivergence, LogCoshError,
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError, MeanSquaredLogarithmicError, Poisson,
    RootMeanSquaredError, SparseCategoricalCrossentropy, SquaredHinge)
from .confusion_metrics import (  # noqa: F401
    AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives)

from ..losses import (  # noqa: F401  (metric functions shared with losses, as in Keras)
    binary_crossentropy, categorical_crossentropy, categorical_hinge, hinge, kl_divergence, log_cosh, poisson,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error,
    sparse_categorical_crossentropy, squared_hinge)

CLASSES: dict[str, type] = {c.__name__: c for c in (
    Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, RootMeanSquaredError, LogCoshError, CosineSimilarity, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson, Hinge, SquaredHinge,
    CategoricalHinge, AUC, Precision, Recall, TruePositives, FalsePositives, TrueNegatives, FalseNegatives)}

# string identifier -> class (metric functions become their Mean wrappers)
NAMES: dict[str, type] = dict(CLASSES)
NAMES.update({
    "accuracy": Accuracy, "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError, "mape": MeanAbsolutePercentageError,
    "MAPE": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError, "msle": MeanSquaredLogarithmicError,
    "MSLE": MeanSquaredLogarithmicError,
    "root_mean_squared_error": RootMeanSquaredError, "rmse": RootMeanSquaredError,
    "log_cosh": LogCoshError, "logcosh": LogCoshError, "cosine_similarity": CosineSimilarity,
    "binary_crossentropy": BinaryCrossentropy, "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "kl_divergence": KLDivergence, "kld": KLDivergence, "KLD": KLDivergence,
    "kullback_leibler_divergence": KLDivergence, "poisson": Poisson,
    "hinge": Hinge, "squared_hinge": SquaredHinge, "categorical_hinge": CategoricalHinge,
    "auc": AUC, "precision": Precision, "recall": Recall, "mean": Mean, "sum": Sum,
})

_FN_TO_CLASS = {accuracy: Accuracy, binary_accuracy: BinaryAccuracy, categorical_accuracy: CategoricalAccuracy,
                sparse_categorical_accuracy: SparseCategoricalAccuracy,
                top_k_categorical_accuracy: TopKCategoricalAccuracy,
                sparse_top_k_categorical_accuracy: SparseTopKCategoricalAccuracy,
                mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
                mean_absolute_percentage_error: MeanAbsolutePercentageError,
                mean_squared_logarithmic_error: MeanSquaredLogarithmicError, log_cosh: LogCoshError,
                binary_crossentropy: BinaryCrossentropy, categorical_crossentropy: CategoricalCrossentropy,
                sparse_categorical_crossentropy: SparseCategoricalCrossentropy, kl_divergence: KLDivergence,
                poisson: Poisson, hinge: Hinge, squared_hinge: SquaredHinge, categorical_hinge: CategoricalHinge}


def get(identifier: Any) -> Metric:
    """A name -> a new Metric of that kind (named after the identifier, as compile does in Keras 3:
    'mae' gives MeanAbsoluteError named 'mae'); a Metric passes through; a function is wrapped in a
    MeanMetricWrapper named after it; a config dict deserializes."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        cls = lookup("metric", identifier, NAMES)
        return cls(name=identifier) if identifier not in CLASSES else cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        name = getattr(identifier, "__name__", None)
        cls = _FN_TO_CLASS.get(identifier)
        if cls is not None:
            return cls(name=name)
        return MeanMetricWrapper(identifier, name=name)
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def _loss_kind(loss: Any) -> str | None:
    """'binary' / 'sparse' / 'categorical' from a loss (name, function or Loss), else None."""
    if loss is None:
        return None
    name = loss if isinstance(loss, str) else getattr(loss, "name", None) or getattr(loss, "__name__", "")
    if isinstance(loss, (_losses.BinaryCrossentropy, _losses.Hinge, _losses.SquaredHinge)) or name in (
            "binary_crossentropy", "hinge", "squared_hinge"):
        return "binary"
    if isinstance(loss, _losses.SparseCategoricalCrossentropy) or name == "sparse_categorical_crossentropy":
        return "sparse"
    if isinstance(loss, (_losses.CategoricalCrossentropy, _losses.KLDivergence, _losses.CategoricalHinge)) or name in (
            "categorical_crossentropy", "kl_divergence", "kld", "categorical_hinge"):
        return "categorical"
    return None


def resolve(identifier: Any, loss: Any = None, y_true_ndim: int | None = None,
            y_pred_shape: Sequence[int | None] | None = None, y_true_last_dim: int | None = None) -> Metric:
    """compile()'s metric resolution. 'accuracy'/'acc' (and tf.keras's 'crossentropy'/'ce') pick
    the binary, sparse categorical or categorical form from the shapes as Keras 3 does (binary when
    y_pred's last dim is 1; sparse when y_true has fewer dims than y_pred, or a last dim of 1 while
    y_pred's is > 1); when the shapes are not known it falls back to the loss (Keras 2's rule), then
    to categorical. The metric is named after the identifier."""
    if identifier is None:
        return None
    key = str(identifier).lower() if isinstance(identifier, str) else None
    if key not in ("accuracy", "acc", "crossentropy", "ce"):
        return get(identifier)
    kind = None
    if y_pred_shape is not None and len(y_pred_shape) and y_pred_shape[-1] is not None:
        last = y_pred_shape[-1]
        if last == 1:
            kind = "binary"
        elif (y_true_ndim is not None and y_true_ndim < len(y_pred_shape)) or (y_true_last_dim == 1 and last > 1):
            kind = "sparse"
        elif y_true_ndim is not None:
            kind = "categorical"
    if kind is None:
        kind = _loss_kind(_losses.get(loss) if isinstance(loss, str) and loss in _losses.NAMES else loss)
    if kind is None and y_true_ndim is not None and y_pred_shape is not None and y_true_ndim < len(y_pred_shape):
        kind = "sparse"
    kind = kind or "categorical"
    if key in ("accuracy", "acc"):
        cls = {"binary": BinaryAccuracy, "sparse": SparseCategoricalAccuracy, "categorical": CategoricalAccuracy}[kind]
    else:
        cls = {"binary": BinaryCrossentropy, "sparse": SparseCategoricalCrossentropy,
               "categorical": CategoricalCrossentropy}[kind]
    return cls(name=str(identifier))


def serialize(metric: Metric) -> dict:
    from ..saving import serialization_lib
    return serialization_lib.serialize_keras_object(metric)


def deserialize(config: dict, custom_objects: dict | None = None) -> Metric:
    from ..saving import serialization_lib
    return serialization_lib.deserialize_keras_object(config, module_objects=NAMES, custom_objects=custom_objects,
                                                      printable_module_name="metric function")
