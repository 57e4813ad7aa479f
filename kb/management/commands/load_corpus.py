"""Load the seed corpus (fixtures/corpus/) idempotently: a second run changes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.corpus import DEFAULT_PATH, CorpusError, load_corpus


class Command(BaseCommand):
    help = (
        "Load the seed corpus: actors, sources and their claims, claim links, relationships, events, "
        "agreements and arms transfers, from the TOML fixtures in --path. Records that already match "
        "are left alone; the whole load is one transaction and bad fixture input writes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--path",
            type=Path,
            default=DEFAULT_PATH,
            help="Directory of the corpus fixtures (default: fixtures/corpus).",
        )

    def handle(self, *args, path: Path, **options) -> None:
        try:
            report = load_corpus(path)
        except CorpusError as exc:
            raise CommandError(str(exc)) from None
        for line in report.lines():
            self.stdout.write(line)
        verdict = f"{report.changed} record(s) written." if report.changed else "Nothing to do: the corpus is loaded."
        self.stdout.write(self.style.SUCCESS(f"load_corpus: {verdict}"))
