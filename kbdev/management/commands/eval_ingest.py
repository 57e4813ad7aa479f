"""Evaluate ingest against the curated corpus and the development set, each measure beside its target."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kb.corpus import DEFAULT_PATH, CorpusError, read_corpus
from kb.errors import error_line
from kbdev.ingest_eval import report
from kbdev.ingest_eval.devset import (
    DEFAULT_CORPUS_GOLD_PATH,
    DEFAULT_DEVSET_PATH,
    DEFAULT_HELDOUT_PATH,
    DevsetError,
    read_corpus_gold,
    read_devset,
    unknown_references,
)
from kbdev.ingest_eval.run import NotEmptyError, evaluate


class Command(BaseCommand):
    help = (
        "Ingest the corpus's source texts and the development set's articles into an empty database that "
        "holds only the corpus's actors, agreements, events and transfers (not its claims), compare the "
        "proposals with the gold sentences of the corpus's sources, the development set and the held-out set, "
        "and print each measure per set beside its target; then compare them with the curators' clause-level claims. "
        "Everything is rolled back at the end; `make eval-ingest` runs it on a scratch database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--path", type=Path, default=DEFAULT_PATH, help="Corpus directory (default fixtures/corpus)."
        )
        parser.add_argument(
            "--devset",
            type=Path,
            default=DEFAULT_DEVSET_PATH,
            help="Development set directory: <name>.txt or .html beside <name>.json (default tests/data/ingest_dev).",
        )
        parser.add_argument(
            "--corpus-gold",
            type=Path,
            default=DEFAULT_CORPUS_GOLD_PATH,
            help="The corpus's sources annotated sentence by sentence: <source>.json each "
            "(default tests/data/ingest_corpus).",
        )
        parser.add_argument(
            "--heldout",
            type=Path,
            default=DEFAULT_HELDOUT_PATH,
            help="Held-out set directory, in the development set's form: articles the rules were not made on "
            "(default tests/data/ingest_heldout).",
        )
        parser.add_argument("--json", action="store_true", help="Print the figures of every set as JSON.")
        parser.add_argument(
            "--verbose", action="store_true", help="List every miss: per corpus article and per development article."
        )

    def handle(self, *args, path: Path, devset: Path, corpus_gold: Path, heldout: Path, **options) -> None:
        try:
            corpus = read_corpus(path)
            articles, sources, unseen = read_devset(devset), read_corpus_gold(corpus, corpus_gold), read_devset(heldout)
            for directory, annotated in ((devset, articles), (corpus_gold, sources), (heldout, unseen)):
                if unknown := unknown_references(annotated, corpus):
                    raise DevsetError(f"{directory}: the corpus holds no {'; '.join(unknown)}.")
            evaluation = evaluate(corpus, articles, sources, unseen)
        except (CorpusError, DevsetError, NotEmptyError) as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(error_line(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(report.evaluation_json(evaluation), indent=2, ensure_ascii=False))
            return
        heading = self.style.MIGRATE_HEADING
        verbose = options["verbose"]
        self._sentence_sets(
            [
                ("Corpus", f"{len(evaluation.corpus_sentences)} sources", evaluation.corpus_sentences, False),
                ("Development set", f"{len(evaluation.devset)} articles", evaluation.devset, True),
                (
                    "Held-out set",
                    f"{len(evaluation.heldout)} articles written after the rules, never tuned on",
                    evaluation.heldout,
                    True,
                ),
            ],
            verbose,
        )
        self.stdout.write("")
        self.stdout.write(
            heading(
                f"Corpus ({len(evaluation.corpus)} sources): the curators' clause-level claims, for comparison "
                "(no targets; see docs/ingest.md)"
            )
        )
        if verbose:
            for result in evaluation.corpus:
                self.stdout.write(heading(f"{result.title}: misses"))
                for line in report.detail_lines(result):
                    self.stdout.write(line)
        corpus_total = report.total(evaluation.corpus)
        rows = [*((r.title, r.scores) for r in evaluation.corpus), ("curated claims total", corpus_total)]
        for title, scores in rows:
            self.stdout.write(heading(title))
            for line in report.score_lines(scores):
                self.stdout.write(line)

    def _sentence_sets(self, sets, verbose: bool) -> None:
        """Each sentence-annotated set: every article's figures (and misses), then the set's total beside the targets;
        the drafts' figures where the set annotates drafts."""
        heading = self.style.MIGRATE_HEADING
        for title, counted, results, drafts in sets:
            self.stdout.write(heading(f"{title} ({counted}, gold sentences)"))
            for result in results:
                self.stdout.write(heading(f"{result.name}: {result.title}"))
                if verbose:
                    for line in report.dev_detail_lines(result):
                        self.stdout.write(line)
                for line in report.dev_score_lines(result.scores, drafts):
                    self.stdout.write(line)
            self.stdout.write(heading(f"{title.lower()} total"))
            for line in report.dev_score_lines(report.dev_total(results), drafts):
                self.stdout.write(line)
            self.stdout.write("")
