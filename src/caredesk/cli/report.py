"""`caredesk report`: care metrics per brand account."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from caredesk.cli.store import CliState, fail
from caredesk.reporting.report import UNROUTED, workspace_report
from caredesk.workspaces import DEFAULT_SLUG, UnknownWorkspaceError, workspace_id

out = Console()


def report_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    workspace: Annotated[str, typer.Option(help="Workspace to report on.")] = DEFAULT_SLUG,
) -> None:
    """Per brand account: conversations, answered, median first response, responses per interaction."""
    state: CliState = ctx.obj
    engine = state.engine()
    try:
        report = workspace_report(engine, workspace_id(engine, workspace))
    except UnknownWorkspaceError as error:
        raise fail(str(error)) from None
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        print_report(report)


def print_report(report: dict[str, Any]) -> None:
    table = Table(title="Customer care by brand account", title_justify="left")
    table.add_column("Brand account")
    table.add_column("Conversations", justify="right")
    table.add_column("Answered", justify="right")
    table.add_column("Median first response", justify="right")
    table.add_column("Responses / interaction", justify="right")
    rows = list(report["brands"].items())
    if report["unrouted"]:
        rows.append((UNROUTED, report["unrouted"]))
    for handle, figures in rows:
        table.add_row(
            handle,
            f"{figures['conversations']:,}",
            f"{figures['answered']:,}",
            _duration(figures["median_first_response_s"]),
            "—"
            if figures["mean_responses_per_interaction"] is None
            else f"{figures['mean_responses_per_interaction']:.2f}",
        )
    out.print(table)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
