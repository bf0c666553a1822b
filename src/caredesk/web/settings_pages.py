"""Settings pages for admins: the brand's accounts on each network."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from caredesk.actions.accounts import do_connect_account, do_set_account_status, list_accounts, require_admin
from caredesk.connectors.accounts import AccountSetupError, setting_names
from caredesk.connectors.networks import NETWORKS, network
from caredesk.connectors.secrets import SecretKeyError
from caredesk.db.engine import write_transaction
from caredesk.models import AccountStatus
from caredesk.web.deps import engine_of
from caredesk.web.pages import Me, RowId, _render
from caredesk.web.webhooks import vault_of

router = APIRouter(include_in_schema=False)
MAX_FIELD = 4_000


def _networks() -> list[dict[str, Any]]:
    return [
        {"name": name, "settings": setting_names(name), "secrets": network(name).secret_names}
        for name in NETWORKS
    ]


def _page(request: Request, current: Me, error: str | None = None, done: str | None = None) -> HTMLResponse:
    with engine_of(request).connect() as connection:
        accounts = list_accounts(connection, current.viewer)
    return _render(
        request, "settings_accounts.html", me=current.viewer, csrf=current.signed_in.csrf_token,
        accounts=accounts, networks=_networks(), error=error, done=done, query=None,
    )  # fmt: skip


@router.get("/settings/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, current: Me) -> HTMLResponse:
    require_admin(current.viewer)
    return _page(request, current)


@router.post("/settings/accounts", response_class=HTMLResponse)
async def connect_account(request: Request, current: Me) -> HTMLResponse:
    require_admin(current.viewer)
    form = await request.form()
    fields = {key: str(value)[:MAX_FIELD].strip() for key, value in form.items() if isinstance(value, str)}
    return await run_in_threadpool(_connect, request, current, fields)


def _connect(request: Request, current: Me, fields: dict[str, str]) -> HTMLResponse:
    name = fields.get("network", "")
    if name not in NETWORKS:
        return _page(request, current, error="choose a network")
    known = network(name)
    settings = {setting: fields.get(f"setting_{setting}", "") for setting in setting_names(name)}
    secrets = {secret: fields.get(f"secret_{secret}", "") for secret in known.secret_names}
    try:
        with write_transaction(engine_of(request)) as connection:
            do_connect_account(
                connection, current.viewer, vault_of(request), name, fields.get("handle", ""),
                fields.get("platform_id") or None, settings, secrets,
            )  # fmt: skip
    except (AccountSetupError, SecretKeyError) as error:
        return _page(request, current, error=str(error))
    return _page(request, current, done=f"{name} account {fields.get('handle', '').lstrip('@')} is connected")


@router.post("/settings/accounts/{account_id}/status", response_class=HTMLResponse)
def account_status(
    request: Request,
    account_id: RowId,
    current: Me,
    status: Annotated[str, Form(pattern="^(active|paused)$")],
) -> HTMLResponse:
    with write_transaction(engine_of(request)) as connection:
        do_set_account_status(connection, current.viewer, account_id, AccountStatus(status))
    return _page(request, current)
