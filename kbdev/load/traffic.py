"""The load check's clients: readers of lists, details, search and pages; an editor's writers through the API.

Each client takes requests from a shared budget until it is spent or the run is stopped,
and records every latency, status and error in ``Stats``; writers also record every
acknowledged (201) write for the audit. With several app servers, each request goes to the
next one, so a writer reads its write back from another server than the one that took it:
a miss there (``read_after_write_misses``) is a writer not reading its own write.
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kb.choices import ActorKind, Modality
from kb.models import Actor, Claim, Source
from kbdev.timing import HOST


@dataclass
class Stats:
    """Everything the clients saw: latencies, status codes, errors and the acknowledged writes."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    methods: Counter = field(default_factory=Counter)
    by_path: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    writes: list[dict[str, Any]] = field(default_factory=list)
    read_after_write_misses: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, status: int | None, error: str | None = None, method: str = "GET") -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.methods[method] += 1
            if status is not None:
                self.statuses[status] += 1
            if error:
                self.errors.append(error)


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
class Targets:
    """What the clients may touch: read paths, and the anchors each writer may claim (disjoint)."""

    read_paths: list[str]
    anchors: list[list[tuple[int, int, int, str]]]  # per writer: (source id, start, end, quote)
    actor_ids: list[int]


def make_targets(writers: int, per_writer: int, seed: int) -> Targets:
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
    return Targets(read_paths=paths, anchors=anchors, actor_ids=actor_ids)


def reader(
    stats: Stats, ports: list[int], paths: list[str], stop: threading.Event, budget: list[int], seed: int
) -> None:
    rng = random.Random(seed)
    servers = itertools.cycle(ports[seed % len(ports) :] + ports[: seed % len(ports)])
    while not stop.is_set() and _take(budget, stats):
        timed(stats, next(servers), "GET", rng.choice(paths))


def writer(
    stats: Stats,
    ports: list[int],
    token: str,
    targets: Targets,
    index: int,
    stop: threading.Event,
    budget: list[int],
):
    rng = random.Random(1000 + index)
    anchors = list(targets.anchors[index])
    servers = itertools.cycle(ports[index % len(ports) :] + ports[: index % len(ports)])
    n = 0
    while not stop.is_set() and _take(budget, stats):
        n += 1
        port = next(servers)
        if anchors and (n % 3 or not targets.actor_ids):
            source_id, start, end, quote = anchors.pop()
            subjects = rng.sample(targets.actor_ids, k=min(2, len(targets.actor_ids)))
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
        # Read your write: the detail must show it at once, on whichever server answers next.
        path = f"/api/v1/{kind}s/{answer['id']}/"
        status, content = timed(stats, next(servers), "GET", path, token=token)
        if status == 404:
            with stats.lock:
                stats.read_after_write_misses += 1
        if status == 200 and json.loads(content)["id"] != answer["id"]:
            with stats.lock:
                stats.errors.append(f"GET {path} returned another record")


def _take(budget: list[int], stats: Stats) -> bool:
    with stats.lock:
        if budget[0] <= 0:
            return False
        budget[0] -= 1
        return True
