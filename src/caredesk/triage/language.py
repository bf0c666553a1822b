"""The language a message is written in, as an ISO 639-1 code, or None when unsure.

Lingua's low-accuracy mode over the languages most used on social networks loads in a
fraction of a second and about 60 MB; its high-accuracy mode needs 6 s and 500 MB, more than
triage may spend. Low accuracy is weak on short English posts ("Thanks for sharing the love"
came out Swedish), and most posts to English-speaking brands are exactly that, so a plain
English post, one made mostly of English function words, is recognised before Lingua runs.
"""

from __future__ import annotations

import re
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from caredesk.triage.social import words_only

__all__ = ["LANGUAGES", "detect_language"]

LANGUAGES = (
    Language.ENGLISH,
    Language.SPANISH,
    Language.PORTUGUESE,
    Language.FRENCH,
    Language.GERMAN,
    Language.ITALIAN,
    Language.DUTCH,
    Language.SWEDISH,
    Language.POLISH,
    Language.TURKISH,
    Language.INDONESIAN,
    Language.TAGALOG,
    Language.RUSSIAN,
    Language.UKRAINIAN,
    Language.ARABIC,
    Language.PERSIAN,
    Language.URDU,
    Language.HEBREW,
    Language.HINDI,
    Language.THAI,
    Language.JAPANESE,
    Language.KOREAN,
    Language.CHINESE,
)
"""What Lingua chooses among; a post in another language gets the nearest of these or None."""

DETECTED_CHARS = 1_000
"""Lingua's cost grows with length and a language shows within a paragraph."""

MIN_CONFIDENCE = 0.6
MIN_LETTERS = 6
MIN_WORDS_FOR_SHORT = 2

# Words that are English and not also common words of the other Latin-script languages listed.
_ENGLISH_MARKERS = frozenset(
    """the and you your my for with this that have has not was are were what why how when can
    can't cannot will won't just from been being please thanks thank they them their there we
    our would could should it it's i'm i've i'd i'll we're we'll we've you're you've you'll
    that's there's what's don't doesn't didn't isn't haven't wasn't any still get got did does
    than then because about after account help where which who refund flight waiting since yet
    now again never of be if or but sorry hello hi out some more very here like know only also
    today need want""".split()  # noqa: SIM905 - a word list reads best as words
)
# Short words that are English but also words of other languages ("a", "in", "is", "to"):
# they support English only beside a marker.
_ENGLISH_SUPPORT = frozenset("i a an in is to on at as by no so up me do".split())  # noqa: SIM905
_MIN_MARKERS = 2
_MIN_MARKER_SHARE = 0.25
_NON_ASCII_LETTER = re.compile(r"[^\x00-\x7f’‘“”–—…]")


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the language of `text`, ignoring @handles and URLs; None when unsure."""
    words = words_only(text[: DETECTED_CHARS * 2])[:DETECTED_CHARS]
    tokens = words.lower().split()
    letters = sum(len(token) for token in tokens)
    if letters < MIN_LETTERS or (len(tokens) < MIN_WORDS_FOR_SHORT and letters < 2 * MIN_LETTERS):
        return None
    if _plainly_english(words, tokens):
        return "en"
    confidences = _detector().compute_language_confidence_values(words)
    if not confidences or confidences[0].value < MIN_CONFIDENCE:
        return None
    return confidences[0].language.iso_code_639_1.name.lower()


def _plainly_english(words: str, tokens: list[str]) -> bool:
    if _NON_ASCII_LETTER.search(words):
        return False
    markers = sum(token.replace("’", "'") in _ENGLISH_MARKERS for token in tokens)
    if not markers:
        return False
    markers += sum(token in _ENGLISH_SUPPORT for token in tokens)
    return markers >= _MIN_MARKERS and markers >= _MIN_MARKER_SHARE * len(tokens)


@cache
def _detector() -> LanguageDetector:
    return (
        LanguageDetectorBuilder.from_languages(*LANGUAGES)
        .with_low_accuracy_mode()
        .with_preloaded_language_models()
        .build()
    )
