"""Evaluate ingest against the curated corpus and the development set, each measure beside its target."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kb.corpus import DEFAULT_PATH, CorpusError, read_corpus
from kb.errors import error_line
from kbdev.ingest_eval import report
from kbdev.ingest_eval.devset import DEFAULT_DEVSET_PATH, DevsetError, read_devset, unknown_references
from kbdev.ingest_eval.run import NotEmptyError, evaluate


class Command(BaseCommand):
    help = (
        "Ingest the corpus's source texts and the development set's articles into an empty database that "
        "holds only the corpus's actors, agreements, events and transfers (not its claims), compare the "
        "proposals with the curated claims and with the development set's gold sentences, and print each "
        "measure per set beside its target. Everything is rolled back at the end; `make eval-ingest` runs "
        "it on a scratch database."
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
        parser.add_argument("--json", action="store_true", help="Print the figures of both sets as JSON.")
        parser.add_argument(
            "--verbose", action="store_true", help="List every miss: per corpus article and per development article."
        )

    def handle(self, *args, path: Path, devset: Path, **options) -> None:
        try:
            corpus = read_corpus(path)
            articles = read_devset(devset)
            if unknown := unknown_references(articles, corpus):
                raise DevsetError(f"{devset}: the corpus holds no {'; '.join(unknown)}.")
            evaluation = evaluate(corpus, articles)
        except (CorpusError, DevsetError, NotEmptyError) as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(error_line(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(report.evaluation_json(evaluation), indent=2, ensure_ascii=False))
            return
        heading = self.style.MIGRATE_HEADING
        self.stdout.write(heading(f"Corpus ({len(evaluation.corpus)} articles, curated claims)"))
        if options["verbose"]:
            for result in evaluation.corpus:
                self.stdout.write(heading(f"{result.title}: misses"))
                for line in report.detail_lines(result):
                    self.stdout.write(line)
        corpus_total = report.total(evaluation.corpus)
        for title, scores in [*((r.title, r.scores) for r in evaluation.corpus), ("corpus total", corpus_total)]:
            self.stdout.write(heading(title))
            for line in report.score_lines(scores):
                self.stdout.write(line)
        for line in report.target_lines(corpus_total.figures(), "corpus"):
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(heading(f"Development set ({len(evaluation.devset)} articles, gold sentences)"))
        for result in evaluation.devset:
            self.stdout.write(heading(f"{result.name}: {result.title}"))
            if options["verbose"]:
                for line in report.dev_detail_lines(result):
                    self.stdout.write(line)
            for line in report.dev_score_lines(result.scores):
                self.stdout.write(line)
        self.stdout.write(heading("development set total"))
        for line in report.dev_score_lines(report.dev_total(evaluation.devset)):
            self.stdout.write(line)
