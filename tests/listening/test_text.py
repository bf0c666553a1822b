"""How a post is read: folding, word separation and the way back to the post's offsets."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from caredesk.listening import text
from caredesk.listening.text import phrase_words, prepare


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("Delta", "delta"),
        ("CAFÉ", "café"),
        ("cafe\u0301", "café"),  # decomposed accent: composed by NFKC
        ("ｃａｆé", "café"),  # full-width letters
        ("Straße", "strasse"),
        ("ﬁnance", "finance"),  # ligature
        ("Delta's", "delta s"),
        ("Delta Air\n\t  Lines", "delta air lines"),
        ("  ...Delta!!  ", "delta"),
        ("#Delta @Delta_Help", "#delta @delta_help"),
        ("C# rocks", "c# rocks"),
        ("❤️Delta", "delta"),  # the variation selector separates
        ("😀Delta😀", "delta"),
        ("हिन्दी", "हिन्दी"),  # marks stay inside their word
        ("שלום Delta", "שלום delta"),
        ("año", "año"),  # accents are kept
        ("x\u200by", "x y"),  # a zero-width space separates
        ("", ""),
    ],
)
def test_phrase_words(written: str, words: str) -> None:
    assert phrase_words(written) == words


@pytest.mark.parametrize(
    "post",
    [
        "hello Delta",
        "  , hello,,,   Delta ... air\n\nlines!",
        "Grüße aus der STRAßE, Delta",
        "ｈｅｌｌｏ ＤＥＬＴＡ",
        "x\ufb01nance cafe\u0301 Delta",
        "📦📦 @Delta 😡 #fail",
        "İstanbul ß Delta",
    ],
)
def test_every_word_maps_back_to_the_characters_it_came_from(post: str) -> None:
    prepared = prepare(post)
    position = 1
    for word in prepared.padded.strip(" ").split(" "):
        start, end = prepared.first_span(position, position + len(word))
        assert phrase_words(post[start:end]) == word
        position += len(word) + 1


def test_multi_word_spans_cover_the_separators_between() -> None:
    post = "I flew DELTA,  air\n lines."
    prepared = prepare(post)
    start = prepared.padded.index("delta air lines")
    assert prepared.first_span(start, start + len("delta air lines")) == (7, 25)
    assert post[7:25] == "DELTA,  air\n lines"


def test_the_code_point_scan_covers_every_mark_and_combining_character() -> None:
    """Beyond the scanned planes there must be nothing but variation selectors to find."""
    beyond = [
        point
        for point in range(text._SCANNED_CODE_POINTS, sys.maxunicode + 1)
        if unicodedata.combining(chr(point)) or unicodedata.category(chr(point)) in ("Mn", "Mc")
    ]
    assert all(0xE0100 <= point <= 0xE01EF for point in beyond)
