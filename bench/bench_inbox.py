"""Inbox and conversation latency: server time of the real app on a 1M-conversation database.

The goal: with 1,000,000 conversations, the inbox page and a conversation page each answer
in under 50 ms server time (p95), on SQLite and on PostgreSQL.

The database comes from `make_conversations.py` (generated once, cached). A child process
builds the real ASGI app (`caredesk.web.app.create_app`) on it and drives it in-process with
fastapi's TestClient, so a request's wall time is the server's time without a network. Three
agents sign in through the login form: the admin (sees the whole workspace),
`agent@bench.test`, whose team answers for 10 of the 50 brand accounts, and
`narrow@bench.test`, whose team answers for the quietest account only. For each of them:

* GET /api/v1/me: the same-run baseline of the stack itself (routing, the session lookup
  every request makes, JSON), with no inbox query;
* GET /inbox: the default view (needs-answer), view=mine, view=unassigned, view=all, and
  network=facebook (needs-answer on one network);
* GET /conversations/{id}: a different random conversation the agent may see each time;
* the JSON API equivalents: /api/v1/conversations (default view, and view=all) and
  /api/v1/conversations/{id}.

The same requests go to a 10,000-conversation database made the same way (second baseline:
what the same code costs when the data is small). Requests run in rounds, each round every
(database, agent, endpoint) once in a shuffled order, so the machine's noise falls on all
of them alike; after a warm-up, N rounds. Reported: p50, p95 and max of each.

    .venv/bin/python bench/bench_inbox.py                      # SQLite, 1M conversations
    .venv/bin/python bench/bench_inbox.py --quick              # 100k conversations, 30 rounds
    .venv/bin/python bench/bench_inbox.py --database-url postgresql+psycopg://…/scratch
    .venv/bin/python bench/bench_inbox.py --explain            # per-query times and plans
    .venv/bin/python bench/bench_inbox.py --extra-index "CREATE INDEX bench_x ON …"

With --database-url the data is generated into that (scratch) database, and the small one
into a database next to it named with a `_small` suffix. --extra-index runs every
repetition twice: on the product's schema, then with the given index(es) created first and
dropped afterwards (names must start with `bench_`), to show what an index would change;
--skip-product measures only the second.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from typing import Any

from machine import machine
from make_conversations import (
    ADMIN_EMAIL,
    AGENT_EMAIL,
    NARROW_EMAIL,
    PASSWORD,
    Spec,
    describe,
    ensure_postgresql,
    ensure_sqlite,
    sibling_url,
)

GOAL_MS = 50.0
BIG = 1_000_000
SMALL = 10_000
QUICK_BIG = 100_000
VIEWERS = (("admin", ADMIN_EMAIL), ("agent", AGENT_EMAIL), ("narrow", NARROW_EMAIL))
NETWORK_FILTER = "facebook"  # 12 % of the conversations; one of the agent's 10 accounts


def endpoints(network: str = NETWORK_FILTER) -> tuple[tuple[str, str], ...]:
    """(name, path); {id} is a conversation the viewer may see, different on every request."""
    return (
        ("GET /api/v1/me (baseline)", "/api/v1/me"),
        ("GET /inbox", "/inbox"),
        ("GET /inbox?view=mine", "/inbox?view=mine"),
        ("GET /inbox?view=unassigned", "/inbox?view=unassigned"),
        ("GET /inbox?view=all", "/inbox?view=all"),
        (f"GET /inbox?network={network}", f"/inbox?network={network}"),
        ("GET /conversations/{id}", "/conversations/{id}"),
        ("GET /api/v1/conversations", "/api/v1/conversations"),
        ("GET /api/v1/conversations?view=all", "/api/v1/conversations?view=all"),
        ("GET /api/v1/conversations/{id}", "/api/v1/conversations/{id}"),
    )


GATED = ("GET /inbox", "GET /conversations/{id}")  # what the goal is about
EXPLAIN_OVER_MS = 2.0


# --- the child: one process drives the app on both databases ---------------------------------


class _Timed:
    """ASGI wrapper: time from the app being called to the last body chunk sent."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last_ms = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = time.perf_counter()

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                self.last_ms = (time.perf_counter() - started) * 1000

        await self.app(scope, receive, timed_send)


