"""Load without loss: mixed reads and concurrent editor writes against kb under gunicorn, then an audit.

``run_load_check`` serves the app with gunicorn on 127.0.0.1 (an ephemeral port) against
this process's database, runs reader threads (API lists, details, search and web pages,
anonymously) and writer threads (an editor's token POSTing actors and claims), bounded
by time and by request count, stops gunicorn, and audits the database: every
acknowledged (201) write is there exactly as sent and as answered, every row that was
there before is unchanged, every new row belongs to an acknowledged write, and
``verify_kb`` is clean. Only loopback is ever contacted.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connections
from rest_framework.authtoken.models import Token

from kb.backup import backup_rows
from kb.choices import ActorKind, Modality
from kb.models import Actor, Claim, Source
from kb.selectors import kb_violations
from kb.services import EDITORS_GROUP

HOST = "127.0.0.1"
EDITOR = "load-check-editor"


@dataclass
class Stats:
    """Everything the clients saw: latencies, status codes, errors and the acknowledged writes."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    methods: Counter = field(default_factory=Counter)
    by_path: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    writes: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, status: int | None, error: str | None = None, method: str = "GET") -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.methods[method] += 1
            if status is not None:
                self.statuses[status] += 1
            if error:
                self.errors.append(error)


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
        }


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)  # nearest rank: the smallest value with at least pct% of values at or below it
    index = min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))
    return ordered[index]


# --- the server -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn serving kb.wsgi on loopback with production settings over plain http."""

    def __init__(self, *, workers: int, log: Path):
        self.port = free_port()
        self.log_path = log
        env = {
            **os.environ,
            "KB_ENV": "production",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "false",  # plain http on loopback; everything else as deployed
            "KB_MANIFEST_STATIC": "false",
            "KB_API_ANON_RATE": "",  # the readers are one address; no throttling in the test
        }
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "kb.wsgi:application",
            f"--bind={HOST}:{self.port}",
            f"--workers={workers}",
            "--timeout=60",
            "--graceful-timeout=20",
            "--log-level=warning",
            "--error-logfile=-",
        ]
        self.log = log.open("wb")
        self.process = subprocess.Popen(argv, cwd=settings.BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.output()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/api/v1/")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")


# --- the clients ------------------------------------------------------------------


