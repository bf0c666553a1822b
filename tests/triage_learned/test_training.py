"""Training is reproducible: the same data and seed give the shipped vocabulary and weights."""

from __future__ import annotations

import numpy as np
import pytest

from caredesk.triage.learned import classifiers
from caredesk.triage.training.datasets import TrainingData, hash_split

pytest.importorskip("sklearn", reason="training needs the train extra")
pytest.importorskip("vaderSentiment", reason="training needs the train extra")

from caredesk.triage.features import Featurizer
from caredesk.triage.training.heads import fit_head
from caredesk.triage.training.train import SEED, TrainingPlan, vocabulary_texts
from caredesk.triage.training.vocabulary import fit_vocabulary


def test_hash_split_depends_on_the_normalised_text_only() -> None:
    assert hash_split("@united Flight 12 LATE") == hash_split("@delta flight 99 late")
    letters = "abcdefghijklmnopqrstuvwxyz"
    texts = [f"order {letters[n % 26]}{letters[n // 26 % 26]}{letters[n // 676]} late" for n in range(2_000)]
    shares = [hash_split(text) for text in texts]
    assert 0.75 < shares.count("train") / len(shares) < 0.85
    assert 0.07 < shares.count("dev") / len(shares) < 0.13


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_features_and_complaint_head(shared_data: TrainingData) -> None:
    shipped = classifiers()
    vocabulary = fit_vocabulary(vocabulary_texts(shared_data))
    featurizer = Featurizer(
        {gram: column for column, gram in enumerate(vocabulary.words)},
        {gram: column for column, gram in enumerate(vocabulary.chars)},
        vocabulary.idf,
        shipped.featurizer.embedding,
        shipped.featurizer.lexicon,
    )
    dev = shared_data.complaint["dev"].texts
    ours, theirs = featurizer.transform(dev), shipped.featurizer.transform(dev)
    assert np.array_equal(ours.rows, theirs.rows) and np.array_equal(ours.columns, theirs.columns)
    assert np.allclose(ours.values, theirs.values)

    train = shared_data.complaint["train"]
    head = fit_head(
        featurizer,
        featurizer.transform(train.texts),
        train.labels,
        train.weights,
        TrainingPlan().complaint,
        SEED,
    )
    assert head.labels == ("complaint", "not_complaint")
    dense = featurizer.dense(ours)
    sparse_part = np.zeros(len(dev), dtype=np.float32)
    np.add.at(sparse_part, ours.rows, head.weights[ours.columns, 0] * ours.values)
    # scikit-learn's logit favours the second label, "not_complaint".
    retrained = 1.0 / (
        1.0 + np.exp(sparse_part + dense @ head.weights[featurizer.sparse_width :, 0] + head.bias[0])
    )
    shipped_scores = [found.complaint_score for found in shipped.classify(dev)]
    assert retrained == pytest.approx(shipped_scores, abs=2e-3)
