"""keras_api.models: Model, Sequential, functional models, and whole-model saving and loading."""
from .model import Model  # noqa: F401
from .functional import Functional  # noqa: F401
from .sequential import Sequential  # noqa: F401
from .cloning import clone_model  # noqa: F401


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """keras.models.load_model: a ``.keras`` archive or a legacy ``.h5`` file (safe_mode refuses lambdas)."""
    from ..saving.saving_api import load_model as _load
    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """keras.models.save_model(model, 'm.keras')."""
    from ..saving.saving_api import save_model as _save
    _save(model, filepath, overwrite=overwrite, zipped=zipped, **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A model (new weights) from Model.to_json()'s string."""
    import json
    from ..saving.serialization_lib import deserialize_keras_object
    try:
        config = json.loads(json_string)
    except json.JSONDecodeError as e:
        raise ValueError(f"model_from_json: the string is not valid JSON: {e}") from None
    return deserialize_keras_object(config, custom_objects=custom_objects)


def model_from_config(config, custom_objects=None):
    """A model from its serialized config dict (Keras 2's model_from_config)."""
    from ..saving.serialization_lib import deserialize_keras_object
    if isinstance(config, list):
        raise TypeError("`model_from_config` expects a dictionary, not a list. Received: config="
                        f"{config}. Did you meant to use `Sequential.from_config(config)`?")
    return deserialize_keras_object(config, custom_objects=custom_objects)
