"""TWCS import benchmark: the real pipeline against a bare `executemany` of the same rows.

Each repetition runs, every one in a fresh subprocess and (on SQLite) a fresh database file:

* baseline: the big file read with the csv module and its rows (tweet id, author, direction,
  created_at as stored text, text, reply-to id) written by a bare DB-API `executemany` into
  one table without secondary indexes, a commit every batch: the floor for the same disk,
  the same SQLite settings and the same CSV parsing;
* pipeline: `import_twcs` through an `Ingestor` (create_accounts=True) on the big file;
* pipeline on a file a quarter the size, to see whether peak memory stays flat as the
  file grows.

Each subprocess reports its own wall time around the import and its own peak RSS
(`ru_maxrss`). The summary gives medians over the repetitions, and the ratio
pipeline/baseline as the median of the per-repetition ratios (pairs run back to back see
the same machine load). Usage:

    .venv/bin/python bench/bench_import.py                # 1,000,000 rows, 3 repetitions
    .venv/bin/python bench/bench_import.py --quick        # 100,000 rows smoke run
    .venv/bin/python bench/bench_import.py --profile      # cProfile of one pipeline import
    .venv/bin/python bench/bench_import.py --database-url postgresql+psycopg://…
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from machine import machine
from make_twcs import WORK_DIR, ensure_twcs

GOAL_TWEETS_PER_S = 25_000
KAGGLE_ROWS = 2_811_774  # tweets in the full Kaggle twcs.csv
BATCH_SIZE = 5_000
QUICK_ROWS = 100_000
_CR = "\ue000"  # stands in for a bare CR while the csv module reads a record


@dataclass(frozen=True, slots=True)
class Run:
    """What one child process measured."""

    rows: int
    stored: int
    seconds: float
    peak_rss_kib: int

    @property
    def rate(self) -> float:
        return self.rows / self.seconds

    @property
    def peak_rss_mib(self) -> float:
        return self.peak_rss_kib / 1024


# --- children: each runs in its own process, so its ru_maxrss is its own -------------------


def child_pipeline(path: Path, url: str, profile: bool) -> dict[str, Any]:
    from caredesk.db.engine import make_engine
    from caredesk.db.migrate import migrate
    from caredesk.importers.twcs import import_twcs
    from caredesk.ingest.pipeline import Ingestor
    from caredesk.workspaces import ensure_workspace

    engine = make_engine(url)
    migrate(engine)
    # A new workspace each run: on PostgreSQL the database is not fresh, and a workspace that
    # already holds these tweets would turn the import into duplicate detection.
    ingestor = Ingestor(engine, ensure_workspace(engine, f"bench-{time.time_ns()}"), create_accounts=True)
    profiler = _start_profiler() if profile else None
    started = time.perf_counter()
    report = import_twcs(ingestor, path, batch_size=BATCH_SIZE)
    seconds = time.perf_counter() - started
    if profiler is not None:
        _print_profile(profiler)
    engine.dispose()
    if report.bad_rows:
        raise SystemExit(f"{report.bad_rows} bad rows, e.g. {report.bad_row_samples[:3]}")
    return {"rows": report.rows, "stored": report.ingest.stored, "seconds": seconds}


def child_baseline(path: Path, url: str) -> dict[str, Any]:
    from caredesk.db.engine import SQLITE_PRAGMAS  # the same settings as the pipeline's engine

    rows = baseline_rows(path)
    started = time.perf_counter()
    if url.startswith("sqlite"):
        stored = _baseline_sqlite(url.removeprefix("sqlite:///"), SQLITE_PRAGMAS, rows)
    else:
        stored = _baseline_postgresql(url, rows)
    seconds = time.perf_counter() - started
    return {"rows": stored, "stored": stored, "seconds": seconds}


def baseline_rows(path: Path) -> Iterator[tuple[str, str, str, str, str, str | None]]:
    """The columns the pipeline stores, parsed as plainly as the csv module allows."""
    # newline="\n": records end at LF only, as in the importer (the data has bare CRs).
    with path.open(encoding="utf-8", errors="replace", newline="\n") as stream:
        reader = csv.reader(line.replace("\r", _CR) if "\r" in line else line for line in stream)
        offset = 1 if next(reader)[0] == "" else 0
        for fields in reader:
            tweet_id, author, inbound, created_at, text, _responses, parent = fields[offset:]
            yield (
                tweet_id,
                author,
                "inbound" if inbound == "True" else "outbound",
                _stored_time(created_at),
                text.replace(_CR, "\n"),
                parent.partition(".")[0] or None,
            )


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: f"{number:02d}" for number, name in enumerate(_MONTH_NAMES, 1)}


def _stored_time(value: str) -> str:
    """`Tue Oct 31 22:10:47 +0000 2017` as SQLAlchemy stores a UTC datetime on SQLite."""
    return f"{value[26:30]}-{_MONTHS[value[4:7]]}-{value[8:10]} {value[11:19]}.000000"


_BASELINE_TABLE = "bench_baseline_tweets"
_BASELINE_COLUMNS = "tweet_id, author, direction, created_at, text, reply_to"
_INSERT = f"INSERT INTO {_BASELINE_TABLE} ({_BASELINE_COLUMNS}) VALUES (%s)"


def _baseline_sqlite(path: str, pragmas: Iterable[str], rows: Iterable[tuple[Any, ...]]) -> int:
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in pragmas:
        connection.execute(pragma)
    connection.execute(
        f"CREATE TABLE {_BASELINE_TABLE} (id INTEGER PRIMARY KEY, tweet_id TEXT, author TEXT,"
        " direction TEXT, created_at TEXT, text TEXT, reply_to TEXT)"
    )
    insert = _INSERT % ", ".join("?" * 6)
    stored = 0
    for batch in _batches(rows):
        connection.execute("BEGIN")
        connection.executemany(insert, batch)
        connection.execute("COMMIT")
        stored += len(batch)
    connection.close()
    return stored


def _baseline_postgresql(url: str, rows: Iterable[tuple[Any, ...]]) -> int:
    import psycopg

    with psycopg.connect(url.replace("+psycopg", "", 1)) as connection:
        connection.execute("SET TIME ZONE 'UTC'")  # created_at text is UTC
        connection.execute(f"DROP TABLE IF EXISTS {_BASELINE_TABLE}")
        connection.execute(
            f"CREATE TABLE {_BASELINE_TABLE} (id BIGSERIAL PRIMARY KEY, tweet_id TEXT, author TEXT,"
            " direction TEXT, created_at TIMESTAMPTZ, text TEXT, reply_to TEXT)"
        )
        connection.commit()
        insert = _INSERT % ", ".join(["%s"] * 6)
        stored = 0
        for batch in _batches(rows):
            with connection.cursor() as cursor:
                cursor.executemany(insert, batch)
            connection.commit()
            stored += len(batch)
        connection.execute(f"DROP TABLE {_BASELINE_TABLE}")
    return stored


def _batches(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH_SIZE)):
        yield batch


def _start_profiler() -> Any:
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


def _print_profile(profiler: Any) -> None:
    import pstats

    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)  # where the time is spent, not just passed through


def run_child(args: argparse.Namespace) -> None:
    path = Path(args.file)
    if args.child == "pipeline":
        result = child_pipeline(path, args.database_url, args.profile)
    else:
        result = child_baseline(path, args.database_url)
    result["peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps(result))


# --- the parent: runs the children and summarises ----------------------------------------


def measure(kind: str, path: Path, rows: int, database_url: str | None, profile: bool = False) -> Run:
    url, database = _database(kind, rows, database_url)
    command = [sys.executable, __file__, "--child", kind, "--file", str(path), "--database-url", url]
    if profile:
        command.append("--profile")
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        if database is not None:
            _remove_database(database)  # a 1M-row database is about a gigabyte
    if done.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{done.stderr[-4000:]}")
    if profile:
        print(done.stderr, file=sys.stderr)
    run = Run(**json.loads(done.stdout.splitlines()[-1]))
    if run.rows != rows or run.stored != rows:
        raise SystemExit(f"{kind}: expected {rows} rows stored, got {run}")
    return run


def _database(kind: str, rows: int, database_url: str | None) -> tuple[str, Path | None]:
    """The URL for a run, and the SQLite file to remove afterwards (fresh each run)."""
    if database_url:
        return database_url, None
    database = WORK_DIR / f"bench-{kind}-{rows}.db"
    _remove_database(database)
    return f"sqlite:///{database}", database


def _remove_database(database: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def summary(
    big_rows: int,
    small_rows: int,
    baseline: list[Run],
    pipeline: list[Run],
    small: list[Run],
) -> list[tuple[str, float, list[float], str]]:
    """(figure, median, every run's value, format) rows of the result table."""
    ratios = [p.rate / b.rate for p, b in zip(pipeline, baseline, strict=True)]

    def line(name: str, values: list[float], fmt: str) -> tuple[str, float, list[float], str]:
        return name, statistics.median(values), values, fmt

    return [
        line(f"baseline tweets/s, {big_rows:,} rows", [r.rate for r in baseline], ",.0f"),
        line(f"pipeline tweets/s, {big_rows:,} rows", [r.rate for r in pipeline], ",.0f"),
        line("ratio pipeline/baseline (paired)", ratios, ".3f"),
        line(f"pipeline tweets/s, {small_rows:,} rows", [r.rate for r in small], ",.0f"),
        line(f"pipeline peak RSS MiB, {small_rows:,} rows", [r.peak_rss_mib for r in small], ".0f"),
        line(f"pipeline peak RSS MiB, {big_rows:,} rows", [r.peak_rss_mib for r in pipeline], ".0f"),
        line(f"pipeline wall s, {big_rows:,} rows", [r.seconds for r in pipeline], ".1f"),
    ]


def print_table(rows: list[tuple[str, float, list[float], str]]) -> None:
    width = max(len(name) for name, *_ in rows)
    print(f"{'figure':<{width}}  {'median':>10}  runs")
    for name, median, values, fmt in rows:
        runs = "  ".join(format(v, fmt) for v in values)
        print(f"{name:<{width}}  {format(median, fmt):>10}  {runs}")


def run_benchmark(args: argparse.Namespace) -> None:
    rows = QUICK_ROWS if args.quick else args.rows
    big_file = ensure_twcs(rows)
    if args.profile:
        measure("pipeline", big_file, rows, args.database_url, profile=True)
        return
    small_rows = rows // 4
    small_file = ensure_twcs(small_rows)
    backend = "postgresql" if args.database_url else "sqlite"
    print(f"TWCS import benchmark: {rows:,} rows, {args.repeat} repetitions, {backend}")
    for name, value in machine():
        print(f"  {name}: {value}", flush=True)
    baseline: list[Run] = []
    pipeline: list[Run] = []
    small: list[Run] = []
    for repetition in range(1, args.repeat + 1):
        for kind, path, n, runs in (
            ("baseline", big_file, rows, baseline),
            ("pipeline", big_file, rows, pipeline),
            ("pipeline", small_file, small_rows, small),
        ):
            runs.append(measure(kind, path, n, args.database_url))
            _progress(repetition, kind, n, runs[-1])
    print()
    table = summary(rows, small_rows, baseline, pipeline, small)
    print_table(table)
    rate = statistics.median(r.rate for r in pipeline)
    verdict = "meets" if rate >= GOAL_TWEETS_PER_S else "is BELOW"
    print(
        f"\nmedian pipeline rate {rate:,.0f} tweets/s {verdict} the {GOAL_TWEETS_PER_S:,} tweets/s goal; "
        f"the full Kaggle file ({KAGGLE_ROWS:,} tweets) would take about {KAGGLE_ROWS / rate:,.0f} s"
    )


def _progress(repetition: int, kind: str, rows: int, run: Run) -> None:
    print(
        f"  [{repetition}] {kind:<8} {rows:>9,} rows  {run.seconds:7.1f} s  "
        f"{run.rate:>9,.0f} tweets/s  peak RSS {run.peak_rss_mib:,.0f} MiB",
        flush=True,
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the big file")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (medians are reported)")
    parser.add_argument(
        "--database-url",
        help="postgresql+psycopg://… to benchmark PostgreSQL instead of fresh SQLite files "
        "(use a scratch database: the imported workspaces stay in it)",
    )
    parser.add_argument("--quick", action="store_true", help=f"a {QUICK_ROWS:,}-row smoke run")
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of one pipeline import, then stop"
    )
    # Internal: how the parent starts a measured child process.
    parser.add_argument("--child", choices=("pipeline", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.child:
        run_child(args)
    else:
        run_benchmark(args)


if __name__ == "__main__":
    main()
