"""What the matcher finds in a post, and that no post can make it fail."""

from __future__ import annotations

import random

import pytest

from caredesk.listening import Hit, Matcher, Rule, RuleKind

DELTA = Rule(1, RuleKind.BRAND, ("Delta", "Delta Air Lines", "@DeltaAssist"))
APPLE = Rule(2, RuleKind.COMPETITOR, ("Apple",), exclusions=("apple pie", "Big Apple"))
CAFE = Rule(3, RuleKind.PRODUCT, ("Café Noir",))
REFUND = Rule(4, RuleKind.KEYWORD, ("refund", "money back"), tag_forms=False)
HASHTAG = Rule(5, RuleKind.KEYWORD, ("#fail",))
AIR = Rule(6, RuleKind.KEYWORD, ("air",))
MATCHER = Matcher.compile([DELTA, APPLE, CAFE, REFUND, HASHTAG, AIR])


def found(post: str, matcher: Matcher = MATCHER) -> list[tuple[int, str, str, str]]:
    """(rule id, term, form, the post's own text at the hit) of each hit."""
    return [(hit.rule_id, hit.term, hit.form, post[hit.start : hit.end]) for hit in matcher.match(post)]


@pytest.mark.parametrize(
    ("post", "matched"),
    [
        ("I fly Delta", "Delta"),
        ("DELTA lost my bag", "DELTA"),
        ("Delta's lounge", "Delta"),
        ("(Delta)", "Delta"),
        ("delta.", "delta"),
        ("Delta-branded", "Delta"),
        ("thanks Delta!!!", "Delta"),
        ("ｄｅｌｔａ", "ｄｅｌｔａ"),
    ],
)
def test_a_term_matches_on_word_boundaries(post: str, matched: str) -> None:
    assert found(post) == [(1, "Delta", "word", matched)]


@pytest.mark.parametrize(
    "post", ["deltas", "Deltaville", "adelta", "delta_help", "Δelta", "delt a", "d-elta", "foo@delta.com"]
)
def test_a_term_does_not_match_inside_another_word(post: str) -> None:
    assert found(post) == []


def test_hashtags_and_handles_of_a_plain_term() -> None:
    assert found("so long #Delta") == [(1, "Delta", "hashtag", "#Delta")]
    assert found("@Delta my bag?") == [(1, "Delta", "handle", "@Delta")]
    assert found("loving #DeltaAirLines") == [(1, "Delta Air Lines", "hashtag", "#DeltaAirLines")]
    assert found("cc @deltaairlines") == [(1, "Delta Air Lines", "handle", "@deltaairlines")]
    assert found("cc @DeltaAssist") == [(1, "@DeltaAssist", "handle", "@DeltaAssist")]
    assert found("cc #DeltaAssist DeltaAssist") == []  # a handle term matches only the handle


def test_a_hashtag_term_matches_only_the_hashtag() -> None:
    assert found("what a #FAIL") == [(5, "#fail", "hashtag", "#FAIL")]
    assert found("what a fail, @fail") == []


def test_without_tag_forms_only_words_match() -> None:
    assert found("I want a Refund") == [(4, "refund", "word", "Refund")]
    assert found("#refund @refund #moneyback") == []


def test_phrases_tolerate_runs_of_whitespace_and_punctuation() -> None:
    post = "Flying DELTA   air\n\t lines today"
    assert found(post) == [(1, "Delta Air Lines", "word", "DELTA   air\n\t lines"), (6, "air", "word", "air")]
    assert found("delta, air lines") == [
        (1, "Delta Air Lines", "word", "delta, air lines"),
        (6, "air", "word", "air"),
    ]
    assert found("money   back please") == [(4, "money back", "word", "money   back")]


def test_case_and_unicode_forms_are_folded() -> None:
    assert found("CAFÉ NOIR") == [(3, "Café Noir", "word", "CAFÉ NOIR")]
    assert found("cafe\u0301 noir") == [(3, "Café Noir", "word", "cafe\u0301 noir")]
    assert found("ｃａｆé ｎｏｉｒ") == [(3, "Café Noir", "word", "ｃａｆé ｎｏｉｒ")]
    assert found("cafe noir") == []  # accents count


def test_sharp_s_folds_both_ways() -> None:
    matcher = Matcher.compile([Rule(9, RuleKind.KEYWORD, ("Straße",))])
    assert found("die STRASSE", matcher) == [(9, "Straße", "word", "STRASSE")]
    assert found("x straße y", matcher) == [(9, "Straße", "word", "straße")]


def test_an_exclusion_anywhere_cancels_the_rule() -> None:
    assert found("my Apple watch") == [(2, "Apple", "word", "Apple")]
    assert found("apple pie") == []
    assert found("my Apple watch and an apple pie") == []
    assert found("the BIG   apple") == []
    assert found("#ApplePie and Apple") == []  # exclusions have tag forms too
    assert found("apple, pie") == []  # read as the words "apple pie"


def test_an_exclusion_cancels_only_its_own_rule() -> None:
    matcher = Matcher.compile([APPLE, Rule(8, RuleKind.KEYWORD, ("pie",))])
    assert found("apple pie", matcher) == [(8, "pie", "word", "pie")]


