"""Write a backup of the whole knowledge base (records, history, users, tokens) to one file."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb.backup import backup_to_file
from kb.progress import command_progress


class Command(BaseCommand):
    help = (
        "Write the whole knowledge base (every record and its history, users, groups, API tokens, "
        "the admin log) to a timestamped gzip JSON Lines file in --dir (default: backups/) and print its path "
        "(on the last line of stdout; progress goes to stderr, none with -v0)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dir", type=Path, default=settings.BASE_DIR / "backups", help="Directory for the backup file."
        )
        parser.add_argument("--database", default="default", help="Database alias to back up.")

    def handle(self, *args, dir: Path, database: str, verbosity: int, **options) -> None:
        try:
            with command_progress(self, verbosity=verbosity) as progress:
                path, header = backup_to_file(dir, using=database, progress=progress)
        except OSError as exc:
            raise CommandError(f"Cannot write a backup into {dir}: {exc}") from exc
        total = sum(header["counts"].values())
        self.stdout.write(f"{total} rows from {header['database']}")
        self.stdout.write(self.style.SUCCESS(str(path)))
