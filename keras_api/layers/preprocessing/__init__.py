"""Preprocessing layers. Numeric ones (Rescaling, Normalization, Discretization, CategoryEncoding,
Resizing, CenterCrop, random augmentation) are graph layers; vocabulary ones (StringLookup,
IntegerLookup, TextVectorization) run in NumPy at the model boundary (see eager_layer.py)."""
from .category_encoding import CategoryEncoding  # noqa: F401
from .center_crop import CenterCrop  # noqa: F401
from .discretization import Discretization  # noqa: F401
from .integer_lookup import IntegerLookup  # noqa: F401
from .normalization import Normalization  # noqa: F401
from .random_layers import RandomContrast, RandomFlip  # noqa: F401
from .random_affine import RandomRotation, RandomTranslation, RandomZoom  # noqa: F401
from .rescaling import Rescaling  # noqa: F401
from .resizing import Resizing  # noqa: F401
from .string_lookup import StringLookup  # noqa: F401
from .text_vectorization import TextVectorization  # noqa: F401
