"""The dev figures of a set of classifiers, beside the published baselines and the goals."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from caredesk.triage.features import Featurizer
from caredesk.triage.learned import Classifiers
from caredesk.triage.learned_artifacts import LinearHeads
from caredesk.triage.training.datasets import TrainingData
from caredesk.triage.training.metrics import accuracy, f1

__all__ = ["BASELINES", "GOALS", "DevFigures", "evaluate_classifiers"]

# From shared/data/README.md (5-fold cross-validation, TF-IDF + logistic regression).
BASELINES = {
    "sentiment_accuracy": 0.814,
    "negative_f1": 0.885,
    "complaint_f1": 0.789,
}
GOALS = {
    "sentiment_accuracy": 0.85,
    "negative_f1": 0.91,
    "complaint_f1": 0.82,
}


@dataclass(frozen=True, slots=True)
class DevFigures:
    """Dev-split figures of the three heads."""

    sentiment_accuracy: float
    negative_f1: float
    complaint_f1: float
    intent_accuracy: float
    intent_accuracy_bitext: float
    intent_accuracy_tweets: float

    def as_dict(self) -> dict[str, float]:
        return {name: round(value, 4) for name, value in asdict(self).items()}


def evaluate_classifiers(
    models: Classifiers | tuple[Featurizer, LinearHeads], data: TrainingData
) -> DevFigures:
    """Classify every dev text and score the answers against the labels."""
    classifier = models if isinstance(models, Classifiers) else Classifiers(*models)
    sentiment = data.sentiment["dev"]
    complaint = data.complaint["dev"]
    intent = data.intent["dev"]
    said = [found.sentiment for found in classifier.classify(sentiment.texts)]
    complained = [found.complaint for found in classifier.classify(complaint.texts)]
    meant = [found.intent for found in classifier.classify(intent.texts)]

    def intent_share(sources: set[str]) -> float:
        chosen = [index for index, source in enumerate(intent.sources) if source in sources]
        return accuracy([intent.labels[index] for index in chosen], [meant[index] for index in chosen])

    return DevFigures(
        sentiment_accuracy=accuracy(sentiment.labels, said),
        negative_f1=f1([label == "negative" for label in sentiment.labels], [s == "negative" for s in said]),
        complaint_f1=f1([label == "complaint" for label in complaint.labels], complained),
        intent_accuracy=accuracy(intent.labels, meant),
        intent_accuracy_bitext=intent_share({"bitext"}),
        intent_accuracy_tweets=intent_share({"airline", "twcs"}),
    )
