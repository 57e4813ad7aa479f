"""Benchmark: ingesting a ~1,000-word article, end to end and the text processing alone (median and p95).

Run it on a scratch database (``make bench-ingest`` makes one): it loads the corpus's
actors, then ingests the same article again and again, each time with one distinct
closing line so that the content hash differs and every run really stores a source and
its claims. Each run is rolled back, so the database stays as it was.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from kb import services  # noqa: E402
from kb.corpus import DEFAULT_PATH, CorpusError, read_corpus  # noqa: E402
from kb.dates import PartialDate  # noqa: E402
from kb.ingest.names import PhraseIndex  # noqa: E402
from kb.ingest.proposals import analyse  # noqa: E402
from kb.models import Actor, Alias  # noqa: E402
from kbdev.ingest_eval.run import alias_names  # noqa: E402
from kbdev.timing import percentile  # noqa: E402

FALLBACK_ACTORS = [
    ("russia", "Russia", "state", ["Russian Federation"]),
    ("north-korea", "North Korea", "state", ["DPRK"]),
    ("kim-jong-un", "Kim Jong-un", "person", []),
    ("vladimir-putin", "Vladimir Putin", "person", ["Putin"]),
    ("pyongyang", "Pyongyang", "place", []),
]


class Rollback(Exception):
    """Raised to undo one benchmark run."""


def article(words: int, corpus_dir: Path) -> str:
    """About ``words`` words of real prose: the corpus's source texts, repeated as needed."""
    paragraphs = []
    for path in sorted((corpus_dir / "sources").glob("*.txt")):
        paragraphs.extend(p for p in path.read_text(encoding="utf-8").split("\n") if len(p.split()) > 8)
    if not paragraphs:
        raise SystemExit(f"No source texts under {corpus_dir / 'sources'}.")
    chosen, count, i = [], 0, 0
    while count < words:
        paragraph = paragraphs[i % len(paragraphs)]
        chosen.append(paragraph)
        count += len(paragraph.split())
        i += 1
    return "\n\n".join(chosen)


def report(label: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(
        f"{label:<34} runs {len(ms):>3}  median {statistics.median(ms):7.1f} ms  "
        f"p95 {percentile(ms, 95):7.1f} ms  max {max(ms):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_PATH)
    args = parser.parse_args()

    if not Actor.objects.exists():
        try:
            actors = [
                (slug, row["name"], row["kind"], alias_names(row)) for slug, row in read_corpus(args.corpus).actors
            ]
        except CorpusError as exc:
            print(f"corpus not readable ({exc}); using a few built-in actors")
            actors = FALLBACK_ACTORS
        with transaction.atomic():
            for slug, name, kind, aliases in actors:
                services.actor_create(user=None, name=name, kind=kind, slug=slug, aliases=aliases)
    text = article(args.words, args.corpus)
    published = PartialDate.parse("2024-07-01")
    print(
        f"article: {len(text.split())} words, {len(text)} characters; {Actor.objects.count()} actors, "
        f"{Alias.objects.count()} aliases; database {connection.vendor}"
    )

    pure = []
    for _ in range(args.runs):
        began = time.perf_counter()
        index = PhraseIndex(Alias.objects.values_list("name", "actor_id"))
        analysis = analyse(text, actors=index, published=published)
        pure.append(time.perf_counter() - began)

    full, claims = [], 0
    for run in range(args.runs):
        content = f"{text}\n\nBenchmark run {run}.".encode()
        began = time.perf_counter()
        try:
            with transaction.atomic():
                result = services.source_ingest(
                    user=None,
                    content=content,
                    filename="article.txt",
                    title=f"Benchmark {run}",
                    publisher="Benchmark",
                    published_on="2024-07-01",
                )
                claims = len(result.claims)
                raise Rollback
        except Rollback:
            pass
        full.append(time.perf_counter() - began)

    print(f"proposals per article: {len(analysis.proposals)} (stored claims {claims})")
    report("text processing (index + analyse)", pure)
    report("source_ingest end to end", full)


if __name__ == "__main__":
    main()
