"""One command runs every check: lint, formatting and types run with the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(bool(POSTGRES_URL), reason="static checks run once, on the SQLite pass")


def run(*command: str) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_lint() -> None:
    run(sys.executable, "-m", "ruff", "check", "src", "tests", "bench")


def test_ruff_format() -> None:
    run(sys.executable, "-m", "ruff", "format", "--check", "src", "tests", "bench")


def test_mypy_strict() -> None:
    run(sys.executable, "-m", "mypy")
