"""`caredesk models evaluate` prints the dev figures beside baselines and goals, and PII scores."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from caredesk.cli.models import app
from caredesk.triage.training.datasets import TrainingData


def test_evaluate_prints_every_figure(shared_data: TrainingData) -> None:
    result = CliRunner().invoke(app, ["evaluate"])
    assert result.exit_code == 0, result.output
    for measure in ("sentiment accuracy", "negative f1", "complaint f1", "intent accuracy", "0.814"):
        assert measure in result.output
    assert "PII" in result.output


def test_missing_data_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert "missing data file" in result.output
