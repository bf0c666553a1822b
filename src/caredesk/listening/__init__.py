"""Listening: which workspace rules (brands, products, competitors, keywords) a public post matches.

Pure and fast: connectors compile the rules once (`Matcher.compile`) and match every post they
see (`Matcher.match`, `Matcher.match_many`); storing rules and matches is theirs.
"""

from caredesk.listening.matcher import MAX_RULES, Hit, Matcher
from caredesk.listening.rules import (
    MAX_EXCLUSIONS_PER_RULE,
    MAX_PHRASE_CHARS,
    MAX_TERMS_PER_RULE,
    InvalidRule,
    Rule,
    RuleKind,
)

__all__ = [
    "MAX_EXCLUSIONS_PER_RULE",
    "MAX_PHRASE_CHARS",
    "MAX_RULES",
    "MAX_TERMS_PER_RULE",
    "Hit",
    "InvalidRule",
    "Matcher",
    "Rule",
    "RuleKind",
]
