"""Whether the author expects something from the brand: an answer, a fix, a refund.

The learned classifiers tell a complaint from praise; they do not tell "love the new app!"
from "love the new app, how do I turn on dark mode?". Questions, requests and problem
reports are plain in the words used, so rules find them.
"""

from __future__ import annotations

import re

from caredesk.triage.learned_intents import OTHER

__all__ = ["is_actionable"]

_QUESTION = re.compile(
    r"\?|^\s*(?:how|why|what|when|where|who|which|can|could|would|will|is|are|do|does|did|should|"
    r"any\s+(?:update|news|idea))\b(?!['’])",
    re.MULTILINE,
)
_REQUEST = re.compile(
    r"\b(?:please|pls|plz|(?<!for\syour\s)(?<!for\sthe\s)(?<!for\sall\s)help|assist|need|want|would\s+like|i'd\s+like|can\s+you|could\s+you|"
    r"dm\s+me|call\s+me|contact\s+me|get\s+back\s+to\s+me|let\s+me\s+know|fix|refund|replace|"
    r"cancel|reimburse|compensat|escalate|look\s+into|sort\s+(?:it|this)\s+out)",
)
_PROBLEM = re.compile(
    r"\b(?:not\s+work|doesn'?t\s+work|don'?t\s+work|won'?t(?!\s+regret)|can'?t(?!\s+wait)|cannot|couldn'?t|unable|broken|"
    r"broke|error|fail|crash|glitch|bug|outage|down\s+again|is\s+down|still\s+(?:waiting|no|not|haven'?t)|"
    r"never\s+(?:arrived|came|received|got)|haven'?t\s+(?:received|got|heard)|missing|lost|"
    r"charged|overcharged|double\s+charged|delayed|cancell?ed|stuck|wrong|no\s+(?:one|response|reply|answer))",
)


def is_actionable(text: str, *, complaint: bool, sentiment: str, intent: str) -> bool:
    """True when the author of `text` (with @handles and URLs masked) expects something from the brand.

    A complaint or a question always does; a request, a problem report or an intent that asks
    for something (any but praise and "other") does unless the message is positive overall
    ("thanks for the quick fix!", "just ordered mine!").
    """
    lowered = text.lower()  # the patterns are lower-case: re.IGNORECASE is 3 times slower
    if complaint or _QUESTION.search(lowered):
        return True
    if sentiment == "positive":
        return False
    return intent not in _ASKS_NOTHING or bool(_REQUEST.search(lowered) or _PROBLEM.search(lowered))


_ASKS_NOTHING = frozenset({"praise", OTHER})
