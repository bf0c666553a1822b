"""Real posts and realistic listening rules for the listening benchmark.

Posts: the text of every tweet in the TWCS files of /work/shared/data/twcs (or, without them,
the sample in the repository) and of the airline sentiment files when present, about 38,000
real customer and brand tweets, repeated in a shuffled order up to the count asked for.

Rules, as 100 brands' workspaces of 50 rules each would write them (5,000 by default):

* the brands are the TWCS brand accounts (screen names such as `AppleSupport`) and the six
  airlines of the airline data, the busiest first; a brand's name is its screen name without
  the care words ("Ask", "Support", "Help", …): `AskPlayStation` gives "PlayStation" and
  `British_Airways` "British Airways";
* each workspace has one brand rule (its name and `@screen_name`), 5 competitor rules (other
  brands' names), up to 14 product rules (capitalised words and word pairs that recur in the
  tweets to that brand, such as "iPhone", "Fios", "Photoshop"; for the airlines mostly the
  cities they fly to) and keyword rules for the rest (words and word pairs from the whole
  corpus, skipping the 400 most frequent words, also inside pairs, so "the" is no keyword);
* one rule in six has an exclusion: a word pair of the corpus that contains one of the
  rule's words ("apple pie" for "apple"), or else a frequent word.

Everything is drawn with a fixed seed, so a run's rules and posts are the same every time.
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SHARED_DATA = Path("/work/shared/data")
SAMPLE = BENCH_DIR.parent / "src" / "caredesk" / "demo" / "twcs_head5000.csv"
SEED = 20261123
RULES_PER_WORKSPACE = 50
KEYWORD_SKIP = 400  # the most frequent words: never keywords, nor in a keyword pair
_CR = "\ue000"  # stands in for a bare CR while the csv module reads a record
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9']{2,}")  # a keyword candidate: three characters or more
_ANY_WORD = re.compile(r"[A-Za-z']+")
_CARE_WORDS = re.compile(
    r"^(?:Ask_?)|_?(?:Support|Helpers|Help|Helps|Cares|Care|Service|Official|Team|Tweets|Assist|"
    r"Enq|UKI_Help)$",
    re.IGNORECASE,
)
# A capitalised word or pair after a word in lower case, so not a sentence's first word.
_NAME = re.compile(r"(?<=[a-z,] )((?:[A-Z][a-z]+|[a-z][A-Z][a-z]+)(?: [A-Z][a-z0-9]+)?)\b")
_AIRLINE_HANDLES = {
    "Virgin America": "VirginAmerica",
    "United": "united",
    "Southwest": "SouthwestAir",
    "Delta": "Delta",
    "US Airways": "USAirways",
    "American": "AmericanAir",
}


@dataclass(frozen=True, slots=True)
class Post:
    """One real tweet: its text and, for TWCS, the brand account of its thread (if known)."""

    text: str
    brand: str | None


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A rule as plain data, as `caredesk.listening.Rule.parse` takes it."""

    id: int
    kind: str
    terms: tuple[str, ...]
    exclusions: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "terms": list(self.terms),
            "exclusions": list(self.exclusions),
        }


def read_posts() -> list[Post]:
    """Every real tweet text available, TWCS first, in file order."""
    twcs_dir = SHARED_DATA / "twcs"
    twcs_files = sorted(twcs_dir.glob("*.csv")) if twcs_dir.is_dir() else [SAMPLE]
    posts = [post for path in twcs_files for post in _twcs_posts(path)]
    for path in sorted((SHARED_DATA / "airline").glob("airline_sentiment_*.csv")):
        with path.open(encoding="utf-8", newline="") as stream:
            posts.extend(
                Post(row["text"], _AIRLINE_HANDLES.get(row["airline"])) for row in csv.DictReader(stream)
            )
    return posts


def _twcs_posts(path: Path) -> Iterator[Post]:
    # Records end at LF only (some texts hold bare CRs), as the importer reads them.
    with path.open(encoding="utf-8", errors="replace", newline="\n") as stream:
        reader = csv.reader(line.replace("\r", _CR) if "\r" in line else line for line in stream)
        header = next(reader)
        text_at, author_at = header.index("text"), header.index("author_id")
        for fields in reader:
            if len(fields) != len(header):
                continue  # a record the file itself breaks; the other 99.9 % are enough
            author = fields[author_at]
            yield Post(fields[text_at].replace(_CR, "\r"), None if author.isdigit() else author)


