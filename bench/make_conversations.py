"""Build a realistic Caredesk database with N conversations, for the inbox latency benchmark.

The database is migrated with `caredesk.db.migrate.migrate`, so its schema and indexes are the
product's; the rows are then written straight through the DB-API (`insert_tuples` on SQLite,
COPY on PostgreSQL) with the secondary indexes and (on PostgreSQL) the foreign keys dropped
during the load and created again afterwards from their own saved definitions.

What a desk that has run on Caredesk for two years looks like, for N conversations:

* 50 brand accounts: the 40 busiest brands of the real TWCS sample on X, and some of them on
  Facebook, Instagram, Bluesky and e-mail; traffic per account follows the sample's skew;
* 0.4 × N contacts, one identity each on their network (8 % have a second one); how many
  conversations a contact has is skewed too (a few customers have over a hundred);
* conversations spread over 730 days, ids in time order; 1 to 6 messages (3.5 on average),
  texts replayed from the real sample (`src/caredesk/demo/twcs_head5000.csv`); about 8 %
  unresolved (open 5 %, pending 2.5 %, snoozed 0.5 %), more of them in the last 30 days;
  open ones mostly wait for an answer (the customer spoke last); priorities 0–100;
* 24 agents: an admin, a supervisor, and 5 teams of agents, each team answering for 10
  accounts. `agent@bench.test` is in team 1. Three quarters of the conversations have an
  owner from the team of their account; the owner's replies have an outbox row (sent).
  `narrow@bench.test`, alone in a sixth team, answers only for the quietest account (0.5 %
  of the queue) and owns nothing: an agent with a narrow scope;
* the event log a live desk writes (a "message" event per message, "assigned", "status",
  "delivery"), tags on 30 % of the conversations, and a few internal notes.

The summary columns of each conversation are computed from its messages by the product's
own `caredesk.ingest.summary.summarize`, so they are consistent with them.

SQLite files are cached in bench/.work/ under a name carrying the parameters, the generator
version and the schema revision. PostgreSQL data goes into the database of the URL, which
must be a scratch database: it is emptied when it holds an older generation. Usage:

    .venv/bin/python bench/make_conversations.py --conversations 1000000
    .venv/bin/python bench/make_conversations.py --database-url postgresql+psycopg://…
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from caredesk.ingest.summary import ConversationSummary
from make_twcs import SAMPLE, WORK_DIR, format_twitter_time, raw_records


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Bump when the generated data changes, so cached databases are rebuilt.
GENERATOR_VERSION = 2
DEFAULT_CONVERSATIONS = 1_000_000
WORKSPACE_SLUG = "bench-inbox"
PASSWORD = "bench inbox password, not secret"
ADMIN_EMAIL = "admin@bench.test"
AGENT_EMAIL = "agent@bench.test"  # the scoped agent: team 1, ten brand accounts
NARROW_EMAIL = "narrow@bench.test"  # team 6: the quietest brand account only
TEAMS = 5
AGENTS_PER_TEAM = 4  # besides agent@bench.test in team 1
CHUNK = 20_000  # conversations generated and written per transaction
SPAN = timedelta(days=730)
RECENT = timedelta(days=30)
NETWORK_MESSAGE_BASE = 900_000_000_000_000_000  # network ids of generated messages: base + id

# Messages per conversation: 1 … 6, 3.5 on average.
MESSAGE_COUNTS = (1,) * 5 + (2,) * 15 + (3,) * 30 + (4,) * 30 + (5,) * 12 + (6,) * 8
# Of the unresolved conversations: open, pending, snoozed.
UNRESOLVED_STATUSES = ("open",) * 62 + ("pending",) * 31 + ("snoozed",) * 7
# Probability that a conversation has an owner, by status.
OWNED = {"open": 0.35, "pending": 0.85, "snoozed": 0.9, "resolved": 0.75}
# Probability that the customer spoke last, by status (open: waiting for an answer).
CUSTOMER_LAST = {"open": 0.75, "pending": 0.0, "snoozed": 0.3, "resolved": 0.15}
# The brand accounts on networks other than X: (network, brand ranks, weight factor).
OTHER_NETWORKS = (
    ("facebook", range(4), 0.5),
    ("instagram", range(4, 7), 0.5),
    ("bluesky", range(7, 9), 0.6),
    ("email", range(9, 10), 0.5),
)
X_BRANDS = 40
FIRST_NAMES = _words(
    "Maria Li Omar Ana James Priya Chen Fatima John Sofia Ahmed Emma Lucas Yuki Olga Kwame Sara "
    "David Nina Pedro Aisha Tom Mei Ivan Leila Carlos Hannah Raj Zoe Mateo"
)
LAST_NAMES = _words(
    "Garcia Smith Khan Wang Silva Müller Rossi Okafor Tanaka Novak Dubois Jensen Costa Ali Brown "
    "Kowalski Nguyen Haddad Lopez Ivanova Mensah Sato Moreau Patel Fischer"
)
NOTES = (
    "Customer called too, see ticket in billing. Waiting for the refund team.",
    "Escalated to tier 2: the order shows as delivered but the customer disagrees.",
    "Known outage in the area until tonight, reply with the status page link.",
    "VIP: handle with care, high follower count.",
)
TAGS = _words(
    "billing refund delivery outage login app-bug complaint praise vip escalated fraud "
    "cancellation upgrade wifi baggage delay order-missing password account-locked shipping "
    "store-feedback product-question warranty spam legal press churn-risk survey callback "
    "duplicate"
)


@dataclass(frozen=True, slots=True)
class Spec:
    conversations: int
    seed: int = 1

    @property
    def key(self) -> str:
        return f"inbox-{self.conversations}c-s{self.seed}-g{GENERATOR_VERSION}-r{schema_head()}"


@cache
def schema_head() -> str:
    from alembic.script import ScriptDirectory

    from caredesk.db.migrate import alembic_config

    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def sqlite_path(spec: Spec) -> Path:
    return WORK_DIR / f"{spec.key}.db"


# --- the database -----------------------------------------------------------------------------


def ensure_sqlite(spec: Spec, *, force: bool = False, quiet: bool = False) -> Path:
    """The cached SQLite file for `spec`, generated unless it already exists."""
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    path = sqlite_path(spec)
    if path.exists() and not force:
        return path
    partial = path.with_suffix(".partial.db")
    _remove_sqlite(partial)
    from caredesk.db.engine import make_engine

    engine = make_engine(f"sqlite:///{partial}")
    try:
        generate(engine, spec, quiet=quiet)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    _remove_sqlite(path)
    os.replace(partial, path)  # only once complete: an interrupted build is never reused
    return path


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def ensure_postgresql(url: str, spec: Spec, *, force: bool = False, quiet: bool = False) -> None:
    """Generate `spec` into the PostgreSQL database of `url` unless it already holds it."""
    from sqlalchemy import text

    from caredesk.db.engine import make_engine
    from caredesk.db.migrate import migrate

    create_database_if_missing(url)
    engine = make_engine(url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            names = dict(connection.execute(text("SELECT slug, name FROM workspaces")).all())
        if names == {WORKSPACE_SLUG: spec.key} and not force:
            return
        if set(names) - {WORKSPACE_SLUG}:
            raise SystemExit(
                f"{_safe(url)} holds other workspaces ({', '.join(sorted(names))}): "
                "use a scratch database for the benchmark"
            )
        if names:
            _empty_postgresql(engine)
        generate(engine, spec, quiet=quiet)
    finally:
        engine.dispose()


def create_database_if_missing(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,))
        if found.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{parsed.database}"')


def sibling_url(url: str, suffix: str) -> str:
    """The URL of another database on the same PostgreSQL server."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}{suffix}").render_as_string(hide_password=False)


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _empty_postgresql(engine: Any) -> None:
    from sqlalchemy import text

    from caredesk.models import Base

    names = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


