"""`caredesk models …`: retrain the learned triage classifiers and measure them on dev data."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from caredesk.cli.store import fail
from caredesk.triage.learned_artifacts import SHIPPED

if TYPE_CHECKING:
    from caredesk.triage.training.evaluation import DevFigures

app = typer.Typer(help="Train and evaluate the learned triage classifiers.", no_args_is_help=True)
out = Console()

# The shared data folder sits beside a checkout of the project (../shared/data).
DEFAULT_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"

DataOption = Annotated[
    Path,
    typer.Option("--data", help="Folder with airline/, complaints/, intents/ and twcs/ as in shared/data."),
]


@app.command("train")
def train_command(
    data: DataOption = DEFAULT_DATA,
    output: Annotated[Path, typer.Option(help="Where to write the model files.")] = SHIPPED,
    embedding: Annotated[
        Path | None,
        typer.Option(
            help="model2vec model to ship (default: <data>/../models/m2v_minilm_256).", show_default=False
        ),
    ] = None,
) -> None:
    """Retrain every model from the labelled data, reproducibly, and print the dev figures."""
    try:
        from caredesk.triage.training.datasets import DataError
        from caredesk.triage.training.train import train_all
    except ImportError as error:
        fail(f"training needs the train extra (pip install 'caredesk[train]'): {error}")
    started = time.monotonic()

    def progress(message: str) -> None:
        out.print(f"[dim]{time.monotonic() - started:6.1f}s[/] {message}", highlight=False)

    try:
        figures = train_all(data, output, embedding, progress=progress)
    except (DataError, OSError) as error:
        fail(str(error))
    progress(f"wrote the models to {output}")
    print_figures(figures)


@app.command("evaluate")
def evaluate_command(
    data: DataOption = DEFAULT_DATA,
    models: Annotated[Path, typer.Option(help="Model directory to evaluate.")] = SHIPPED,
) -> None:
    """Print the dev figures of the models beside the baselines and goals, then PII precision/recall."""
    from caredesk.triage.learned import ArtifactError, Classifiers
    from caredesk.triage.training.datasets import DataError, load_training_data
    from caredesk.triage.training.evaluation import evaluate_classifiers

    try:
        figures = evaluate_classifiers(Classifiers.load(models), load_training_data(data))
    except (ArtifactError, DataError) as error:
        fail(str(error))
    print_figures(figures)
    print_pii()


def print_figures(figures: DevFigures) -> None:
    from caredesk.triage.training.evaluation import BASELINES, GOALS

    table = Table(title="Learned triage, dev splits", title_justify="left")
    for column in ("measure", "dev", "baseline", "goal"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for name, value in figures.as_dict().items():
        baseline = BASELINES.get(name)
        goal = GOALS.get(name)
        mark = "" if goal is None else " ✓" if value >= goal else " ✗"
        table.add_row(
            name.replace("_", " "),
            f"{value:.3f}{mark}",
            "" if baseline is None else f"{baseline:.3f}",
            "" if goal is None else f"{goal:.2f}",
        )
    out.print(table)


def print_pii() -> None:
    try:
        from caredesk.triage.pii_eval import evaluate_pii
    except ImportError:
        out.print("PII: no evaluation module (caredesk.triage.pii_eval) in this build; skipped.")
        return
    scores = evaluate_pii()
    table = Table(title=f"PII finder, {scores.messages:,} labelled messages", title_justify="left")
    for column in ("type", "precision", "recall"):
        table.add_column(column, justify="left" if column == "type" else "right")
    for kind, counts in [*scores.by_type.items(), ("overall", scores.overall)]:
        table.add_row(kind, f"{counts.precision:.3f}", f"{counts.recall:.3f}")
    out.print(table)
