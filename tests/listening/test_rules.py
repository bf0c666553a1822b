"""Rule validation: every bad rule is refused with an error naming the rule and the field."""

from __future__ import annotations

from typing import Any

import pytest

from caredesk.listening import (
    MAX_EXCLUSIONS_PER_RULE,
    MAX_PHRASE_CHARS,
    MAX_TERMS_PER_RULE,
    InvalidRule,
    Matcher,
    Rule,
    RuleKind,
)


def rule(**fields: Any) -> Rule:
    values: dict[str, Any] = {"id": 7, "kind": RuleKind.BRAND, "terms": ("Delta",)} | fields
    return Rule(**values)


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"id": 0}, "id", "positive integer"),
        ({"id": -3}, "id", "positive integer"),
        ({"id": True}, "id", "positive integer"),
        ({"id": "7"}, "id", "positive integer"),
        ({"kind": "brand"}, "kind", "must be a RuleKind"),
        ({"tag_forms": 1}, "tag_forms", "true or false"),
        ({"terms": ()}, "terms", "at least one term"),
        ({"terms": ["Delta"]}, "terms", "must be a tuple"),
        ({"terms": ("",)}, "terms[0]", "is empty"),
        ({"terms": ("Delta", " \n\t ")}, "terms[1]", "is empty"),
        ({"terms": ("x" * (MAX_PHRASE_CHARS + 1),)}, "terms[0]", f"at most {MAX_PHRASE_CHARS}"),
        ({"terms": ("!!!",)}, "terms[0]", "no letter or digit"),
        ({"terms": ("#",)}, "terms[0]", "no letter or digit"),
        ({"terms": ("@ #",)}, "terms[0]", "no letter or digit"),
        ({"terms": ("😀🍎",)}, "terms[0]", "no letter or digit"),
        ({"terms": (3,)}, "terms[0]", "must be a string, not int"),
        ({"terms": ("a",) * (MAX_TERMS_PER_RULE + 1)}, "terms", f"at most {MAX_TERMS_PER_RULE}"),
        ({"exclusions": ("pie",) * (MAX_EXCLUSIONS_PER_RULE + 1)}, "exclusions", "at most"),
        ({"exclusions": ("",)}, "exclusions[0]", "is empty"),
        ({"exclusions": ("  DELTA ",)}, "exclusions[0]", "also a term"),
    ],
)
def test_bad_rules_are_refused_with_the_field_named(fields: dict[str, Any], field: str, problem: str) -> None:
    with pytest.raises(InvalidRule) as refused:
        rule(**fields)
    assert refused.value.field == field
    assert problem in refused.value.problem
    assert str(refused.value).startswith("listening rule ")


def test_limits_themselves_are_allowed() -> None:
    made = rule(
        terms=("x" * MAX_PHRASE_CHARS,) + ("a",) * (MAX_TERMS_PER_RULE - 1),
        exclusions=("pie",) * MAX_EXCLUSIONS_PER_RULE,
    )
    assert len(made.terms) == MAX_TERMS_PER_RULE


def test_parse_reads_json_like_data() -> None:
    parsed = Rule.parse(
        {"id": 4, "kind": "competitor", "terms": ["United", "@united"], "exclusions": ["united states"]}
    )
    assert parsed == Rule(4, RuleKind.COMPETITOR, ("United", "@united"), ("united states",), tag_forms=True)
    assert (
        Rule.parse({"id": 5, "kind": "keyword", "terms": ["refund"], "tag_forms": False}).tag_forms is False
    )


@pytest.mark.parametrize(
    ("source", "field", "problem"),
    [
        (
            {"id": 1, "kind": "brandname", "terms": ["x"]},
            "kind",
            "not one of brand, product, competitor, keyword",
        ),
        ({"id": 1, "terms": ["x"]}, "kind", "None is not one of"),
        ({"id": 1, "kind": "brand", "terms": "Delta"}, "terms", "a list of strings"),
        ({"id": 1, "kind": "brand"}, "terms", "a list of strings"),
        ({"id": 1, "kind": "brand", "terms": ["x"], "exclusions": None}, "exclusions", "a list"),
        ({"id": 1, "kind": "brand", "terms": ["x"], "language": "en"}, "language", "unknown field"),
        ({"id": "1", "kind": "brand", "terms": ["x"]}, "id", "positive integer"),
        ({"id": 1, "kind": "brand", "terms": [None]}, "terms[0]", "must be a string, not NoneType"),
    ],
)
def test_parse_refuses_bad_data(source: dict[str, Any], field: str, problem: str) -> None:
    with pytest.raises(InvalidRule) as refused:
        Rule.parse(source)
    assert refused.value.field == field
    assert problem in refused.value.problem


def test_compile_refuses_repeated_ids_and_non_rules() -> None:
    with pytest.raises(InvalidRule, match="used by two rules"):
        Matcher.compile([rule(id=1), rule(id=2), rule(id=1, terms=("Apple",))])
    with pytest.raises(InvalidRule, match=r"rules\[1\]: must be a Rule, not dict"):
        Matcher.compile([rule(id=1), {"id": 2}])  # type: ignore[list-item]
