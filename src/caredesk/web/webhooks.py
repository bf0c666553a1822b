"""Webhook endpoints: `/webhooks/{network}/{key}`, one address per brand account.

GET answers the network's verification handshake. POST verifies the signature over the raw
bytes, stores the delivery untouched and answers 200 at once; a worker parses it later
(`caredesk.connectors.intake`). A wrong signature writes nothing. Identical re-deliveries are
stored once; the same message in two different deliveries is deduplicated by ingest.
"""

from __future__ import annotations

import time

import orjson
from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from caredesk.connectors.accounts import account_for_webhook
from caredesk.connectors.base import AccountConfig, InvalidSignature, WebhookNetwork
from caredesk.connectors.networks import NETWORKS, network, receives_webhooks
from caredesk.connectors.secrets import Vault
from caredesk.settings import get_settings

router = APIRouter(prefix="/webhooks", tags=["webhooks"], include_in_schema=False)

MAX_DEPTH = 64
ACCOUNT_TTL_S = 5.0
MAX_CACHED = 10_000


def vault_of(request: Request) -> Vault:
    state = request.app.state
    if getattr(state, "vault", None) is None:
        state.vault = Vault.from_settings(get_settings())
    vault: Vault = state.vault
    return vault


def _receiver(request: Request, network_name: str, key: str) -> tuple[WebhookNetwork, AccountConfig]:
    receiver = receives_webhooks(network(network_name)) if network_name in NETWORKS else None
    if receiver is None or len(key) > 64:
        raise HTTPException(404, "no such webhook")
    # A network sends bursts to one address: the account (looked up and decrypted: a fifth of
    # a delivery's server time) is kept for a few seconds, so a change applies that much later.
    cache: dict[tuple[str, str], tuple[float, AccountConfig | None]] = request.app.state.webhook_accounts
    now = time.monotonic()
    cached = cache.get((network_name, key))
    if cached is not None and cached[0] > now:
        account = cached[1]
    else:
        engine: Engine = request.app.state.engine
        with engine.connect() as connection:
            account = account_for_webhook(connection, vault_of(request), network_name, key)
        if len(cache) > MAX_CACHED:
            cache.clear()
        cache[(network_name, key)] = (now + ACCOUNT_TTL_S, account)
    if account is None:
        raise HTTPException(404, "no such webhook")
    return receiver, account


@router.get("/{network_name}/{key}")
def handshake(request: Request, network_name: str, key: str) -> Response:
    receiver, account = _receiver(request, network_name, key)
    reply = receiver.handshake(account, dict(request.query_params))
    return Response(reply.body, status_code=reply.status, media_type=reply.media_type)


@router.post("/{network_name}/{key}")
async def deliver(request: Request, network_name: str, key: str) -> Response:
    body = await request.body()
    return await run_in_threadpool(_deliver, request, network_name, key, body)


def _deliver(request: Request, network_name: str, key: str, body: bytes) -> Response:
    receiver, account = _receiver(request, network_name, key)
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        receiver.verify(account, headers, body)
    except InvalidSignature as error:
        raise HTTPException(403, f"signature refused: {error}") from None
    _check_shape(body)
    request.app.state.webhook_writer.store(account, body)
    return Response(b'{"ok":true}', media_type="application/json")


def _check_shape(body: bytes) -> None:
    """Refuse, before storing, what no parser could read: not JSON, or nested absurdly deep."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise HTTPException(400, "the body is not JSON") from None
    level, depth = [document], 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise HTTPException(400, f"the body is nested more than {MAX_DEPTH} levels deep")
        nested: list[object] = []
        for node in level:
            if isinstance(node, dict):
                nested.extend(value for value in node.values() if isinstance(value, dict | list))
            elif isinstance(node, list):
                nested.extend(value for value in node if isinstance(value, dict | list))
        level = nested