# --- generation ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    network: str
    handle: str
    team: int
    weight: float


def generate(engine: Any, spec: Spec, *, quiet: bool = False) -> None:
    """Migrate, then fill `engine`'s empty database with `spec`'s workspace."""
    from caredesk.db.migrate import migrate
    from caredesk.workspaces import ensure_workspace

    say = (lambda _message: None) if quiet else (lambda message: print(message, file=sys.stderr, flush=True))
    started = time.perf_counter()
    migrate(engine)
    workspace_id = ensure_workspace(engine, WORKSPACE_SLUG, name="generating")
    accounts, team_agents, admin_id = _people(engine, workspace_id)
    say(f"generating {spec.conversations:,} conversations ({spec.key}) on {engine.dialect.name}")
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            # Checked by construction; the pragma is per connection and only outside a transaction.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        saved = _drop_secondary(connection)
        connection.commit()
        counts = _fill(connection, workspace_id, accounts, team_agents, admin_id, spec, say)
        say(f"  rows written in {time.perf_counter() - started:.0f} s; building indexes")
        _restore_secondary(connection, saved)
        connection.commit()
    _finish(engine, workspace_id, spec, say)
    say(
        f"  done in {time.perf_counter() - started:.0f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )


def brands() -> list[tuple[str, int]]:
    """The sample's brands with their number of replies, busiest first."""
    replies = Counter(fields[2] for _raw, fields in raw_records(SAMPLE.read_bytes()) if fields[3] == "False")
    return replies.most_common()


def sample_texts() -> tuple[list[str], list[str]]:
    """The sample's customer texts and brand texts, in file order (bare CRs as line breaks)."""
    inbound: list[str] = []
    outbound: list[str] = []
    for _raw, fields in raw_records(SAMPLE.read_bytes()):
        text = fields[5].replace("\ue000", "\n")
        (inbound if fields[3] == "True" else outbound).append(text)
    return inbound, outbound


def _people(engine: Any, workspace_id: int) -> tuple[list[Account], list[list[int]], int]:
    from sqlalchemy import insert, select

    from caredesk.db.engine import write_transaction
    from caredesk.models import Role
    from caredesk.models.tables import brand_accounts
    from caredesk.people import add_agent, add_team, join_team

    ranked = brands()
    plan = [("x", handle, float(count)) for handle, count in ranked[:X_BRANDS]]
    for network, ranks, factor in OTHER_NETWORKS:
        # Handles differ per network (`add_team` names accounts by handle alone).
        plan += [(network, f"{ranked[r][0].lower()}.{network}", ranked[r][1] * factor) for r in ranks]
    plan.sort(key=lambda p: -p[2])
    with write_transaction(engine) as connection:
        for network, handle, _weight in plan:
            connection.execute(
                insert(brand_accounts).values(
                    workspace_id=workspace_id,
                    network=network,
                    handle=handle,
                    platform_id=f"{network}:{handle}",
                    display_name=handle,
                )
            )
        ids = {
            (network, handle): account_id
            for account_id, network, handle in connection.execute(
                select(brand_accounts.c.id, brand_accounts.c.network, brand_accounts.c.handle).where(
                    brand_accounts.c.workspace_id == workspace_id
                )
            )
        }
        # Teams answer for every fifth account by volume, so each gets a similar mix.
        accounts = [
            Account(ids[network, handle], network, handle, rank % TEAMS, weight)
            for rank, (network, handle, weight) in enumerate(plan)
        ]
        team_agents: list[list[int]] = []
        admin_id = add_agent(connection, workspace_id, ADMIN_EMAIL, "Ada Admin", Role.ADMIN, PASSWORD)
        add_agent(
            connection, workspace_id, "supervisor@bench.test", "Sam Supervisor", Role.SUPERVISOR, PASSWORD
        )
        for team in range(TEAMS):
            team_id = add_team(
                connection, workspace_id, f"Team {team + 1}", [a.handle for a in accounts if a.team == team]
            )
            members = []
            if team == 0:
                members.append(
                    add_agent(connection, workspace_id, AGENT_EMAIL, "Alex Agent", Role.AGENT, PASSWORD)
                )
            for n in range(AGENTS_PER_TEAM):
                email = f"agent{team + 1}-{n + 1}@bench.test"
                members.append(
                    add_agent(
                        connection, workspace_id, email, f"Agent {team + 1}.{n + 1}", Role.AGENT, PASSWORD
                    )
                )
            for agent_id in members:
                join_team(connection, team_id, agent_id)
            team_agents.append(members)
        quietest = min(accounts, key=lambda a: a.weight)
        team_id = add_team(connection, workspace_id, f"Team {TEAMS + 1}", [quietest.handle])
        narrow = add_agent(connection, workspace_id, NARROW_EMAIL, "Nico Narrow", Role.AGENT, PASSWORD)
        join_team(connection, team_id, narrow)
    return accounts, team_agents, admin_id


# Tables written in bulk: their secondary indexes (and on PostgreSQL their foreign keys and
# unique constraints) are dropped during the load and created again from their definitions.
BULK_TABLES = (
    "contacts",
    "identities",
    "conversations",
    "messages",
    "outbox",
    "conversation_events",
    "conversation_tags",
)


def _drop_secondary(connection: Any) -> list[str]:
    """Drop what slows the load; returns the statements that create it again."""
    tables = ", ".join(f"'{t}'" for t in BULK_TABLES)
    restore: list[str] = []
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master"
            f" WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({tables})"
        ).all()
        for name, sql in rows:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
            restore.append(sql)
        return restore
    constraints = connection.exec_driver_sql(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype"
        " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
        f" WHERE c.contype IN ('f', 'u') AND t.relname IN ({tables})"
    ).all()
    indexes = connection.exec_driver_sql(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i"
        f" WHERE i.schemaname = current_schema() AND i.tablename IN ({tables})"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
    ).all()
    for table, name, _definition, _kind in constraints:
        connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, definition in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
        restore.append(definition)
    # Unique constraints before the foreign keys that may rely on them.
    for table, name, definition, _kind in sorted(constraints, key=lambda c: c[3] != "u"):
        restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    return restore


