"""Import STIX 2.1 bundles: identities and locations as actors, relationships as proposals for review."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kb.services import StixImportError, stix_import


class Command(BaseCommand):
    help = (
        "Read STIX 2.1 bundles (JSON files) and bring their identities and locations in as actors and "
        "their relationships as relationships without evidence, which analysts see only once an editor "
        "backs them with an accepted claim. An actor already known (by the id kb's export gives it, its "
        "Wikidata id or any of its names) is matched, not duplicated; importing the same file again "
        "changes nothing. A file that is not a valid bundle is refused with the line at fault, and "
        "nothing is stored."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="A STIX 2.1 bundle, as JSON.")
        parser.add_argument("--user", default="", help="Username recorded as the author of the changes.")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary.")

    def handle(self, *args, **options) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"--user: no user named {options['user']!r}.")
        bundles = []
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{path}: no such file.")
            try:
                bundles.append((str(path), path.read_text(encoding="utf-8")))
            except UnicodeDecodeError as exc:
                raise CommandError(f"{path}: not UTF-8 text (byte {exc.start}).") from exc
        try:
            result = stix_import(bundles=bundles, user=user)
        except StixImportError as exc:
            raise CommandError(f"{exc} Nothing was stored.") from exc
        summary = {
            "actors_created": [actor.slug for actor in result.actors_created],
            "actors_matched": [actor.slug for actor in result.actors_matched],
            "relationships_created": [r.pk for r in result.relationships_created],
            "relationships_matched": [r.pk for r in result.relationships_matched],
            "skipped": result.skipped,
            "ignored": dict(sorted(result.ignored.items())),
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Actors: {len(result.actors_created)} created, {len(result.actors_matched)} matched. "
                f"Relationships: {len(result.relationships_created)} proposed (no evidence yet), "
                f"{len(result.relationships_matched)} matched."
            )
        )
        for line in result.skipped:
            self.stdout.write(f"Skipped: {line}")
        if result.ignored:
            kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(result.ignored.items()))
            self.stdout.write(f"Not imported (kb takes actors and relationships only): {kinds}.")
