"""`caredesk import …`: bring existing conversations in from files."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from caredesk.cli.store import CliState, fail
from caredesk.importers.twcs import TwcsFormatError, TwcsImportReport, import_twcs
from caredesk.ingest.pipeline import Ingestor
from caredesk.settings import get_settings
from caredesk.workspaces import DEFAULT_SLUG, ensure_workspace

app = typer.Typer(help="Import conversations from files.", no_args_is_help=True)
out = Console()


@app.command("twcs")
def import_twcs_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A CSV in the 'Customer Support on Twitter' (Kaggle) format.")],
    workspace: Annotated[str, typer.Option(help="Workspace to import into.")] = DEFAULT_SLUG,
    batch_size: Annotated[
        int | None, typer.Option(min=1, max=100_000, help="Tweets per transaction.")
    ] = None,
    triage: Annotated[
        bool,
        typer.Option(
            help="Triage every customer tweet (sentiment, intent, PII, urgency, priority): "
            "about 2,000 tweets/s instead of about 25,000."
        ),
    ] = False,
) -> None:
    """Import tweets to and from brands; running it again adds nothing twice."""
    if not path.is_file():
        fail(f"no such file: {path}")
    state: CliState = ctx.obj
    engine = state.engine()
    settings = get_settings()
    ingestor = Ingestor(
        engine,
        ensure_workspace(engine, workspace),
        reopen_window=settings.reopen_window,
        create_accounts=True,
        triage=triage,
    )
    report = run_with_progress(ingestor, path, batch_size or settings.import_batch_size)
    print_import_report(report)


def run_with_progress(
    ingestor: Ingestor, path: Path, batch_size: int, shift: timedelta | None = None
) -> TwcsImportReport:
    total = path.stat().st_size
    started = time.perf_counter()
    columns = (
        TextColumn("[bold]Importing[/] {task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]:>10,} tweets  {task.fields[rate]:>7,.0f}/s"),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        task = progress.add_task(path.name, total=total, rows=0, rate=0.0)

        def on_progress(bytes_read: int, rows: int) -> None:
            rate = rows / max(time.perf_counter() - started, 1e-9)
            progress.update(task, completed=bytes_read, rows=rows, rate=rate)

        try:
            return import_twcs(ingestor, path, batch_size=batch_size, on_progress=on_progress, shift=shift)
        except TwcsFormatError as error:
            raise fail(f"{path}: {error}") from None


def print_import_report(report: TwcsImportReport) -> None:
    result = report.ingest
    out.print(
        f"{report.rows:,} rows read: {result.stored:,} messages stored, "
        f"{result.duplicates:,} already there, {report.bad_rows:,} bad rows skipped; "
        f"{result.conversations_opened:,} conversations opened, "
        f"{result.conversations_merged:,} merged, {result.conversations_reopened:,} reopened."
    )
    for bad in report.bad_row_samples:
        out.print(f"  line {bad.line}: {bad.reason}", highlight=False, markup=False)
    if report.bad_rows > len(report.bad_row_samples):
        out.print(f"  … and {report.bad_rows - len(report.bad_row_samples):,} more bad rows")
