"""TextVectorization: standardize -> split -> ngrams -> vocabulary lookup, on NumPy string arrays.

Keras's steps and defaults: "lower_and_strip_punctuation" lowercases and removes
!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~' ; "whitespace" splits on runs of whitespace; ngrams of each
requested width joined by " " (all 1-grams, then all 2-grams, ...); index 0 is the padding/mask "",
1 is "[UNK]" in "int" mode. "int" output is padded with 0 to the longest row (or to/cut at
output_sequence_length)."""
from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

from .eager_layer import EagerPreprocessingLayer
from .string_lookup import StringLookup

_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_STANDARDIZE = (None, "lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = (None, "whitespace", "character")


class TextVectorization(EagerPreprocessingLayer):
    def __init__(self, max_tokens: int | None = None, standardize: Any = "lower_and_strip_punctuation",
                 split: Any = "whitespace", ngrams: Any = None, output_mode: str = "int",
                 output_sequence_length: int | None = None, pad_to_max_tokens: bool = False, vocabulary: Any = None,
                 idf_weights: Any = None, sparse: bool = False, ragged: bool = False, encoding: str = "utf-8",
                 name: str | None = None, **kwargs: Any) -> None:
        kwargs.pop("has_input_vocabulary", None)
        kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        if not (standardize in _STANDARDIZE or callable(standardize)):
            raise ValueError(f"Invalid value for argument `standardize`. Expected one of {list(_STANDARDIZE)} or a "
                             f"callable. Received: standardize={standardize}")
        if not (split in _SPLIT or callable(split)):
            raise ValueError(f"Invalid value for argument `split`. Expected one of {list(_SPLIT)} or a callable. "
                             f"Received: split={split}")
        if not (ngrams is None or isinstance(ngrams, int) or
                (isinstance(ngrams, tuple) and all(isinstance(i, int) for i in ngrams))):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams={ngrams}")
        if output_mode == "int" and not (output_sequence_length is None or
                                          (isinstance(output_sequence_length, int) and output_sequence_length > 0)):
            raise ValueError("`output_sequence_length` must be either None or an integer greater than 0 when "
                             f"`output_mode` is 'int'. Received: output_sequence_length={output_sequence_length}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError("`output_sequence_length` must not be set if `output_mode` is not 'int'. Received: "
                             f"output_sequence_length={output_sequence_length}.")
        if ragged:
            raise NotImplementedError("TextVectorization: ragged=True (TensorFlow ragged tensors) is not supported "
                                      "by keras_api")
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._ragged = ragged
        self._lookup_layer = StringLookup(max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
                                          pad_to_max_tokens=pad_to_max_tokens, mask_token="",
                                          output_mode=output_mode, sparse=sparse, encoding=encoding,
                                          dtype=self.dtype)

    # -- text processing ----------------------------------------------------------------------------
    def _standardize_one(self, text: str) -> str:
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.lower()
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _PUNCTUATION.sub("", text)
        return text

    def _split_one(self, text: str) -> list[str]:
        if self._split == "whitespace":
            return text.split()
        if self._split == "character":
            return list(text)
        return [text]

    def _ngram(self, tokens: list[str]) -> list[str]:
        if self._ngrams is None:
            return tokens
        out = []
        for n in self._ngrams:
            out += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
        return out

    def _preprocess(self, data: Any) -> list:
        """One token list per row (split), or the standardized array (split=None)."""
        arr = self._as_numpy(data)
        if arr.dtype.kind != "U":
            raise ValueError(f"Layer {self.name!r}: TextVectorization expects string inputs. Received an array of "
                             f"dtype {arr.dtype}")
        if callable(self._standardize):
            arr = np.asarray(self._standardize(arr)).astype(str)
        else:
            arr = np.vectorize(self._standardize_one, otypes=[object])(arr).astype(str) if arr.size else arr
        if self._split is None:
            return arr
        if arr.ndim > 1:
            if arr.shape[-1] != 1:
                raise ValueError("When using `TextVectorization` to tokenize strings, the input rank must be 1 or the "
                                 f"last shape dimension must be 1. Received: inputs.shape={arr.shape} with "
                                 f"rank={arr.ndim}")
            arr = arr[..., 0]
        if arr.ndim == 0:
            arr = arr[None]
        if callable(self._split):
            rows = [list(np.asarray(r).astype(str).reshape(-1)) for r in self._split(arr)]
        else:
            rows = [self._split_one(t) for t in arr.tolist()]
        return [self._ngram(r) for r in rows]

    # -- state -----------------------------------------------------------------------------------------
    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        rows = self._preprocess(data)
        if self._split is None:
            rows = [np.asarray(rows).reshape(-1)] if self._output_mode == "int" else list(np.asarray(rows))
        self._lookup_layer._adapt_rows([np.asarray(r, dtype=object) for r in rows])

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights)

    # -- call --------------------------------------------------------------------------------------------
    def transform(self, data: np.ndarray) -> np.ndarray:
        rows = self._preprocess(data)
        look = self._lookup_layer
        if self._split is None:
            return look.transform(np.asarray(rows))
        ids = [look._lookup_ids(np.asarray(r, dtype=object)) if r else np.zeros(0, "int64") for r in rows]
        if self._output_mode == "int":
            length = self._output_sequence_length or max([len(r) for r in ids] + [0])
            out = np.zeros((len(ids), length), dtype="int64")
            for i, r in enumerate(ids):
                out[i, :min(len(r), length)] = r[:length]
            return out
        depth = look._depth()
        out = np.zeros((len(ids), depth), dtype=self.compute_dtype)
        for i, r in enumerate(ids):
            if len(r):
                out[i] = look.transform_ids_row(r, depth)
        return out

    def output_spec(self, input_shape: tuple) -> tuple[tuple, str]:
        batch = input_shape[0] if input_shape else None
        if self._output_mode == "int":
            return (batch, self._output_sequence_length), "int64"
        return (batch, self._lookup_layer._depth()), self.compute_dtype

    def get_config(self) -> dict:
        config = super().get_config()
        look = self._lookup_layer
        config.update({
            "max_tokens": look.max_tokens, "standardize": self._standardize, "split": self._split,
            "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length, "pad_to_max_tokens": look.pad_to_max_tokens,
            "sparse": look.sparse, "ragged": self._ragged,
            "vocabulary": look.get_vocabulary() if look.input_vocabulary is not None else None,
            "idf_weights": None if look.input_idf_weights is None else list(np.asarray(look.input_idf_weights)),
            "encoding": self._encoding, "vocabulary_size": self.vocabulary_size(),
        })
        return config
