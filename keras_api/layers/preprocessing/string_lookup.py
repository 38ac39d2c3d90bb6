"""StringLookup: strings -> vocabulary indices (or one_hot / multi_hot / count / tf_idf), in NumPy."""
from __future__ import annotations

from typing import Any

from .index_lookup import IndexLookup


class StringLookup(IndexLookup):
    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1, mask_token: str | None = None,
                 oov_token: str = "[UNK]", vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", pad_to_max_tokens: bool = False, sparse: bool = False,
                 encoding: str = "utf-8", name: str | None = None, **kwargs: Any) -> None:
        kwargs.pop("vocabulary_dtype", None)
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary_dtype="string", vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, name=name, **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config["encoding"] = self.encoding
        del config["vocabulary_dtype"]
        return config
