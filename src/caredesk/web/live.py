"""Live updates: Server-Sent Events that follow the conversation event log.

Each web process polls the log (it is in the database, so what another process or machine
wrote shows up too) and forwards only events of conversations the viewer may see, checked
with the same rule as every list and getter.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine, func, select
from starlette.concurrency import run_in_threadpool

from caredesk.access import NotFoundError, Viewer, load_viewer, visible_to
from caredesk.auth.sessions import signed_in
from caredesk.models.tables import conversation_events, conversations
from caredesk.web.deps import Session, engine_of, session

router = APIRouter(tags=["live"])
POLL_S = 0.5
HEARTBEAT_S = 15.0
RECHECK_S = 2.0
BATCH = 200


@dataclass(frozen=True, slots=True)
class LiveEvent:
    id: int
    conversation_id: int
    kind: str
    actor_agent_id: int | None
    data: dict[str, Any]

    def as_sse(self) -> str:
        payload = {
            "conversation_id": self.conversation_id,
            "kind": self.kind,
            "actor_agent_id": self.actor_agent_id,
            **self.data,
        }
        return f"id: {self.id}\nevent: {self.kind}\ndata: {json.dumps(payload)}\n\n"


def latest_event_id(engine: Engine, viewer: Viewer) -> int:
    with engine.connect() as connection:
        return int(
            connection.scalar(
                select(func.coalesce(func.max(conversation_events.c.id), 0)).where(
                    conversation_events.c.workspace_id == viewer.workspace_id
                )
            )
            or 0
        )


def events_after(engine: Engine, viewer: Viewer, after: int) -> tuple[list[LiveEvent], int]:
    """Visible events after `after`, and the cursor to continue from (past invisible ones too)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                conversation_events.c.id,
                conversation_events.c.conversation_id,
                conversation_events.c.kind,
                conversation_events.c.actor_agent_id,
                conversation_events.c.data,
                visible_to(viewer).label("visible"),
            )
            .join(conversations, conversations.c.id == conversation_events.c.conversation_id)
            .where(
                conversation_events.c.workspace_id == viewer.workspace_id, conversation_events.c.id > after
            )
            .order_by(conversation_events.c.id)
            .limit(BATCH)
        ).all()
    cursor = rows[-1].id if rows else after
    visible = [
        LiveEvent(r.id, r.conversation_id, r.kind, r.actor_agent_id, r.data or {}) for r in rows if r.visible
    ]
    return visible, cursor


def current_viewer(engine: Engine, token: str) -> Viewer | None:
    """The viewer behind `token` now: None once signed out, expired or deactivated."""
    with engine.connect() as connection:
        found = signed_in(connection, token)
        if found is None:
            return None
        try:
            return load_viewer(connection, found.agent_id)
        except NotFoundError:
            return None


async def stream(
    request: Request, engine: Engine, viewer: Viewer, token: str, after: int
) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    quiet = 0.0
    checked_at = time.monotonic()
    while not await request.is_disconnected():
        events, cursor = await run_in_threadpool(events_after, engine, viewer, after)
        if events or time.monotonic() - checked_at >= RECHECK_S:
            # Access can change while the stream is open (sign-out, deactivation, a team
            # left): it is checked again before anything is forwarded.
            checked_at = time.monotonic()
            checked = await run_in_threadpool(current_viewer, engine, token)
            if checked is None:
                yield "event: signed-out\ndata: {}\n\n"
                return
            if checked != viewer:
                viewer = checked
                events, cursor = await run_in_threadpool(events_after, engine, viewer, after)
        after = cursor
        for event in events:
            yield event.as_sse()
        if events:
            quiet = 0.0
            continue
        await asyncio.sleep(POLL_S)
        quiet += POLL_S
        if quiet >= HEARTBEAT_S:
            quiet = 0.0
            yield ": still here\n\n"


@router.get("/live", summary="Server-Sent Events for the signed-in agent", response_class=StreamingResponse)
async def live(request: Request, current: Session = Depends(session)) -> StreamingResponse:  # noqa: B008
    engine = engine_of(request)
    last = request.headers.get("last-event-id", "").strip()
    if not last:
        after = await run_in_threadpool(latest_event_id, engine, current.viewer)
    elif last.isascii() and last.isdigit() and len(last) <= 18:
        after = int(last)
    else:
        raise HTTPException(400, "Last-Event-ID must be the id of an event this stream sent")
    return StreamingResponse(
        stream(request, engine, current.viewer, current.token, after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
