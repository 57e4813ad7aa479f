"""Import a SIPRI Trade Register CSV export into the transfer register, backed by the stored file."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kb.choices import ClaimStatus
from kb.errors import error_line
from kb.services.sipri import SipriFileError, sipri_import


class Command(BaseCommand):
    help = (
        "Import a SIPRI Trade Register CSV (the trade register export of armstrade.sipri.org, or "
        "kb's own ?format=sipri export). The file is stored as a dataset source published by SIPRI; "
        "each new or changed deal becomes a transfer backed by a claim quoting its line. The same "
        "file again changes nothing; a bad row refuses the whole file, naming its line."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The Trade Register CSV export (UTF-8).")
        review = parser.add_mutually_exclusive_group()
        review.add_argument(
            "--accept", action="store_true", help="Accept the claims on import (the editor vouches for the file)."
        )
        review.add_argument("--propose", action="store_true", help="Propose the claims for review (the default).")
        parser.add_argument("--user", default="", help="Username recorded as the author of the change.")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"--user: no user named {options['user']!r}.")
        limit = settings.KB_INGEST_MAX_BYTES
        with path.open("rb") as handle:
            content = handle.read(limit + 1)  # one byte over is enough to refuse it
        status = ClaimStatus.ACCEPTED if options["accept"] else ClaimStatus.PROPOSED
        try:
            result = sipri_import(user=user, content=content, filename=path.name, status=status)
        except SipriFileError as exc:
            lines = "\n".join(f"  {message}" for message in exc.messages)
            raise CommandError(f"{path}: refused, nothing was stored:\n{lines}") from exc
        except ValidationError as exc:
            raise CommandError(f"{path}: {error_line(exc)}") from exc
        if result.source is not None and not result.created:
            self.stdout.write(
                f"Already imported as source #{result.source.pk} “{result.source}”: nothing changed "
                f"({result.rows} row(s))."
            )
            return
        if result.source is None:
            self.stdout.write(f"No deal changed ({result.unchanged} row(s) as stored): nothing was stored.")
            return
        self.stdout.write(self.style.SUCCESS(f"Stored source #{result.source.pk} “{result.source}” (dataset)."))
        self.stdout.write(
            f"{len(result.added)} transfer(s) added, {len(result.updated)} updated, {result.unchanged} unchanged; "
            f"{len(result.claims)} claim(s) {status}."
        )