def request(port: int, method: str, path: str, body: dict | None = None, token: str = "") -> tuple[int, bytes]:
    headers = {"Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Token {token}"
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def timed(stats: Stats, port: int, method: str, path: str, **kwargs) -> tuple[int | None, bytes]:
    began = time.perf_counter()
    try:
        status, content = request(port, method, path, **kwargs)
    except (OSError, http.client.HTTPException) as exc:
        stats.record(time.perf_counter() - began, None, f"{method} {path}: {type(exc).__name__}: {exc}", method)
        return None, b""
    error = None if 200 <= status < 300 else f"{method} {path}: HTTP {status}: {content[:200]!r}"
    seconds = time.perf_counter() - began
    stats.record(seconds, status, error, method)
    with stats.lock:
        stats.by_path.setdefault(f"{method} {re.sub(r'/[0-9]+/', '/<id>/', path)}", []).append(seconds)
    return status, content


@dataclass
class Plan:
    """What the clients may touch: read paths, and the anchors each writer may claim (disjoint)."""

    read_paths: list[str]
    anchors: list[list[tuple[int, int, int, str]]]  # per writer: (source id, start, end, quote)
    actor_ids: list[int]


def make_plan(writers: int, per_writer: int, seed: int) -> Plan:
    rng = random.Random(seed)
    taken = set(Claim.objects.values_list("source_id", "start", "end"))
    spans = []
    for source_id, text in Source.objects.order_by("pk").values_list("pk", "text"):
        words = [m.span() for m in re.finditer(r"\w[\w’'.,-]*", text)]
        for i in range(0, max(0, len(words) - 8), 3):
            start, end = words[i][0], words[i + 2 + (i % 5)][1]
            if (source_id, start, end) not in taken:
                spans.append((source_id, start, end, text[start:end]))
    rng.shuffle(spans)
    if len(spans) < writers * per_writer:
        per_writer = len(spans) // max(1, writers)
    anchors = [spans[w * per_writer : (w + 1) * per_writer] for w in range(writers)]
    actor_ids = list(Actor.objects.order_by("pk").values_list("pk", flat=True)[:50])
    claim_ids = list(Claim.objects.filter(status="accepted").order_by("pk").values_list("pk", flat=True)[:50])
    slugs = list(Actor.objects.order_by("pk").values_list("slug", flat=True)[:20])
    source_ids = list(Source.objects.order_by("pk").values_list("pk", flat=True)[:10])
    paths = [
        "/api/v1/actors/",
        "/api/v1/actors/?search=kim",
        "/api/v1/claims/",
        "/api/v1/claims/?modality=forecast",
        "/api/v1/sources/",
        "/api/v1/agreements/",
        "/api/v1/arms-transfers/",
        "/api/v1/events/",
        "/api/v1/search/?q=korea",
        "/",
        "/actors/",
        "/transfers/",
        "/search/?q=putin",
    ]
    paths += [f"/api/v1/actors/{pk}/" for pk in actor_ids[:20]]
    paths += [f"/api/v1/claims/{pk}/" for pk in claim_ids[:20]]
    paths += [f"/actors/{slug}/" for slug in slugs[:10]]
    paths += [f"/sources/{pk}/" for pk in source_ids[:5]]
    return Plan(read_paths=paths, anchors=anchors, actor_ids=actor_ids)


def reader(stats: Stats, port: int, paths: list[str], stop: threading.Event, budget: list[int], seed: int) -> None:
    rng = random.Random(seed)
    while not stop.is_set() and _take(budget, stats):
        timed(stats, port, "GET", rng.choice(paths))


def writer(stats: Stats, port: int, token: str, plan: Plan, index: int, stop: threading.Event, budget: list[int]):
    rng = random.Random(1000 + index)
    anchors = list(plan.anchors[index])
    n = 0
    while not stop.is_set() and _take(budget, stats):
        n += 1
        if anchors and (n % 3 or not plan.actor_ids):
            source_id, start, end, quote = anchors.pop()
            subjects = rng.sample(plan.actor_ids, k=min(2, len(plan.actor_ids)))
            body = {
                "source": source_id,
                "quote": quote,
                "start": start,
                "end": end,
                "statement": f"Load check paraphrase {index}-{n}.",
                "modality": rng.choice(Modality.values),
                "subjects": subjects,
            }
            kind = "claim"
            status, content = timed(stats, port, "POST", "/api/v1/claims/", body=body, token=token)
        else:
            name = f"Load actor {index}-{n}-{secrets.token_hex(3)}"
            body = {
                "name": name,
                "kind": rng.choice(ActorKind.values),
                "aliases": [f"{name} alias", f"LA {index}.{n}"],
                "summary": f"Made by the load check <b>{index}</b> & “{n}”.",
            }
            kind = "actor"
            status, content = timed(stats, port, "POST", "/api/v1/actors/", body=body, token=token)
        if status != 201:
            continue
        answer = json.loads(content)
        with stats.lock:
            stats.writes.append({"kind": kind, "id": answer["id"], "sent": body, "answer": answer})
        # Read your write: the detail must show it at once.
        path = f"/api/v1/{kind}s/{answer['id']}/"
        status, content = timed(stats, port, "GET", path, token=token)
        if status == 200 and json.loads(content)["id"] != answer["id"]:
            with stats.lock:
                stats.errors.append(f"GET {path} returned another record")


def _take(budget: list[int], stats: Stats) -> bool:
    with stats.lock:
        if budget[0] <= 0:
            return False
        budget[0] -= 1
        return True


# --- the audit --------------------------------------------------------------------


def snapshot() -> dict[tuple[str, Any], str]:
    """Every row of the knowledge base (the backup's rows), keyed by (model, pk)."""
    return {(row["model"], row["pk"]): json.dumps(row, sort_keys=True, default=str) for row in backup_rows()}


def audit(before: dict[tuple[str, Any], str], writes: list[dict[str, Any]]) -> list[str]:
    """Every way the database differs from ``before`` plus exactly the acknowledged ``writes``."""
    problems = []
    after = snapshot()
    for key, row in before.items():
        if key not in after:
            problems.append(f"{key[0]} #{key[1]} was there before the load and is gone")
        elif after[key] != row:
            problems.append(f"{key[0]} #{key[1]} changed during the load, which wrote no such change")
    new = {key: json.loads(row) for key, row in after.items() if key not in before}
    actors = {w["id"]: w for w in writes if w["kind"] == "actor"}
    claims = {w["id"]: w for w in writes if w["kind"] == "claim"}
    owned = {"kb.actor": set(actors), "kb.claim": set(claims)}

    def expect(label: str, pks: set) -> None:
        got = {pk for (model, pk) in new if model == label}
        if got != pks:
            lost, extra = sorted(pks - got), sorted(got - pks)
            if lost:
                problems.append(f"{label}: acknowledged rows missing: {lost[:10]}")
            if extra:
                problems.append(f"{label}: rows no acknowledged write made: {extra[:10]}")

    expect("kb.actor", set(actors))
    expect("kb.claim", set(claims))
    alias_pks = set()
    history_ids: dict[str, set] = {}
    for (label, pk), row in new.items():
        fields = row["fields"]
        if label == "kb.alias":
            alias_pks.add(pk)
            if fields["actor"] not in actors:
                problems.append(f"kb.alias #{pk} belongs to actor #{fields['actor']}, which no write made")
        elif label.startswith("kb.historical") and "_" not in label.split(".")[1]:
            model = "kb." + label.split(".")[1].removeprefix("historical")
            object_id = fields.get("id")
            parent = fields.get("actor") if model == "kb.alias" else None
            if object_id in owned.get(model, set()) or (model == "kb.alias" and parent in actors):
                history_ids.setdefault(label, set()).add(pk)
            else:
                problems.append(f"{label} #{pk} records a change no acknowledged write made ({model} #{object_id})")
    for (label, pk), row in new.items():
        if label.startswith("kb.historical") and "_" in label.split(".")[1]:
            if row["fields"].get("history") not in history_ids.get(label.split("_")[0], set()):
                problems.append(f"{label} #{pk} belongs to no new history row of an acknowledged write")
        elif label not in {"kb.actor", "kb.claim", "kb.alias"} and not label.startswith("kb.historical"):
            problems.append(f"{label} #{pk} is new, and the load wrote no such record")
    expected_aliases = sum(len({w["sent"]["name"], *w["sent"]["aliases"]}) for w in actors.values())
    if len(alias_pks) != expected_aliases:
        problems.append(f"kb.alias: {len(alias_pks)} new aliases, expected {expected_aliases}")

    for pk, write in actors.items():
        row = new.get(("kb.actor", pk))
        if row is None:
            continue
        sent, fields = write["sent"], row["fields"]
        for name in ("name", "kind", "summary"):
            if fields[name] != sent[name] or write["answer"][name] != sent[name]:
                problems.append(f"kb.actor #{pk}: {name} is {fields[name]!r}, the write sent {sent[name]!r}")
    alias_names: dict[int, set] = {}
    for (label, _pk), row in new.items():
        if label == "kb.alias":
            alias_names.setdefault(row["fields"]["actor"], set()).add(row["fields"]["name"])
    for pk, write in actors.items():
        wanted = {write["sent"]["name"], *write["sent"]["aliases"]}
        if alias_names.get(pk, set()) != wanted:
            problems.append(
                f"kb.actor #{pk}: aliases {sorted(alias_names.get(pk, []))}, the write sent {sorted(wanted)}"
            )
    for pk, write in claims.items():
        row = new.get(("kb.claim", pk))
        if row is None:
            continue
        sent, fields = write["sent"], row["fields"]
        for name in ("source", "quote", "start", "end", "statement", "modality"):
            if fields[name] != sent[name]:
                problems.append(f"kb.claim #{pk}: {name} is {fields[name]!r}, the write sent {sent[name]!r}")
        if sorted(fields["subjects"]) != sorted(sent["subjects"]):
            problems.append(f"kb.claim #{pk}: subjects {fields['subjects']}, the write sent {sent['subjects']}")
    problems.extend(f"verify_kb: {line}" for line in kb_violations())
    return problems


# --- the run ----------------------------------------------------------------------


def editor_token() -> str:
    user, _ = get_user_model().objects.get_or_create(username=EDITOR, defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def run_load_check(
    *,
    seconds: float,
    max_requests: int,
    readers: int,
    writers: int,
    workers: int,
    log_dir: Path | None = None,
    seed: int = 1,
    out=None,
) -> Report:
    """Serve, load, stop, audit. The database must already hold the seed corpus."""
    say = out or (lambda line: None)
    token = editor_token()
    plan = make_plan(writers, per_writer=max_requests, seed=seed)
    before = snapshot()
    database = connections["default"].vendor
    connections.close_all()  # gunicorn's workers are the only clients while the load runs

    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="kb-load-"))
    server = Gunicorn(workers=workers, log=log_dir / "gunicorn.log")
    stats = Stats()
    try:
        server.wait_ready()
        say(f"gunicorn ({workers} workers) on http://{HOST}:{server.port}/, {database}")
        stop, budget = threading.Event(), [max_requests]
        threads = [
            threading.Thread(target=reader, args=(stats, server.port, plan.read_paths, stop, budget, seed + i))
            for i in range(readers)
        ] + [
            threading.Thread(target=writer, args=(stats, server.port, token, plan, i, stop, budget))
            for i in range(writers)
        ]
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
        server.stop()
    log = server.output()
    for line in log.splitlines():
        if re.search(r"Traceback|database is locked|Error|CRITICAL|WORKER TIMEOUT", line):
            stats.errors.append(f"gunicorn log: {line.strip()[:200]}")

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
    )
