"""Live updates: Server-Sent Events that follow the conversation event log.

Each web process polls the log (it is in the database, so what another process or machine
wrote shows up too) and forwards only events of conversations the viewer may see, checked
with the same rule as every list and getter.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine, func, select
from starlette.concurrency import run_in_threadpool

from caredesk.access import Viewer, visible_to
from caredesk.models.tables import conversation_events, conversations
from caredesk.web.deps import Session, engine_of, session

router = APIRouter(tags=["live"])
POLL_S = 0.5
HEARTBEAT_S = 15.0
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


async def stream(request: Request, engine: Engine, viewer: Viewer, after: int) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    quiet = 0.0
    while not await request.is_disconnected():
        events, after = await run_in_threadpool(events_after, engine, viewer, after)
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
    last = request.headers.get("last-event-id", "")
    after = int(last) if last.isdigit() else await run_in_threadpool(latest_event_id, engine, current.viewer)
    return StreamingResponse(
        stream(request, engine, current.viewer, after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
