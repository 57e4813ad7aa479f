"""Load without loss: serve kb under gunicorn, read and write concurrently, then audit every write."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from multidb.pinning import use_primary_db

from kb.corpus import CorpusError
from kbdev.load.check import EDITOR, NotScratchError, prepare_database, run_load_check


class Command(BaseCommand):
    help = (
        "Migrate this (scratch) database and load the seed corpus, serve the app with gunicorn on "
        "127.0.0.1, run reader threads (lists, details, search, pages) and writer threads (an editor "
        "POSTing actors and claims through the API) for --seconds, then check that every acknowledged "
        "write is stored exactly as sent, nothing else changed and verify_kb is clean. Prints requests "
        "per second, p50/p99 latency and the error count; exits 1 on any error or loss. --servers N runs N "
        "gunicorn instances sharing the cache (KB_CACHE_URL or REDIS_URL) and the database (and its read "
        "replicas, DATABASE_REPLICA_URLS); each writer reads its write back from another server than the one "
        "that took it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seconds", type=float, default=20.0, help="How long the load runs (default 20).")
        parser.add_argument("--short", action="store_true", help="The CI run: 5 seconds, at most 3000 requests.")
        parser.add_argument("--max-requests", type=int, default=20000, help="Stop after this many requests.")
        parser.add_argument("--readers", type=int, default=4, help="Reader threads (default 4).")
        parser.add_argument("--writers", type=int, default=2, help="Editor writer threads (default 2).")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3).")
        parser.add_argument(
            "--servers", type=int, default=1, help="gunicorn instances, each of --workers workers (default 1)."
        )
        parser.add_argument(
            "--flush", action="store_true", help="Empty the database first (it must be a scratch database)."
        )
        parser.add_argument("--json", type=Path, help="Also write the figures to this JSON file.")

    def handle(self, *args, **options) -> None:
        seconds, max_requests = options["seconds"], options["max_requests"]
        if options["short"]:
            seconds, max_requests = min(seconds, 5.0), min(max_requests, 3000)
        for name in ("readers", "writers", "workers", "servers", "max_requests"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")
        if not 0 < seconds <= 600:
            raise CommandError("--seconds must be more than 0 and at most 600.")
        if options["servers"] > 1 and not settings.KB_CACHE_URL:
            raise CommandError(
                "--servers above 1 needs a cache the servers share: set REDIS_URL (or KB_CACHE_URL), "
                "e.g. redis://127.0.0.1:6379/14."
            )
        # This process prepares and audits: it reads what the primary holds, never a replica's copy.
        with use_primary_db:
            try:
                prepare_database(flush=options["flush"])
            except (NotScratchError, CorpusError) as exc:
                raise CommandError(str(exc)) from None
            report = run_load_check(
                seconds=seconds,
                max_requests=max_requests,
                readers=options["readers"],
                writers=options["writers"],
                workers=options["workers"],
                servers=options["servers"],
                out=self.stdout.write,
            )
        figures = report.as_dict()
        if options["json"]:
            options["json"].write_text(json.dumps(figures, indent=2) + "\n")
        self.stdout.write(
            f"{report.requests} requests in {report.seconds:.1f} s ({report.reads} reads, "
            f"{report.writes} acknowledged writes by {EDITOR}): {report.rps:.1f} req/s, "
            f"p50 {report.p50_ms:.1f} ms, p99 {report.p99_ms:.1f} ms, errors {len(report.errors)}"
        )
        self.stdout.write(f"status codes: {figures['statuses']}")
        self.stdout.write(f"slowest (p50 ms): {figures['slowest_p50_ms']}")
        self.stdout.write(
            f"read-after-write misses: {report.read_after_write_misses} (across {report.servers} servers)"
        )
        if report.replication:
            self.stdout.write(f"replication lag: {report.replication}")
        for line in report.errors[:20]:
            self.stderr.write(f"error: {line}")
        for line in report.problems[:20]:
            self.stderr.write(f"lost or changed: {line}")
        if not report.ok:
            raise CommandError(
                f"load check failed: {len(report.errors)} error(s), {len(report.problems)} integrity problem(s)."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"load check passed on {report.database}: every one of {report.writes} acknowledged writes "
                "is stored as sent, nothing else changed, verify_kb clean."
            )
        )
