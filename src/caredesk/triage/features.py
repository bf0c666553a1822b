"""Features of a batch of messages for the learned classifiers, computed with numpy.

Three kinds, chosen because together they beat each one alone on the dev sets:
- word 1-2-grams and character 2-5-grams inside words, weighted by IDF (presence, not
  counts: posts are short, and it spares a per-text count) and scaled to unit length per
  kind (the classic strong baseline for short social posts; the character n-grams survive
  misspellings and elongations);
- the static sentence embedding (`learned_embedding`), which knows words the labelled sets
  never showed;
- sentiment-lexicon counts (`learned_lexicon`), which carry negation and intensity.
The vocabularies and IDF weights are fitted at training time and shipped in the artifacts;
n-grams outside them are ignored, so any text yields a valid (maybe empty) row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

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
    return [*tokens, *(f"{first} {second}" for first, second in pairwise(tokens))]


def char_ngrams(word: str) -> list[str]:
    """Character n-grams of one whitespace-separated word padded with a space on each side."""
    padded = f" {word} "
    return [padded[start : start + size] for size in CHAR_SIZES for start in range(len(padded) - size + 1)]


def row_sums(
    items: npt.NDArray[np.float32], rows: npt.NDArray[np.int64], count: int
) -> npt.NDArray[np.float32]:
    """Sum of the item rows belonging to each of `count` rows (`rows` sorted; absent rows are 0)."""
    result = np.zeros((count, items.shape[1]), dtype=np.float32)
    if rows.size:
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        result[rows[starts]] = np.add.reduceat(items, starts, axis=0)
    return result


def row_means(
    items: npt.NDArray[np.float32], rows: npt.NDArray[np.int64], count: int
) -> npt.NDArray[np.float32]:
    """Mean of the item rows belonging to each row (`rows` sorted; absent rows are 0)."""
    sums = row_sums(items, rows, count)
    sizes = np.bincount(rows, minlength=count).astype(np.float32)[:, None]
    return np.divide(sums, sizes, out=sums, where=sizes > 0)


@dataclass(frozen=True, slots=True)
class FeatureBatch:
    """A batch's features, one row per text.

    N-grams are sparse coordinates (`rows` sorted); the embedding is given as the token ids to
    average (`tokens`, with their `token_rows`), so a linear model can average its own
    projection of the vectors instead of the 256-wide vectors; `lexicon` is dense.
    """

    rows: npt.NDArray[np.int64]
    columns: npt.NDArray[np.int64]
    values: npt.NDArray[np.float32]
    tokens: npt.NDArray[np.int64]
    token_rows: npt.NDArray[np.int64]
    lexicon: npt.NDArray[np.float32]

    @property
    def count(self) -> int:
        return int(self.lexicon.shape[0])


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
        self.embedding = embedding
        self.lexicon = lexicon
        self._char_columns: dict[str, list[int]] = {}
        self.sparse_width = len(word_vocabulary) + len(char_vocabulary)
        self.dense_width = embedding.dimensions + lexicon.width

    def transform(self, texts: Sequence[str]) -> FeatureBatch:
        """Features of every text; the same texts always give the same features."""
        normalised = [normalise(text) for text in texts]
        per_text = [self._columns(text) for text in normalised]
        lengths = np.fromiter((len(columns) for columns in per_text), dtype=np.int64, count=len(texts))
        columns = np.fromiter(
            (column for found in per_text for column in found), dtype=np.int64, count=int(lengths.sum())
        )
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        values = self._idf[columns]
        # Unit length per text and per kind (word, character), as two separate TF-IDF blocks.
        blocks = rows * 2 + (columns >= self._char_offset)
        squares = np.bincount(blocks, weights=values * values, minlength=len(texts) * 2).astype(np.float32)
        values = (values / np.sqrt(squares)[blocks]).astype(np.float32)
        tokens, token_rows = self.embedding.tokenize(normalised)
        return FeatureBatch(
            rows, columns, values, tokens, token_rows, self.lexicon.features(texts, normalised)
        )

    def dense(self, batch: FeatureBatch) -> npt.NDArray[np.float32]:
        """The dense columns spelled out: mean token vector, then lexicon features."""
        embedded = row_means(self.embedding.vectors[batch.tokens], batch.token_rows, batch.count)
        return np.hstack([embedded, batch.lexicon], dtype=np.float32)

    def _columns(self, text: str) -> list[int]:
        """Vocabulary columns of the text's word and character n-grams, each column once."""
        vocabulary = self._word_vocabulary
        found = {column for gram in word_ngrams(words(text)) if (column := vocabulary.get(gram)) is not None}
        cache = self._char_columns
        for word in text.split():
            cached = cache.get(word)
            if cached is None:
                cached = self._word_char_columns(word)
                if len(cache) < _WORD_CACHE_LIMIT:
                    cache[word] = cached
            found.update(cached)
        return list(found)

    def _word_char_columns(self, word: str) -> list[int]:
        vocabulary = self._char_vocabulary
        offset = self._char_offset
        return [offset + column for gram in char_ngrams(word) if (column := vocabulary.get(gram)) is not None]
