"""The shipped models reach, on the real dev splits, the figures recorded when they were trained."""

from __future__ import annotations

import json

import pytest

from caredesk.triage.learned import classifiers
from caredesk.triage.learned_artifacts import SHIPPED
from caredesk.triage.training.datasets import TrainingData
from caredesk.triage.training.evaluation import evaluate_classifiers

# Floors below which the models are worse than what docs/triage-models.md promises.
PROMISED = {
    "sentiment_accuracy": 0.82,
    "negative_f1": 0.89,
    "complaint_f1": 0.80,
    "intent_accuracy_bitext": 0.99,
    "intent_accuracy_tweets": 0.70,
}


def test_dev_figures_match_the_recorded_ones(shared_data: TrainingData) -> None:
    recorded = json.loads((SHIPPED / "metrics.json").read_text(encoding="utf-8"))
    measured = evaluate_classifiers(classifiers(), shared_data).as_dict()
    for name, value in recorded.items():
        assert measured[name] == pytest.approx(value, abs=0.003), name
    for name, floor in PROMISED.items():
        assert measured[name] >= floor, name
