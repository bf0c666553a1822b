"""`caredesk demo`: a fresh database from the bundled real tweets, and the inbox on it."""

from __future__ import annotations

import secrets
from importlib.resources import as_file, files
from pathlib import Path
from typing import Annotated

import typer

from caredesk.cli.imports import print_import_report, run_with_progress
from caredesk.cli.report import out, print_report
from caredesk.cli.serve import run_server
from caredesk.cli.store import open_store
from caredesk.clock import utcnow
from caredesk.db.engine import write_transaction
from caredesk.importers.twcs import latest_time
from caredesk.ingest.pipeline import Ingestor
from caredesk.models import Role
from caredesk.people import add_agent, add_team, join_team
from caredesk.reporting.report import workspace_report
from caredesk.settings import get_settings
from caredesk.workspaces import ensure_workspace

SAMPLE = "twcs_head5000.csv"
DEMO_DATABASE = Path("caredesk-demo.db")
# A team that answers for the telecom brands of the sample, to show scoped access.
TELECOM = [
    "sprintcare",
    "TMobileHelp",
    "VerizonSupport",
    "O2",
    "idea_cares",
    "USCellularCares",
    "Ask_Spectrum",
]


def demo_command(
    database: Annotated[
        Path, typer.Option(help="SQLite file for the demo; replaced if it exists.")
    ] = DEMO_DATABASE,
    host: Annotated[str, typer.Option(help="Address to serve the inbox on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve the inbox on.")] = 8000,
    serve: Annotated[bool, typer.Option(help="Serve the inbox once the data is in.")] = True,
) -> None:
    """Create a fresh demo from 5,000 real customer-care tweets and open the inbox on it."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    engine = open_store(f"sqlite:///{database}")
    workspace = ensure_workspace(engine, "default", "Caredesk demo")
    ingestor = Ingestor(
        engine, workspace, reopen_window=get_settings().reopen_window, create_accounts=True, triage=True
    )
    with as_file(files("caredesk.demo").joinpath(SAMPLE)) as sample:
        newest = latest_time(sample)
        shift = utcnow() - newest if newest else None
        report = run_with_progress(ingestor, sample, batch_size=5_000, shift=shift)
    print_import_report(report)
    print_report(workspace_report(engine, workspace))
    admin_password, agent_password = secrets.token_urlsafe(9), secrets.token_urlsafe(9)
    with write_transaction(engine) as connection:
        add_agent(connection, workspace, "alex@demo.caredesk", "Alex Morgan", Role.ADMIN, admin_password)
        sam = add_agent(connection, workspace, "sam@demo.caredesk", "Sam Rivera", Role.AGENT, agent_password)
        join_team(connection, add_team(connection, workspace, "Telecom", TELECOM), sam)
    out.print(
        "\n[bold]The demo is ready.[/] Real tweets to 73 brands (Customer Support on Twitter, "
        "CC BY-NC-SA 4.0), replayed so the newest is from just now. Replies go to the "
        "built-in loopback network.\n"
        f"  Sign in as the admin:  [bold]alex@demo.caredesk[/]  password [bold]{admin_password}[/]\n"
        f"  or as a Telecom agent: [bold]sam@demo.caredesk[/]   password [bold]{agent_password}[/]",
        highlight=False,
    )
    if serve:
        out.print(
            f"\nOpen [bold]http://{host}:{port}/[/] in a browser. Ctrl+C stops the demo.", highlight=False
        )
        run_server(engine, host, port)
    else:
        out.print(f"\nServe it with: caredesk --database sqlite:///{database} serve", highlight=False)
