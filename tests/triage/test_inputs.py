"""Reading a JSON object into a triage input: every wrong field named."""

from __future__ import annotations

import pytest

from caredesk.triage.inputs import BadTriageInput, TriageInput, input_from_json


def test_full_input() -> None:
    fields = {
        "text": "hi",
        "network": "x",
        "followers": 10,
        "brand": "@acme",
        "competitors": ["Verizon"],
        "waiting_minutes": 12,
        "visibility": "private",
    }
    assert input_from_json(fields) == TriageInput("hi", "x", 10, "@acme", ("Verizon",), 12.0, public=False)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([], "expected a JSON object, got a list"),
        ({}, 'missing "text"'),
        ({"text": 3}, '"text" must be a string, got a number'),
        ({"text": "x", "followers": -1}, '"followers" must be a whole number'),
        ({"text": "x", "followers": True}, '"followers" must be a whole number'),
        ({"text": "x", "waiting_minutes": "soon"}, '"waiting_minutes" must be a number'),
        ({"text": "x", "competitors": "Verizon"}, '"competitors" must be a list of strings'),
        ({"text": "x", "network": 1}, '"network" must be a string'),
        ({"text": "x", "visibility": "dm"}, '"visibility" must be "public" or "private"'),
    ],
)
def test_bad_fields_are_named(fields: object, message: str) -> None:
    with pytest.raises(BadTriageInput, match=message.replace("(", r"\(")):
        input_from_json(fields)
