"""The conversation event log, written beside the change it records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert

from caredesk.clock import utcnow
from caredesk.models.tables import conversation_events


def record_event(
    connection: Connection,
    workspace_id: int,
    conversation_id: int,
    kind: str,
    actor_agent_id: int | None = None,
    **data: Any,
) -> None:
    connection.execute(
        insert(conversation_events).values(
            workspace_id=workspace_id,
            conversation_id=conversation_id,
            kind=kind,
            actor_agent_id=actor_agent_id,
            data=data or None,
            created_at=utcnow(),
        )
    )