def _restore_secondary(connection: Any, statements: list[str]) -> None:
    for statement in statements:
        connection.exec_driver_sql(statement)


def _finish(engine: Any, workspace_id: int, spec: Spec, say: Any) -> None:
    from sqlalchemy import text, update

    from caredesk.models import Base
    from caredesk.models.tables import workspaces

    _index_for_search(engine, say)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in Base.metadata.sorted_tables:
                if "id" in table.c and table.c.id.primary_key:
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                            f" (SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
                        )
                    )
        connection.execute(update(workspaces).where(workspaces.c.id == workspace_id).values(name=spec.key))
    if engine.dialect.name == "postgresql":
        say("  VACUUM ANALYZE")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


def _index_for_search(engine: Any, say: Any) -> None:
    """On SQLite, fill the full-text index as the product's background indexer would."""
    try:
        from caredesk.search import catch_up
    except ImportError:  # a schema without full-text search
        return
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL keeps its GIN index itself (built with the other indexes)
    say("  full-text index (caredesk.search.catch_up)")
    from caredesk.db.engine import write_transaction

    while True:
        with write_transaction(engine) as connection:
            if not catch_up(connection, limit=500_000):
                return


class _Writer:
    """Rows to a table: `insert_tuples` on SQLite, COPY on PostgreSQL."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.postgresql = connection.dialect.name == "postgresql"

    def write(self, table: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if not self.postgresql:
            from caredesk.db.bulk import insert_tuples

            insert_tuples(self.connection, table, columns, rows)
            return
        import orjson
        from sqlalchemy import JSON

        documents = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, JSON)]
        driver = self.connection.connection.driver_connection
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                if documents:
                    row = list(row)
                    for i in documents:
                        if row[i] is not None:
                            row[i] = orjson.dumps(row[i]).decode()
                copy.write_row(row)


CONTACT_COLUMNS = ("id", "workspace_id", "display_name", "created_at")
IDENTITY_COLUMNS = (
    "id",
    "workspace_id",
    "contact_id",
    "network",
    "platform_user_id",
    "handle",
    "display_name",
    "followers",
    "updated_at",
    "created_at",
)
CONVERSATION_COLUMNS = (
    "id",
    "workspace_id",
    "brand_account_id",
    "contact_id",
    "network",
    "status",
    "owner_agent_id",
    "team_id",
    "priority",
    *ConversationSummary.COLUMNS,
    "resolved_at",
    "updated_at",
    "created_at",
)
MESSAGE_COLUMNS = (
    "id",
    "workspace_id",
    "conversation_id",
    "brand_account_id",
    "network",
    "network_message_id",
    "reply_to_network_id",
    "direction",
    "visibility",
    "author_identity_id",
    "author_agent_id",
    "text",
    "raw",
    "created_at",
    "received_at",
)
OUTBOX_COLUMNS = (
    "id",
    "workspace_id",
    "message_id",
    "status",
    "attempts",
    "next_attempt_at",
    "claimed_at",
    "last_error",
    "sent_at",
    "updated_at",
    "created_at",
)
EVENT_COLUMNS = ("id", "workspace_id", "conversation_id", "kind", "actor_agent_id", "data", "created_at")


@dataclass(slots=True)
class _Contacts:
    """Contact ids by network: a contiguous range each; the primary identity id = contact id."""

    ranges: dict[str, tuple[int, int]]
    handles: list[str]  # by contact id - 1: the handle of the primary identity


def _fill(
    connection: Any,
    workspace_id: int,
    accounts: list[Account],
    team_agents: list[list[int]],
    admin_id: int,
    spec: Spec,
    say: Any,
) -> dict[str, int]:
    from caredesk.models import conversation_tags
    from caredesk.models.tables import tags

    rng = random.Random(spec.seed)
    writer = _Writer(connection)
    now = datetime.now(UTC).replace(microsecond=0)
    counts: Counter[str] = Counter()
    contacts = _fill_contacts(connection, writer, workspace_id, accounts, spec, rng, now, counts)
    tag_ids = []
    for name in TAGS:
        tag_ids.append(len(tag_ids) + 1)
        writer.write(
            tags, ("id", "workspace_id", "name", "created_at"), [(len(tag_ids), workspace_id, name, now)]
        )
    connection.commit()
    generator = _Conversations(
        workspace_id, accounts, team_agents, admin_id, contacts, tag_ids, spec, rng, now
    )
    from caredesk.models.tables import conversation_events, conversations, messages, outbox

    for start in range(1, spec.conversations + 1, CHUNK):
        chunk = generator.chunk(start, min(start + CHUNK, spec.conversations + 1))
        writer.write(conversations, CONVERSATION_COLUMNS, chunk.conversations)
        writer.write(messages, MESSAGE_COLUMNS, chunk.messages)
        writer.write(outbox, OUTBOX_COLUMNS, chunk.outbox)
        writer.write(conversation_events, EVENT_COLUMNS, chunk.events)
        writer.write(conversation_tags, ("conversation_id", "tag_id"), chunk.tags)
        connection.commit()
        for name in ("conversations", "messages", "outbox", "events", "tags"):
            counts[name] += len(getattr(chunk, name))
        if (start // CHUNK) % 10 == 0:
            say(f"  {start + len(chunk.conversations) - 1:>10,} conversations")
    return dict(counts)


def _fill_contacts(
    connection: Any,
    writer: _Writer,
    workspace_id: int,
    accounts: list[Account],
    spec: Spec,
    rng: random.Random,
    now: datetime,
    counts: Counter[str],
) -> _Contacts:
    from caredesk.models.tables import contacts, identities

    total = max(int(spec.conversations * 0.4), 100)
    weight_by_network: Counter[str] = Counter()
    for account in accounts:
        weight_by_network[account.network] += account.weight
    networks = sorted(weight_by_network, key=lambda n: -weight_by_network[n])
    everything = sum(weight_by_network.values())
    ranges: dict[str, tuple[int, int]] = {}
    start = 1
    for i, network in enumerate(networks):
        size = (
            total - start + 1
            if i == len(networks) - 1
            else int(total * weight_by_network[network] / everything)
        )
        ranges[network] = (start, max(size, 1))
        start += size
    network_of = [n for n in networks for _ in range(ranges[n][1])]
    handles: list[str] = []
    created = now - SPAN - timedelta(days=30)
    second_id = total
    for first in range(1, total + 1, 50_000):
        contact_rows = []
        identity_rows = []
        for contact_id in range(first, min(first + 50_000, total + 1)):
            network = network_of[contact_id - 1]
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" if rng.random() < 0.7 else None
            handle = _handle(network, contact_id, name)
            handles.append(handle)
            followers = min(int(rng.lognormvariate(4.5, 2.0)), 50_000_000)
            contact_rows.append((contact_id, workspace_id, name, created))
            identity_rows.append(
                (
                    contact_id,
                    workspace_id,
                    contact_id,
                    network,
                    str(100_000 + contact_id),
                    handle,
                    name,
                    followers,
                    created,
                    created,
                )
            )
            if rng.random() < 0.08:  # the same person on a second network
                other = "email" if network != "email" else "x"
                second_id += 1
                identity_rows.append(
                    (
                        second_id,
                        workspace_id,
                        contact_id,
                        other,
                        str(100_000 + second_id),
                        _handle(other, second_id, name),
                        name,
                        None,
                        created,
                        created,
                    )
                )
        writer.write(contacts, CONTACT_COLUMNS, contact_rows)
        writer.write(identities, IDENTITY_COLUMNS, identity_rows)
        connection.commit()
        counts["contacts"] += len(contact_rows)
        counts["identities"] += len(identity_rows)
    return _Contacts(ranges, handles)


def _handle(network: str, number: int, name: str | None) -> str:
    if network == "x":
        return str(100_000 + number)  # TWCS customers: their numeric id is their handle
    base = (name or "customer").lower().replace(" ", ".")
    if network == "email":
        return f"{base}{number}@mail.example"
    return f"{base}{number}"


@dataclass(slots=True)
class _Chunk:
    conversations: list[tuple[Any, ...]]
    messages: list[tuple[Any, ...]]
    outbox: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    tags: list[tuple[int, int]]


class _Conversations:
    """Generates conversations in id order, with their messages, outbox rows, events, tags."""

    def __init__(
        self,
        workspace_id: int,
        accounts: list[Account],
        team_agents: list[list[int]],
        admin_id: int,
        contacts: _Contacts,
        tag_ids: list[int],
        spec: Spec,
        rng: random.Random,
        now: datetime,
    ) -> None:
        self.workspace_id = workspace_id
        self.team_agents = team_agents
        self.admin_id = admin_id
        self.contacts = contacts
        self.tag_ids = tag_ids
        self.total = spec.conversations
        self.rng = rng
        self.now = now
        # 10,000 slots shared out by weight: picking an account is one random index.
        weights = sum(a.weight for a in accounts)
        self.account_slots = [a for a in accounts for _ in range(round(10_000 * a.weight / weights))]
        self.inbound_texts, self.outbound_texts = sample_texts()
        self.next_message = 1
        self.next_outbox = 1
        self.next_event = 1
        self.texts_used = Counter[str]()

    def chunk(self, start: int, stop: int) -> _Chunk:
        out = _Chunk([], [], [], [], [])
        for conversation_id in range(start, stop):
            self._conversation(conversation_id, out)
        return out

    def _conversation(self, conversation_id: int, out: _Chunk) -> None:
        from caredesk.ingest.summary import summarize

        rng, now, ws = self.rng, self.now, self.workspace_id
        random_ = rng.random
        account = self.account_slots[int(random_() * len(self.account_slots))]
        network = account.network
        low, size = self.contacts.ranges[network]
        contact_id = low + int(size * random_() ** 1.5)  # a few customers write a lot
        started = now - SPAN * (1 - (conversation_id - 1 + random_()) / self.total)
        unresolved = random_() < (0.6 if now - started < RECENT else 0.057)
        status = UNRESOLVED_STATUSES[int(random_() * 100)] if unresolved else "resolved"
        owner: int | None = None
        if random_() < OWNED[status]:
            team = self.team_agents[account.team]
            owner = self.admin_id if random_() < 0.003 else team[int(random_() * len(team))]
        priority = 0 if random_() < 0.3 else 1 + int(random_() * 100)
        private = network == "email" or (network != "bluesky" and random_() < 0.25)
        visibility = "private" if private else "public"

        # Who speaks when: 1 = the customer, 0 = the brand; the last speaker fits the status.
        count = MESSAGE_COUNTS[int(random_() * 100)]
        speakers = [1 if random_() < 0.92 else 0]
        for _ in range(count - 1):
            speakers.append(1 - speakers[-1] if random_() < 0.75 else speakers[-1])
        speakers[-1] = 1 if random_() < CUSTOMER_LAST[status] else 0
        moments = [started]
        for previous, speaker in pairwise(speakers):
            if speaker == previous:
                gap = rng.expovariate(1 / 300)
            else:
                gap = rng.expovariate(1 / (5_400 if speaker == 0 else 10_800))
            moments.append(moments[-1] + timedelta(seconds=60 + int(gap)))
        latest = now - timedelta(seconds=60)
        if moments[-1] > latest:  # recent conversations end before now
            shift = moments[-1] - latest + timedelta(seconds=int(random_() * 3_600))
            moments = [m - shift for m in moments]
        summary = summarize(
            ("inbound" if s else "outbound", m) for s, m in zip(speakers, moments, strict=True)
        )
        resolved_at = (
            summary.last_message_at + timedelta(minutes=5 + int(random_() * 600))
            if status == "resolved"
            else None
        )
        if resolved_at is not None and resolved_at > now:
            resolved_at = now
        updated = resolved_at or summary.last_message_at
        out.conversations.append(
            (
                conversation_id,
                ws,
                account.id,
                contact_id,
                network,
                status,
                owner,
                None,  # team_id: nothing in the product sets it yet
                priority,
                *summary.as_tuple(),
                resolved_at,
                updated,
                summary.started_at,
            )
        )

        # Messages, with the event log and outbox rows a live desk writes.
        events: list[tuple[datetime, str, int | None, dict[str, Any]]] = []
        previous_network_id: str | None = None
        handle = self.contacts.handles[contact_id - 1]
        assigned = False
        for i, (speaker, moment) in enumerate(zip(speakers, moments, strict=True)):
            message_id = self.next_message
            self.next_message += 1
            network_id = str(NETWORK_MESSAGE_BASE + message_id)
            agent = owner if speaker == 0 else None
            if speaker:
                text = self.inbound_texts[message_id % len(self.inbound_texts)]
            else:
                text = self.outbound_texts[message_id % len(self.outbound_texts)]
            raw = None
            if agent is None:  # arrived from the network (or imported): its payload is kept
                raw = {
                    "tweet_id": network_id,
                    "author_id": handle if speaker else account.handle,
                    "inbound": "True" if speaker else "False",
                    "created_at": format_twitter_time(moment),
                    "response_tweet_id": "",
                    "in_response_to_tweet_id": f"{previous_network_id}.0" if previous_network_id else "",
                }
            out.messages.append(
                (
                    message_id,
                    ws,
                    conversation_id,
                    account.id,
                    network,
                    network_id,
                    previous_network_id,
                    "inbound" if speaker else "outbound",
                    visibility,
                    contact_id if speaker else None,  # the primary identity's id is the contact's
                    agent,
                    text,
                    raw,
                    moment,
                    moment,
                )
            )
            events.append(
                (
                    moment,
                    "message",
                    agent,
                    {"message_id": message_id, "direction": "inbound" if speaker else "outbound"},
                )
            )
            if agent is not None:
                if not assigned:
                    assigned = True
                    events.append(
                        (
                            moment,
                            "assigned",
                            agent,
                            {"previous_owner_id": None, "owner_id": agent, "reason": "replied"},
                        )
                    )
                sent = moment + timedelta(seconds=2)
                out.outbox.append(
                    (self.next_outbox, ws, message_id, "sent", 1, moment, moment, None, sent, sent, moment)
                )
                self.next_outbox += 1
                events.append(
                    (sent, "delivery", None, {"message_id": message_id, "status": "sent", "error": None})
                )
            if i == 0 and owner is not None and random_() < 0.04:  # an internal note
                note_id = self.next_message
                self.next_message += 1
                noted = moment + timedelta(seconds=30)
                out.messages.append(
                    (
                        note_id,
                        ws,
                        conversation_id,
                        account.id,
                        network,
                        None,
                        None,
                        "note",
                        "private",
                        None,
                        owner,
                        NOTES[note_id % len(NOTES)],
                        None,
                        noted,
                        noted,
                    )
                )
                events.append((noted, "message", owner, {"message_id": note_id, "direction": "note"}))
            previous_network_id = network_id
        if owner is not None and not assigned:
            events.append(
                (moments[0], "assigned", owner, {"previous_owner_id": None, "owner_id": owner, "reason": ""})
            )
        if status != "open":
            events.append((resolved_at or summary.last_message_at, "status", owner, {"status": status}))
        if random_() < 0.3:
            first = self.tag_ids[int(random_() ** 2 * len(self.tag_ids))]
            out.tags.append((conversation_id, first))
            if random_() < 0.25:
                second = self.tag_ids[int(random_() * len(self.tag_ids))]
                if second != first:
                    out.tags.append((conversation_id, second))
            events.append((summary.started_at, "tagged", owner, {"tag": TAGS[first - 1]}))
        events.sort(key=lambda e: e[0])
        for moment, kind, actor, data in events:
            out.events.append((self.next_event, ws, conversation_id, kind, actor, data, moment))
            self.next_event += 1


# --- checks ---------------------------------------------------------------------------------------


def describe(engine: Any) -> dict[str, Any]:
    """What the generated workspace holds, for the benchmark's report."""
    from sqlalchemy import text

    with engine.connect() as connection:

        def scalar(sql: str, **params: Any) -> int:
            return int(connection.execute(text(sql), params).scalar() or 0)

        agent_id = scalar("SELECT id FROM agents WHERE email = :e", e=AGENT_EMAIL)
        narrow_id = scalar("SELECT id FROM agents WHERE email = :e", e=NARROW_EMAIL)
        admin_id = scalar("SELECT id FROM agents WHERE email = :e", e=ADMIN_EMAIL)
        accounts = (
            "SELECT ta.brand_account_id FROM team_accounts ta JOIN team_members tm ON tm.team_id = ta.team_id"
            " WHERE tm.agent_id = :a"
        )
        statuses = dict(
            connection.execute(text("SELECT status, count(*) FROM conversations GROUP BY status")).all()
        )
        return {
            "conversations": scalar("SELECT count(*) FROM conversations"),
            "messages": scalar("SELECT count(*) FROM messages"),
            "contacts": scalar("SELECT count(*) FROM contacts"),
            "identities": scalar("SELECT count(*) FROM identities"),
            "events": scalar("SELECT count(*) FROM conversation_events"),
            "brand_accounts": scalar("SELECT count(*) FROM brand_accounts"),
            "agents": scalar("SELECT count(*) FROM agents"),
            "statuses": statuses,
            "needs_answer": scalar(
                "SELECT count(*) FROM conversations WHERE status = 'open' AND waiting_since IS NOT NULL"
            ),
            "agent_accounts": scalar(f"SELECT count(*) FROM ({accounts}) x", a=agent_id),
            "agent_visible": scalar(
                "SELECT count(*) FROM conversations"
                f" WHERE brand_account_id IN ({accounts}) OR owner_agent_id = :a",
                a=agent_id,
            ),
            "agent_owns": scalar("SELECT count(*) FROM conversations WHERE owner_agent_id = :a", a=agent_id),
            "agent_owns_unresolved": scalar(
                "SELECT count(*) FROM conversations WHERE owner_agent_id = :a AND status != 'resolved'",
                a=agent_id,
            ),
            "admin_owns": scalar("SELECT count(*) FROM conversations WHERE owner_agent_id = :a", a=admin_id),
            "narrow_visible": scalar(
                f"SELECT count(*) FROM conversations WHERE brand_account_id IN ({accounts})", a=narrow_id
            ),
            "narrow_needs_answer": scalar(
                "SELECT count(*) FROM conversations WHERE status = 'open' AND waiting_since IS NOT NULL"
                f" AND brand_account_id IN ({accounts})",
                a=narrow_id,
            ),
            "largest_contact": scalar(
                "SELECT max(n) FROM (SELECT count(*) AS n FROM conversations GROUP BY contact_id) x"
            ),
        }


