"""`caredesk demo`: a fresh database from the bundled real tweets, ready to look at."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path
from typing import Annotated

import typer

from caredesk.cli.imports import print_import_report, run_with_progress
from caredesk.cli.report import out, print_report
from caredesk.cli.store import open_store
from caredesk.ingest.pipeline import Ingestor
from caredesk.reporting.report import workspace_report
from caredesk.settings import get_settings
from caredesk.workspaces import ensure_workspace

SAMPLE = "twcs_head5000.csv"
DEMO_DATABASE = Path("caredesk-demo.db")


def demo_command(
    database: Annotated[
        Path, typer.Option(help="SQLite file for the demo; replaced if it exists.")
    ] = DEMO_DATABASE,
) -> None:
    """Create a fresh demo database from 5,000 real customer-care tweets and show it."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    engine = open_store(f"sqlite:///{database}")
    workspace = ensure_workspace(engine, "demo", "Caredesk demo")
    ingestor = Ingestor(engine, workspace, reopen_window=get_settings().reopen_window, create_accounts=True)
    with as_file(files("caredesk.demo").joinpath(SAMPLE)) as sample:
        report = run_with_progress(ingestor, sample, batch_size=5_000)
    print_import_report(report)
    print_report(workspace_report(engine, workspace))
    out.print(
        f"\nDemo data is in [bold]{database}[/]. The agent inbox arrives with the web app; "
        f"until then explore it with `caredesk --database sqlite:///{database} report --workspace demo`.",
        highlight=False,
    )
