"""Dev-set figures, in numpy so `caredesk models evaluate` needs no training extra."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["accuracy", "f1"]


def accuracy(expected: Sequence[str], predicted: Sequence[str]) -> float:
    """Share of predictions equal to the label (0.0 for no rows)."""
    if not expected:
        return 0.0
    return float(np.mean(np.array(expected) == np.array(predicted)))


def f1(expected: Sequence[bool], predicted: Sequence[bool]) -> float:
    """F1 of the positive class: harmonic mean of precision and recall (0.0 when undefined)."""
    truth = np.array(expected, dtype=bool)
    guess = np.array(predicted, dtype=bool)
    true_positives = float(np.sum(truth & guess))
    if true_positives == 0:
        return 0.0
    precision = true_positives / float(np.sum(guess))
    recall = true_positives / float(np.sum(truth))
    return 2 * precision * recall / (precision + recall)
