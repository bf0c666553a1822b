"""`caredesk listen …`: what the workspace listens for on public networks."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from caredesk.cli.store import CliState, fail
from caredesk.connectors.listening import add_rule
from caredesk.db.engine import write_transaction
from caredesk.listening import InvalidRule, RuleKind
from caredesk.models.tables import brand_accounts, listening_matches, listening_rules
from caredesk.workspaces import DEFAULT_SLUG, ensure_workspace

app = typer.Typer(help="Listen for the brand, its products, competitors and keywords.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    kind: Annotated[RuleKind, typer.Argument(help="brand, product, competitor or keyword.")],
    name: Annotated[str, typer.Argument(help="A name for the rule, shown in reports.")],
    term: Annotated[list[str], typer.Option("--term", help="A word or phrase to listen for (repeatable).")],
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="A phrase that cancels a match (repeatable).")
    ] = None,
    account: Annotated[
        str | None,
        typer.Option(help="NETWORK:HANDLE of the brand account that answers posts this rule finds."),
    ] = None,
    workspace: Annotated[str, typer.Option(help="Workspace the rule belongs to.")] = DEFAULT_SLUG,
) -> None:
    """Add a rule. Posts naming the brand without tagging it become conversations of --account
    when they need care; every match is kept for reports."""
    state: CliState = ctx.obj
    engine = state.engine()
    workspace_id = ensure_workspace(engine, workspace)
    with write_transaction(engine) as connection:
        account_id = None
        if account:
            network_name, _, handle = account.partition(":")
            account_id = connection.scalar(
                select(brand_accounts.c.id).where(
                    brand_accounts.c.workspace_id == workspace_id,
                    brand_accounts.c.network == network_name,
                    brand_accounts.c.handle == handle.lstrip("@"),
                )
            )
            if account_id is None:
                raise fail(f"no account {account}: see `caredesk account list` (write it as network:handle)")
        try:
            rule_id = add_rule(connection, workspace_id, kind, name, term, exclude or (), account_id)
        except InvalidRule as error:
            raise fail(str(error)) from None
    typer.echo(f"listening for {', '.join(term)} (rule {rule_id})")


@app.command("list")
def list_rules(ctx: typer.Context) -> None:
    """The rules and how many posts each matched."""
    state: CliState = ctx.obj
    matched = (
        select(func.count())
        .where(listening_matches.c.rule_id == listening_rules.c.id)
        .scalar_subquery()
        .label("matched")
    )
    with state.engine().connect() as connection:
        rows = connection.execute(
            select(
                listening_rules.c.id, listening_rules.c.kind, listening_rules.c.name, listening_rules.c.terms,
                listening_rules.c.exclusions, matched,
            ).order_by(listening_rules.c.kind, listening_rules.c.name)
        ).all()  # fmt: skip
    table = Table("id", "kind", "name", "terms", "except", "matched")
    for row in rows:
        table.add_row(
            str(row.id),
            row.kind,
            row.name,
            ", ".join(row.terms),
            ", ".join(row.exclusions or ()),
            f"{row.matched:,}",
        )
    Console().print(table)
