"""Precision and recall of the PII finder on the labelled real tweets shipped with Caredesk.

A found span counts only if its type and both offsets equal a labelled one: masking half a
card number is a miss. `scripts/make_pii_set.py` builds the set; `caredesk models evaluate`
prints these figures beside the learned models'.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from caredesk.triage.pii import PII_TYPES, PiiSpan, find_pii

__all__ = ["DEFAULT_PII_SET", "PiiScores", "evaluate_pii"]

DEFAULT_PII_SET = Path(__file__).resolve().parent / "data" / "pii_dev.jsonl"


@dataclass(frozen=True, slots=True)
class Counts:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 1.0


@dataclass(frozen=True, slots=True)
class PiiScores:
    """Exact-span precision and recall, overall and per PII type, with the counts behind them."""

    messages: int
    overall: Counts
    by_type: dict[str, Counts] = field(default_factory=dict)
    misses: tuple[tuple[str, str, str], ...] = ()
    """(message id, type, text) of labelled spans not found, for reading the errors."""
    false_alarms: tuple[tuple[str, str, str], ...] = ()

    def to_json(self) -> dict[str, object]:
        def scores(counts: Counts) -> dict[str, object]:
            return {
                "precision": round(counts.precision, 3),
                "recall": round(counts.recall, 3),
                "true_positives": counts.true_positives,
                "false_positives": counts.false_positives,
                "false_negatives": counts.false_negatives,
            }

        return {
            "messages": self.messages,
            "overall": scores(self.overall),
            "by_type": {kind: scores(counts) for kind, counts in self.by_type.items()},
        }


class BadPiiSet(ValueError):
    """The labelled file is not what `scripts/make_pii_set.py` writes."""


def evaluate_pii(path: Path = DEFAULT_PII_SET) -> PiiScores:
    """Run `find_pii` over every message of the JSON-lines set at `path` and score it."""
    tallies: dict[str, Counter[str]] = {kind: Counter() for kind in PII_TYPES}
    misses: list[tuple[str, str, str]] = []
    false_alarms: list[tuple[str, str, str]] = []
    messages = 0
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            identifier, text, labelled = _read(line, number)
            found = set(find_pii(text))
            messages += 1
            for span in found | labelled:
                verdict = "tp" if span in found and span in labelled else "fp" if span in found else "fn"
                tallies.setdefault(span.type, Counter())[verdict] += 1
                if verdict != "tp":
                    listed = misses if verdict == "fn" else false_alarms
                    listed.append((identifier, span.type, text[span.start : span.end]))
    by_type = {kind: Counts(tally["tp"], tally["fp"], tally["fn"]) for kind, tally in tallies.items()}
    overall = Counts(
        sum(c.true_positives for c in by_type.values()),
        sum(c.false_positives for c in by_type.values()),
        sum(c.false_negatives for c in by_type.values()),
    )
    return PiiScores(messages, overall, by_type, tuple(misses), tuple(false_alarms))


def _read(line: str, number: int) -> tuple[str, str, set[PiiSpan]]:
    try:
        row = json.loads(line)
        spans = {PiiSpan(int(s["start"]), int(s["end"]), str(s["type"])) for s in row["pii"]}
        return str(row["id"]), str(row["text"]), spans
    except (ValueError, KeyError, TypeError) as error:
        raise BadPiiSet(f"line {number}: {error}") from None
