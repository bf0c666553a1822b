"""The labelled data sets the classifiers learn from, read from the shared data folder.

Splits: airline and complaints come split by the data owners; Bitext intents and the weakly
labelled TWCS tweets are split here the same way the owners split theirs, by a hash of the
normalised text into 80 / 10 / 10, of which only train and dev are ever read (the last 10 %
stays unseen for independent evaluation).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from caredesk.triage.learned_intents import INTENTS, OTHER
from caredesk.triage.text import normalise

__all__ = ["DataError", "Labelled", "TrainingData", "hash_split", "load_training_data"]

BITEXT_INTENTS = {
    "cancel_order": "cancellation",
    "check_cancellation_fee": "cancellation",
    "change_order": "ordering",
    "place_order": "ordering",
    "change_shipping_address": "delivery",
    "set_up_shipping_address": "delivery",
    "delivery_options": "delivery",
    "delivery_period": "delivery",
    "track_order": "delivery",
    "get_refund": "refund",
    "track_refund": "refund",
    "check_refund_policy": "refund",
    "check_invoice": "billing",
    "check_invoices": "billing",
    "get_invoice": "billing",
    "check_payment_methods": "billing",
    "payment_issue": "billing",
    "recover_password": "account_access",
    "registration_problems": "account_access",
    "create_account": "account",
    "edit_account": "account",
    "delete_account": "account",
    "switch_account": "account",
    "newsletter_subscription": "account",
    "contact_customer_service": "contact_agent",
    "contact_human_agent": "contact_agent",
    "complaint": "complaint_about_service",
    "review": OTHER,
}

AIRLINE_REASON_INTENTS = {
    "Late Flight": "disruption",
    "Cancelled Flight": "disruption",
    "Customer Service Issue": "complaint_about_service",
    "Flight Attendant Complaints": "complaint_about_service",
    "Bad Flight": "complaint_about_service",
    "longlines": "complaint_about_service",
    "Lost Luggage": "complaint_about_service",
    "Damaged Luggage": "complaint_about_service",
    "Flight Booking Problems": "ordering",
}

# Weak labels: customer tweets that say in so many words that software is failing. There is
# no labelled set of technical problems among the data, so these stand in for one.
TECHNICAL_PROBLEM = re.compile(
    r"\b(?:crash(?:es|ed|ing)?|not working|doesn'?t work|does not work|won'?t (?:load|open|play|work|connect"
    r"|sync|update|let me)|error(?: code)?|bug(?:gy)?|glitch\w*|keeps? (?:crashing|freezing|logging)"
    r"|froze|freez(?:es|ing)|can'?t (?:log ?in|sign in|connect|download|play))\b",
    re.IGNORECASE,
)
# An unhappy tweet to an airline is nearly always a complaint and a happy one never is; the
# complaints set is small (2,738), so these add signal, weighted low because the airline
# labels are about sentiment, not about complaining. Chosen on the complaints dev split.
AIRLINE_COMPLAINT_WEIGHT = 0.1
_TWCS_FILES = ("twcs_spotify_inbound15k.csv", "twcs_random5000.csv", "twcs_head5000.csv")


class DataError(Exception):
    """The data folder is missing a file or a file has not the documented columns."""


@dataclass(slots=True)
class Labelled:
    """Texts with one label, source data set and training weight each, for one split of one task."""

    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)

    def add(self, text: str, label: str, source: str, weight: float = 1.0) -> None:
        self.texts.append(text)
        self.labels.append(label)
        self.sources.append(source)
        self.weights.append(weight)


@dataclass(slots=True)
class TrainingData:
    """Every task's train and dev split, plus unlabelled customer tweets for the vocabulary."""

    sentiment: dict[str, Labelled]
    complaint: dict[str, Labelled]
    intent: dict[str, Labelled]
    unlabelled: list[str]


def hash_split(text: str) -> str:
    """'train', 'dev' or 'held_back' (80 / 10 / 10), fixed by the normalised text alone."""
    bucket = (
        int(hashlib.sha1(normalise(text).encode("utf-8"), usedforsecurity=False).hexdigest()[:8], 16) % 10
    )
    return "train" if bucket < 8 else "dev" if bucket == 8 else "held_back"


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[dict[str, str]]:
    if not path.is_file():
        raise DataError(f"missing data file {path}: point --data at the labelled data (../shared/data)")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(columns) - set(reader.fieldnames or ())
        if missing:
            raise DataError(f"{path} lacks the columns {sorted(missing)}")
        yield from reader


def load_training_data(data: Path) -> TrainingData:
    """Read every set; raises `DataError` naming the file when one is missing or malformed."""
    splits = ("train", "dev")
    sentiment = {split: Labelled() for split in splits}
    complaint = {split: Labelled() for split in splits}
    intent = {split: Labelled() for split in splits}
    for split in splits:
        airline = data / "airline" / f"airline_sentiment_{split}.csv"
        columns = ("text", "airline_sentiment", "airline_sentiment_confidence", "negativereason")
        for row in _rows(airline, columns):
            confidence = _confidence(row["airline_sentiment_confidence"])
            sentiment[split].add(row["text"], row["airline_sentiment"], "airline", confidence)
            if split == "train" and row["airline_sentiment"] != "neutral":
                unhappy = row["airline_sentiment"] == "negative"
                complaint[split].add(
                    row["text"],
                    "complaint" if unhappy else "not_complaint",
                    "airline",
                    AIRLINE_COMPLAINT_WEIGHT,
                )
            label = _airline_intent(row["airline_sentiment"], row["negativereason"])
            if label is not None:
                intent[split].add(row["text"], label, "airline")
        complaints = data / "complaints" / f"complaints_{split}.csv"
        for row in _rows(complaints, ("text", "complaint")):
            label = "complaint" if row["complaint"] == "1" else "not_complaint"
            complaint[split].add(row["text"], label, "complaints")
    seen: set[str] = set()
    for name in ("bitext_customer_service_8k.csv", "bitext_customer_service_20k.csv"):
        for row in _rows(data / "intents" / name, ("utterance", "intent")):
            key = normalise(row["utterance"])
            label = BITEXT_INTENTS.get(row["intent"])
            if label is None or key in seen:
                continue
            seen.add(key)
            split = hash_split(row["utterance"])
            if split in intent:
                intent[split].add(row["utterance"], label, "bitext")
    unlabelled = _customer_tweets(data / "twcs")
    for text in unlabelled:
        split = hash_split(text)
        if split in intent and TECHNICAL_PROBLEM.search(text):
            intent[split].add(text, "technical_problem", "twcs")
    assert set(intent["train"].labels) <= set(INTENTS)
    return TrainingData(sentiment, complaint, intent, unlabelled)


def _confidence(value: str) -> float:
    """The annotators' agreement on an airline label, used as its training weight (1 if absent)."""
    try:
        confidence = float(value)
    except ValueError:
        return 1.0
    return min(max(confidence, 0.0), 1.0) if confidence == confidence else 1.0


def _airline_intent(sentiment: str, reason: str) -> str | None:
    if sentiment == "positive":
        return "praise"
    if sentiment == "neutral":
        return OTHER
    return AIRLINE_REASON_INTENTS.get(reason)


def _customer_tweets(folder: Path) -> list[str]:
    """Distinct inbound (customer) tweets of the TWCS samples."""
    texts: dict[str, None] = {}
    for name in _TWCS_FILES:
        for row in _rows(folder / name, ("text", "inbound")):
            if row["inbound"] == "True":
                texts.setdefault(row["text"], None)
    return list(texts)
