"""The `caredesk` command line, run in-process as a user would type it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caredesk.cli.main import app
from tests.conftest import SAMPLE

runner = CliRunner()


def caredesk(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["import"],
        ["import", "twcs"],
        ["report"],
        ["demo"],
        ["migrate"],
        ["serve"],
        ["user"],
        ["user", "add"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    code, output = caredesk(*command, "--help")
    assert code == 0
    assert "Usage: " in output


def test_import_twice_then_report_as_json(database_url: str, tmp_path: Path) -> None:
    code, output = caredesk("--database", database_url, "import", "twcs", str(SAMPLE))
    assert code == 0, output
    assert "5,000 messages stored" in output
    code, output = caredesk("--database", database_url, "import", "twcs", str(SAMPLE), "--batch-size", "999")
    assert code == 0, output
    assert "0 messages stored, 5,000 already there" in output
    code, output = caredesk("--database", database_url, "report", "--json")
    assert code == 0, output
    report = json.loads(output)
    assert report["brands"]["sprintcare"]["conversations"] == 19
    assert set(report["brands"]["AppleSupport"]) == {
        "conversations",
        "answered",
        "median_first_response_s",
        "mean_responses_per_interaction",
    }


def test_bad_rows_are_listed_with_line_numbers(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(SAMPLE.read_text(encoding="utf-8").splitlines()[0] + "\n0,1,x,True,never,t,,\n")
    code, output = caredesk("--database", database_url, "import", "twcs", str(path))
    assert code == 0, output
    assert "1 bad rows skipped" in output
    assert "line 2: created_at is not a Twitter time" in output


def test_demo_builds_a_fresh_database_and_prints_the_report(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    for _ in range(2):  # a second run starts afresh instead of adding duplicates
        code, output = caredesk("demo", "--database", str(database), "--no-serve")
        assert code == 0, output
        assert "5,000 messages stored, 0 already there" in output
        assert "sprintcare" in output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--database", "mysql://nope/db", "report"], "unsupported database 'mysql'"),
        (["--database", "not a url", "report"], "bad database URL"),
        (["--database", "sqlite:////nonexistent/dir/x.db", "report"], "cannot open the database"),
        (["import", "twcs", "/no/such/file.csv"], "no such file"),
    ],
)
def test_errors_say_what_to_do(arguments: list[str], message: str) -> None:
    code, output = caredesk(*arguments)
    assert code == 1
    assert message in " ".join(output.split())


def test_a_file_in_another_format_is_refused(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("id,message\n1,hello\n")
    code, output = caredesk("--database", database_url, "import", "twcs", str(path))
    assert code == 1
    assert "not a TWCS file" in output


def test_report_on_a_workspace_that_does_not_exist(database_url: str) -> None:
    code, output = caredesk("--database", database_url, "report", "--workspace", "nobody")
    assert code == 1
    assert "no workspace 'nobody'" in output


def test_the_first_admin_is_added_from_the_command_line(database_url: str) -> None:
    result = runner.invoke(
        app,
        ["--database", database_url, "user", "add", "boss@acme.test", "--name", "Boss", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "boss@acme.test can now sign in as admin" in result.output
    again = runner.invoke(
        app,
        ["--database", database_url, "user", "add", "boss@acme.test", "--password-stdin"],
        input="x" * 12 + "\n",
    )
    assert again.exit_code == 1
    assert "already an agent" in again.output
    weak = runner.invoke(
        app, ["--database", database_url, "user", "add", "b@acme.test", "--password-stdin"], input="short\n"
    )
    assert weak.exit_code == 1
    assert "at least 10 characters" in weak.output
