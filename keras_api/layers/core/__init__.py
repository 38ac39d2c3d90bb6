"""Core layers in Keras 3's layers/core folder that live here: Embedding, Masking."""
from .embedding import Embedding  # noqa: F401
from .masking import Masking  # noqa: F401
