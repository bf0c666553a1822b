"""The parts of a social post that address someone rather than say something.

@handles and URLs are full of digits and foreign-looking words: a phone-number finder would
read `@115712` as a number and a language detector would read `bit.ly/2xQ9` as a word.
Every rule in triage looks at the text with these spans masked out.
"""

from __future__ import annotations

import re

__all__ = ["ANALYSED_CHARS", "masked", "words_only"]

ANALYSED_CHARS = 10_000
"""Rules look at the first 10,000 characters: a post is 280, a long e-mail fits, 100 KB does not stall."""

# An @handle (an e-mail's @ follows a letter, so it is not one), or an explicit URL.
_HANDLES_AND_URLS = re.compile(r"(?<![\w@.])@\w{1,50}|(?i:https?://|www\.)\S+")
# A link without its scheme ("amzn.to/2xQ9"); only looked for when the text has a slash.
_BARE_LINKS = re.compile(
    r"(?<![\w.-])[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*\.(?i:com|net|org|co|io|ly|me|gl|to|be|uk|us|app)/\S*"
)


def masked(text: str) -> str:
    """`text` with @handles and URLs replaced by spaces, so every offset stays where it was."""
    text = _HANDLES_AND_URLS.sub(_blank, text)
    return _BARE_LINKS.sub(_blank, text) if "/" in text else text


def _blank(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


_NOT_WORDS = re.compile(r"[_\d]+|[^\w\s'’]+")


def words_only(text: str) -> str:
    """The words of `text`: addresses, hashtag marks, digits, emoji and punctuation become spaces."""
    return _NOT_WORDS.sub(" ", masked(text)).strip()
