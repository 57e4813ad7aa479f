"""Load the seed corpus (fixtures/corpus/) idempotently: a second run changes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.corpus import DEFAULT_PATH, CorpusError, load_corpus, read_corpus
from kb.progress import command_progress


class Command(BaseCommand):
    help = (
        "Load the seed corpus: actors, sources and their claims, claim links, relationships, events, "
        "agreements and arms transfers, from the TOML fixtures in --path. Records that already match "
        "are left alone; records the corpus created that the fixtures no longer define are removed; "
        "the whole load is one transaction and bad fixture input writes nothing. Progress goes to stderr "
        "(none with -v0)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--path",
            type=Path,
            default=DEFAULT_PATH,
            help="Directory of the corpus fixtures (default: fixtures/corpus).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check the fixtures (fields, references, dates, quote anchors); write nothing.",
        )

    def handle(self, *args, path: Path, check: bool, verbosity: int, **options) -> None:
        try:
            if check:
                corpus = read_corpus(path)
                claims = sum(len(source.claims) for source in corpus.sources)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"load_corpus --check: {len(corpus.actors)} actors, {len(corpus.sources)} sources, "
                        f"{claims} claims (every quote anchors), {len(corpus.relationships)} relationships, "
                        f"{len(corpus.events)} events, {len(corpus.agreements)} agreements and "
                        f"{len(corpus.transfers)} transfers are well formed."
                    )
                )
                return
            with command_progress(self, verbosity=verbosity) as progress:
                report = load_corpus(path, progress=progress)
        except CorpusError as exc:
            raise CommandError(str(exc)) from None
        for line in report.lines():
            self.stdout.write(line)
        verdict = f"{report.changed} record(s) written." if report.changed else "Nothing to do: the corpus is loaded."
        self.stdout.write(self.style.SUCCESS(f"load_corpus: {verdict}"))
