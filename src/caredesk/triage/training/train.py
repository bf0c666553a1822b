"""Retrain every learned classifier from the shared data and write a model directory.

Reproducible by construction: splits are hashes of the text, vocabularies are sorted, the
solver is deterministic and seeded, so the same data gives the same files. Settings were
chosen on the dev splits once and are fixed here; `metrics.json` records the dev figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import vaderSentiment  # type: ignore[import-untyped]

from caredesk.triage.features import Featurizer
from caredesk.triage.learned_artifacts import load_artifacts, save_heads
from caredesk.triage.learned_embedding import StaticEmbedding
from caredesk.triage.learned_lexicon import Lexicon
from caredesk.triage.training.datasets import Labelled, TrainingData, hash_split, load_training_data
from caredesk.triage.training.evaluation import DevFigures, evaluate_classifiers
from caredesk.triage.training.heads import FittedHead, HeadSettings, fit_head, stack_heads
from caredesk.triage.training.vocabulary import copy_embedding, fit_vocabulary, write_lexicon

__all__ = ["SEED", "TrainingPlan", "train_all", "vocabulary_texts"]

SEED = 20240601


@dataclass(frozen=True, slots=True)
class TrainingPlan:
    """Every setting of a training run (defaults are the shipped models')."""

    sentiment: HeadSettings = field(
        default_factory=lambda: HeadSettings(inverse_regularisation=1.0, dense_scale=2.0)
    )
    complaint: HeadSettings = field(
        default_factory=lambda: HeadSettings(inverse_regularisation=3.0, dense_scale=0.5, balanced=True)
    )
    intent: HeadSettings = field(default_factory=lambda: HeadSettings(inverse_regularisation=10.0))
    seed: int = SEED


def vocabulary_texts(data: TrainingData) -> list[str]:
    """Training texts of every task plus the training share of the unlabelled tweets."""
    texts = data.sentiment["train"].texts + data.complaint["train"].texts + data.intent["train"].texts
    return texts + [text for text in data.unlabelled if hash_split(text) == "train"]


def train_all(
    data_folder: Path,
    output: Path,
    embedding_source: Path | None = None,
    plan: TrainingPlan | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> DevFigures:
    """Fit vocabularies and the three heads, write them to `output`, return the dev figures."""
    plan = plan or TrainingPlan()
    output.mkdir(parents=True, exist_ok=True)
    progress(f"reading data from {data_folder}")
    data = load_training_data(data_folder)
    progress("fitting the n-gram vocabularies")
    vocabulary = fit_vocabulary(vocabulary_texts(data))
    progress(f"  {len(vocabulary.words):,} word n-grams, {len(vocabulary.chars):,} character n-grams")
    write_lexicon(Path(vaderSentiment.__file__).parent, output / "vader_lexicon.tsv")
    copy_embedding(embedding_source or data_folder.parent / "models" / "m2v_minilm_256", output / "embedding")
    featurizer = Featurizer(
        {gram: column for column, gram in enumerate(vocabulary.words)},
        {gram: column for column, gram in enumerate(vocabulary.chars)},
        vocabulary.idf,
        StaticEmbedding.load(output / "embedding"),
        Lexicon.load(output / "vader_lexicon.tsv"),
    )

    def fit(name: str, split: Labelled, settings: HeadSettings) -> FittedHead:
        progress(f"training {name} on {len(split.texts):,} texts")
        batch = featurizer.transform(split.texts)
        return fit_head(featurizer, batch, split.labels, split.weights, settings, plan.seed)

    sentiment = fit("sentiment", data.sentiment["train"], plan.sentiment)
    complaint = fit("complaint", data.complaint["train"], plan.complaint)
    intent = fit("intent", data.intent["train"], plan.intent)
    heads = stack_heads(sentiment, complaint, intent, featurizer.sparse_width)
    save_heads(output, vocabulary.words, vocabulary.chars, vocabulary.idf, heads)
    progress("measuring on the dev splits")
    figures = evaluate_classifiers(load_artifacts(output), data)
    (output / "metrics.json").write_text(json.dumps(figures.as_dict(), indent=2) + "\n", encoding="utf-8")
    return figures
