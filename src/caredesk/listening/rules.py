"""Listening rules: what a workspace listens for on public networks, checked when made.

A rule has one or more **terms** and optional **exclusions**, all phrases of one or more words.
A term matches on whole words, after folding case and Unicode forms (see
`caredesk.listening.text`): "Delta" matches "DELTA", "Delta's", "#Delta" and "@Delta", never
"Deltas" or "Deltaville"; runs of spaces and punctuation between a phrase's words do not
matter. A term written as a hashtag or a handle ("#delta", "@delta") matches only that form.
With `tag_forms` (the default) a plain term also matches as a hashtag or handle: the word
itself after "#" or "@", and a phrase with its spaces removed ("Delta Air Lines" matches
"#DeltaAirLines" and "@deltaairlines"); with `tag_forms=False` it matches plain words only.
Exclusions are read the same way; when any exclusion of a rule is in a post, anywhere, the
rule does not match that post at all (brand "Apple" excluding "apple pie").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from caredesk.listening.text import phrase_words

__all__ = [
    "MAX_EXCLUSIONS_PER_RULE",
    "MAX_PHRASE_CHARS",
    "MAX_TERMS_PER_RULE",
    "InvalidRule",
    "Rule",
    "RuleKind",
]

MAX_PHRASE_CHARS = 100
MAX_TERMS_PER_RULE = 100
MAX_EXCLUSIONS_PER_RULE = 100

_TAG_MARKS = "#@"
_HAS_WORD = re.compile(r"[^#@ ]")


class RuleKind(StrEnum):
    """What a rule listens for; reports and triage treat each kind differently."""

    BRAND = "brand"
    PRODUCT = "product"
    COMPETITOR = "competitor"
    KEYWORD = "keyword"


class InvalidRule(ValueError):
    """A rule that cannot be compiled; the message names the rule and the field at fault."""

    def __init__(self, rule_id: object, field: str, problem: str) -> None:
        super().__init__(f"listening rule {rule_id!r}, {field}: {problem}")
        self.rule_id = rule_id
        self.field = field
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Rule:
    """One listening rule, valid once constructed (`InvalidRule` otherwise)."""

    id: int
    kind: RuleKind
    terms: tuple[str, ...]
    exclusions: tuple[str, ...] = ()
    tag_forms: bool = True

    def __post_init__(self) -> None:
        if type(self.id) is not int or self.id < 1:
            raise InvalidRule(self.id, "id", "must be a positive integer")
        if not isinstance(self.kind, RuleKind):
            raise InvalidRule(self.id, "kind", f"must be a RuleKind, not {self.kind!r}")
        if type(self.tag_forms) is not bool:
            raise InvalidRule(self.id, "tag_forms", "must be true or false")
        terms = _check_phrases(self.id, "terms", self.terms, MAX_TERMS_PER_RULE)
        if not terms:
            raise InvalidRule(self.id, "terms", "at least one term is needed")
        exclusions = _check_phrases(self.id, "exclusions", self.exclusions, MAX_EXCLUSIONS_PER_RULE)
        for position, words in enumerate(exclusions):
            if words in terms:
                raise InvalidRule(
                    self.id,
                    f"exclusions[{position}]",
                    f"{self.exclusions[position]!r} is also a term: the rule could never match",
                )

    @classmethod
    def parse(cls, source: Mapping[str, Any]) -> Rule:
        """A rule from untrusted JSON-like data (an API body, a settings file, a database row)."""
        rule_id = source.get("id")
        unknown = set(source) - {"id", "kind", "terms", "exclusions", "tag_forms"}
        if unknown:
            raise InvalidRule(rule_id, ", ".join(sorted(unknown)), "unknown field")
        kind = source.get("kind")
        if not isinstance(kind, str) or kind not in RuleKind._value2member_map_:
            choices = ", ".join(choice.value for choice in RuleKind)
            raise InvalidRule(rule_id, "kind", f"{kind!r} is not one of {choices}")
        return cls(
            id=rule_id,  # type: ignore[arg-type]  # checked by __post_init__
            kind=RuleKind(kind),
            terms=_phrase_tuple(rule_id, "terms", source.get("terms")),
            exclusions=_phrase_tuple(rule_id, "exclusions", source.get("exclusions", ())),
            tag_forms=source.get("tag_forms", True),
        )


def phrase_forms(words: str, tag_forms: bool) -> list[tuple[str, str]]:
    """(words, form) of everything a phrase matches; form is "word", "hashtag" or "handle".

    `words` is the phrase as `phrase_words` reads it.
    """
    if words[0] in _TAG_MARKS or not tag_forms:
        return [(words, _form_of(words))]
    joined = words.replace(" ", "")
    return [(words, "word"), (f"#{joined}", "hashtag"), (f"@{joined}", "handle")]


def _form_of(words: str) -> str:
    if words[0] == "#":
        return "hashtag"
    return "handle" if words[0] == "@" else "word"


def _check_phrases(rule_id: int, field: str, phrases: object, limit: int) -> list[str]:
    """The words of each phrase; the phrases must be a tuple of usable strings."""
    if not isinstance(phrases, tuple):
        raise InvalidRule(rule_id, field, "must be a tuple of strings")
    if len(phrases) > limit:
        raise InvalidRule(rule_id, field, f"{len(phrases)} phrases, at most {limit} are allowed")
    checked: list[str] = []
    for position, phrase in enumerate(phrases):
        where = f"{field}[{position}]"
        if not isinstance(phrase, str):
            raise InvalidRule(rule_id, where, f"must be a string, not {type(phrase).__name__}")
        if not phrase.strip():
            raise InvalidRule(rule_id, where, "is empty")
        if len(phrase) > MAX_PHRASE_CHARS:
            raise InvalidRule(rule_id, where, f"{len(phrase)} characters, at most {MAX_PHRASE_CHARS}")
        words = phrase_words(phrase)
        if not _HAS_WORD.search(words):
            raise InvalidRule(rule_id, where, f"{phrase!r} has no letter or digit to match on")
        checked.append(words)
    return checked


def _phrase_tuple(rule_id: object, field: str, phrases: object) -> tuple[str, ...]:
    if isinstance(phrases, str) or not isinstance(phrases, list | tuple):
        raise InvalidRule(rule_id, field, "must be a list of strings")
    return tuple(phrases)
