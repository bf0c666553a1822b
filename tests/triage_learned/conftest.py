"""The shared data folder beside the project, when this checkout has one."""

from __future__ import annotations

from pathlib import Path

import pytest

from caredesk.triage.training.datasets import TrainingData, load_training_data

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> TrainingData:
    if not (SHARED_DATA / "airline").is_dir():
        pytest.skip(f"no shared data at {SHARED_DATA}")
    return load_training_data(SHARED_DATA)
