"""Fitting the shared feature space: n-gram vocabularies with IDF, lexicon, embedding files."""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from caredesk.triage.features import char_ngrams, word_ngrams
from caredesk.triage.text import normalise, words

__all__ = ["EMBEDDING_FILES", "Vocabulary", "copy_embedding", "fit_vocabulary", "write_lexicon"]

EMBEDDING_FILES = ("model.safetensors", "tokenizer.json", "README.md")
WORD_MIN_DOCUMENTS = 2
CHAR_MIN_DOCUMENTS = 3


class Vocabulary:
    """Word and character n-grams kept, in a fixed order, and every column's IDF."""

    def __init__(self, words: list[str], chars: list[str], idf: npt.NDArray[np.float32]) -> None:
        self.words = words
        self.chars = chars
        self.idf = idf


def _document_frequencies(grams_per_document: Iterable[Iterable[str]]) -> dict[str, int]:
    frequencies: dict[str, int] = {}
    for grams in grams_per_document:
        for gram in set(grams):
            frequencies[gram] = frequencies.get(gram, 0) + 1
    return frequencies


def fit_vocabulary(texts: list[str]) -> Vocabulary:
    """N-grams seen in enough distinct documents, sorted so the result never depends on order."""
    normalised = [normalise(text) for text in texts]
    word_counts = _document_frequencies(word_ngrams(words(text)) for text in normalised)
    char_counts = _document_frequencies(
        (gram for word in text.split() for gram in char_ngrams(word)) for text in normalised
    )
    kept_words = sorted(gram for gram, count in word_counts.items() if count >= WORD_MIN_DOCUMENTS)
    kept_chars = sorted(gram for gram, count in char_counts.items() if count >= CHAR_MIN_DOCUMENTS)
    documents = len(texts)

    # Scikit-learn's smoothed IDF, so the TF-IDF here is the textbook baseline's.
    def idf(count: int) -> float:
        return math.log((1 + documents) / (1 + count)) + 1.0

    counts = [word_counts[gram] for gram in kept_words] + [char_counts[gram] for gram in kept_chars]
    weights = [idf(count) for count in counts]
    return Vocabulary(kept_words, kept_chars, np.array(weights, dtype=np.float32))


def write_lexicon(vader_package: Path, target: Path) -> int:
    """VADER's word valences, plus emoji scored by the mean valence of their description words."""
    valences: dict[str, float] = {}
    for line in (vader_package / "vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
        token, valence, *_ = line.split("\t")
        valences[token] = float(valence)
    for line in (vader_package / "emoji_utf8_lexicon.txt").read_text(encoding="utf-8").splitlines():
        emoji, _, description = line.partition("\t")
        scored = [valences[word] for word in description.lower().split() if word in valences]
        if scored and emoji not in valences:
            valences[emoji] = round(sum(scored) / len(scored), 3)
    lines = [f"{token}\t{valence}\n" for token, valence in sorted(valences.items())]
    target.write_text("".join(lines), encoding="utf-8")
    return len(valences)


def copy_embedding(source: Path, target: Path) -> None:
    """Copy the static embedding model (with its attribution README) beside the other files."""
    target.mkdir(parents=True, exist_ok=True)
    for name in EMBEDDING_FILES:
        shutil.copyfile(source / name, target / name)