class _Target:
    """One database with the app on it and a signed-in client per viewer."""

    def __init__(self, label: str, url: str, rng: random.Random, samples: int) -> None:
        from fastapi.testclient import TestClient

        from caredesk.db.engine import make_engine
        from caredesk.web.app import create_app

        self.label = label
        self.engine = make_engine(url)
        self.timed = _Timed(create_app(self.engine))
        self.clients: dict[str, Any] = {}
        self.ids: dict[str, list[int]] = {}
        for viewer, email in VIEWERS:
            client = TestClient(self.timed, base_url="http://testserver")
            _sign_in(client, email)
            self.clients[viewer] = client
            self.ids[viewer] = _visible_sample(self.engine, email, rng, samples)

    def path(self, viewer: str, template: str, n: int) -> str:
        ids = self.ids[viewer]
        return template.replace("{id}", str(ids[n % len(ids)]))

    def get(self, viewer: str, path: str) -> tuple[float, float]:
        """(wall ms, in-app ms) of one request; anything but 200 stops the benchmark."""
        client = self.clients[viewer]
        started = time.perf_counter()
        response = client.get(path)
        wall = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(
                f"{self.label} {viewer} GET {path}: {response.status_code} {response.text[:500]}"
            )
        return wall, self.timed.last_ms


def _sign_in(client: Any, email: str) -> None:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    if token is None:
        raise SystemExit(f"no CSRF token in the login form: {form.text[:300]}")
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    if response.status_code != 303:
        raise SystemExit(f"sign-in of {email} failed: {response.status_code} {response.text[:300]}")


def _visible_sample(engine: Any, email: str, rng: random.Random, count: int) -> list[int]:
    """`count` random conversations `email` may see, by the product's own access rule."""
    from sqlalchemy import select

    from caredesk.access import load_viewer, visible_to
    from caredesk.models.tables import agents, conversations

    with engine.connect() as connection:
        agent_id = connection.scalar(select(agents.c.id).where(agents.c.email == email))
        viewer = load_viewer(connection, int(agent_id))
        ids = list(connection.scalars(select(conversations.c.id).where(visible_to(viewer))))
    return rng.sample(ids, min(count, len(ids)))


def _extra_indexes(engine: Any, statements: list[str], create: bool) -> None:
    """Drop prototype indexes (`bench_…`) left behind, then create `statements` if asked."""
    from sqlalchemy import text

    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            found = (
                "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'bench\\_%' ESCAPE '\\'"
            )
        else:
            found = "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'bench\\_%'"
        for (name,) in connection.execute(text(found)).all():
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
        if create:
            for statement in statements:
                connection.exec_driver_sql(statement)
            if statements and engine.dialect.name == "postgresql":
                connection.exec_driver_sql("ANALYZE conversations")


def child_measure(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    urls = {"big": args.big_url, "small": args.small_url}
    extra = args.extra_index or []
    targets: dict[str, _Target] = {}
    from caredesk.db.engine import make_engine

    for label, url in urls.items():
        engine = make_engine(url)
        _extra_indexes(engine, extra, create=True)
        engine.dispose()
        targets[label] = _Target(label, url, rng, args.requests + args.warmup)
    try:
        plan = [
            (label, viewer, name, path)
            for label in targets
            for viewer, _ in VIEWERS
            for name, path in endpoints(args.network)
        ]
        for n in range(args.warmup):
            for label, viewer, _name, path in plan:
                target = targets[label]
                target.get(viewer, target.path(viewer, path, n))
        wall: dict[str, list[float]] = defaultdict(list)
        inside: dict[str, list[float]] = defaultdict(list)
        for n in range(args.warmup, args.warmup + args.requests):
            rng.shuffle(plan)
            for label, viewer, name, path in plan:
                target = targets[label]
                ms, app_ms = target.get(viewer, target.path(viewer, path, n))
                key = f"{label}|{viewer}|{name}"
                wall[key].append(ms)
                inside[key].append(app_ms)
        return {
            "wall": wall,
            "inside": inside,
            "data": {label: describe(target.engine) for label, target in targets.items()},
        }
    finally:
        for target in targets.values():
            _extra_indexes(target.engine, extra, create=False)
            target.engine.dispose()


def child_explain(args: argparse.Namespace) -> None:
    """Every statement each endpoint runs on the big database: its time, and plans of slow ones."""
    from sqlalchemy import event

    rng = random.Random(args.seed)
    extra = args.extra_index or []
    from caredesk.db.engine import make_engine

    engine = make_engine(args.big_url)
    _extra_indexes(engine, extra, create=True)
    engine.dispose()
    target = _Target("big", args.big_url, rng, 20)
    captured: list[tuple[str, Any]] = []

    @event.listens_for(target.engine, "before_cursor_execute")
    def capture(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        captured.append((statement, parameters))

    postgresql = target.engine.dialect.name == "postgresql"
    try:
        for viewer, _email in VIEWERS:
            for name, path in endpoints(args.network):
                if "me (baseline)" in name:
                    continue
                target.get(viewer, target.path(viewer, path, 0))  # warm
                captured.clear()
                target.get(viewer, target.path(viewer, path, 1))
                statements = list(captured)
                print(f"\n=== {viewer}: {name} ({len(statements)} statements)")
                with target.engine.connect() as connection:
                    for statement, parameters in statements:
                        ms = _statement_ms(connection, statement, parameters)
                        flat = " ".join(statement.split())
                        print(f"  {ms:8.2f} ms  {flat[:150]}")
                        if ms >= EXPLAIN_OVER_MS:
                            print(f"      SQL: {flat}\n      parameters: {parameters}")
                            for line in _plan(connection, statement, parameters, postgresql):
                                print(f"      | {line}")
                    connection.rollback()
    finally:
        _extra_indexes(target.engine, extra, create=False)
        target.engine.dispose()


def _statement_ms(connection: Any, statement: str, parameters: Any) -> float:
    """Median of 5 runs of the statement with every row fetched (SQLite steps rows on fetch)."""
    if not statement.lstrip().upper().startswith("SELECT"):
        return 0.0
    times = []
    for _ in range(5):
        started = time.perf_counter()
        connection.exec_driver_sql(statement, parameters).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _plan(connection: Any, statement: str, parameters: Any, postgresql: bool) -> list[str]:
    if postgresql:
        rows = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters).all()
        return [row[0] for row in rows]
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    depth: dict[int, int] = {0: 0}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * (depth[node] - 1) + detail)
    return lines


