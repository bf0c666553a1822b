"""How soon a message needs a person, and why: a level and the reasons behind it.

Urgency is about the message and its author, not about the queue: a safety risk is critical
whoever posts it, a legal threat or a card number in public is high. Waiting time is left to
priority, which changes as the message waits; urgency is fixed at ingest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from caredesk.triage.pii import PiiSpan

__all__ = ["LEVELS", "REACH_FOLLOWERS", "URGENCY_REASONS", "Urgency", "assess_urgency"]

LEVELS: Final = ("low", "normal", "high", "critical")
URGENCY_REASONS: Final = ("safety", "legal", "press", "churn", "anger", "pii_public", "reach")
"""Every reason urgency can give, in the order they are listed on a message."""

REACH_FOLLOWERS = 10_000
"""From here on, an unhappy author's post is seen by enough people to matter to the brand."""

PUBLIC_PII_TYPES: Final = frozenset({"card", "email", "phone", "address"})
"""Order numbers are left out: one in public is harmless without the account behind it."""


@dataclass(frozen=True, slots=True)
class Urgency:
    level: str
    reasons: tuple[str, ...]


def _words(*patterns: str) -> re.Pattern[str]:
    # Matched against the lower-cased text: re.IGNORECASE would make every search 3 times slower.
    return re.compile(r"\b(?:" + "|".join(patterns) + r")")


_SAFETY = _words(
    r"(?:caught|on) fire\b",
    r"fire hazard",
    r"smoke (?:came|coming|pouring)",
    r"smell(?:s|ed)? (?:of )?(?:gas|smoke|burning)",
    r"gas leak",
    r"carbon monoxide",
    r"explod",
    r"electrocut",
    r"(?:got|get|was|been|am|is) (?:badly )?(?:hurt|injured|burned|burnt)",
    r"injur(?:y|ies|ed)\b",
    r"hospital",
    r"emergency\b",
    r"unsafe\b",
    r"dangerous\b",
    r"food poisoning",
    r"allergic reaction",
    r"assault",
    r"harass",
    r"threatened me",
    r"(?:driver|he|she) (?:was )?drunk",
    r"(?:car )?crash(?:ed)? (?:into|the car)",
    r"stranded (?:alone|at night|with (?:my )?(?:kids|children|baby))",
    r"overheat(?:s|ed|ing)? and (?:burn|melt|smok)",
)
_LEGAL = _words(
    r"lawyers?\b",
    r"attorneys?\b",
    r"lawsuit",
    r"(?:will|going to|gonna|i'll) sue\b",
    r"suing\b",
    r"legal action",
    r"small claims",
    r"take (?:you|this|them) to court",
    r"class action",
    r"better business bureau",
    r"bbb\b",
    r"fcc\b",
    r"ftc\b",
    r"cfpb\b",
    r"attorney general",
    r"ombudsman",
    r"trading standards",
    r"ofcom\b",
    r"ofgem\b",
    r"department of transportation",
    r"consumer protection",
    r"report(?:ing)? (?:you|this|them) to",
    r"file (?:a )?(?:formal )?complaint with",
    r"chargeback",
)
_PRESS = _words(
    r"(?:go(?:ing)?|went|contact(?:ing)?|call(?:ing)?|tell(?:ing)?) (?:to )?the (?:press|media|news)\b",
    r"journalists?\b",
    r"reporters?\b",
    r"news (?:station|channel)",
)
_CHURN = _words(
    r"cancel+(?:ing|ed)? (?:my|our|the) (?:account|subscription|service|membership|contract|plan|card)",
    r"clos(?:e|ing) (?:my|our) account",
    r"switch(?:ing|ed)? (?:to|over to|providers?|carriers?|banks?)\b",
    r"(?:moving|going|went) (?:over )?to (?:another|a different|a new) ",
    r"leav(?:e|ing) (?:you|for)\b",
    r"done with (?:you|this|your)",
    r"never (?:again|buy(?:ing)?|us(?:e|ing)|fly(?:ing)?|order(?:ing)?|shop(?:ping)?|com(?:e|ing) back)\b",
    r"last time i (?:use|fly|order|buy|shop)",
    r"take my (?:business|money) elsewhere",
    r"lost (?:a|another) customer",
    r"find (?:a |another )?(?:new )?(?:provider|carrier|bank|airline)",
    r"port(?:ing)? my number",
)
_ANGER = _words(
    r"furious",
    r"angry",
    r"livid",
    r"pissed",
    r"outraged?",
    r"disgust(?:ed|ing)",
    r"unacceptable",
    r"ridiculous",
    r"pathetic",
    r"worst\b",
    r"horrible",
    r"terrible",
    r"appalling",
    r"shameful",
    r"sick (?:and tired|of)",
    r"fed up",
    r"wtf\b",
    r"f+u+c+k",
    r"shit",
    r"scam(?:mers?)?\b",
    r"joke\b",
    r"useless",
    r"incompetent",
)
_SHOUTED_WORD = re.compile(r"\b[A-Z]{3,}\b")
_WORD = re.compile(r"\b[^\W\d_]{3,}\b")
_EXCLAMATIONS = re.compile(r"[!?]{3,}")


def assess_urgency(
    text: str,
    *,
    sentiment: str,
    complaint: bool,
    actionable: bool,
    followers: int | None,
    pii: Sequence[PiiSpan],
    public: bool,
) -> Urgency:
    """Level and reasons for `text` (with @handles and URLs already masked) and what triage knows of it."""
    lowered = text.lower()
    reasons = set()
    if _SAFETY.search(lowered):
        reasons.add("safety")
    if _LEGAL.search(lowered):
        reasons.add("legal")
    if _PRESS.search(lowered):
        reasons.add("press")
    if _CHURN.search(lowered):
        reasons.add("churn")
    if _is_angry(text, lowered, sentiment, complaint):
        reasons.add("anger")
    exposed = {span.type for span in pii} & PUBLIC_PII_TYPES if public else set()
    if exposed:
        reasons.add("pii_public")
    unhappy = complaint or sentiment == "negative"
    if (followers or 0) >= REACH_FOLLOWERS and (unhappy or actionable):
        reasons.add("reach")
    return Urgency(
        _level(reasons, exposed, unhappy or actionable), tuple(r for r in URGENCY_REASONS if r in reasons)
    )


def _is_angry(text: str, lowered: str, sentiment: str, complaint: bool) -> bool:
    # The learned sentiment says unhappy, not how heated: its score is near -1 for most complaints.
    if sentiment == "positive" or not (complaint or sentiment == "negative"):
        return False
    if _ANGER.search(lowered) or _EXCLAMATIONS.search(text):
        return True
    words = _WORD.findall(text)
    return len(words) >= 3 and len(_SHOUTED_WORD.findall(text)) * 2 >= len(words)


def _level(reasons: set[str], exposed: set[str], needs_answer: bool) -> str:
    if "safety" in reasons:
        return "critical"
    serious = reasons & {"legal", "press", "churn", "anger"}
    if "card" in exposed:
        serious.add("card")
    level = 2 if serious else 1 if needs_answer or exposed else 0
    if len(serious) >= 2 or (serious and "reach" in reasons):
        level = 3
    elif "reach" in reasons:
        level = max(level, 2)
    return LEVELS[level]
