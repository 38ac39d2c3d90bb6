"""keras.saving: object serialization, the custom-object registry, and model/weights files."""
from .object_registration import (CustomObjectScope, custom_object_scope, get_custom_objects,  # noqa: F401
                                  get_registered_name, get_registered_object, register_keras_serializable)
from .serialization_lib import (SafeModeScope, deserialize_keras_object, enable_unsafe_deserialization,  # noqa: F401
                                serialize_keras_object)
from .saving_api import load_model, load_weights, save_model, save_weights  # noqa: F401
