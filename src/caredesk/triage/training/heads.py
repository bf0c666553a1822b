"""Fitting the linear heads (scikit-learn, training time only) and exporting their weights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from caredesk.triage.features import FeatureBatch, Featurizer
from caredesk.triage.learned_artifacts import SENTIMENT_LABELS, LinearHeads

__all__ = ["FittedHead", "HeadSettings", "design_matrix", "fit_head", "stack_heads"]


@dataclass(frozen=True, slots=True)
class HeadSettings:
    """Regularisation and the weight of the dense block, chosen on dev and then frozen."""

    inverse_regularisation: float
    dense_scale: float = 1.0
    balanced: bool = False


def design_matrix(featurizer: Featurizer, batch: FeatureBatch, dense_scale: float) -> sparse.csr_matrix:
    """The feature batch as one scikit-learn matrix: n-gram columns, then scaled dense columns."""
    shape = (batch.count, featurizer.sparse_width)
    ngrams = sparse.csr_matrix((batch.values, (batch.rows, batch.columns)), shape=shape)
    return sparse.hstack([ngrams, sparse.csr_matrix(featurizer.dense(batch) * dense_scale)], format="csr")


@dataclass(frozen=True, slots=True)
class FittedHead:
    """One head's weights over [n-gram columns, unscaled dense columns] and its output labels."""

    weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    labels: tuple[str, ...]


def fit_head(
    featurizer: Featurizer,
    batch: FeatureBatch,
    labels: Sequence[str],
    sample_weights: Sequence[float],
    settings: HeadSettings,
    seed: int,
) -> FittedHead:
    """Logistic regression; multinomial for several labels, a single logit for two."""
    sparse_width = featurizer.sparse_width
    matrix = design_matrix(featurizer, batch, settings.dense_scale)
    model = LogisticRegression(
        C=settings.inverse_regularisation,
        max_iter=5000,
        class_weight="balanced" if settings.balanced else None,
        random_state=seed,
    )
    model.fit(matrix, np.array(labels), sample_weight=np.array(sample_weights, dtype=np.float64))
    weights = model.coef_.T.astype(np.float32).copy()
    weights[sparse_width:] *= settings.dense_scale
    return FittedHead(weights, model.intercept_.astype(np.float32), tuple(str(c) for c in model.classes_))


def stack_heads(
    sentiment: FittedHead, complaint: FittedHead, intent: FittedHead, sparse_width: int
) -> LinearHeads:
    """Put the heads side by side in the column order run time expects."""
    if sentiment.labels != SENTIMENT_LABELS or complaint.labels != ("complaint", "not_complaint"):
        raise ValueError(f"unexpected labels {sentiment.labels} / {complaint.labels}")
    # Scikit-learn's single binary logit favours the second class; complaint is the first.
    complaint_weights, complaint_bias = -complaint.weights, -complaint.bias
    weights = np.hstack([sentiment.weights, complaint_weights, intent.weights])
    return LinearHeads(
        sparse_weights=weights[:sparse_width],
        dense_weights=weights[sparse_width:],
        bias=np.concatenate([sentiment.bias, complaint_bias, intent.bias]).astype(np.float32),
        intents=intent.labels,
    )
