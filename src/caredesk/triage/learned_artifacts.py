"""The shipped model files: how training writes them and how run time reads them back.

One directory holds everything, so a retrained set can be swapped in whole:
- `classifiers.npz`: n-gram vocabularies (newline-separated UTF-8), IDF weights, and the
  linear heads' weights (one column per output: 3 sentiment logits, 1 complaint logit,
  one logit per intent);
- `embedding/`: the model2vec static embedding (`model.safetensors`, `tokenizer.json`);
- `vader_lexicon.tsv`: word to valence;
- `metrics.json`: the dev figures measured when these files were trained.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from caredesk.triage.features import Featurizer
from caredesk.triage.learned_embedding import StaticEmbedding
from caredesk.triage.learned_lexicon import Lexicon

__all__ = ["SHIPPED", "ArtifactError", "LinearHeads", "load_artifacts", "save_heads"]

SHIPPED = Path(__file__).resolve().parent / "artifacts"
HEADS_FILE = "classifiers.npz"
SENTIMENT_LABELS = ("negative", "neutral", "positive")


class ArtifactError(Exception):
    """The model directory is missing a file or holds files of another version."""


@dataclass(frozen=True, slots=True)
class LinearHeads:
    """All heads' weights side by side: column 0-2 sentiment, 3 complaint, 4.. intents."""

    sparse_weights: npt.NDArray[np.float32]
    dense_weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    intents: tuple[str, ...]


def _joined(items: list[str]) -> npt.NDArray[np.uint8]:
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


def _split(array: npt.NDArray[np.uint8]) -> list[str]:
    text = array.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def save_heads(
    directory: Path,
    word_vocabulary: list[str],
    char_vocabulary: list[str],
    idf: npt.NDArray[np.float32],
    heads: LinearHeads,
) -> None:
    """Write `classifiers.npz`; weights are stored as float16 to halve the package size."""
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        word_vocabulary=_joined(word_vocabulary),
        char_vocabulary=_joined(char_vocabulary),
        idf=idf.astype(np.float32),
        sparse_weights=heads.sparse_weights.astype(np.float16),
        dense_weights=heads.dense_weights.astype(np.float32),
        bias=heads.bias.astype(np.float32),
        intents=_joined(list(heads.intents)),
    )
    (directory / HEADS_FILE).write_bytes(buffer.getvalue())


def load_artifacts(directory: Path) -> tuple[Featurizer, LinearHeads]:
    """Read a model directory; raises `ArtifactError` naming what is missing or inconsistent."""
    try:
        embedding = StaticEmbedding.load(directory / "embedding")
        lexicon = Lexicon.load(directory / "vader_lexicon.tsv")
        with np.load(directory / HEADS_FILE) as stored:
            words = _split(stored["word_vocabulary"])
            chars = _split(stored["char_vocabulary"])
            idf = stored["idf"]
            heads = LinearHeads(
                sparse_weights=stored["sparse_weights"].astype(np.float32),
                dense_weights=stored["dense_weights"],
                bias=stored["bias"],
                intents=tuple(_split(stored["intents"])),
            )
    except (OSError, KeyError, ValueError) as error:
        raise ArtifactError(f"cannot read the triage models in {directory}: {error}") from error
    featurizer = Featurizer(
        {gram: column for column, gram in enumerate(words)},
        {gram: column for column, gram in enumerate(chars)},
        idf,
        embedding,
        lexicon,
    )
    outputs = len(SENTIMENT_LABELS) + 1 + len(heads.intents)
    if (
        heads.sparse_weights.shape != (featurizer.sparse_width, outputs)
        or heads.dense_weights.shape != (featurizer.dense_width, outputs)
        or idf.shape != (featurizer.sparse_width,)
    ):
        raise ArtifactError(f"the triage models in {directory} do not fit together; retrain them")
    return featurizer, heads
