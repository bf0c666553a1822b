"""Features of a batch of messages for the learned classifiers, computed with numpy.

Three kinds, chosen because together they beat each one alone on the dev sets:
- word 1-2-grams and character 2-5-grams inside words, weighted by sublinear TF-IDF and
  scaled to unit length per kind (the classic strong baseline for short social posts; the
  character n-grams survive misspellings and elongations);
- the static sentence embedding (`learned_embedding`), which knows words the labelled sets
  never showed;
- sentiment-lexicon counts (`learned_lexicon`), which carry negation and intensity.
The vocabularies and IDF weights are fitted at training time and shipped in the artifacts;
n-grams outside them are ignored, so any text yields a valid (maybe empty) row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from caredesk.triage.learned_embedding import StaticEmbedding
from caredesk.triage.learned_lexicon import Lexicon
from caredesk.triage.text import normalise, words

__all__ = ["CHAR_SIZES", "FeatureBatch", "Featurizer", "char_ngrams", "word_ngrams"]

CHAR_SIZES = (2, 3, 4, 5)
_WORD_CACHE_LIMIT = 300_000


def word_ngrams(tokens: Sequence[str]) -> list[str]:
    """Unigrams and bigrams (joined by a space) of a token list."""
    return [*tokens, *(f"{first} {second}" for first, second in zip(tokens, tokens[1:], strict=False))]


def char_ngrams(word: str) -> list[str]:
    """Character n-grams of one whitespace-separated word padded with a space on each side."""
    padded = f" {word} "
    return [padded[start : start + size] for size in CHAR_SIZES for start in range(len(padded) - size + 1)]


@dataclass(frozen=True, slots=True)
class FeatureBatch:
    """Sparse n-gram part as coordinates (rows sorted) and a dense part, one row per text."""

    rows: npt.NDArray[np.int64]
    columns: npt.NDArray[np.int64]
    values: npt.NDArray[np.float32]
    dense: npt.NDArray[np.float32]

    @property
    def count(self) -> int:
        return int(self.dense.shape[0])


class Featurizer:
    """Maps texts to a `FeatureBatch` with fitted vocabularies, IDF weights, embedding, lexicon."""

    def __init__(
        self,
        word_vocabulary: dict[str, int],
        char_vocabulary: dict[str, int],
        idf: npt.NDArray[np.float32],
        embedding: StaticEmbedding,
        lexicon: Lexicon,
    ) -> None:
        self._word_vocabulary = word_vocabulary
        self._char_vocabulary = char_vocabulary
        self._char_offset = len(word_vocabulary)
        self._idf = idf
        self._embedding = embedding
        self._lexicon = lexicon
        self._char_columns: dict[str, list[int]] = {}
        self.sparse_width = len(word_vocabulary) + len(char_vocabulary)
        self.dense_width = embedding.dimensions + lexicon.width

    def transform(self, texts: Sequence[str]) -> FeatureBatch:
        """Features of every text; the same texts always give the same features."""
        normalised = [normalise(text) for text in texts]
        row_ids: list[int] = []
        column_ids: list[int] = []
        for row, text in enumerate(normalised):
            columns = self._columns(text)
            column_ids.extend(columns)
            row_ids.extend([row] * len(columns))
        rows, columns, values = self._tfidf(
            np.array(row_ids, dtype=np.int64), np.array(column_ids, dtype=np.int64), len(texts)
        )
        dense = np.hstack(
            [self._embedding.embed(normalised), self._lexicon.features(texts, normalised)], dtype=np.float32
        )
        return FeatureBatch(rows, columns, values, dense)

    def _columns(self, text: str) -> list[int]:
        """Vocabulary columns of every word n-gram and character n-gram, repeats kept (they are counts)."""
        vocabulary = self._word_vocabulary
        found = [column for gram in word_ngrams(words(text)) if (column := vocabulary.get(gram)) is not None]
        cache = self._char_columns
        for word in text.split():
            cached = cache.get(word)
            if cached is None:
                cached = self._word_char_columns(word)
                if len(cache) < _WORD_CACHE_LIMIT:
                    cache[word] = cached
            found.extend(cached)
        return found

    def _word_char_columns(self, word: str) -> list[int]:
        vocabulary = self._char_vocabulary
        offset = self._char_offset
        return [offset + column for gram in char_ngrams(word) if (column := vocabulary.get(gram)) is not None]

    def _tfidf(
        self, rows: npt.NDArray[np.int64], columns: npt.NDArray[np.int64], count: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Sublinear TF times IDF, scaled to unit length separately for words and characters."""
        if rows.size == 0:
            return rows, columns, np.zeros(0, dtype=np.float32)
        keys, counts = np.unique(rows * self.sparse_width + columns, return_counts=True)
        rows, columns = np.divmod(keys, self.sparse_width)
        values = ((1.0 + np.log(counts)) * self._idf[columns]).astype(np.float32)
        blocks = rows * 2 + (columns >= self._char_offset)
        squares = np.bincount(blocks, weights=values * values, minlength=count * 2)
        values /= np.sqrt(squares[blocks]).astype(np.float32)
        return rows, columns, values

