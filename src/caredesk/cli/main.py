"""The `caredesk` command: one entry point, one sub-command per job."""

from __future__ import annotations

from typing import Annotated

import typer

from caredesk import __version__
from caredesk.cli import accounts, imports, listening, models, users
from caredesk.cli.demo import demo_command
from caredesk.cli.report import report_command
from caredesk.cli.serve import serve_command, worker_command
from caredesk.cli.store import CliState
from caredesk.cli.triage import triage_command
from caredesk.settings import get_settings

app = typer.Typer(
    help="Caredesk: social customer care. One conversation, one owner, answered on the same network.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(imports.app, name="import")
app.add_typer(users.app, name="user")
app.add_typer(accounts.app, name="account")
app.add_typer(listening.app, name="listen")
app.add_typer(models.app, name="models")
app.command("serve")(serve_command)
app.command("worker")(worker_command)
app.command("report")(report_command)
app.command("demo")(demo_command)
app.command("triage")(triage_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"caredesk {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="Database URL (default: $CAREDESK_DATABASE_URL, else sqlite:///caredesk.db).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    ctx.obj = CliState(database or get_settings().database_url)


@app.command()
def migrate(ctx: typer.Context) -> None:
    """Bring the database schema up to date (every command also does this on start)."""
    state: CliState = ctx.obj
    state.engine()
    typer.echo("database is up to date")


def main() -> None:
    app()