def check_summaries(engine: Any, sample: int = 2_000, seed: int = 7) -> int:
    """Recompute `sample` conversations' summaries from their messages; the number that differ."""
    from sqlalchemy import select

    from caredesk.ingest.summary import ConversationSummary, summarize
    from caredesk.models.tables import conversations, messages

    c = conversations.c
    with engine.connect() as connection:
        top = int(connection.scalar(select(c.id).order_by(c.id.desc()).limit(1)) or 0)
        ids = random.Random(seed).sample(range(1, top + 1), min(sample, top))
        wrong = 0
        for conversation_id in ids:
            row = connection.execute(
                select(*(c[name] for name in ConversationSummary.COLUMNS)).where(c.id == conversation_id)
            ).one()
            timeline = connection.execute(
                select(messages.c.direction, messages.c.created_at).where(
                    messages.c.conversation_id == conversation_id
                )
            ).all()
            if summarize((d, at) for d, at in timeline).as_tuple() != tuple(row):
                wrong += 1
    return wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=DEFAULT_CONVERSATIONS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url", help="postgresql+psycopg://… (a scratch database) instead of SQLite"
    )
    parser.add_argument("--force", action="store_true", help="generate again even if cached")
    parser.add_argument("--check", action="store_true", help="describe the data and check 2,000 summaries")
    args = parser.parse_args()
    from caredesk.db.engine import make_engine

    spec = Spec(args.conversations, args.seed)
    if args.database_url:
        ensure_postgresql(args.database_url, spec, force=args.force)
        url = args.database_url
        print(_safe(url))
    else:
        path = ensure_sqlite(spec, force=args.force)
        url = f"sqlite:///{path}"
        print(path)
    if args.check:
        engine = make_engine(url)
        print(describe(engine), file=sys.stderr)
        print(f"summaries that differ from their messages: {check_summaries(engine)}", file=sys.stderr)
        engine.dispose()


if __name__ == "__main__":
    main()
