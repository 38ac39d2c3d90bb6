"""keras.config: the global settings (floatx, epsilon, image data format, backend) and the switch that
lets deserialization rebuild Python lambdas in every load (enable_unsafe_deserialization)."""
from .backend import (backend, epsilon, floatx, image_data_format, keras_home, set_epsilon,  # noqa: F401
                      set_floatx, set_image_data_format)
from .saving.serialization_lib import enable_unsafe_deserialization  # noqa: F401
