"""Ingest an article file: store it as a source and propose claims for an editor to review."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kb import services
from kb.api.ingest import IngestResultSerializer
from kb.errors import error_line
from kb.services.ingest import INGEST_ACCOUNT, INGEST_USERNAME


class Command(BaseCommand):
    help = (
        "Store an article (plain text or HTML; HTML has its main text extracted) as a source and "
        "propose a claim for each sentence worth citing, with status 'proposed'. The same text "
        "again changes nothing. --json prints the source id, the claims proposed, the actors "
        "recognised and the new names found."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The article: a UTF-8 text file or an HTML page.")
        parser.add_argument("--title", required=True, help="The article's headline.")
        parser.add_argument("--publisher", required=True, help="Who published it, e.g. 'The Interpreter'.")
        parser.add_argument(
            "--published", required=True, help="Publication date: YYYY-MM-DD (or YYYY-MM, YYYY when vaguer)."
        )
        parser.add_argument("--author", default="", help="The byline as the article prints it.")
        parser.add_argument("--url", default="", help="Where the article was published.")
        parser.add_argument("--kind", default="news", help="news, analysis, opinion or official (default news).")
        parser.add_argument(
            "--user",
            default="",
            help=f"Username recorded as the author of the change (default: the '{INGEST_USERNAME}' account, "
            "created on first use without a password, so it cannot log in).",
        )
        parser.add_argument(
            "--reliability",
            default="",
            help="The source's Admiralty reliability grade A-F (default: the publisher's latest graded source's, "
            "else F); it sets the credibility suggested for each claim.",
        )
        parser.add_argument("--json", action="store_true", help="Print a JSON summary.")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        limit = settings.KB_INGEST_MAX_BYTES
        with path.open("rb") as handle:
            content = handle.read(limit + 1)  # one byte over is enough to refuse it
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"--user: no user named {options['user']!r}.")
        else:
            user = INGEST_ACCOUNT  # made, the first time, only by an ingest that writes
        try:
            result = services.source_ingest(
                user=user,
                content=content,
                filename=path.name,
                title=options["title"],
                publisher=options["publisher"],
                published_on=options["published"],
                byline=options["author"],
                url=options["url"],
                kind=options["kind"],
                reliability=options["reliability"].strip().upper(),
            )
        except ValidationError as exc:
            raise CommandError(f"{path}: {error_line(exc)}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(IngestResultSerializer(result).data, ensure_ascii=False, indent=2))
            return
        source = result.source
        if not result.created:
            self.stdout.write(
                f"Already stored as source #{source.pk} “{source}”: nothing changed "
                f"({len(result.claims)} claim(s) on record)."
            )
            return
        self.stdout.write(self.style.SUCCESS(f"Stored source #{source.pk} “{source}”."))
        self.stdout.write(f"Proposed {len(result.claims)} claim(s) for review.")
        names = ", ".join(actor.name for actor in result.actors) or "none"
        self.stdout.write(f"Actors recognised ({len(result.actors)}): {names}")
        candidates = ", ".join(result.candidates) or "none"
        self.stdout.write(f"New names for an editor to consider ({len(result.candidates)}): {candidates}")
        drafts = "; ".join(str(draft) for draft in result.drafts) or "none"
        self.stdout.write(f"Draft records proposed for review ({len(result.drafts)}): {drafts}")
