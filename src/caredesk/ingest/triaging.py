"""Triage inside ingest: each new customer message is triaged, and its conversation takes the
priority and the flags the inbox shows ("why is this first?", "take private")."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from caredesk.ingest.inbound import InboundMessage
from caredesk.ingest.sql import among
from caredesk.models import Direction, RuleKind, Visibility
from caredesk.models.tables import conversations, listening_rules

log = logging.getLogger(__name__)

# What a conversation keeps from its latest customer message's triage.
SHOWN = (
    "language", "sentiment", "complaint", "actionable", "intent", "urgency", "urgency_reasons",
    "competitor", "opportunity", "priority_reasons",
)  # fmt: skip


class Triager:
    """Triages a batch of messages for one workspace (its competitors come from listening)."""

    def __init__(self, competitors: Sequence[str] = ()) -> None:
        self.competitors = tuple(competitors)

    @classmethod
    def for_workspace(cls, connection: Connection, workspace_id: int) -> Triager:
        terms = connection.scalars(
            select(listening_rules.c.terms).where(
                listening_rules.c.workspace_id == workspace_id,
                listening_rules.c.kind == RuleKind.COMPETITOR.value,
                listening_rules.c.enabled.is_(True),
            )
        )
        return cls([term for rule_terms in terms for term in rule_terms or ()])

    def results(self, messages: Sequence[InboundMessage]) -> list[dict[str, Any] | None]:
        """Each customer message's triage as stored; None for the brand's own messages.

        Triage never stops ingest: if it fails, the messages are stored untriaged and logged."""
        from caredesk.triage.batch import triage_batch  # loads the models on first use
        from caredesk.triage.inputs import TriageInput

        inbound = [i for i, m in enumerate(messages) if m.direction is Direction.INBOUND]
        found: list[dict[str, Any] | None] = [None] * len(messages)
        if not inbound:
            return found
        items = [
            TriageInput(
                text=message.text,
                network=message.network,
                followers=message.customer.followers if message.customer is not None else None,
                brand=message.brand_handle,
                competitors=self.competitors,
                public=message.visibility is Visibility.PUBLIC,
            )
            for message in (messages[i] for i in inbound)
        ]
        try:
            triaged = triage_batch(items)
        except Exception:
            log.exception("triage failed for a batch of %d messages; stored untriaged", len(items))
            return found
        for i, result in zip(inbound, triaged, strict=True):
            found[i] = result.to_json()
        return found


def apply_to_conversations(
    connection: Connection,
    messages: Sequence[InboundMessage],
    triage: Sequence[dict[str, Any] | None],
    conversation_of: Sequence[int],
) -> None:
    """Give each conversation the priority and flags of its newest triaged customer message.

    "Take private" sticks once personal data was posted in public, until the conversation is
    taken private; a competitor's customer stays marked as an opportunity."""
    latest: dict[int, tuple[InboundMessage, dict[str, Any]]] = {}
    for message, found, conversation_id in zip(messages, triage, conversation_of, strict=True):
        if found is None:
            continue
        held = latest.get(conversation_id)
        if held is None or message.created_at >= held[0].created_at:
            latest[conversation_id] = (message, found)
    if not latest:
        return
    before = dict(
        connection.execute(
            select(conversations.c.id, conversations.c.triage).where(
                among(connection, conversations.c.id, list(latest))
            )
        ).all()
    )
    rows = []
    for conversation_id, (message, found) in latest.items():
        previous = before.get(conversation_id) or {}
        exposed = sorted({span["type"] for span in found["pii"]}) if found["public"] else []
        flags = {name: found[name] for name in SHOWN}
        flags["public_pii"] = sorted(set(previous.get("public_pii", [])) | set(exposed))
        flags["take_private"] = bool(previous.get("take_private")) or bool(exposed)
        flags["opportunity"] = bool(previous.get("opportunity")) or found["opportunity"]
        flags["followers"] = message.customer.followers if message.customer else None
        rows.append({"conversation_id": conversation_id, "priority": found["priority"], "triage": flags})
    connection.execute(
        update(conversations)
        .where(conversations.c.id == bindparam("conversation_id"))
        .values(priority=bindparam("priority"), triage=bindparam("triage")),
        rows,
    )
