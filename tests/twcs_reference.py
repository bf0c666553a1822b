"""An independent computation of the report on a TWCS file: one reply tree, one conversation.

Deliberately shares no code with Caredesk: plain csv, a union-find over
`in_response_to_tweet_id`, and the metric definitions written out again.
"""

from __future__ import annotations

import csv
import statistics
from datetime import datetime
from pathlib import Path
from typing import Any


def _records(path: Path) -> list[dict[str, str]]:
    with path.open(newline="\n", encoding="utf-8") as handle:
        # Bare CRs inside unquoted tweets would end a record for the csv module.
        lines = (line.removesuffix("\r\n").replace("\r", " ") + "\n" for line in handle)
        return list(csv.DictReader(lines))


def reference_report(path: Path) -> dict[str, dict[str, Any]]:
    tweets = {row["tweet_id"]: row for row in _records(path)}
    parent: dict[str, str] = {}

    def root(tweet: str) -> str:
        while parent.get(tweet, tweet) != tweet:
            tweet = parent[tweet]
        return tweet

    for tweet_id, row in tweets.items():
        replied_to = row["in_response_to_tweet_id"]
        if replied_to:
            replied_to = str(int(float(replied_to)))
            if replied_to in tweets and root(replied_to) != root(tweet_id):
                parent[root(tweet_id)] = root(replied_to)

    trees: dict[str, list[dict[str, str]]] = {}
    for tweet_id, row in tweets.items():
        trees.setdefault(root(tweet_id), []).append(row)

    def when(row: dict[str, str]) -> datetime:
        return datetime.strptime(row["created_at"], "%a %b %d %H:%M:%S %z %Y")

    waits: dict[str, list[float]] = {}
    answers: dict[str, list[int]] = {}
    started: dict[str, int] = {}
    for tree in trees.values():
        # Ties: the customer's tweet first, as an answer cannot precede its question.
        tree.sort(key=lambda row: (when(row), row["inbound"] != "True"))
        if tree[0]["inbound"] != "True":
            continue
        brand_tweets = [row for row in tree if row["inbound"] == "False"]
        brand = brand_tweets[0]["author_id"] if brand_tweets else "(unrouted)"
        started[brand] = started.get(brand, 0) + 1
        if brand_tweets:
            waits.setdefault(brand, []).append((when(brand_tweets[0]) - when(tree[0])).total_seconds())
            answers.setdefault(brand, []).append(len(brand_tweets))
    return {
        brand: {
            "conversations": count,
            "answered": len(waits.get(brand, [])),
            "median_first_response_s": statistics.median(waits[brand]) if brand in waits else None,
            "mean_responses_per_interaction": statistics.fmean(answers[brand]) if brand in answers else None,
        }
        for brand, count in started.items()
    }
