"""The scale sweep: every page and endpoint of the project timed on the database at hand.

Routes come from the URL configuration (``kbdev.routes``), as in the permission matrix, so
a new route is timed without anyone listing it; a route the sweep cannot fill with a record
of the database is reported as such, never skipped in silence. Each route is asked for as
an anonymous reader through Django's test client, with warm-up and repeats, its queries
counted. ``bench.run`` runs the sweep on the seed corpus and on ``synth_kb --scale 1`` and
sets the two side by side: a page's time at scale should follow what it shows, not what
the base holds.

The record a detail route shows is picked the same way on every database: the actor most
often a subject of accepted claims (the heaviest dossier), the source with the most claims,
and the first visible record of every other kind.
"""

from __future__ import annotations

import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kb.choices import ClaimStatus
from kb.models import Actor, Agreement, AgreementParty, ArmsTransfer, Claim, Event, Relationship, Source
from kb.selectors import visible_records
from kbdev.routes import Route, project_routes
from kbdev.timing import measure

# Query strings without which a route answers 400 (search needs words), or that pick the page
# worth timing: the STIX walk's heaviest section, sources with their claims.
QUERY = {
    "api:search": "?q=missiles",
    "kb:search": "?q=missiles",
    "kb:feed-search-atom": "?q=missiles",
    "kb:feed-search-json": "?q=missiles",
    "api:stix": "?cursor=sources:0",
}
# Routes that answer only POST: nothing to time for a reader.
POST_ONLY = {
    "api:ingest",
    "api:draft-accept",
    "api:draft-reject",
    "kb:review-decide",
    "kb:review-draft-from-claim",
    "kb:review-draft",
}
# Routes for editors alone: an anonymous reader is refused (401), finds nothing (404) or is
# sent to the login (the review desk; tests/test_desk.py measures it).
EDITORS_ONLY = {"api:draft-list", "api:draft-detail", "kb:review"}
# Whole-list CSV follows the rows it writes, not the size of a page (docs/performance.md).
WHOLE_LIST = {"kb:transfer-csv", "kb:transfer-sipri"}
# Filters timed apart from their list's plain URL, each given the actor that matches the most rows:
# by route, the filter and the AgreementParty column whose recorded steps it looks up.
FILTERED = {
    "api:agreement-list": {"ratified_by": "ratified_on", "in_force_for": "in_force_on"},
    "kb:agreement-list": {"ratified_by": "ratified_on", "in_force_for": "in_force_on"},
}
# Records behind the detail routes, by the model a route's basename names.
BASENAMES = {
    "actor": Actor,
    "source": Source,
    "claim": Claim,
    "event": Event,
    "agreement": Agreement,
    "arms-transfer": ArmsTransfer,
    "transfer": ArmsTransfer,
    "relationship": Relationship,
}
# Routes of one record that are not its detail: the feeds of an actor's and a source's claims.
RECORD_ROUTES = {
    "feed-actor-atom": Actor,
    "feed-actor-json": Actor,
    "feed-source-atom": Source,
    "feed-source-json": Source,
}


@dataclass
class Target:
    route: Route
    url: str | None
    note: str = ""
    variant: str = ""  # a filter timed apart (FILTERED)

    @property
    def name(self) -> str:
        name = f"{self.route.namespace}:{self.route.name}"
        return f"{name}?{self.variant}" if self.variant else name


def _pick(model) -> object | None:
    """The record this model's detail routes show: the same rule on every database."""
    if model is Actor:
        mentions = Count("claims", filter=Q(claims__status=ClaimStatus.ACCEPTED))
        return Actor.objects.annotate(n=mentions).order_by("-n", "pk").first()
    if model is Source:
        return Source.objects.annotate(n=Count("claims")).order_by("-n", "pk").first()
    if model is Claim:
        return Claim.objects.filter(status=ClaimStatus.ACCEPTED).order_by("pk").first()
    return visible_records(user=None, queryset=model.objects.order_by("pk")).first()


def targets(routes: list[Route] | None = None) -> list[Target]:
    """A URL for every GET route of the project, filled with records of this database."""
    picked: dict[type, object] = {}
    out = []
    for route in routes if routes is not None else project_routes():
        name = f"{route.namespace}:{route.name}"
        params = set(route.params) - {"format"}
        if "format" in route.params:
            continue  # DRF's format-suffix twin of a route timed without the suffix
        if name in POST_ONLY:
            out.append(Target(route, None, "answers POST only"))
            continue
        if name in EDITORS_ONLY:
            out.append(Target(route, None, "editors only"))
            continue
        if route.name == "not-found":
            out.append(Target(route, "/api/v1/no-such-resource/"))
            continue
        if not params:
            out.append(Target(route, reverse(name) + QUERY.get(name, "")))
            out.extend(_filtered(route, name))
            continue
        basename = (route.name or "").removesuffix("-detail")
        model = BASENAMES.get(basename) if (route.name or "").endswith("-detail") else RECORD_ROUTES.get(route.name)
        if model is None or len(params) != 1:
            out.append(Target(route, None, "the sweep cannot fill its parameters: teach kbdev/sweep.py"))
            continue
        if model not in picked:
            picked[model] = _pick(model)
        record = picked[model]
        if record is None:
            out.append(Target(route, None, f"no visible {model._meta.verbose_name} in this database"))
            continue
        (param,) = params
        out.append(Target(route, reverse(name, kwargs={param: getattr(record, param)})))
    return out


def _filtered(route: Route, name: str) -> list[Target]:
    """The FILTERED variants of a list route, each with the actor that took the step in the most agreements."""
    out = []
    for param, step in FILTERED.get(name, {}).items():
        busiest = (
            AgreementParty.objects.filter(**{f"{step}__isnull": False})
            .values("actor__slug")
            .annotate(n=Count("pk"))
            .order_by("-n", "actor__slug")
            .first()
        )
        if busiest is None:
            out.append(Target(route, None, f"no party with {step} in this database", variant=param))
            continue
        out.append(Target(route, f"{reverse(name)}?{param}={busiest['actor__slug']}", variant=param))
    return out


class RouteTimeout(Exception):
    pass


@contextmanager
def deadline(seconds: int):
    """Raise RouteTimeout in this thread after ``seconds`` (a page that never answers must not stall the run)."""

    def expire(signum, frame):
        raise RouteTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def sweep(*, repeats: int = 5, timeout: int = 60, routes: list[Route] | None = None) -> list[dict]:
    """Time every target as an anonymous reader: the first request (cold: caches empty), then the
    median and p95 of ``repeats`` more in ms, with the first request's queries, bytes and status."""
    client = Client()
    rows = []
    for target in targets(routes):
        row = {"route": target.name, "path": target.route.route, "url": target.url, "note": target.note}
        row["whole_list"] = target.name in WHOLE_LIST
        if target.url is None:
            rows.append(row)
            continue
        try:
            with deadline(timeout):
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(target.url)
                    size = _size(response)
                cold = (time.perf_counter() - started) * 1000
                row.update(status=response.status_code, queries=len(queries), bytes=size, cold_ms=round(cold, 3))
                row.update(measure(lambda url=target.url: _size(client.get(url)), warmup=0, repeats=repeats))
        except RouteTimeout:
            row.update(status=None, note=f"no answer within {timeout} s")
        rows.append(row)
    return rows


def _size(response) -> int:
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def database_counts() -> dict[str, int]:
    return {
        "actors": Actor.objects.count(),
        "sources": Source.objects.count(),
        "claims": Claim.objects.count(),
        "events": Event.objects.count(),
        "transfers": ArmsTransfer.objects.count(),
    }
