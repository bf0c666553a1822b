"""The matcher against a slow reference written from the rules' documented meaning.

The reference folds with whole-text NFKC and casefold, cuts words with a character test,
and compares word lists rule by rule: nothing shared with the implementation (no automaton,
no padding, no offset tables).
"""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from caredesk.listening import Matcher, Rule, RuleKind
from caredesk.listening.text import phrase_words

VOCABULARY = [
    "delta", "Delta", "DELTA", "ｄｅｌｔａ", "deltas", "air", "Air", "lines", "apple", "pie", "APPLE",
    "café", "CAFÉ", "cafe\u0301", "noir", "straße", "STRASSE", "#delta", "@delta", "#deltaairlines",
    "@DeltaAirLines", "#applepie", "c#", "x", "שלום", "مرحبا", "हिन्दी", "año", "ano", "delta_help",
    "Delta Air Lines", "delta  air\nlines", "apple pie", "Café Noir", "air lines",
]  # fmt: skip
SEPARATORS = [" ", "  ", ", ", ",", "\n", "'", "...", "—", "\t", "’", "😀", "❤️", " (", ") ", "\u200b"]
PHRASES = [
    "Delta", "delta air lines", "Air Lines", "air", "Apple", "apple pie", "café", "Café Noir",
    "straße", "#delta", "@delta", "@DeltaAirLines", "pie", "c#", "שלום", "año", "x", "lines",
]  # fmt: skip

rule_sets = st.lists(
    st.tuples(
        st.sampled_from(list(RuleKind)),
        st.lists(st.sampled_from(PHRASES), min_size=1, max_size=3),
        st.lists(st.sampled_from(PHRASES), max_size=2),
        st.booleans(),
    ),
    max_size=8,
).map(
    lambda specs: [
        Rule(number, kind, tuple(terms), tuple(exclusions), tags)
        for number, (kind, terms, exclusions, tags) in enumerate(specs, 1)
        if _distinct_words(terms, exclusions)
    ]
)


@st.composite
def rules_and_posts(draw: st.DrawFn) -> tuple[list[Rule], str]:
    """Rules, and a post made of their own phrases (in any case) among other words."""
    rules = draw(rule_sets)
    phrases = [phrase for rule in rules for phrase in rule.terms + rule.exclusions]
    spellings = st.sampled_from(phrases).flatmap(
        lambda phrase: st.sampled_from([phrase, phrase.upper(), phrase.lower(), phrase.replace(" ", "  ")])
    )
    words = st.one_of(st.sampled_from(VOCABULARY), spellings) if phrases else st.sampled_from(VOCABULARY)
    parts = draw(st.lists(st.tuples(words, st.sampled_from(SEPARATORS)), max_size=14))
    return rules, "".join(word + separator for word, separator in parts)


def _distinct_words(terms: list[str], exclusions: list[str]) -> bool:
    term_words = {reference_words(term)[0] for term in terms}
    return not any(reference_words(e)[0] in term_words for e in exclusions)


def is_word_character(character: str) -> bool:
    """Letters, digits, _, # and @, and marks other than variation selectors."""
    if character.isalnum() or character in "_#@":
        return True
    is_variation_selector = 0xFE00 <= ord(character) <= 0xFE0F or 0xE0100 <= ord(character) <= 0xE01EF
    return unicodedata.category(character) in ("Mn", "Mc") and not is_variation_selector


def reference_words(text: str) -> tuple[tuple[str, ...], list[int]]:
    """The words of the folded text and where each starts in it."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    words: list[str] = []
    starts: list[int] = []
    current = ""
    for position, character in enumerate(folded):
        if is_word_character(character):
            if not current:
                starts.append(position)
            current += character
        elif current:
            words.append(current)
            current = ""
    if current:
        words.append(current)
    return tuple(words), starts


def forms(phrase: str, tag_forms: bool) -> list[tuple[tuple[str, ...], str]]:
    words, _ = reference_words(phrase)
    if words[0][0] == "#":
        return [(words, "hashtag")]
    if words[0][0] == "@":
        return [(words, "handle")]
    if not tag_forms:
        return [(words, "word")]
    joined = "".join(words)
    return [(words, "word"), ((f"#{joined}",), "hashtag"), ((f"@{joined}",), "handle")]


def occurrences(post_words: tuple[str, ...], phrase: tuple[str, ...]) -> list[int]:
    size = len(phrase)
    return [at for at in range(len(post_words) - size + 1) if post_words[at : at + size] == phrase]


def reference_match(rules: list[Rule], post: str) -> list[tuple[int, str, str, int, int]]:
    """(rule id, term, form, first word, number of words) of each rule that matches."""
    post_words, _ = reference_words(post)
    results = []
    for rule in rules:
        if any(
            occurrences(post_words, words)
            for exclusion in rule.exclusions
            for words, _ in forms(exclusion, rule.tag_forms)
        ):
            continue
        candidates = [
            (at, -len(words), order, term, form, len(words))
            for order, term in enumerate(rule.terms)
            for words, form in forms(term, rule.tag_forms)
            for at in occurrences(post_words, words)
        ]
        if candidates:
            at, _, _, term, form, size = min(candidates, key=lambda found: found[:3])
            results.append((rule.id, term, form, at, size))
    return sorted(results, key=lambda found: (found[3], found[0]))


@settings(max_examples=400, deadline=None)
@given(case=rules_and_posts())
def test_the_matcher_agrees_with_the_reference(case: tuple[list[Rule], str]) -> None:
    rules, post = case
    expected = reference_match(rules, post)
    hits = Matcher.compile(rules).match(post)
    post_words, starts = reference_words(post)
    assert [(hit.rule_id, hit.term, hit.form) for hit in hits] == [found[:3] for found in expected]
    for hit, (_, _, _, at, size) in zip(hits, expected, strict=True):
        # The hit's span reads as exactly the words the reference found there.
        assert phrase_words(post[hit.start : hit.end]) == " ".join(post_words[at : at + size])
        if post.isascii():  # folding kept every offset: the reference's own offsets must agree
            assert hit.start == starts[at]
            assert hit.end == starts[at + size - 1] + len(post_words[at + size - 1])


@settings(max_examples=300, deadline=None)
@given(post=st.text(max_size=300))
def test_any_text_gives_sound_hits(post: str) -> None:
    """Arbitrary Unicode never fails, and every hit's span reads as its own term's words."""
    rules = [
        Rule(1, RuleKind.BRAND, ("Delta", "delta air lines")),
        Rule(2, RuleKind.KEYWORD, ("a",), exclusions=("b",)),
        Rule(3, RuleKind.KEYWORD, ("0",), tag_forms=False),
    ]
    for hit in Matcher.compile(rules).match(post + " a Delta"):
        term_words = phrase_words(hit.term)
        expected = {
            "word": term_words,
            "hashtag": "#" + term_words.replace(" ", ""),
            "handle": "@" + term_words.replace(" ", ""),
        }
        assert phrase_words((post + " a Delta")[hit.start : hit.end]) == expected[hit.form]
