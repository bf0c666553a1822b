"""`caredesk user …`: people who sign in."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from caredesk.auth.passwords import WeakPasswordError
from caredesk.cli.store import CliState, fail
from caredesk.db.engine import write_transaction
from caredesk.models import Role
from caredesk.people import AgentExistsError, add_agent
from caredesk.workspaces import DEFAULT_SLUG, ensure_workspace

app = typer.Typer(help="Manage the people who sign in.", no_args_is_help=True)


@app.command("add")
def add_user(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="Their e-mail address: they sign in with it.")],
    name: Annotated[str, typer.Option(help="Name shown to colleagues.")] = "",
    role: Annotated[Role, typer.Option(help="admin, supervisor, agent or read_only.")] = Role.ADMIN,
    workspace: Annotated[str, typer.Option(help="Workspace they belong to.")] = DEFAULT_SLUG,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add someone who can sign in (the first one is usually an admin)."""
    state: CliState = ctx.obj
    engine = state.engine()
    password = input() if password_stdin else getpass.getpass("Password (10+ characters): ")
    workspace_id = ensure_workspace(engine, workspace)
    try:
        with write_transaction(engine) as connection:
            add_agent(connection, workspace_id, email, name or email, role, password)
    except (AgentExistsError, WeakPasswordError, ValueError) as error:
        raise fail(str(error)) from None
    typer.echo(f"{email} can now sign in as {role.value}.")
