"""How the learned classifiers read a message: normalised text and its word tokens.

Handles, links and numbers carry no sentiment or intent of their own but are different in
every tweet; replacing them with one placeholder each lets the models learn from the fact
that they are there ("@user" at the start is a reply, a link is often a screenshot of a
problem) instead of memorising them. Only the first `MAX_CHARS` characters are read, so a
100 KB e-mail costs what a long post costs.
"""

from __future__ import annotations

import re

__all__ = ["MAX_CHARS", "normalise", "words"]

MAX_CHARS = 4_000

_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'"}
_ENTITY = re.compile("|".join(_ENTITIES))
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"@\w+")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_ELONGATED = re.compile(r"(.)\1{2,}")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+|[^\w\s]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise(text: str) -> str:
    """Lower-cased text with links, handles and numbers replaced and elongations cut to two."""
    text = text[:MAX_CHARS]
    text = _CONTROL.sub(" ", text)
    text = _ENTITY.sub(lambda match: _ENTITIES[match.group()], text)
    text = _URL.sub(" httpurl ", text)
    text = _HANDLE.sub(" @user ", text)
    text = _NUMBER.sub("0", text)
    return _ELONGATED.sub(r"\1\1", text.lower())


def words(normalised: str) -> list[str]:
    """Word tokens of normalised text: words (with inner apostrophes), numbers, single symbols."""
    return _WORD.findall(normalised)
