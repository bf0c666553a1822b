"""Static sentence embeddings (model2vec format) computed with numpy alone.

A model2vec model is a table of one vector per WordPiece token; a text's embedding is the
mean of its tokens' vectors (model2vec then scales it to unit length; the classifiers do as
well without, and a plain mean lets run time fold the vectors into the classifier weights).
Reading the table and tokenizing here, instead of depending on `model2vec`/`tokenizers`,
keeps triage's run time to numpy.
The tokenizer follows BERT's uncased WordPiece closely but not byte for byte (symbols
such as emoji are split off words instead of making the whole word unknown); the models
are trained on this module's output, so only its own consistency matters.
"""

from __future__ import annotations

import json
import re
import struct
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["StaticEmbedding"]

_PIECES = re.compile(r"[^\W_]+|[^\w\s]|_")
_MAX_WORD_CHARS = 100
_CACHE_LIMIT = 200_000
_SAFETENSORS_DTYPES = {"F16": np.float16, "F32": np.float32}


def _strip_accents(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFD", text) if not unicodedata.combining(char))


class StaticEmbedding:
    """A WordPiece vocabulary and its vectors; `tokenize` gives the ids whose vectors to average."""

    def __init__(self, vocabulary: dict[str, int], vectors: npt.NDArray[np.float32], unknown_id: int) -> None:
        self._vocabulary = vocabulary
        self._vectors = vectors
        self._unknown_id = unknown_id
        self._word_ids: dict[str, tuple[int, ...]] = {}
        self.dimensions = int(vectors.shape[1])

    @classmethod
    def load(cls, directory: Path) -> StaticEmbedding:
        """Read `model.safetensors` and `tokenizer.json` as model2vec writes them."""
        tokenizer = json.loads((directory / "tokenizer.json").read_text(encoding="utf-8"))
        vocabulary: dict[str, int] = tokenizer["model"]["vocab"]
        vectors = _read_safetensor(directory / "model.safetensors", "embeddings")
        return cls(vocabulary, vectors, vocabulary[tokenizer["model"]["unk_token"]])

    def token_ids(self, text: str) -> list[int]:
        """WordPiece ids of the text, unknown words left out (model2vec drops them too)."""
        text = text.lower()
        if not text.isascii():
            text = _strip_accents(text)
        ids: list[int] = []
        cache = self._word_ids
        for word in _PIECES.findall(text):
            pieces = cache.get(word)
            if pieces is None:
                pieces = self._word_pieces(word)
                if len(cache) < _CACHE_LIMIT:
                    cache[word] = pieces
            ids.extend(pieces)
        return ids

    def _word_pieces(self, word: str) -> tuple[int, ...]:
        """Greedy longest-match-first WordPiece; a word with an unmatched piece is unknown."""
        if len(word) > _MAX_WORD_CHARS:
            return ()
        pieces: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                piece_id = self._vocabulary.get(piece)
                if piece_id is not None:
                    pieces.append(piece_id)
                    break
                end -= 1
            else:
                return ()
            start = end
        return tuple(piece for piece in pieces if piece != self._unknown_id)

    def tokenize(self, texts: Sequence[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Every text's token ids in one flat array, and the row (text index) of each id."""
        per_text = [self.token_ids(text) for text in texts]
        lengths = np.fromiter((len(ids) for ids in per_text), dtype=np.int64, count=len(per_text))
        flat = np.fromiter((i for ids in per_text for i in ids), dtype=np.int64, count=int(lengths.sum()))
        return flat, np.repeat(np.arange(len(texts), dtype=np.int64), lengths)

    @property
    def vectors(self) -> npt.NDArray[np.float32]:
        """The token vectors, one row per token id."""
        return self._vectors


def _read_safetensor(path: Path, name: str) -> npt.NDArray[np.float32]:
    """One tensor of a safetensors file: an 8-byte header length, a JSON header, raw data."""
    raw = path.read_bytes()
    (header_length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_length])
    tensor = header[name]
    begin, end = tensor["data_offsets"]
    data_start = 8 + header_length
    dtype = np.dtype(_SAFETENSORS_DTYPES[tensor["dtype"]])
    array = np.frombuffer(raw, dtype=dtype, count=(end - begin) // dtype.itemsize, offset=data_start + begin)
    return array.reshape(tensor["shape"]).astype(np.float32)
