"""Keras 3 losses: classes, functions, aliases and ``get``/``serialize``/``deserialize``."""
from __future__ import annotations

from typing import Any, Callable

from .._names import lookup
from .loss import Loss, LossFunctionWrapper, reduce_weighted_values, squeeze_or_expand_to_same_rank  # noqa: F401
from .regression import (  # noqa: F401
    MAE, MAPE, MSE, MSLE, CosineSimilarity, Huber, LogCosh, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredError, MeanSquaredLogarithmicError, cosine_similarity, huber, log_cosh, logcosh, mae, mape,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, mse,
    msle)
from .probabilistic import (  # noqa: F401
    KLD, BinaryCrossentropy, CategoricalCrossentropy, KLDivergence, Poisson, SparseCategoricalCrossentropy,
    binary_crossentropy, categorical_crossentropy, kl_divergence, kld, kullback_leibler_divergence, poisson,
    sparse_categorical_crossentropy)
from .hinge import CategoricalHinge, Hinge, SquaredHinge, categorical_hinge, hinge, squared_hinge  # noqa: F401

CLASSES: dict[str, type] = {c.__name__: c for c in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Huber, LogCosh,
    CosineSimilarity, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence,
    Poisson, Hinge, SquaredHinge, CategoricalHinge)}

# string identifier -> the Loss class that compile('...') builds (function name, Keras aliases)
NAMES: dict[str, type] = {
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError, "mape": MeanAbsolutePercentageError,
    "MAPE": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError, "msle": MeanSquaredLogarithmicError,
    "MSLE": MeanSquaredLogarithmicError,
    "huber": Huber, "huber_loss": Huber, "log_cosh": LogCosh, "logcosh": LogCosh,
    "cosine_similarity": CosineSimilarity,
    "binary_crossentropy": BinaryCrossentropy, "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "kl_divergence": KLDivergence, "kld": KLDivergence, "KLD": KLDivergence,
    "kullback_leibler_divergence": KLDivergence, "poisson": Poisson,
    "hinge": Hinge, "squared_hinge": SquaredHinge, "categorical_hinge": CategoricalHinge,
}
NAMES.update(CLASSES)

FUNCTIONS: dict[str, Callable] = {
    "mean_squared_error": mean_squared_error, "mean_absolute_error": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error, "huber": huber, "log_cosh": log_cosh,
    "cosine_similarity": cosine_similarity, "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy, "kl_divergence": kl_divergence,
    "poisson": poisson, "hinge": hinge, "squared_hinge": squared_hinge, "categorical_hinge": categorical_hinge,
}


def _class_of_function(fn: Callable) -> type | None:
    for name, f in FUNCTIONS.items():
        if f is fn:
            return NAMES[name]
    return None


def get(identifier: Any) -> Any:
    """A name -> a Loss instance (Keras's name: 'mse' gives MeanSquaredError named
    'mean_squared_error'); a Loss passes through; a built-in loss function becomes its class; any
    other callable is wrapped in a LossFunctionWrapper named after it; a config dict deserializes."""
    if identifier is None:
        return None
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        return lookup("loss", identifier, NAMES)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        cls = _class_of_function(identifier)
        if cls is not None:
            return cls()
        return LossFunctionWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


def serialize(loss: Any) -> Any:
    from ..saving import serialization_lib
    return serialization_lib.serialize_keras_object(loss)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    if isinstance(config, str):
        return get(config)
    from ..saving import serialization_lib
    return serialization_lib.deserialize_keras_object(config, module_objects=NAMES, custom_objects=custom_objects,
                                                      printable_module_name="loss function")
