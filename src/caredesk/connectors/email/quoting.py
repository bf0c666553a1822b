"""Cutting the quoted history from an e-mail reply, so agents read what the customer added.

Only history *after* the new text is cut: an attribution line ("On Tue, 3 Jun 2025, Acme
<care@acme.example> wrote:", possibly wrapped over two lines) followed by nothing but quoted
lines, an Outlook "Original Message" separator, or a trailing block of quoted lines. Replies
written between quoted lines are kept whole, since cutting them would lose answers; and a
message that is nothing but a quote is kept whole too.
"""

from __future__ import annotations

import re

__all__ = ["trim_quoted_history"]

_ATTRIBUTION = re.compile(
    r"^\s*(on|am|le|el|il|op|em)\s.{0,400}"
    r"(wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu)(\s.{0,300})?\s*:\s*$",
    re.IGNORECASE,
)
_OUTLOOK_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine)\s*-{2,}\s*$", re.IGNORECASE
)


def trim_quoted_history(text: str) -> str:
    """`text` without the quoted conversation below it."""
    lines = text.split("\n")
    cut = _history_start(lines)
    if cut is None:
        cut = _trailing_quote_start(lines)
    kept = "\n".join(lines[:cut]).rstrip()
    return kept if kept.strip() else text.strip()


def _history_start(lines: list[str]) -> int | None:
    quoted_below = _quoted_below(lines)
    for index, line in enumerate(lines):
        if _OUTLOOK_SEPARATOR.match(line):
            return index
        for span in (1, 2):  # mail clients wrap long attributions onto a second line
            attribution = " ".join(lines[index : index + span])
            if quoted_below[min(index + span, len(lines))] and _ATTRIBUTION.match(attribution):
                return index
    return None


def _trailing_quote_start(lines: list[str]) -> int:
    cut = len(lines)
    for index in range(len(lines) - 1, -1, -1):
        stripped = lines[index].strip()
        if stripped.startswith(">"):
            cut = index
        elif stripped:
            break
    return cut


def _quoted_below(lines: list[str]) -> list[bool]:
    """For each position, whether the lines from there on are quoted ones (and blank lines)."""
    below = [False] * (len(lines) + 1)
    seen_quote = False
    for index in range(len(lines) - 1, -1, -1):
        stripped = lines[index].strip()
        if stripped.startswith(">"):
            seen_quote = True
        elif stripped:
            break
        below[index] = seen_quote
    return below