def test_overlapping_terms_of_different_rules_all_match() -> None:
    matcher = Matcher.compile(
        [
            Rule(1, RuleKind.BRAND, ("Delta",)),
            Rule(2, RuleKind.BRAND, ("Delta Air Lines",)),
            Rule(3, RuleKind.KEYWORD, ("air",)),
            Rule(4, RuleKind.KEYWORD, ("air lines", "lines")),
            Rule(5, RuleKind.COMPETITOR, ("Delta",)),
        ]
    )
    assert found("Delta Air Lines", matcher) == [
        (1, "Delta", "word", "Delta"),
        (2, "Delta Air Lines", "word", "Delta Air Lines"),
        (5, "Delta", "word", "Delta"),
        (3, "air", "word", "Air"),
        (4, "air lines", "word", "Air Lines"),
    ]


def test_the_first_occurrence_is_reported_the_longest_term_at_it() -> None:
    post = "delta again: Delta Air Lines, then delta"
    hits = MATCHER.match(post)
    assert hits[0] == Hit(1, RuleKind.BRAND, "Delta", "word", 0, 5)
    post = "Delta Air Lines and delta"
    assert MATCHER.match(post)[0] == Hit(1, RuleKind.BRAND, "Delta Air Lines", "word", 0, 15)


def test_repeated_spellings_of_a_term_report_the_first() -> None:
    matcher = Matcher.compile([Rule(1, RuleKind.BRAND, ("Delta", "DELTA", "delta"))])
    assert found("DELTA", matcher) == [(1, "Delta", "word", "DELTA")]


def test_hits_are_ordered_by_position_then_rule() -> None:
    hits = MATCHER.match("air, then Apple, then Delta and a refund")
    assert [hit.rule_id for hit in hits] == [6, 2, 1, 4]
    assert [hit.start for hit in hits] == sorted(hit.start for hit in hits)


def test_match_many_keeps_the_order_of_the_posts() -> None:
    posts = ["Delta", "nothing here", "#fail", ""]
    assert [[hit.rule_id for hit in hits] for hits in MATCHER.match_many(posts)] == [[1], [], [5], []]
    assert MATCHER.match_many(iter(posts)) == MATCHER.match_many(posts)


def test_no_rules_match_nothing() -> None:
    assert Matcher.compile([]).match("Delta") == []
    assert Matcher.compile([]).match_many(["Delta"]) == [[]]


def test_thousands_of_rules_each_find_their_own_posts() -> None:
    draw = random.Random(5)
    names = sorted({"".join(draw.choices("bcdfghjklmnprstvz", k=7)) for _ in range(6_000)})[:5_000]
    rules = [
        Rule(
            number,
            RuleKind.KEYWORD,
            (name, f"{name} pro"),
            exclusions=(f"no {name}",) if number % 7 == 0 else (),
        )
        for number, name in enumerate(names, 1)
    ]
    matcher = Matcher.compile(rules)
    for number in draw.sample(range(1, len(names) + 1), 200):
        name = names[number - 1]
        post = f"I LOVE my {name.upper()} Pro, says @someone"
        assert found(post, matcher) == [(number, f"{name} pro", "word", f"{name.upper()} Pro")]
        assert [hit.rule_id for hit in matcher.match(f"{name}{name} {name}s")] == []
        if number % 7 == 0:
            assert matcher.match(f"{name}? no {name}") == []


def test_a_non_string_post_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="not bytes"):
        MATCHER.match(b"Delta")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not NoneType"):
        MATCHER.match_many(["Delta", None])  # type: ignore[list-item]


HOSTILE_POSTS = [
    "",
    " ",
    "\x00\x01\x02 Delta \x7f",
    bytes(range(256)).decode("latin-1") + " Delta",
    bytes(random.Random(1).randbytes(4_000)).decode("utf-8", errors="surrogateescape") + " Delta",
    "\ud800\udfff Delta \udc80",
    "Delta" + "\u0301" * 500,  # Zalgo: marks pile on the word
    "\u0301" * 50 + " Delta",
    "👩‍👩‍👧‍👦🏳️‍🌈" * 1_000 + " Delta",
    "\u202edelta\u202c Delta \u200f",  # bidi controls
    "مرحبا Delta שלום",
    "Delta " * 20_000,  # 120 KB of hits
    "x" * 100_000 + " Delta",  # one 100 KB word
    (" ,." * 40_000) + "Delta",
    "ǅ ǰ ΐ İ ﬀ ẞ Delta",  # characters whose case folding changes length
    "\uffff\ufffe\U0010ffff Delta",
    "\u1100\u1161\u11a8 Delta",  # conjoining Hangul jamo
]


@pytest.mark.parametrize("post", HOSTILE_POSTS, ids=range(len(HOSTILE_POSTS)))
def test_hostile_posts_never_crash(post: str) -> None:
    hits = MATCHER.match(post)
    assert all(0 <= hit.start < hit.end <= len(post) for hit in hits)
    if post.strip():
        assert any(hit.rule_id == 1 for hit in hits) == ("Delta" in post and "Delta\u0301" not in post)
