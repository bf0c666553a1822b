"""Normalisation, n-grams, tokenization and the artifact checks behind the classifiers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from caredesk.triage.features import char_ngrams, row_means, row_sums, word_ngrams
from caredesk.triage.learned import ArtifactError, Classifiers, classifiers
from caredesk.triage.learned_lexicon import Lexicon
from caredesk.triage.text import MAX_CHARS, normalise, words


def test_normalise_replaces_what_differs_in_every_tweet() -> None:
    text = "@AmericanAir Flight 1234 was SOOOO late!!! see https://t.co/abc &amp; www.x.com"
    assert normalise(text) == " @user  flight 0 was soo late!! see  httpurl  &  httpurl "
    assert len(normalise("a" * 100_000 + "b")) <= MAX_CHARS


def test_words_keep_apostrophes_and_split_symbols() -> None:
    assert words("don't go!! 😡") == ["don't", "go", "!", "!", "😡"]


def test_ngrams() -> None:
    assert word_ngrams(["not", "happy", "!"]) == ["not", "happy", "!", "not happy", "happy !"]
    assert char_ngrams("ok") == [" o", "ok", "k ", " ok", "ok ", " ok "]
    assert char_ngrams("") == ["  "]


def test_row_sums_and_means_leave_rows_without_items_at_zero() -> None:
    items = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=np.float32)
    rows = np.array([0, 0, 2], dtype=np.int64)
    assert row_sums(items, rows, 4).tolist() == [[4.0, 6.0], [0.0, 0.0], [5.0, 6.0], [0.0, 0.0]]
    assert row_means(items, rows, 3).tolist() == [[2.0, 3.0], [0.0, 0.0], [5.0, 6.0]]
    empty = np.zeros((0, 2), dtype=np.float32)
    assert row_sums(empty, np.zeros(0, dtype=np.int64), 2).tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_lexicon_flips_negated_words() -> None:
    lexicon = Lexicon({"good": 1.9, "bad": -2.5})
    plain, negated = lexicon.features(["good", "not good"], ["good", "not good"])
    assert plain[0] > 0 and plain[1] == 0  # positive sum, no negative
    assert negated[0] == 0 and negated[1] > 0 and negated[5] == 1.0  # flipped, negation seen


def test_wordpiece_splits_unknown_words_into_known_pieces() -> None:
    embedding = classifiers().featurizer.embedding
    assert embedding.token_ids("") == []
    pieces = embedding.token_ids("unfollowing")
    assert len(pieces) >= 2
    assert embedding.token_ids("😡 " * 3) == embedding.token_ids("")  # no vector for this emoji


def test_missing_or_mismatched_artifacts_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="cannot read"):
        Classifiers.load(tmp_path)
