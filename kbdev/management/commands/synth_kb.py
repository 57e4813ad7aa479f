"""Fill a separate database with a deterministic synthetic knowledge base (see kbdev.synth)."""

import time

from django.core.management.base import BaseCommand, CommandError

from kb.progress import command_progress
from kbdev import synth


class Command(BaseCommand):
    help = (
        "Fill the database DATABASE_URL names with a synthetic knowledge base for benchmarks: at scale 1, "
        "10,000 actors, 2,000 sources, 200,000 claims, 20,000 relationships, 5,000 events, 1,000 agreements "
        "and 20,000 arms transfers. The same --seed gives the same rows. A database holding synthetic data "
        "is emptied and refilled; one holding anything else is refused unless --force. Progress goes to "
        "stderr (none with -v0)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="Size relative to scale 1 (e.g. 0.01, 0.1, 1).")
        parser.add_argument("--seed", type=int, default=synth.DEFAULT_SEED, help="Random seed.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Delete every kb record in a database that holds non-synthetic data, then fill it.",
        )

    def handle(self, *args, scale: float, seed: int, force: bool, verbosity: int, **options) -> None:
        if not 0 < scale <= 20:
            raise CommandError(f"--scale must be above 0 and at most 20, got {scale}.")
        started = time.perf_counter()
        try:
            with command_progress(self, verbosity=verbosity) as progress:
                counts = synth.generate(scale=scale, seed=seed, force=force, progress=progress)
        except synth.NotSyntheticError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        total = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(f"synth_kb: {total:,} rows at scale {scale} (seed {seed}) in {elapsed:.1f} s.")
        )
