"""Time every page and endpoint of the project on this database (the scale sweep of ``make bench``)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kbdev.sweep import database_counts, sweep


class Command(BaseCommand):
    help = (
        "Ask every route of the web UI and the API (walked from the URL configuration) as an anonymous "
        "reader and time it: the first request, then the median and p95 of --repeats more, with queries "
        "and bytes. Prints a table, or writes JSON with --out. `make bench` runs it on the seed corpus "
        "and on synth_kb --scale 1 and compares the two."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--repeats", type=int, default=5, help="Timed requests per route after the first (5).")
        parser.add_argument("--timeout", type=int, default=60, help="Seconds a route may take to answer (60).")
        parser.add_argument("--out", type=Path, help="Write the figures as JSON to this file.")

    def handle(self, *args, repeats: int, timeout: int, out: Path | None, **options) -> None:
        if repeats < 1 or timeout < 1:
            raise CommandError("--repeats and --timeout must be at least 1.")
        if out is not None and not out.parent.is_dir():
            raise CommandError(f"--out: no directory {out.parent}.")
        counts = database_counts()
        if not counts["claims"]:
            raise CommandError("The database holds no claims: load the corpus or run synth_kb first.")
        rows = sweep(repeats=repeats, timeout=timeout)
        result = {"engine": connection.vendor, "counts": counts, "repeats": repeats, "routes": rows}
        if out is not None:
            out.write_text(json.dumps(result, indent=2) + "\n")
        if options["verbosity"] == 0:
            return
        self.stdout.write(f"{connection.vendor}: " + ", ".join(f"{n:,} {what}" for what, n in counts.items()))
        for row in rows:
            if row.get("median_ms") is None:
                self.stdout.write(f"  {row['route']:<28} –  {row['note']}")
                continue
            self.stdout.write(
                f"  {row['route']:<28} {row['median_ms']:>9.1f} ms  (first {row['cold_ms']:.0f} ms)  "
                f"{row['queries']:>3} queries  {row['bytes']:>9,} bytes  {row['status']}  {row['url']}"
            )
