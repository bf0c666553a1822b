"""Competitors named in a message, and when that is a chance to win a customer over.

A workspace lists its competitors by name or handle ("Verizon", "@VerizonSupport"). An
unhappy customer of one of them is an opportunity for the brand, unless the message is the
brand's own customer threatening to leave for that competitor, which is churn instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["CompetitorMention", "find_competitor"]


@dataclass(frozen=True, slots=True)
class CompetitorMention:
    competitor: str | None
    opportunity: bool


def find_competitor(
    text: str, competitors: Sequence[str], *, unhappy: bool, brand: str | None = None
) -> CompetitorMention:
    """The competitor named first in `text` (as the workspace spells it) and whether it is an opportunity.

    Names and handles match case-insensitively on word boundaries; "Verizon" also matches
    the handles that begin with it ("@Verizon", "@VerizonSupport"). `unhappy` says whether
    the message complains or is negative. A competitor spelled like `brand` is ignored, so a
    shared list can include the brand itself.
    """
    names = tuple(name for name in competitors if name.strip() and not _same(name, brand))
    if not names:
        return CompetitorMention(None, False)
    match = _pattern(names).search(text)
    if match is None:
        return CompetitorMention(None, False)
    named = match.group().lstrip("@").casefold()
    competitor = max((name for name in names if named.startswith(_bare(name))), key=len)
    return CompetitorMention(competitor, unhappy and not _leaving_for(text, match.group()))


def _same(name: str, other: str | None) -> bool:
    return other is not None and _bare(name) == _bare(other)


def _bare(name: str) -> str:
    return name.strip().lstrip("@").casefold()


@lru_cache(maxsize=256)
def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first, so "T-Mobile US" wins over "T-Mobile"; a handle may carry a suffix ("@VerizonSupport").
    spelled = "|".join(sorted({re.escape(name.strip().lstrip("@")) for name in names}, key=len, reverse=True))
    return re.compile(rf"(?<![\w@])(?:@(?:{spelled})\w*|(?:{spelled})(?!\w))", re.IGNORECASE)


_LEAVING_FOR = (
    r"\b(?:switch(?:ing|ed)?|mov(?:e|ing|ed)|go(?:ing)?|went|port(?:ing)?|leav(?:e|ing)\s+\S+)"
    r"\s+(?:over\s+)?(?:to|for)\s+{name}"
    r"|{name}\s+(?:is|was|are)\s+(?:so\s+much\s+|way\s+|much\s+)?better"
    r"|{name}\s+(?:never|would\s+never|doesn't|didn't)\b"
)


def _leaving_for(text: str, named: str) -> bool:
    name = re.escape(named)
    return re.search(_LEAVING_FOR.format(name=name), text, re.IGNORECASE) is not None
