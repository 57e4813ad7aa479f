"""Evaluate ingest against the curated corpus: precision and recall of proposed claims, actors, modality, dates."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kb.corpus import DEFAULT_PATH, CorpusError, read_corpus
from kb.errors import error_line
from kbdev.ingest_eval import report
from kbdev.ingest_eval.run import NotEmptyError, evaluate_corpus


class Command(BaseCommand):
    help = (
        "Ingest the corpus's source texts into an empty database that holds only the corpus's actors, "
        "agreements and transfers (not its claims), compare the proposed claims with the curated ones "
        "and print precision and recall. Everything is rolled back at the end; `make eval-ingest` runs "
        "it on a scratch database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--path", type=Path, default=DEFAULT_PATH, help="Corpus directory (default fixtures/corpus)."
        )
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
        parser.add_argument("--verbose", action="store_true", help="List missed, spurious and disagreeing claims.")

    def handle(self, *args, path: Path, **options) -> None:
        try:
            results = evaluate_corpus(read_corpus(path))
        except (CorpusError, NotEmptyError) as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(error_line(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(results), indent=2))
            return
        if options["verbose"]:
            for result in results:
                for line in report.detail_lines(result):
                    self.stdout.write(line)
        for title, scores in [*((r.title, r.scores) for r in results), ("total", report.total(results))]:
            self.stdout.write(self.style.MIGRATE_HEADING(title))
            for line in report.score_lines(scores):
                self.stdout.write(line)