# --- the parent -------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]


def run_child(args: argparse.Namespace, big_url: str, small_url: str, extra: list[str]) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        "measure",
        "--big-url",
        big_url,
        "--small-url",
        small_url,
        "--requests",
        str(args.requests),
        "--warmup",
        str(args.warmup),
        "--seed",
        str(args.seed),
        "--network",
        args.network,
    ]
    for statement in extra:
        command += ["--extra-index", statement]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"measurement failed:\n{done.stderr[-4000:]}{done.stdout[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def versions(backend: str) -> tuple[tuple[str, str], ...]:
    import fastapi
    import sqlalchemy

    return (
        ("sqlalchemy / fastapi", f"{sqlalchemy.__version__} / {fastapi.__version__}"),
        ("backend", backend),
    )


def _databases(args: argparse.Namespace, big: int) -> tuple[str, str, str]:
    """(big URL, small URL, backend description), generating what is missing."""
    spec_big, spec_small = Spec(big, args.seed), Spec(SMALL, args.seed)
    if args.database_url:
        small_url = sibling_url(args.database_url, "_small")
        ensure_postgresql(args.database_url, spec_big)
        ensure_postgresql(small_url, spec_small)
        from sqlalchemy import text

        from caredesk.db.engine import make_engine

        engine = make_engine(args.database_url)
        with engine.connect() as connection:
            version = str(connection.execute(text("SHOW server_version")).scalar())
        engine.dispose()
        return args.database_url, small_url, f"PostgreSQL {version}"
    big_path, small_path = ensure_sqlite(spec_big), ensure_sqlite(spec_small)
    size = big_path.stat().st_size / 2**30
    return (
        f"sqlite:///{big_path}",
        f"sqlite:///{small_path}",
        f"SQLite {sqlite3.sqlite_version}, {big_path.name} ({size:.1f} GiB)",
    )


def run_benchmark(args: argparse.Namespace) -> None:
    big = QUICK_BIG if args.quick else args.conversations
    if args.quick:
        args.requests = min(args.requests, 30)
    big_url, small_url, backend = _databases(args, big)
    if args.explain:
        command = [
            sys.executable,
            __file__,
            "--child",
            "explain",
            "--big-url",
            big_url,
            "--small-url",
            small_url,
            "--network",
            args.network,
        ]
        for statement in args.extra_index or []:
            command += ["--extra-index", statement]
        subprocess.run(command, check=True)
        return
    print(
        f"Inbox latency benchmark: {big:,} conversations (baseline: {SMALL:,}), "
        f"{args.repeat} × {args.requests} rounds"
    )
    for name, value in machine(*versions(backend)):
        print(f"  {name}: {value}", flush=True)
    variants = [] if args.skip_product else [("product schema", [])]
    if args.extra_index:
        variants.append(("with the extra index(es)", args.extra_index))
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in variants}
    for repetition in range(1, args.repeat + 1):
        for label, extra in variants:
            started = time.perf_counter()
            load = os.getloadavg()[0]
            runs[label].append(run_child(args, big_url, small_url, extra))
            print(
                f"  [{repetition}] {label}: {time.perf_counter() - started:.0f} s, "
                f"load average {load:.2f} before, {os.getloadavg()[0]:.2f} after",
                flush=True,
            )
    data = next(iter(runs.values()))[0]["data"]
    for label in ("big", "small"):
        d = data[label]
        print(
            f"  {label} database: {d['conversations']:,} conversations, {d['messages']:,} messages, "
            f"{d['contacts']:,} contacts; statuses {d['statuses']}; needs answer {d['needs_answer']:,}; "
            f"agent sees {d['agent_visible']:,} "
            f"(owns {d['agent_owns']:,}, {d['agent_owns_unresolved']:,} unresolved); "
            f"narrow sees {d['narrow_visible']:,} ({d['narrow_needs_answer']:,} need an answer)"
        )
    for statement in args.extra_index or []:
        print(f"  extra index: {statement}")
    for label, _extra in variants:
        print_table(label, runs[label], big, args.network)


