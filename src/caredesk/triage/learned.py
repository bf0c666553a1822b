"""The learned triage classifiers: sentiment, complaint and intent for every inbound message.

They are linear models over one shared feature vector (`caredesk.triage.features`), so one
batch pass computes all three at a cost of tens of microseconds per message on one core,
with numpy alone. Models come from the files shipped in `artifacts/`, written by
`caredesk models train`; nothing is downloaded.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from caredesk.triage.features import FeatureBatch, Featurizer, row_means, row_sums
from caredesk.triage.learned_artifacts import (
    SENTIMENT_LABELS,
    SHIPPED,
    ArtifactError,
    LinearHeads,
    load_artifacts,
)

__all__ = ["ArtifactError", "Classifiers", "Learned", "classifiers"]

_COMPLAINT = len(SENTIMENT_LABELS)
_INTENTS_FROM = _COMPLAINT + 1
# A message is a complaint when the model gives it more than even odds.
COMPLAINT_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Learned:
    """What the models make of one message."""

    sentiment: str  # "negative" | "neutral" | "positive"
    sentiment_score: float  # -1.0 .. 1.0: P(positive) - P(negative)
    complaint: bool
    complaint_score: float  # probability 0..1
    intent: str  # one label of caredesk.triage.learned_intents.INTENTS
    intent_score: float  # probability 0..1


def _softmax(logits: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: npt.NDArray[np.float32] = shifted / shifted.sum(axis=1, keepdims=True)
    return result


class Classifiers:
    """The three heads over one featurizer; `classify` is safe to call from several threads."""

    def __init__(self, featurizer: Featurizer, heads: LinearHeads) -> None:
        self._featurizer = featurizer
        self._heads = heads
        dimensions = featurizer.embedding.dimensions
        # mean(vectors) @ W == mean(vectors @ W): averaging the projected vectors is exact
        # and reads a few numbers per token instead of 256.
        self._projected = featurizer.embedding.vectors @ heads.dense_weights[:dimensions]
        self._lexicon_weights = heads.dense_weights[dimensions:]

    @classmethod
    def load(cls, directory: Path | None = None) -> Classifiers:
        """The models in `directory`, by default the shipped ones; raises `ArtifactError`."""
        return cls(*load_artifacts(directory or SHIPPED))

    @property
    def featurizer(self) -> Featurizer:
        return self._featurizer

    @property
    def intents(self) -> tuple[str, ...]:
        return self._heads.intents

    def logits(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Every head's raw scores, one row per text (columns as in `LinearHeads`)."""
        return self._logits(self._featurizer.transform(texts))

    def _logits(self, batch: FeatureBatch) -> npt.NDArray[np.float32]:
        heads = self._heads
        ngrams = heads.sparse_weights[batch.columns] * batch.values[:, None]
        scores = row_sums(ngrams, batch.rows, batch.count)
        scores += row_means(self._projected[batch.tokens], batch.token_rows, batch.count)
        scores += batch.lexicon @ self._lexicon_weights + heads.bias
        return scores

    def classify(self, texts: Sequence[str]) -> list[Learned]:
        """One `Learned` per text, in order; any string, empty or huge, gets an answer."""
        if not texts:
            return []
        logits = self.logits([text if isinstance(text, str) else "" for text in texts])
        sentiment = _softmax(logits[:, :_COMPLAINT])
        complaint = 1.0 / (1.0 + np.exp(-logits[:, _COMPLAINT]))
        intent = _softmax(logits[:, _INTENTS_FROM:])
        sentiment_best = sentiment.argmax(axis=1)
        intent_best = intent.argmax(axis=1)
        polarity = sentiment[:, 2] - sentiment[:, 0]
        intents = self._heads.intents
        return [
            Learned(
                sentiment=SENTIMENT_LABELS[sentiment_best[row]],
                sentiment_score=float(polarity[row]),
                complaint=bool(complaint[row] > COMPLAINT_THRESHOLD),
                complaint_score=float(complaint[row]),
                intent=intents[intent_best[row]],
                intent_score=float(intent[row, intent_best[row]]),
            )
            for row in range(len(texts))
        ]


_loaded: Classifiers | None = None
_loading = threading.Lock()


def classifiers() -> Classifiers:
    """The shipped classifiers, loaded on first use and shared by the whole process."""
    global _loaded
    if _loaded is None:
        with _loading:
            if _loaded is None:
                _loaded = Classifiers.load()
    return _loaded
