"""Triage benchmark: messages/s, start-up and peak memory on real tweets, on one core.

Each repetition runs in fresh subprocesses pinned to one CPU:

* baseline: the same JSON lines decoded with orjson, the text lower-cased and a small
  object encoded back: the floor for reading and writing JSON lines at all;
* triage: the same lines through what `caredesk triage --jsonl` does per line (decode,
  `triage_batch` in batches of 256, `to_json`, encode);
* start-up: a new interpreter importing triage, loading every model and triaging one message.

The triage child also times each part alone (learned classifiers, language, PII, the other
rules) over the same texts, to show where the time goes. Medians over the repetitions are
reported beside every run's value. Usage:

    .venv/bin/python bench/bench_triage.py              # 5 repetitions
    .venv/bin/python bench/bench_triage.py --repeat 3
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DEMO = ROOT / "src" / "caredesk" / "demo" / "twcs_head5000.csv"
GOAL_MESSAGES_PER_S = 2_000
GOAL_STARTUP_S = 2.0
GOAL_RSS_MIB = 500
BATCH = 256


def real_tweets() -> tuple[str, list[str]]:
    """Real tweets as the care inbox sees them: TWCS and airline tweets if present, else the demo sample."""
    twcs = SHARED / "twcs" / "twcs_random5000.csv"
    airline = SHARED / "airline" / "airline_sentiment_dev.csv"
    if twcs.exists() and airline.exists():
        texts = _column(twcs, "text") + _column(airline, "text")
        return f"{twcs.name} + {airline.name}", texts
    return DEMO.name, _column(DEMO, "text")


def _column(path: Path, name: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as stream:
        return [row[name] for row in csv.DictReader(stream)]


def jsonl(texts: list[str]) -> list[bytes]:
    return [
        json.dumps({"text": text, "followers": 1_000 + i % 50_000}).encode() for i, text in enumerate(texts)
    ]


# --- children ------------------------------------------------------------------------------


def child_baseline(lines: list[bytes]) -> dict[str, Any]:
    import orjson

    started = time.perf_counter()
    written = 0
    for line in lines:
        text = orjson.loads(line)["text"].lower()
        written += len(orjson.dumps({"language": None, "length": len(text)}))
    return {"seconds": time.perf_counter() - started, "messages": len(lines)}


def child_triage(lines: list[bytes]) -> dict[str, Any]:
    import orjson

    from caredesk.triage.batch import triage_batch
    from caredesk.triage.inputs import input_from_json

    triage_batch([input_from_json({"text": "warm up"})])  # models loaded: start-up is measured apart
    started = time.perf_counter()
    for first in range(0, len(lines), BATCH):
        items = [input_from_json(orjson.loads(line)) for line in lines[first : first + BATCH]]
        b"".join(orjson.dumps(result.to_json()) + b"\n" for result in triage_batch(items))
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "messages": len(lines),
        "parts": _parts([orjson.loads(x)["text"] for x in lines]),
    }


def _parts(texts: list[str]) -> dict[str, float]:
    """Seconds each part takes alone over all `texts`."""
    from caredesk.triage.actionable import is_actionable
    from caredesk.triage.language import detect_language
    from caredesk.triage.learned import classifiers
    from caredesk.triage.pii import find_pii
    from caredesk.triage.social import masked
    from caredesk.triage.urgency import assess_urgency

    models = classifiers()

    def timed(work: Any) -> float:
        started = time.perf_counter()
        work()
        return time.perf_counter() - started

    def rules() -> None:
        for text in texts:
            visible = masked(text)
            actionable = is_actionable(visible, complaint=False, sentiment="neutral", intent="delivery")
            assess_urgency(
                visible,
                sentiment="negative",
                complaint=True,
                actionable=actionable,
                followers=100,
                pii=[],
                public=True,
            )

    return {
        "learned": timed(
            lambda: [models.classify(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        ),
        "language": timed(lambda: [detect_language(text) for text in texts]),
        "pii": timed(lambda: [find_pii(text) for text in texts]),
        "other rules": timed(rules),
    }


def child_startup() -> dict[str, Any]:
    started = time.perf_counter()
    from caredesk.triage.batch import triage_batch
    from caredesk.triage.inputs import TriageInput

    triage_batch([TriageInput("@acme where is my order? it was due yesterday")])
    return {"seconds": time.perf_counter() - started, "messages": 1}


def run_child(kind: str) -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the goal says
    if kind == "startup":
        result = child_startup()
    else:
        lines = jsonl(real_tweets()[1])
        result = child_baseline(lines) if kind == "baseline" else child_triage(lines)
    result["peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))


# --- the parent ----------------------------------------------------------------------------


def measure(kind: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind], capture_output=True, text=True, check=False, cwd=ROOT
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def print_table(rows: list[tuple[str, list[float], str]]) -> None:
    width = max(len(name) for name, _, _ in rows)
    print(f"{'figure':<{width}}  {'median':>10}  runs")
    for name, values, fmt in rows:
        runs = "  ".join(format(v, fmt) for v in values)
        print(f"{name:<{width}}  {format(statistics.median(values), fmt):>10}  {runs}")


def run_benchmark(repeat: int) -> None:
    source, texts = real_tweets()
    print(f"triage benchmark: {len(texts):,} real tweets ({source}), {repeat} repetitions, one core")
    print(f"  load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "triage": [], "startup": []}
    for repetition in range(1, repeat + 1):
        for kind, results in runs.items():
            results.append(measure(kind))
            print(f"  [{repetition}] {kind:<8} {results[-1]['seconds']:.3f} s", flush=True)
    rate = {kind: [r["messages"] / r["seconds"] for r in runs[kind]] for kind in ("baseline", "triage")}
    parts = {name: [r["parts"][name] for r in runs["triage"]] for name in runs["triage"][0]["parts"]}
    print()
    print_table(
        [
            ("baseline messages/s (decode, lower-case, encode)", rate["baseline"], ",.0f"),
            ("triage messages/s", rate["triage"], ",.0f"),
            (
                "ratio triage/baseline (paired)",
                [t / b for t, b in zip(rate["triage"], rate["baseline"], strict=True)],
                ".4f",
            ),
            *(
                (f"  of which {name}, µs/message", [s / len(texts) * 1e6 for s in v], ".0f")
                for name, v in parts.items()
            ),
            (
                "start-up s (import, load models, first message)",
                [r["seconds"] for r in runs["startup"]],
                ".2f",
            ),
            ("baseline peak RSS MiB", [r["peak_rss_kib"] / 1024 for r in runs["baseline"]], ".0f"),
            ("triage peak RSS MiB", [r["peak_rss_kib"] / 1024 for r in runs["triage"]], ".0f"),
        ]
    )
    figures = [
        ("messages/s", statistics.median(rate["triage"]), GOAL_MESSAGES_PER_S, True),
        ("start-up s", statistics.median(r["seconds"] for r in runs["startup"]), GOAL_STARTUP_S, False),
        (
            "peak RSS MiB",
            statistics.median(r["peak_rss_kib"] / 1024 for r in runs["triage"]),
            GOAL_RSS_MIB,
            False,
        ),
    ]
    print()
    for name, value, goal, higher_is_better in figures:
        met = value >= goal if higher_is_better else value < goal
        bound = "≥" if higher_is_better else "<"
        print(f"{name}: {value:,.2f} {'meets' if met else 'MISSES'} the goal ({bound} {goal:,})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (medians are reported)")
    parser.add_argument("--child", choices=("baseline", "triage", "startup"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child)
    else:
        run_benchmark(args.repeat)


if __name__ == "__main__":
    main()
