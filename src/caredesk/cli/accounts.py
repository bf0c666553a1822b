"""`caredesk account …`: the brand's accounts on each network."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from caredesk.cli.store import CliState, fail
from caredesk.connectors.accounts import AccountSetupError, add_account, check_fields, flag_account
from caredesk.connectors.networks import NETWORKS, UnknownNetworkError, network
from caredesk.connectors.secrets import SecretKeyError, Vault
from caredesk.db.engine import write_transaction
from caredesk.models import AccountStatus
from caredesk.models.tables import brand_accounts
from caredesk.settings import get_settings
from caredesk.workspaces import DEFAULT_SLUG, ensure_workspace

app = typer.Typer(help="Connect the brand's accounts on each network.", no_args_is_help=True)


def _pairs(values: list[str], what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name:
            raise fail(f"--{what} takes NAME=VALUE, got {value!r}")
        pairs[name.strip()] = setting.strip()
    return pairs


def _secret_value(name: str) -> str:
    """From $CAREDESK_ACCOUNT_<NAME>, else a hidden prompt: never from the command line,
    where it would stay in the shell's history and the process list."""
    from_env = os.environ.get(f"CAREDESK_ACCOUNT_{name.upper()}")
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise fail(f"set CAREDESK_ACCOUNT_{name.upper()} or run interactively to be asked for {name}")
    return getpass.getpass(f"{name}: ")


@app.command("add")
def add(
    ctx: typer.Context,
    network_name: Annotated[str, typer.Argument(metavar="NETWORK", help=f"One of: {', '.join(NETWORKS)}.")],
    handle: Annotated[str, typer.Argument(help="The account's handle, page name or address.")],
    platform_id: Annotated[
        str | None, typer.Option(help="The network's id for the account (DID, user id, page id).")
    ] = None,
    setting: Annotated[
        list[str] | None, typer.Option("--setting", help="NAME=VALUE, e.g. api_base=https://… (repeatable).")
    ] = None,
    secret: Annotated[
        list[str] | None,
        typer.Option(
            "--secret",
            help="NAME of a credential to store encrypted (repeatable); its value is read from "
            "$CAREDESK_ACCOUNT_<NAME> or asked for.",
        ),
    ] = None,
    workspace: Annotated[str, typer.Option(help="Workspace the account belongs to.")] = DEFAULT_SLUG,
) -> None:
    """Connect an account (or reconfigure it): replies to its conversations then go out through
    its network, and what it receives comes in."""
    state: CliState = ctx.obj
    try:
        known = network(network_name)
        settings = _pairs(setting or [], "setting")
        check_fields(network_name, settings, dict.fromkeys(secret or [], "?"))
    except (UnknownNetworkError, AccountSetupError) as error:
        raise fail(str(error)) from None
    secrets = {name: _secret_value(name) for name in secret or []}
    engine = state.engine()
    workspace_id = ensure_workspace(engine, workspace)
    try:
        with write_transaction(engine) as connection:
            account_id = add_account(
                connection, Vault.from_settings(get_settings()), workspace_id, network_name, handle,
                platform_id=platform_id, settings=settings, secrets=secrets,
            )  # fmt: skip
            key = connection.scalar(
                select(brand_accounts.c.webhook_key).where(brand_accounts.c.id == account_id)
            )
    except (AccountSetupError, SecretKeyError) as error:
        raise fail(str(error)) from None
    typer.echo(f"{network_name} account {handle} is connected (id {account_id}).")
    if hasattr(known, "verify"):
        typer.echo(f"Point the network's webhook at: https://<your host>/webhooks/{network_name}/{key}")
    missing = [name for name in known.secret_names if name not in secrets]
    if missing:
        typer.echo(f"Not stored yet: {', '.join(missing)} (add them with --secret when you have them).")


@app.command("list")
def list_accounts(ctx: typer.Context) -> None:
    """The connected accounts and their state; credentials are never shown."""
    state: CliState = ctx.obj
    with state.engine().connect() as connection:
        rows = connection.execute(
            select(
                brand_accounts.c.id, brand_accounts.c.network, brand_accounts.c.handle,
                brand_accounts.c.status, brand_accounts.c.status_reason, brand_accounts.c.cursor,
                brand_accounts.c.secrets.is_not(None).label("connected"),
            ).order_by(brand_accounts.c.network, brand_accounts.c.handle)
        ).all()  # fmt: skip
    table = Table("id", "network", "handle", "state", "receiving from")
    for row in rows:
        state_text = row.status if row.connected else "history only"
        if row.status_reason:
            state_text += f": {row.status_reason}"
        table.add_row(str(row.id), row.network, row.handle, state_text, row.cursor or "")
    Console().print(table)


@app.command("pause")
def pause(ctx: typer.Context, account_id: int) -> None:
    """Stop receiving and sending for an account."""
    _set_status(ctx, account_id, AccountStatus.PAUSED, "paused from the command line")


@app.command("resume")
def resume(ctx: typer.Context, account_id: int) -> None:
    """Receive and send again (after pausing, or after renewing its credentials)."""
    _set_status(ctx, account_id, AccountStatus.ACTIVE, None)


def _set_status(ctx: typer.Context, account_id: int, status: AccountStatus, reason: str | None) -> None:
    state: CliState = ctx.obj
    with write_transaction(state.engine()) as connection:
        if connection.scalar(select(brand_accounts.c.id).where(brand_accounts.c.id == account_id)) is None:
            raise fail(f"no account {account_id}: see `caredesk account list`")
        flag_account(connection, account_id, status, reason)
    typer.echo(f"account {account_id} is {status.value}")
