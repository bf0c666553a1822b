"""Hearing public posts: a workspace's listening rules applied to every public post a
connector sees (a firehose, a search), whether or not it tags the brand.

Everything a rule matches is kept for analysis (`listening_matches`). A post that names one
of the brand's own names or products without tagging it, and that needs care (triage finds
it actionable, or an unhappy complaint), becomes a conversation of the rule's brand account,
so the team answers it on the same network like any mention.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from caredesk.clock import utcnow
from caredesk.db.engine import write_transaction
from caredesk.db.upsert import insert_if_absent
from caredesk.ingest.inbound import InboundMessage
from caredesk.ingest.pipeline import Ingestor
from caredesk.ingest.triaging import Triager
from caredesk.listening import Hit, InvalidRule, Matcher, Rule, RuleKind
from caredesk.models import Direction, Visibility
from caredesk.models.tables import brand_accounts, listening_matches, listening_rules, messages

BRAND_KINDS = frozenset({RuleKind.BRAND, RuleKind.PRODUCT})


def add_rule(
    connection: Connection,
    workspace_id: int,
    kind: RuleKind,
    name: str,
    terms: Sequence[str],
    exclusions: Sequence[str] = (),
    brand_account_id: int | None = None,
) -> int:
    """A new rule of the workspace, checked as the matcher will read it (`InvalidRule`)."""
    rule = Rule(id=1, kind=RuleKind(kind), terms=tuple(terms), exclusions=tuple(exclusions))
    name = " ".join(name.split())[:200] or rule.terms[0]
    if brand_account_id is not None:
        owner = connection.scalar(
            select(brand_accounts.c.workspace_id).where(brand_accounts.c.id == brand_account_id)
        )
        if owner != workspace_id:
            raise InvalidRule(name, "brand_account_id", "no such account in this workspace")
    return int(
        connection.scalar(
            listening_rules.insert()
            .values(
                workspace_id=workspace_id, kind=rule.kind.value, name=name, terms=list(rule.terms),
                exclusions=list(rule.exclusions), brand_account_id=brand_account_id,
                created_at=utcnow(), updated_at=utcnow(),
            )
            .returning(listening_rules.c.id)
        )
    )  # fmt: skip


@dataclass(slots=True)
class Heard:
    posts: int = 0
    matched: int = 0
    conversations: int = 0


class Listener:
    """Applies one workspace's rules; picks up changed rules within `refresh_s` seconds."""

    def __init__(self, engine: Engine, workspace_id: int, refresh_s: float = 30.0) -> None:
        self.engine, self.workspace_id, self.refresh_s = engine, workspace_id, refresh_s
        self._matcher = Matcher.compile(())
        self._accounts: dict[int, tuple[int, str]] = {}  # rule id -> (account id, handle)
        self._version: tuple[Any, ...] | None = None
        self._checked = -float("inf")
        self._ingestor = Ingestor(engine, workspace_id, live=True)  # triage: given with each batch
        self._triager = Triager()

    def matcher(self) -> Matcher:
        now = time.monotonic()
        if now - self._checked < self.refresh_s:
            return self._matcher
        self._checked = now
        with self.engine.connect() as connection:
            version = tuple(
                connection.execute(
                    select(func.count(), func.max(listening_rules.c.updated_at)).where(
                        listening_rules.c.workspace_id == self.workspace_id
                    )
                ).one()
            )
            if version != self._version:
                self._load(connection)
                self._version = version
        return self._matcher

    def _load(self, connection: Connection) -> None:
        rows = connection.execute(
            select(
                listening_rules.c.id, listening_rules.c.kind, listening_rules.c.terms,
                listening_rules.c.exclusions, brand_accounts.c.id.label("account_id"),
                brand_accounts.c.handle,
            )
            .outerjoin(brand_accounts, brand_accounts.c.id == listening_rules.c.brand_account_id)
            .where(listening_rules.c.workspace_id == self.workspace_id, listening_rules.c.enabled.is_(True))
        ).all()  # fmt: skip
        rules = [
            Rule(
                id=row.id,
                kind=RuleKind(row.kind),
                terms=tuple(row.terms),
                exclusions=tuple(row.exclusions or ()),
            )
            for row in rows
        ]
        self._matcher = Matcher.compile(rules)
        self._accounts = {row.id: (row.account_id, row.handle) for row in rows if row.account_id is not None}
        self._triager = Triager.for_workspace(connection, self.workspace_id)

    def hear(self, posts: Sequence[InboundMessage]) -> Heard:
        """Match public posts; keep what matched; open conversations for what needs care."""
        public = [p for p in posts if p.visibility is Visibility.PUBLIC and p.direction is Direction.INBOUND]
        heard = Heard(posts=len(public))
        found = [(post, hits) for post, hits in zip(public, self.matcher().match_many(p.text for p in public),
                                                   strict=True) if hits]  # fmt: skip
        if not found:
            return heard
        heard.matched = len(found)
        with write_transaction(self.engine) as connection:
            for post, hits in found:
                for hit in hits:
                    self._keep(connection, post, hit)
        caring, triaged = self._needing_care(found)
        if caring:
            self._ingestor.ingest(caring, also=self._link, triaged=triaged)
            heard.conversations = len(caring)
        return heard

    def _keep(self, connection: Connection, post: InboundMessage, hit: Hit) -> None:
        author = post.customer
        insert_if_absent(
            connection, listening_matches, ["rule_id", "network", "network_message_id"],
            workspace_id=self.workspace_id, rule_id=hit.rule_id, network=post.network,
            network_message_id=post.network_message_id, text=post.text[:10_000], term=hit.term[:200],
            author_platform_id=author.platform_user_id if author else None,
            author_handle=author.handle if author else None,
            posted_at=post.created_at, matched_at=utcnow(), raw=post.raw,
        )  # fmt: skip

    def _needing_care(
        self, found: list[tuple[InboundMessage, list[Hit]]]
    ) -> tuple[list[InboundMessage], list[dict[str, Any] | None]]:
        """Posts naming the brand (untagged) that expect something of it, as messages of the
        brand account the rule answers from, with their triage (ingest stores it as it is)."""
        candidates: list[InboundMessage] = []
        for post, hits in found:
            brand_hit = next((h for h in hits if h.kind in BRAND_KINDS and h.rule_id in self._accounts), None)
            if brand_hit is not None and post.brand_handle is None:
                candidates.append(replace(post, brand_handle=self._accounts[brand_hit.rule_id][1]))
        caring: list[InboundMessage] = []
        triaged: list[dict[str, Any] | None] = []
        for post, triage in zip(candidates, self._triager.results(candidates), strict=True):
            if triage is not None and (
                triage["actionable"] or (triage["complaint"] and triage["sentiment"] == "negative")
            ):
                caring.append(post)
                triaged.append(triage)
        return caring, triaged

    def _link(self, connection: Connection) -> None:
        """Point each kept match at the conversation its post became (same transaction)."""
        connection.execute(
            update(listening_matches)
            .where(
                listening_matches.c.workspace_id == self.workspace_id,
                listening_matches.c.conversation_id.is_(None),
                listening_matches.c.network == messages.c.network,
                listening_matches.c.network_message_id == messages.c.network_message_id,
                messages.c.workspace_id == self.workspace_id,
            )
            .values(conversation_id=messages.c.conversation_id)
        )
