"""`caredesk triage --jsonl` end to end: real classifiers, good lines, bad lines, never a crash."""

from __future__ import annotations

import json
from typing import Any

import typer
from typer.testing import CliRunner

from caredesk.cli.triage import triage_command

app = typer.Typer()
app.command()(triage_command)
runner = CliRunner()

FIELDS = {"language", "sentiment", "sentiment_score", "complaint", "actionable", "intent", "pii", "urgency"}


def triage_lines(stdin: bytes, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = runner.invoke(app, ["--jsonl", *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines()]


def jsonl(*objects: object) -> bytes:
    return b"".join(json.dumps(o).encode() + b"\n" for o in objects)


def test_good_lines_get_every_field() -> None:
    stdin = jsonl(
        {
            "text": "@acme my card 4111 1111 1111 1111 was charged twice!! this is ridiculous",
            "followers": 50_000,
        },
        {"text": "@acme thanks, love it", "followers": 50_000},
        {"text": "@VerizonSupport no signal for 3 days, useless", "competitors": ["Verizon"]},
    )
    code, outputs = triage_lines(stdin)
    assert code == 0
    angry, thanks, rival = outputs
    assert angry.keys() >= FIELDS
    assert angry.keys() >= {"priority", "priority_reasons", "competitor", "opportunity", "urgency_reasons"}
    assert angry["pii"] == [{"type": "card", "start": 14, "end": 33}]
    assert "pii_public" in angry["urgency_reasons"]
    assert "card number posted in public" in angry["priority_reasons"]
    assert angry["priority"] > thanks["priority"]
    assert rival["competitor"] == "Verizon"
    assert angry["language"] == "en"


def test_bad_lines_get_an_error_and_the_rest_go_on() -> None:
    lines = [
        b'{"text": "where is my parcel?"}',
        b"not json at all",
        b'{"text": "caf\xe9 invalid utf-8"}',
        b'{"followers": 10}',
        b'["text"]',
        b'{"text": 42}',
        b'{"text": "ok", "followers": "many"}',
        b'{"text": "\\ud800 lone surrogate"}',
        b"",  # blank lines are skipped, not errors
        b'{"text": "still going?"}',
    ]
    code, outputs = triage_lines(b"\n".join(lines) + b"\n")
    assert code == 0
    errors = {output["line"]: output["error"] for output in outputs if "error" in output}
    assert sorted(errors) == [2, 3, 4, 5, 6, 7, 8]
    assert errors[4] == 'missing "text"'
    assert "not JSON" in str(errors[2])
    assert [o["language"] for o in outputs if "error" not in o] == ["en", "en"]


def test_hard_texts_never_crash() -> None:
    hard = [
        "",
        "😡😡😡🔥🔥",
        "مرحبا، طلبي لم يصل بعد ورقم الطلب 123456789",
        "שלום, ההזמנה שלי לא הגיעה",
        "\x00\x01\x02\x7f junk \ufffd\ufffe",
        "x" * 100_000,
        "call 4111 1111 1111 1111 " * 5_000,
        "@a" * 10_000,
    ]
    code, outputs = triage_lines(jsonl(*({"text": text} for text in hard)))
    assert code == 0
    assert len(outputs) == len(hard)
    assert all("error" not in output for output in outputs)
    assert outputs[0]["language"] is None and outputs[0]["pii"] == []
    assert outputs[5]["truncated"] is True


def test_workspace_competitors_from_the_command_line() -> None:
    _, [output] = triage_lines(jsonl({"text": "T-Mobile lost my order again"}), "--competitor", "T-Mobile")
    assert output["competitor"] == "T-Mobile"


def test_one_message_as_an_argument() -> None:
    result = runner.invoke(app, ["my parcel never arrived, order #112-4839205-7731846"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["pii"][0]["type"] == "order"


def test_needs_a_message_or_jsonl() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code == 1