def _pooled(runs: list[dict[str, Any]], kind: str, key: str) -> list[float]:
    return [ms for run in runs for ms in run[kind][key]]


def print_table(label: str, runs: list[dict[str, Any]], big: int, network: str) -> None:
    """p50/p95/max per endpoint and viewer on both databases, requests pooled over the runs."""
    size = f"{big // 1000:,}k"
    requests = len(runs[0]["wall"]["big|admin|GET /inbox"])
    print(f"\n{label}: wall time per request, ms ({len(runs)} run(s) × {requests} requests each)")
    print(f"{'endpoint':<38} {'viewer':<6} │ {size:>6} p50    p95    max │ 10k p50    p95    max")
    over = []
    for viewer, _ in VIEWERS:
        for name, _path in endpoints(network):
            line = f"{name:<38} {viewer:<6} │"
            for database in ("big", "small"):
                ms = _pooled(runs, "wall", f"{database}|{viewer}|{name}")
                line += f" {percentile(ms, 0.5):10.1f} {percentile(ms, 0.95):6.1f} {max(ms):6.1f} │"
            print(line.rstrip("│ "))
            p95 = percentile(_pooled(runs, "wall", f"big|{viewer}|{name}"), 0.95)
            if p95 > GOAL_MS:
                over.append(f"{name} ({viewer}): p95 {p95:.1f} ms")
    me_wall = _pooled(runs, "wall", "big|admin|GET /api/v1/me (baseline)")
    me_inside = _pooled(runs, "inside", "big|admin|GET /api/v1/me (baseline)")
    print(
        f"TestClient's own share of a request (wall - in-app, /api/v1/me, median): "
        f"{statistics.median(me_wall) - statistics.median(me_inside):.2f} ms"
    )
    if len(runs) > 1:
        for viewer, _ in VIEWERS:
            for name in GATED:
                per_run = [f"{percentile(run['wall'][f'big|{viewer}|{name}'], 0.95):.1f}" for run in runs]
                print(f"p95 per run, {name} ({viewer}): {' '.join(per_run)}")
    if over:
        print(f"over the {GOAL_MS:.0f} ms p95 goal at {size}:\n  " + "\n  ".join(over))
    else:
        print(f"every p95 at {size} is within the {GOAL_MS:.0f} ms goal")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=BIG, help="size of the big database")
    parser.add_argument("--requests", type=int, default=100, help="measured rounds per repetition")
    parser.add_argument("--warmup", type=int, default=5, help="rounds before measuring")
    parser.add_argument("--repeat", type=int, default=3, help="child processes, run one after another")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--network", default=NETWORK_FILTER, help="the network of the filtered inbox view")
    parser.add_argument("--database-url", help="postgresql+psycopg://… scratch database instead of SQLite")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_BIG:,} conversations, 30 rounds")
    parser.add_argument("--explain", action="store_true", help="per-statement times and plans, big database")
    parser.add_argument(
        "--extra-index", action="append", help="CREATE INDEX bench_… to measure as well (repeatable)"
    )
    parser.add_argument(
        "--skip-product", action="store_true", help="with --extra-index: measure only with the index(es)"
    )
    # Internal: how the parent starts the measuring child.
    parser.add_argument("--child", choices=("measure", "explain"), help=argparse.SUPPRESS)
    parser.add_argument("--big-url", help=argparse.SUPPRESS)
    parser.add_argument("--small-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    for statement in args.extra_index or []:
        if not re.match(r"(?i)^\s*CREATE\s+INDEX\s+bench_\w+\s+ON\s", statement):
            parser.error("--extra-index takes CREATE INDEX bench_<name> ON …")
    return args


def main() -> None:
    args = parse_args()
    if args.child == "measure":
        print(json.dumps(child_measure(args)))
    elif args.child == "explain":
        child_explain(args)
    else:
        run_benchmark(args)


if __name__ == "__main__":
    main()