def repeated_posts(posts: list[Post], count: int) -> list[str]:
    """`count` texts: the posts over and over, each round in a new shuffled order."""
    shuffle = random.Random(SEED)
    texts: list[str] = []
    while len(texts) < count:
        round_texts = [post.text for post in posts]
        shuffle.shuffle(round_texts)
        texts.extend(round_texts[: count - len(texts)])
    return texts


def brand_name(screen_name: str) -> str:
    """`AskPlayStation` -> "PlayStation", `British_Airways` -> "British Airways"."""
    core = _CARE_WORDS.sub("", screen_name) or screen_name
    return core.replace("_", " ").strip()


def make_rules(posts: list[Post], count: int) -> list[RuleSpec]:
    """`count` rules for `count / 50` workspaces (see the module docstring)."""
    draw = random.Random(SEED)
    brand_posts: dict[str, list[str]] = defaultdict(list)
    words: Counter[str] = Counter()
    lowercase: Counter[str] = Counter()  # how often each word is written all in lower case
    pairs: Counter[str] = Counter()
    for post in posts:
        tokens = _WORD.findall(post.text)
        words.update(token.lower() for token in tokens)
        lowercase.update(token for token in _ANY_WORD.findall(post.text) if token.islower())
        pairs.update(f"{a} {b}".lower() for a, b in pairwise(tokens))
        if post.brand:
            brand_posts[post.brand].append(post.text)
    brands = [brand for brand, _ in Counter({b: len(t) for b, t in brand_posts.items()}).most_common()]
    # Keywords are specific words ("refund", "outage"), not the corpus's everyday ones.
    everyday = {word for word, _ in words.most_common(KEYWORD_SKIP)}
    keywords = [word for word, _ in words.most_common(10_000)[KEYWORD_SKIP:]]
    keyword_pairs = [
        pair for pair, n in pairs.most_common(20_000) if n >= 3 and not everyday.intersection(pair.split())
    ]
    pairs_with: dict[str, list[str]] = defaultdict(list)
    for pair, _ in pairs.most_common(20_000):
        for word in pair.split():
            pairs_with[word].append(pair)

    rules: list[RuleSpec] = []
    workspaces = max(1, count // RULES_PER_WORKSPACE)
    for workspace in range(workspaces):
        brand = brands[workspace % len(brands)]
        # Up to 14 product rules, fewer when the sample names few of the brand's products.
        products = _products(brand_posts[brand], brand_name(brand), lowercase)
        last_product = 5 + min(14, len(products))
        others = [b for b in brands if b != brand]
        for slot in range(RULES_PER_WORKSPACE):
            terms: tuple[str, ...]
            if slot == 0:
                kind, terms = "brand", (brand_name(brand), f"@{brand}")
            elif slot <= 5:
                kind, terms = "competitor", (brand_name(draw.choice(others)),)
            elif slot <= last_product:
                kind, terms = "product", tuple(draw.sample(products, min(len(products), draw.randint(1, 2))))
            else:
                source = keyword_pairs if draw.random() < 0.4 else keywords
                kind, terms = "keyword", tuple(draw.sample(source, draw.randint(1, 3)))
            exclusions = _exclusions(draw, terms, pairs_with, keywords) if draw.random() < 1 / 6 else ()
            rules.append(RuleSpec(len(rules) + 1, kind, terms, exclusions))
            if len(rules) == count:
                return rules
    return rules


def _products(texts: list[str], name: str, lowercase: Counter[str]) -> list[str]:
    """Names that recur in a brand's tweets: its products, mostly ("iPhone", "Prime Video").

    A name is a capitalised word (or two) inside a sentence, kept when the corpus rarely
    writes it in lower case, so "Thanks" and "Please" are not products.
    """
    found: Counter[str] = Counter()
    for text in texts:
        found.update(_NAME.findall(text))
    skip = {name, *name.split()}
    names = [
        product
        for product, n in found.most_common(400)
        if n >= 3 and product not in skip and all(lowercase[word.lower()] * 4 < n for word in product.split())
    ]
    return names[:40]


def _exclusions(
    draw: random.Random, terms: tuple[str, ...], pairs_with: dict[str, list[str]], keywords: list[str]
) -> tuple[str, ...]:
    lowered = {term.lower() for term in terms}
    for word in (w for term in terms for w in term.lower().split()):
        candidates = [pair for pair in pairs_with.get(word, [])[:20] if pair not in lowered]
        if candidates:
            return (draw.choice(candidates),)
    return (draw.choice([word for word in keywords[:1_000] if word not in lowered]),)
