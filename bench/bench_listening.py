"""Listening benchmark: 5,000 rules matched against 200,000 real posts on one core.

The rules and posts come from `make_listening.py` (real TWCS and airline tweets, rules
drawn from the brands and words in them). The process is pinned to one core. Each
repetition (default 5) times, back to back, over the same posts:

* casefold: `text.casefold()` of every post: the floor of touching each post in Python;
* prepare: what the matcher does to each post before its automaton runs (fold, words,
  padding), to show how the time splits;
* naive: a `casefold` and an `in` test of every term and exclusion of the first 50 rules on
  every post (substrings, without the word boundaries the matcher checks, so cheaper than
  correct), on 20,000 posts, extrapolated to all the rules and all the posts;
* matcher: `Matcher.match_many` over all the posts (it relaxes the garbage collector while
  it runs);
* match per post: `Matcher.match` called post by post under the default garbage collector
  settings, keeping every result too: what a caller that does not batch gets.

It prints the median posts/s of each (and every run; wall time), the matcher's posts per
CPU second (what one core does when other work shares the machine), its rate as a share of
the casefold floor (median of the paired per-repetition ratios), the compile time, the
memory the compiled matcher takes (resident set growth across the compile) and the
process's peak, and what matched: the share of posts with a hit, hits per post, hits per
kind and form. Usage:

    .venv/bin/python bench/bench_listening.py              # 5,000 rules, 200,000 posts, 5 repetitions
    .venv/bin/python bench/bench_listening.py --quick      # 20,000 posts, 3 repetitions
    .venv/bin/python bench/bench_listening.py --profile    # cProfile of one matcher pass
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from caredesk.listening import Hit, Matcher, Rule
from machine import machine
from make_listening import make_rules, read_posts, repeated_posts

GOAL_POSTS_PER_S = 50_000
NAIVE_RULES = 50
NAIVE_POSTS = 20_000
QUICK_POSTS = 20_000
MEASURED = ("casefold", "prepare", "naive", "matcher", "match per post")


def resident_mib() -> float:
    """The process's resident set now (Linux), in MiB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds: CPU time says what one core can do when others share the machine."""
    started, started_cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - started, time.process_time() - started_cpu


def casefold_all(texts: list[str]) -> None:
    for text in texts:
        text.casefold()


def prepare_all(texts: list[str]) -> None:
    from caredesk.listening.text import prepare

    for text in texts:
        prepare(text)


def naive_matcher(rules: list[Rule]) -> Callable[[list[str]], int]:
    """Substring tests of every term, rule after rule: the loop the automaton replaces."""
    folded_rules = [
        (tuple(term.casefold() for term in rule.terms), tuple(e.casefold() for e in rule.exclusions))
        for rule in rules
    ]

    def run(texts: list[str]) -> int:
        hits = 0
        for text in texts:
            folded = text.casefold()
            for terms, exclusions in folded_rules:
                if any(term in folded for term in terms) and not any(e in folded for e in exclusions):
                    hits += 1
        return hits

    return run


def describe_hits(results: list[list[Hit]]) -> list[tuple[str, str]]:
    posts_hit = sum(1 for hits in results if hits)
    total = sum(len(hits) for hits in results)
    kinds = Counter(hit.kind.value for hits in results for hit in hits)
    forms = Counter(hit.form for hits in results for hit in hits)
    return [
        ("posts with a hit", f"{posts_hit:,} of {len(results):,} ({posts_hit / len(results):.1%})"),
        ("hits per post", f"{total / len(results):.2f} (at most {max(map(len, results))} on one post)"),
        ("hits by kind", ", ".join(f"{kind} {n:,}" for kind, n in kinds.most_common())),
        ("hits by form", ", ".join(f"{form} {n:,}" for form, n in forms.most_common())),
    ]


def print_table(rows: list[tuple[str, list[float], str]]) -> None:
    width = max(len(name) for name, *_ in rows)
    print(f"{'figure':<{width}}  {'median':>10}  runs")
    for name, values, fmt in rows:
        runs = "  ".join(format(v, fmt) for v in values)
        print(f"{name:<{width}}  {format(statistics.median(values), fmt):>10}  {runs}")


