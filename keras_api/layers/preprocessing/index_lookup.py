"""The vocabulary lookup behind StringLookup, IntegerLookup and TextVectorization, in NumPy.

Index layout (Keras's): in "int" mode the mask token (if any) is 0, then `num_oov_indices` OOV
indices, then the vocabulary; in the other modes there is no mask index. adapt() orders tokens by
count, descending, ties by the token, descending (Keras's np.lexsort((tokens, counts))[::-1])."""
from __future__ import annotations

import collections
import os
from typing import Any, Sequence

import numpy as np

from .encoding import OUTPUT_MODES, encode_categorical
from .eager_layer import EagerPreprocessingLayer


class IndexLookup(EagerPreprocessingLayer):
    def __init__(self, max_tokens: int | None, num_oov_indices: int, mask_token: Any, oov_token: Any,
                 vocabulary_dtype: str, vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", sparse: bool = False, pad_to_max_tokens: bool = False,
                 **kwargs: Any) -> None:
        kwargs.pop("has_input_vocabulary", None)
        kwargs.pop("vocabulary_size", None)
        super().__init__(**kwargs)
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("`num_oov_indices` must be greater than or equal to 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of {list(OUTPUT_MODES)}. "
                             f"Received: output_mode={output_mode}")
        if invert and output_mode != "int":
            raise ValueError("`output_mode` must be `'int'` when `invert` is true. Received: "
                             f"output_mode={output_mode}")
        if sparse:
            raise NotImplementedError(f"{type(self).__name__}: sparse=True (TensorFlow sparse tensors) is not "
                                      "supported by keras_api")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError("`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                             f"idf_weights={idf_weights} and output_mode={output_mode}")
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.vocabulary_dtype = vocabulary_dtype
        self.invert = invert
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.input_vocabulary = vocabulary
        self.input_idf_weights = idf_weights
        self._tokens: list = []
        self.idf_weights: np.ndarray | None = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # -- the vocabulary --------------------------------------------------------------------------
    def _oov_start(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start(self) -> int:
        return self._oov_start() + self.num_oov_indices

    def _tensor_token(self, t: Any) -> Any:
        return str(t) if self.vocabulary_dtype == "string" else int(t)

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        if isinstance(vocabulary, str):
            if not os.path.exists(vocabulary):
                raise ValueError(f"Vocabulary file {vocabulary} does not exist.")
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = [line.rstrip("\n") for line in f]
        tokens = [self._tensor_token(t) for t in np.asarray(vocabulary).reshape(-1).tolist()]
        if len(set(tokens)) != len(tokens):
            repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
            raise ValueError(f"The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                             f"The repeated terms are: {repeated}")
        if self.mask_token is not None and self.output_mode == "int" and tokens[:1] == [self.mask_token]:
            tokens = tokens[1:]
        if self.oov_token is not None and tokens[:self.num_oov_indices] == [self.oov_token] * self.num_oov_indices \
                and self.num_oov_indices:
            tokens = tokens[self.num_oov_indices:]
        reserved = [t for t in tokens if t == self.mask_token or t == self.oov_token]
        if reserved:
            raise ValueError(f"Found reserved tokens in `vocabulary`: {reserved}. The mask token and OOV token may "
                             "only appear at the start of the vocabulary.")
        if self.max_tokens is not None and len(tokens) + self._token_start() > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary "
                             f"size is {len(tokens) + self._token_start()}; `max_tokens` is {self.max_tokens}.")
        self._tokens = tokens
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
            w = np.asarray(idf_weights, dtype="float64").reshape(-1)
            if len(w) != len(tokens):
                raise ValueError(f"`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                                 f"{len(w)}; len(vocabulary) is {len(tokens)}")
            self.idf_weights = np.concatenate([np.full(self._token_start(), w.mean()), w])
        self._index = {t: i + self._token_start() for i, t in enumerate(tokens)}

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        if not include_special_tokens:
            return list(self._tokens)
        head = [self.mask_token] if self.mask_token is not None and self.output_mode == "int" else []
        return head + [self.oov_token] * self.num_oov_indices + list(self._tokens)

    def vocabulary_size(self) -> int:
        return self._token_start() + len(self._tokens)

    def _depth(self) -> int:
        return self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()

    # -- adapt ------------------------------------------------------------------------------------
    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Learn the vocabulary (and document frequencies for tf_idf) from NumPy data."""
        arr = self._prepare_tokens(self._as_numpy(data))
        rows = [arr] if arr.ndim == 0 else ([r.reshape(-1) for r in arr] if arr.ndim > 1 else
                                            [np.asarray([t]) for t in arr])
        self._adapt_rows(rows)

    def _adapt_rows(self, rows: Sequence) -> None:
        counts: collections.Counter = collections.Counter()
        docs: collections.Counter = collections.Counter()
        for r in rows:
            toks = [self._tensor_token(t) for t in np.asarray(r).reshape(-1).tolist()]
            counts.update(toks)
            docs.update(set(toks))
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        if not counts:
            self._tokens, self._index = [], {}
        else:
            toks = np.asarray(list(counts))
            cnt = np.asarray([counts[t] for t in toks.tolist()])
            order = np.lexsort((toks, cnt))[::-1]
            if self.max_tokens:
                order = order[:self.max_tokens - self._token_start()]
            self._tokens = [toks.tolist()[i] for i in order]
            self._index = {t: i + self._token_start() for i, t in enumerate(self._tokens)}
        if self.output_mode == "tf_idf":
            n = len(rows)
            w = np.log(1.0 + n / (1.0 + np.asarray([docs[t] for t in self._tokens], dtype="float64")))
            mean = w.mean() if len(w) else 0.0
            self.idf_weights = np.concatenate([np.full(self._token_start(), mean), w])

    def _prepare_tokens(self, arr: np.ndarray) -> np.ndarray:
        return arr

    # -- lookup -------------------------------------------------------------------------------------
    def _lookup_ids(self, arr: np.ndarray) -> np.ndarray:
        flat = arr.reshape(-1).tolist()
        oov = self._oov_start()
        out = np.empty(len(flat), dtype="int64")
        for i, t in enumerate(flat):
            t = self._tensor_token(t)
            idx = self._index.get(t)
            if idx is None:
                if self.mask_token is not None and t == self.mask_token:
                    idx = 0
                elif self.num_oov_indices == 0:
                    raise ValueError(f"{type(self).__name__} {self.name!r}: token {t!r} is not in the vocabulary "
                                     "and num_oov_indices=0")
                elif self.num_oov_indices > 1:
                    raise NotImplementedError(f"{type(self).__name__}: num_oov_indices > 1 hashes OOV tokens into "
                                              "several buckets with TensorFlow's FarmHash; not implemented")
                else:
                    idx = oov
            out[i] = idx
        return out.reshape(arr.shape)

    def _invert(self, arr: np.ndarray) -> np.ndarray:
        vocab = self.get_vocabulary()
        flat = [vocab[i] if 0 <= i < len(vocab) else self.oov_token for i in np.asarray(arr).reshape(-1).tolist()]
        dtype = object if self.vocabulary_dtype == "string" else self.vocabulary_dtype
        return np.asarray(flat, dtype=dtype).reshape(np.shape(arr)).astype(str if dtype is object else dtype)

    def transform_ids_row(self, ids: np.ndarray, depth: int) -> np.ndarray:
        """multi_hot / count / tf_idf of one row of ids."""
        return encode_categorical(np.asarray(ids)[None], self.output_mode, depth, self.compute_dtype,
                                  self.idf_weights, what=f"{type(self).__name__} {self.name!r}")[0]

    def transform(self, data: np.ndarray) -> np.ndarray:
        if self.invert:
            return self._invert(data)
        ids = self._lookup_ids(data)
        return encode_categorical(ids, self.output_mode, self._depth(), self.compute_dtype, self.idf_weights,
                                  what=f"{type(self).__name__} {self.name!r}")

    def output_spec(self, input_shape: tuple) -> tuple[tuple, str]:
        if self.invert:
            return input_shape, self.vocabulary_dtype
        if self.output_mode == "int":
            return input_shape, "int64"
        depth = self._depth()
        if self.output_mode == "one_hot" and not (len(input_shape) == 2 and input_shape[-1] == 1) \
                and len(input_shape) >= 2:
            return input_shape + (depth,), self.compute_dtype
        return (tuple(input_shape[:-1]) if len(input_shape) >= 1 else ()) + (depth,), self.compute_dtype

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "invert": self.invert, "max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token, "mask_token": self.mask_token, "output_mode": self.output_mode,
            "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary": list(self._tokens) if self.input_vocabulary is not None else None,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": None if self.input_idf_weights is None else list(np.asarray(self.input_idf_weights)),
            "vocabulary_size": self.vocabulary_size(),
        })
        return config
