"""One load check: prepare a scratch database, serve, load, stop, audit, and the figures of the run."""

from __future__ import annotations

import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, connections

from kb.backup import model_counts
from kb.corpus import load_corpus
from kb.models import Claim
from kb.services import EDITORS_GROUP, token_create, tokens_revoke_all
from kbdev.load.audit import audit, snapshot
from kbdev.load.replication import LagSampler
from kbdev.load.server import Gunicorn
from kbdev.load.traffic import Stats, make_targets, reader, writer
from kbdev.timing import HOST, percentile

EDITOR = "load-check-editor"


@dataclass
class Report:
    """The figures of one run and every problem found; ``ok`` when there is none."""

    database: str
    seconds: float
    requests: int
    reads: int
    writes: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: list[str]
    problems: list[str]
    statuses: dict[str, int]
    slowest: dict[str, float] = field(default_factory=dict)
    servers: int = 1
    read_after_write_misses: int = 0
    replication: dict[str, float | int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "seconds": round(self.seconds, 2),
            "requests": self.requests,
            "reads": self.reads,
            "acknowledged_writes": self.writes,
            "requests_per_second": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 1),
            "p99_ms": round(self.p99_ms, 1),
            "error_count": len(self.errors),
            "errors": self.errors[:20],
            "problems": self.problems[:20],
            "statuses": self.statuses,
            "slowest_p50_ms": self.slowest,
            "servers": self.servers,
            "read_after_write_misses": self.read_after_write_misses,
            "replication": self.replication,
        }


class NotScratchError(Exception):
    """The database holds kb records, and the load check was not told to empty it."""


def prepare_database(*, flush: bool) -> None:
    """Migrate this scratch database, empty it if ``flush``, and load the seed corpus.

    A database holding kb records is refused with NotScratchError unless ``flush``: the
    load writes to it, and the audit needs to know every row that was there before.
    """
    if not flush and Claim._meta.db_table in connection.introspection.table_names():
        occupied = {label: n for label, n in model_counts().items() if n and label.startswith("kb.")}
        if occupied:
            raise NotScratchError(
                "load_check writes to the database: point DATABASE_URL at a scratch database "
                f"(this one holds {sum(occupied.values())} rows), or pass --flush to empty it."
            )
    call_command("migrate", interactive=False, verbosity=0)
    if flush:
        call_command("flush", interactive=False, verbosity=0)
    load_corpus()


def editor_token() -> str:
    user, _ = get_user_model().objects.get_or_create(username=EDITOR, defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    tokens_revoke_all(owner=user, user=user)  # one run's token at a time, not one more per run
    return token_create(user=user, name="load check")[1]


def run_load_check(
    *,
    seconds: float,
    max_requests: int,
    readers: int,
    writers: int,
    workers: int,
    servers: int = 1,
    log_dir: Path | None = None,
    seed: int = 1,
    out=None,
) -> Report:
    """Serve, load, stop, audit. The database must already hold the seed corpus.

    ``servers`` gunicorn instances of ``workers`` workers each serve the app; every client
    sends each request to the next one. Several servers must share a cache (Redis) and find
    it in the environment they inherit, as deployed app servers would.
    """
    say = out or (lambda line: None)
    token = editor_token()
    targets = make_targets(writers, per_writer=max_requests, seed=seed)
    before = snapshot()
    database = connections["default"].vendor
    connections.close_all()  # gunicorn's workers are the only clients while the load runs

    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="kb-load-"))
    group = [Gunicorn(workers=workers, log=log_dir / f"gunicorn-{n}.log") for n in range(servers)]
    ports = [server.port for server in group]
    stats = Stats()
    lag = LagSampler() if LagSampler.wanted() else None
    try:
        for server in group:
            server.wait_ready()
        where = ", ".join(f"http://{HOST}:{port}/" for port in ports)
        replicas = getattr(settings, "REPLICA_DATABASES", [])
        say(
            f"gunicorn ({servers} × {workers} workers) on {where}, {database}"
            + (f" + {len(replicas)} replica(s)" if replicas else "")
        )
        stop, budget = threading.Event(), [max_requests]
        threads = [
            threading.Thread(target=reader, args=(stats, ports, targets.read_paths, stop, budget, seed + i))
            for i in range(readers)
        ] + [
            threading.Thread(target=writer, args=(stats, ports, token, targets, i, stop, budget))
            for i in range(writers)
        ]
        if lag:
            lag.start()
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        deadline = began + seconds
        while time.perf_counter() < deadline and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        stop.set()
        for thread in threads:
            thread.join(timeout=90)
        elapsed = time.perf_counter() - began
    finally:
        if lag:
            lag.stop()
        for server in group:
            server.stop()
    for server in group:
        for line in server.output().splitlines():
            if re.search(r"Traceback|database is locked|Error|CRITICAL|WORKER TIMEOUT", line):
                stats.errors.append(f"gunicorn log: {line.strip()[:200]}")
    if lag:
        stats.errors.extend(lag.errors)

    problems = audit(before, stats.writes)
    return Report(
        database=database,
        seconds=elapsed,
        requests=len(stats.latencies),
        reads=stats.methods["GET"],
        writes=len(stats.writes),
        rps=len(stats.latencies) / elapsed if elapsed else 0.0,
        p50_ms=percentile(stats.latencies, 50) * 1000,
        p99_ms=percentile(stats.latencies, 99) * 1000,
        errors=stats.errors,
        problems=problems,
        statuses={str(k): v for k, v in sorted(stats.statuses.items())},
        slowest=dict(
            sorted(
                ((path, round(percentile(times, 50) * 1000, 1)) for path, times in stats.by_path.items()),
                key=lambda item: -item[1],
            )[:5]
        ),
        servers=servers,
        read_after_write_misses=stats.read_after_write_misses,
        replication=lag.figures() if lag else {},
    )
