"""`caredesk triage`: language, sentiment, PII, urgency and priority of messages, offline.

With `--jsonl` it reads one JSON object per line on stdin and writes one per line on stdout,
in the same order. A line it cannot read gets `{"line": n, "error": "…"}` instead and the
rest go on: a bad line in a million must not stop the other 999,999.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice
from typing import IO, Annotated, Any

import orjson
import typer

from caredesk.cli.store import fail
from caredesk.triage.batch import triage_batch
from caredesk.triage.inputs import BadTriageInput, TriageInput, input_from_json

BATCH_LINES = 256
"""Lines triaged together: enough to batch the learned part, few enough to answer a pipe promptly."""

MAX_LINE_BYTES = 1_000_000


def triage_command(
    text: Annotated[str | None, typer.Argument(help="One message to triage (or use --jsonl).")] = None,
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl",
            help='Read JSON lines on stdin ({"text": …, "followers": …, "competitors": […], …}); '
            "write one result per line.",
        ),
    ] = False,
    competitor: Annotated[
        list[str] | None,
        typer.Option(
            "--competitor", help="A competitor's name or handle, for messages that list none (repeat it)."
        ),
    ] = None,
    followers: Annotated[
        int | None, typer.Option(min=0, help="The author's followers (single message).")
    ] = None,
) -> None:
    """Triage messages offline: language, sentiment, intent, PII, urgency, competitor and priority."""
    competitors = tuple(competitor or ())
    if jsonl == (text is not None):
        raise fail("give either a message or --jsonl (and JSON lines on stdin)")
    if text is not None:
        [result] = triage_batch([TriageInput(text=text, followers=followers, competitors=competitors)])
        typer.echo(orjson.dumps(result.to_json(), option=orjson.OPT_INDENT_2).decode())
        return
    stdout = sys.stdout.buffer
    for outputs in _triaged(_numbered_lines(sys.stdin.buffer), competitors):
        stdout.write(b"".join(orjson.dumps(output) + b"\n" for output in outputs))
        stdout.flush()


def _numbered_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(stream, 1):
        if line.strip():
            yield number, line


def _triaged(
    lines: Iterable[tuple[int, bytes]], competitors: tuple[str, ...]
) -> Iterator[list[dict[str, Any]]]:
    """Per batch of lines, one output object per non-blank line, in input order."""
    iterator = iter(lines)
    while batch := list(islice(iterator, BATCH_LINES)):
        parsed = [(number, _parse(number, line, competitors)) for number, line in batch]
        readable = [(number, item) for number, item in parsed if isinstance(item, TriageInput)]
        results = _triage_each(readable)
        yield [results[number] if isinstance(item, TriageInput) else item for number, item in parsed]


def _parse(number: int, line: bytes, competitors: tuple[str, ...]) -> TriageInput | dict[str, Any]:
    """The message on `line`, or the error object printed in its place."""
    if len(line) > MAX_LINE_BYTES:
        return {"line": number, "error": f"line longer than {MAX_LINE_BYTES:,} bytes"}
    try:
        item = input_from_json(orjson.loads(line))
    except orjson.JSONDecodeError as error:
        return {"line": number, "error": f"not JSON (or not UTF-8): {error}"}
    except BadTriageInput as error:
        return {"line": number, "error": str(error)}
    return item if item.competitors or not competitors else replace(item, competitors=competitors)


def _triage_each(items: list[tuple[int, TriageInput]]) -> dict[int, dict[str, Any]]:
    """Output per line number. Should a batch fail, each message is retried alone so only its line fails."""
    try:
        results = triage_batch([item for _, item in items])
    except Exception:  # a bug on one message must not cost the others their triage
        return {number: _triage_alone(number, item) for number, item in items}
    return {number: result.to_json() for (number, _), result in zip(items, results, strict=True)}


def _triage_alone(number: int, item: TriageInput) -> dict[str, Any]:
    try:
        [result] = triage_batch([item])
    except Exception as error:  # reported on the line, the run goes on
        return {"line": number, "error": f"triage failed: {type(error).__name__}: {error}"}
    return result.to_json()
