"""Restore a backup made by kb_backup into an empty, migrated database, then verify it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.backup import BackupError, restore
from kb.progress import command_progress


class Command(BaseCommand):
    help = (
        "Load a kb_backup file into this database in one transaction: the database must be migrated "
        "and hold no records (--force empties it first). Afterwards every model's row count must equal "
        "the backup's and verify_kb must find nothing, or nothing is restored. Progress goes to stderr "
        "(none with -v0)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="A backup file written by kb_backup (.jsonl.gz).")
        parser.add_argument("--force", action="store_true", help="Delete everything in the database before restoring.")
        parser.add_argument("--database", default="default", help="Database alias to restore into.")

    def handle(self, *args, file: Path, force: bool, database: str, verbosity: int, **options) -> None:
        try:
            with file.open("rb") as stream, command_progress(self, verbosity=verbosity) as progress:
                result = restore(stream, using=database, force=force, progress=progress)
        except FileNotFoundError as exc:
            raise CommandError(f"No backup file at {file}.") from exc
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {result.total} rows from a {result.header['database']} backup of "
            f"{result.header['created_at']}; counts match and verify_kb found no violations."
        )
        self.stdout.write(self.style.SUCCESS(f"restored {file}"))
