"""Every listening rule of every workspace, compiled into one automaton that reads a post once.

Each phrase form of each rule (see `caredesk.listening.rules`) becomes one key of an
Aho-Corasick automaton (ahocorasick-rs, in Rust; three times as fast as pyahocorasick here,
mostly in handing matches back to Python): the phrase's words with a space at each end. A
post is prepared the same way (`caredesk.listening.text`), so the automaton finds exactly the
phrases that sit on whole words, in one pass whatever the number of rules. Terms and
exclusions share the automaton; Python only runs for what is found, which in real posts is a
few keys each, and the post's own offsets are worked out only for the rules that match.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from typing import NamedTuple

import ahocorasick_rs

from caredesk.gc_tuning import relaxed_gc
from caredesk.listening.rules import InvalidRule, Rule, RuleKind, phrase_forms
from caredesk.listening.text import phrase_words, prepare

__all__ = ["MAX_RULES", "Hit", "Matcher"]

MAX_RULES = 200_000

# A rule's term as one key finds it: (rule position, key number, and the first four fields of
# the Hit it makes: rule id, kind, the term as written, form).
_Term = tuple[int, int, tuple[int, RuleKind, str, str]]
# What the automaton's key number n leads to: (key length, terms, exclusions), an exclusion
# being the position of the rule it cancels.
_Key = tuple[int, tuple[_Term, ...], tuple[int, ...]]


class Hit(NamedTuple):
    """A rule that matched a post, with the first place it matched.

    `term` is the rule's term as written; `form` says how the post wrote it there: "word",
    "hashtag" or "handle" (a brand named without being tagged is a "word" hit of a brand rule).
    `start` and `end` are offsets into the post's text as given, `text[start:end]` being the
    matched words. When several terms match, the first is the one that starts earliest, the
    longest of those. A named tuple: matching makes one per rule hit, and it is the cheapest
    immutable value Python makes.
    """

    rule_id: int
    kind: RuleKind
    term: str
    form: str
    start: int
    end: int


_HIT_ORDER = attrgetter("start", "rule_id")
_new_hit = tuple.__new__


class Matcher:
    """An immutable, compiled set of rules; build it with `Matcher.compile`."""

    __slots__ = ("_automaton", "_keys")

    def __init__(self, keys: tuple[_Key, ...], automaton: ahocorasick_rs.AhoCorasick | None) -> None:
        self._keys = keys
        self._automaton = automaton

    @classmethod
    def compile(cls, rules: Iterable[Rule]) -> Matcher:
        """Compile rules (`InvalidRule` for a non-rule, a repeated id, or too many rules)."""
        checked = tuple(rules)
        if len(checked) > MAX_RULES:
            raise InvalidRule(None, "rules", f"{len(checked)} rules, at most {MAX_RULES} in one matcher")
        seen: set[int] = set()
        numbers: dict[str, int] = {}  # key -> its number, in the order keys first appear
        terms: list[list[_Term]] = []  # by key number
        exclusions: list[list[int]] = []
        # A form a rule repeats ("Delta" and "DELTA", or a term and its joined hashtag) is
        # found once, under the first term that gave it.
        given: set[tuple[int, int, bool]] = set()

        def number_of(words: str, position: int, excludes: bool) -> int | None:
            """The key's number, None when the rule already has this form."""
            number = numbers.setdefault(f" {words} ", len(numbers))
            if number == len(terms):
                terms.append([])
                exclusions.append([])
            if (number, position, excludes) in given:
                return None
            given.add((number, position, excludes))
            return number

        for position, rule in enumerate(checked):
            if not isinstance(rule, Rule):
                raise InvalidRule(None, f"rules[{position}]", f"must be a Rule, not {type(rule).__name__}")
            if rule.id in seen:
                raise InvalidRule(rule.id, "id", "used by two rules")
            seen.add(rule.id)
            for term in rule.terms:
                for words, form in phrase_forms(phrase_words(term), rule.tag_forms):
                    if (number := number_of(words, position, False)) is not None:
                        terms[number].append((position, number, (rule.id, rule.kind, term, form)))
            for exclusion in rule.exclusions:
                for words, _ in phrase_forms(phrase_words(exclusion), rule.tag_forms):
                    if (number := number_of(words, position, True)) is not None:
                        exclusions[number].append(position)
        if not numbers:
            return cls((), None)
        table = tuple(
            (len(key), tuple(terms[number]), tuple(exclusions[number])) for key, number in numbers.items()
        )
        return cls(table, ahocorasick_rs.AhoCorasick(numbers))

    def match(self, text: str) -> list[Hit]:
        """The rules that match `text`, ordered by where they first match (then by rule id)."""
        if not isinstance(text, str):
            raise TypeError(f"listening matches text (str), not {type(text).__name__}")
        if self._automaton is None:
            return []
        post = prepare(text)
        occurrences = self._automaton.find_matches_as_indexes(post.padded, overlapping=True)
        if not occurrences:
            return []
        # Where each key found starts first: occurrences come in the order they end, so (a
        # key having one length) in the order they start, and the last write of the reversed
        # list is the earliest.
        first_starts = {key: start for key, start, _ in reversed(occurrences)}
        keys = self._keys
        excluded: set[int] | None = None
        chosen: dict[int, _Term] = {}  # rule position -> its term in the key of its first match
        for key, start in first_starts.items():
            length, terms, exclusions = keys[key]
            if exclusions:
                excluded = set(exclusions) if excluded is None else excluded.union(exclusions)
            for term in terms:
                position = term[0]
                other = chosen.get(position)
                # The rule's first match is the key that starts first, the longest of those.
                if other is not None:
                    other_start = first_starts[other[1]]
                    if other_start < start or (other_start == start and keys[other[1]][0] >= length):
                        continue
                chosen[position] = term
        hits: list[Hit] = []
        spans: dict[int, tuple[int, int]] = {}  # key -> its span in the post: rules share keys
        for position, key, hit_fields in chosen.values():
            if excluded is not None and position in excluded:
                continue
            span = spans.get(key)
            if span is None:
                start = first_starts[key]
                # The key's words lie between its leading and trailing spaces.
                span = spans[key] = post.first_span(start + 1, start + keys[key][0] - 1)
            # Made as a plain tuple is: Hit's own __new__ is Python code (0.42 µs, not 0.17 µs).
            hits.append(_new_hit(Hit, hit_fields + span))
        if len(hits) > 1:
            hits.sort(key=_HIT_ORDER)
        return hits

    def match_many(self, texts: Iterable[str]) -> list[list[Hit]]:
        """`match` for each text, in order.

        The garbage collector runs less often meanwhile: matching makes many short-lived
        objects and no cycles, and with the default thresholds collections cost a fifth of
        the time of a large batch (as in the TWCS importer). They are restored afterwards.
        """
        match = self.match
        with relaxed_gc():
            return [match(text) for text in texts]