def run_benchmark(args: argparse.Namespace) -> None:
    # One core, the last usable one, so the figure is per core and the process never migrates.
    os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    post_count = QUICK_POSTS if args.quick else args.posts
    repeat = 3 if args.quick else args.repeat
    posts = read_posts()
    texts = repeated_posts(posts, post_count)
    specs = make_rules(posts, args.rules)
    rules = [Rule.parse(spec.as_dict()) for spec in specs]
    print(
        f"Listening benchmark: {len(rules):,} rules "
        f"({sum(len(r.terms) for r in rules):,} terms, {sum(bool(r.exclusions) for r in rules):,} with "
        f"exclusions), {len(texts):,} posts ({len(posts):,} distinct real tweets), {repeat} repetitions"
    )
    for name, value in machine(("pinned to core", str(sorted(os.sched_getaffinity(0))))):
        print(f"  {name}: {value}", flush=True)

    gc.collect()
    before = resident_mib()
    started = time.perf_counter()
    matcher = Matcher.compile(rules)
    compile_seconds = time.perf_counter() - started
    grown = resident_mib() - before
    matcher.match_many(texts[:5_000])  # warm-up: the Unicode tables are built on first use

    if args.profile:
        profile(matcher, texts)
        return

    naive = naive_matcher(rules[:NAIVE_RULES])
    naive_posts = texts[:NAIVE_POSTS]
    scale = (len(rules) / NAIVE_RULES) * (len(texts) / len(naive_posts))
    walls: dict[str, list[float]] = {name: [] for name in MEASURED}
    cpus: dict[str, list[float]] = {name: [] for name in MEASURED}
    results: list[list[Hit]] = []

    def record(name: str, work: Callable[[], object], posts_done: float) -> None:
        wall, cpu = timed(work)
        walls[name].append(posts_done / wall)
        cpus[name].append(posts_done / cpu)

    def match_all() -> None:
        nonlocal results
        results = matcher.match_many(texts)

    for repetition in range(1, repeat + 1):
        record("casefold", lambda: casefold_all(texts), len(texts))
        record("prepare", lambda: prepare_all(texts), len(texts))
        record("naive", lambda: naive(naive_posts), len(texts) / scale)
        record("matcher", match_all, len(texts))
        record("match per post", lambda: [matcher.match(text) for text in texts], len(texts))
        print(
            f"  [{repetition}] " + "  ".join(f"{name} {values[-1]:,.0f}/s" for name, values in walls.items()),
            flush=True,
        )
    print()
    ratios = [m / c for m, c in zip(walls["matcher"], walls["casefold"], strict=True)]
    print_table(
        [
            ("baseline: casefold only, posts/s", walls["casefold"], ",.0f"),
            ("prepare only (fold, words), posts/s", walls["prepare"], ",.0f"),
            (
                f"naive `in` loop, {NAIVE_RULES} rules scaled to {len(rules):,}, posts/s",
                walls["naive"],
                ",.0f",
            ),
            (f"matcher, {len(rules):,} rules, posts/s", walls["matcher"], ",.0f"),
            ("matcher, posts per CPU second", cpus["matcher"], ",.0f"),
            ("`match` post by post (default GC), posts/s", walls["match per post"], ",.0f"),
            ("matcher / casefold (paired)", ratios, ".4f"),
            ("matcher, µs per post", [1e6 / rate for rate in walls["matcher"]], ".2f"),
        ]
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    keys = matcher_keys(matcher)
    print(f"\ncompile: {compile_seconds:.2f} s for {len(rules):,} rules ({keys:,} automaton keys)")
    print(f"memory: resident set grew {grown:.1f} MiB across the compile; process peak {peak:.0f} MiB")
    for name, value in describe_hits(results):
        print(f"{name}: {value}")
    rate = statistics.median(walls["matcher"])
    verdict = "meets" if rate >= GOAL_POSTS_PER_S else "is BELOW"
    print(
        f"\nmedian matcher rate {rate:,.0f} posts/s on one core {verdict} the "
        f"{GOAL_POSTS_PER_S:,} posts/s goal"
    )


def matcher_keys(matcher: Matcher) -> int:
    return len(matcher._keys)  # the benchmark may look inside; the product never does


def profile(matcher: Matcher, texts: list[str]) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    matcher.match_many(texts)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(15)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=5_000, help="rules to compile")
    parser.add_argument("--posts", type=int, default=200_000, help="posts to match per repetition")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (medians are reported)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_POSTS:,} posts, 3 repetitions")
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of one matcher pass, then stop"
    )
    return parser.parse_args()


if __name__ == "__main__":
    run_benchmark(parse_args())
