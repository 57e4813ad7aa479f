"""A permission matrix generated from the URL configuration: every route × role × method.

The routes are not listed by hand: ``kbdev.routes.project_routes()`` walks the URL configuration
and collects every pattern of the project (outside the admin) with its full route and parameters. Each route is
turned into concrete URLs with ids and slugs of the seeded knowledge base (``sample_kb``: every
kind of record backed by an accepted claim and one backed only by a proposed claim, and a source
with an accepted claim beside one waiting for review). A route
the generator cannot instantiate fails the suite, naming the route, unless it sits in the
commented allow-list below; so a new endpoint cannot escape the matrix.

Size (test_matrix_size keeps it current): 74 routes outside the admin (45 API, 25 pages and feeds,
4 of the review desk), instantiated as 95 URLs (details of claim-backed records twice: accepted
and proposed backing; sources' details and feeds twice: public and waiting for review; DRF's
format-suffix twins with ``json``), × 4 roles × 7 methods = 2,660 requests, in 28 parametrized
tests (one per role and method) that loop over the URLs.

Two things the empty-body matrix cannot show are checked per role below it: that lists hold the
records only a proposed claim backs, and sources waiting for review, for editors alone, and what
writes with valid bodies do (editors' happen; anonymous callers' and analysts' are refused with a
JSON ``detail``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.test import Client
from django.urls import resolve, reverse

from kb import services
from kb.choices import ClaimStatus
from kb.models import Claim
from kbdev.routes import Route, project_routes
from tests.helpers import ids

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "analyst", "editor", "admin")
SAFE = ("GET", "HEAD", "OPTIONS")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
METHODS = SAFE + WRITES

# Routes the generator does not instantiate, each with the reason. Keep it empty if you can:
# any route missing both here and in TARGETS below makes test_every_route_is_instantiated fail.
NOT_INSTANTIATED: dict[str, str] = {}


# --- instantiating routes ----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A concrete URL of a route; ``hidden``: it shows something only editors may see."""

    route: Route
    url: str
    hidden: bool = False
    label: str = ""
    record: object = None


# API basenames → the objects of sample_kb to fill them with, and whether each is hidden from
# non-editors: every claim-backed kind has one record an accepted claim backs and one that only
# a proposed claim backs; sources one with an accepted claim and one waiting for review (no
# claim accepted, not published). Actors are not hidden.
PAIRS = {
    "source": ("source", "hidden_source"),
    "claim": ("meeting", "proposed"),
    "event": ("summit", "hidden_event"),
    "agreement": ("treaty", "hidden_agreement"),
    "arms-transfer": ("transfer", "hidden_transfer"),
    "relationship": ("leader", "hidden_relationship"),
}


def _pair(basename: str) -> Callable[[Mapping], list[tuple[object, bool]]]:
    shown, hidden = PAIRS[basename]
    return lambda kb: [(kb[shown], False), (kb[hidden], True)]


API_OBJECTS: dict[str, Callable[[Mapping], list[tuple[object, bool]]]] = {
    "actor": lambda kb: [(kb["dprk"], False)],
    # Drafts are the editors' alone: their URLs are 404 for anyone else.
    "draft": lambda kb: [(kb["draft"], True)],
    **{basename: _pair(basename) for basename in PAIRS},
}

# Web detail routes → (objects, the URL parameter taken from each).
WEB_OBJECTS: dict[str, tuple[Callable[[Mapping], list[tuple[object, bool]]], str]] = {
    "actor-detail": (API_OBJECTS["actor"], "slug"),
    "source-detail": (API_OBJECTS["source"], "pk"),
    "claim-detail": (API_OBJECTS["claim"], "pk"),
    "agreement-detail": (API_OBJECTS["agreement"], "slug"),
    "transfer-detail": (API_OBJECTS["arms-transfer"], "pk"),
    "event-detail": (API_OBJECTS["event"], "slug"),
    # The feeds of one actor's or source's accepted claims (public: a feed reader signs in as nobody).
    "feed-actor-atom": (API_OBJECTS["actor"], "slug"),
    "feed-actor-json": (API_OBJECTS["actor"], "slug"),
    "feed-source-atom": (API_OBJECTS["source"], "pk"),
    "feed-source-json": (API_OBJECTS["source"], "pk"),
    # The review desk's forms post about a claim (editors only).
    "review-decide": (API_OBJECTS["claim"], "pk"),
    "review-draft-from-claim": (API_OBJECTS["claim"], "pk"),
    "review-draft": (API_OBJECTS["draft"], "pk"),
}
# The review desk (kb/web/views/desk.py): the pages that write, for editors only. Signed-out
# callers are sent to the admin's login, analysts find nothing; its forms take POST alone.
DESK_PAGE = "review"
DESK_FORMS = {"review-decide", "review-draft-from-claim", "review-draft"}


def desk_refusal(role: str) -> set[int] | None:
    """What the desk answers a non-editor: the login redirect or 404; None for editors."""
    return {"anonymous": {302}, "analyst": {404}}.get(role)


# A draft's actions (POST only, editors only).
DRAFT_ACTIONS = {"draft-accept", "draft-reject"}

# The OpenAPI schema and its readers (drf-spectacular views, served to everyone).
DOCS = {"schema", "docs", "redoc"}

# Query strings where a route answers only with one (without: a 400 naming the parameter).
QUERY = {
    "api:search": "?q=Kim",
    "kb:search": "?q=Kim",
    "kb:feed-search-atom": "?q=Kim",
    "kb:feed-search-json": "?q=Kim",
}


def instantiate(route: Route, kb: Mapping) -> list[Target] | None:
    """Concrete URLs for ``route``, or None when the generator does not know how to fill it."""
    qualified = f"{route.namespace}:{route.name}"
    query = QUERY.get(qualified, "")
    params = set(route.params)
    fmt = {"format": "json"} if "format" in params else {}

    def targets(objects, param, attr="pk") -> list[Target]:
        return [
            Target(route, reverse(qualified, kwargs={param: getattr(obj, attr), **fmt}) + query, hidden, repr(obj), obj)
            for obj, hidden in objects
        ]

    if route.namespace == "api" and route.name == "not-found" and not params:
        # The catch-all: any path under /api/ that names no resource.
        return [Target(route, "/api/v1/no-such-resource/")]
    if route.namespace == "api" and route.name in DRAFT_ACTIONS and params - {"format"} == {"pk"}:
        return targets(API_OBJECTS["draft"](kb), "pk")
    if route.namespace == "api" and route.name and route.name.endswith("-detail") and params - {"format"} == {"pk"}:
        basename = route.name.removesuffix("-detail")
        if basename in API_OBJECTS:
            return targets(API_OBJECTS[basename](kb), "pk")
        return None
    if route.namespace == "kb" and route.name in WEB_OBJECTS and len(params) == 1:
        objects, param = WEB_OBJECTS[route.name]
        if {param} == params:
            return targets(objects(kb), param, param)
        return None
    if params - {"format"}:
        return None
    return [Target(route, reverse(qualified, kwargs=fmt) + query)]


def generate(kb: Mapping) -> list[Target]:
    """Every route's targets; fails naming the routes nobody taught the generator."""
    missing, out = [], []
    for route in project_routes():
        if route.key in NOT_INSTANTIATED:
            continue
        made = instantiate(route, kb)
        if not made:
            missing.append(f"{route.key}  {route.route!r}")
            continue
        for target in made:
            match = resolve(target.url.split("?")[0])
            assert match.route == route.route, f"{target.url} resolves to {match.route!r}, not to {route.route!r}"
        out.extend(made)
    assert not missing, (
        "The permission matrix cannot build a URL for these routes: teach instantiate() in "
        "tests/test_permissions.py how to fill them (objects of sample_kb), or add them with "
        "a reason to NOT_INSTANTIATED:\n  " + "\n  ".join(missing)
    )
    return out


# --- roles, clients, the database's state ------------------------------------------------


@pytest.fixture
def sample_kb(sample_kb):
    """The shared sample, and a source freshly stored with no claim accepted: only editors see it."""
    sample_kb.add(
        "hidden_source",
        "source",
        {
            "title": "Unreviewed dispatch",
            "publisher": "Test Wire",
            "published_on": "2024-08-01",
            "text": "An unreviewed dispatch about fuel shipments. Nothing in it is accepted yet.",
        },
    )
    return sample_kb


@pytest.fixture
def client_for(analyst, editor, admin_user):
    """A session-logged-in client per role (CSRF is not enforced: the views' own answers are tested)."""

    def make(role: str) -> Client:
        client = Client()
        user = {"anonymous": None, "analyst": analyst, "editor": editor, "admin": admin_user}[role]
        if user is not None:
            client.force_login(user)
        return client

    return make


def db_state() -> dict[str, tuple[int, str]]:
    """Per model of the project: its row count and a hash of its updated_at values."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label not in ("kb", "auth", "authtoken"):
            continue
        queryset = model._default_manager.all()
        digest = ""
        if any(f.name == "updated_at" for f in model._meta.fields):
            stamps = queryset.order_by("pk").values_list("pk", "updated_at")
            digest = hashlib.sha256(repr(list(stamps)).encode()).hexdigest()
        state[model._meta.label] = (queryset.count(), digest)
    return state


def send(client: Client, method: str, url: str):
    body = {} if method in ("GET", "HEAD", "OPTIONS", "DELETE") else {"data": "{}", "content_type": "application/json"}
    return getattr(client, method.lower())(url, **body)


def login_redirect(response) -> bool:
    return response.status_code == 302 and "/login/" in response["Location"]


def is_api(target: Target) -> bool:
    return target.route.namespace == "api"


# --- what each answer must be ------------------------------------------------------------


def expected_safe(target: Target, role: str, method: str) -> set[int]:
    """The statuses a safe method may get: explicit per kind of route, no blanket acceptance."""
    name = target.route.name
    editor = role in ("editor", "admin")
    if name == "not-found":
        return {404}
    if not is_api(target) and (method == "OPTIONS" or name in DESK_FORMS):
        # Pages answer GET and HEAD only (require_safe); OPTIONS gets 405 with the Allow header.
        # The desk's forms answer POST alone.
        return {405}
    if name == DESK_PAGE and target.route.namespace == "kb":
        return desk_refusal(role) or {200}
    if is_api(target) and name == "ingest":
        # POST only, editors only: the permission check comes before the method check.
        if not editor:
            return {401, 403}
        return {200} if method == "OPTIONS" else {405}
    if is_api(target) and name == "draft-list" and not editor:
        # Editors only, as ingest: the permission check refuses the list before anything else.
        return {401, 403}
    if is_api(target) and name.startswith("draft") and role == "anonymous":
        # Without credentials every draft URL asks for them (401), its metadata included.
        return {401}
    if is_api(target) and name in DRAFT_ACTIONS and method != "OPTIONS":
        # POST only: editors get 405; anyone else is refused before the method is looked at.
        return {405} if editor else {401, 403}
    if is_api(target) and method == "OPTIONS":
        # The view's metadata, the same for a hidden record as for a missing id: no oracle.
        return {200}
    if target.hidden and not editor:
        return {404}
    return {200}


def expected_write(target: Target, role: str, method: str) -> set[int]:
    """Non-editors: never a success. Editors: the answer to an empty JSON body, never a 5xx."""
    name = target.route.name
    editor = role in ("editor", "admin")
    if name == "not-found":
        return {404}
    if not is_api(target) and name in DESK_FORMS and method == "POST":
        # An empty body: 400 naming the missing decision (or draft kind) for editors; 409 for a
        # draft an earlier URL of the loop (the API's accept) has accepted already.
        return desk_refusal(role) or ({400, 409} if name == "review-draft" else {400})
    if not is_api(target):
        # Pages are read-only for everyone, editors included (they write in the admin and on the desk).
        return {405}
    if name in DOCS:
        # The schema and its two readers are open to everyone and read-only: 405 for all.
        return {405}
    if not editor:
        # 401 for anonymous callers (the token scheme asks for credentials), 403 for analysts;
        # the permission check runs before the method check, so 405 never shows here.
        return {401} if role == "anonymous" else {403}
    if name.startswith("draft-"):
        # Read-only but for accept (an empty body accepts the draft as it is; the format twin then
        # finds it accepted: 400) and reject (a note is required: 400).
        if name == "draft-accept" and method == "POST":
            return {200, 400}
        return {400} if name == "draft-reject" and method == "POST" else {405}
    detail = name.endswith("-detail")
    collection = name.endswith("-list") or name == "ingest"
    if method == "POST":
        # An empty body: 400 naming the missing fields (ingest: no text, file or URL).
        return {400} if collection else {405}
    if not detail:
        return {405}
    if method == "PUT":
        return {400}  # required fields missing
    if method == "PATCH":
        return {200}  # nothing to change: the record as it is
    # DELETE: a record others depend on (a claim backing records) is refused with 409; one
    # nobody uses goes (204). A record already deleted by an earlier URL of the loop (the
    # format-suffix twin of the same detail route) is 404.
    return {204, 409} if type(target.record)._default_manager.filter(pk=target.record.pk).exists() else {404}


# --- the matrix --------------------------------------------------------------------------


def test_every_route_is_instantiated(sample_kb):
    """The generator knows every route; the allow-list names only routes that still exist."""
    targets = generate(sample_kb)
    keys = {r.key for r in project_routes()}
    assert set(NOT_INSTANTIATED) <= keys, f"stale NOT_INSTANTIATED entries: {set(NOT_INSTANTIATED) - keys}"
    assert {t.route.namespace for t in targets} == {"api", "kb"}
    assert any(t.hidden for t in targets if is_api(t)) and any(t.hidden for t in targets if not is_api(t))
    # Both an accepted and a proposed claim, on the API and on the web.
    claim_urls = [t.url for t in targets if t.route.name == "claim-detail"]
    claims = [sample_kb["meeting"], sample_kb["proposed"]]
    assert [claim.status for claim in claims] == [ClaimStatus.ACCEPTED, ClaimStatus.PROPOSED]
    for claim in claims:
        assert any(str(claim.pk) in url for url in claim_urls)


# GET and HEAD render every page and endpoint, about 2 s for each role: marked slow.
@pytest.mark.parametrize(
    "method", [pytest.param("GET", marks=pytest.mark.slow), pytest.param("HEAD", marks=pytest.mark.slow), "OPTIONS"]
)
@pytest.mark.parametrize("role", ROLES)
def test_safe_methods(sample_kb, client_for, role, method):
    """Reads: 200 where the role may see the thing, 404 for hidden records, never a 5xx."""
    client = client_for(role)
    before = db_state()
    failures = []
    for target in generate(sample_kb):
        response = send(client, method, target.url)
        allowed = expected_safe(target, role, method)
        if response.status_code not in allowed:
            failures.append(
                f"{method} {target.url} ({target.label or target.route.key}) → {response.status_code}, "
                f"expected {sorted(allowed)}"
            )
    assert not failures, f"{role}:\n  " + "\n  ".join(failures)
    assert db_state() == before, "a read changed the database"


@pytest.mark.parametrize("method", WRITES)
@pytest.mark.parametrize("role", ("anonymous", "analyst"))
def test_writes_by_non_editors_never_succeed(sample_kb, client_for, role, method):
    """POST/PUT/PATCH/DELETE by anonymous callers and analysts: refused, nothing written."""
    client = client_for(role)
    before = db_state()
    failures = []
    for target in generate(sample_kb):
        allowed = expected_write(target, role, method)
        response = send(client, method, target.url)
        if response.status_code not in allowed:
            failures.append(
                f"{target.url} ({target.label or target.route.key}) → {response.status_code}, "
                f"expected {sorted(allowed)}"
            )
    assert not failures, f"{role} {method}:\n  " + "\n  ".join(failures)
    assert db_state() == before, f"{role} {method} changed the database"


@pytest.mark.parametrize("method", WRITES)
@pytest.mark.parametrize("role", ("editor", "admin"))
def test_writes_by_editors_never_fail_on_the_server(sample_kb, client_for, role, method):
    """Editors' writes with an empty JSON body (valid bodies: test_api.py, test_fuzz.py): no 5xx."""
    client = client_for(role)
    failures = []
    for target in generate(sample_kb):
        allowed = expected_write(target, role, method)
        response = send(client, method, target.url)
        status = response.status_code
        if status not in allowed:
            failures.append(f"{target.url} ({target.label or target.route.key}) → {status}, expected {sorted(allowed)}")
        elif target.route.route.startswith("api/v1/") and status != 204:
            assert response["Content-Type"].startswith("application/json"), (target.url, response["Content-Type"])
        if method == "DELETE" and target.record is not None and is_api(target):
            gone = not type(target.record)._default_manager.filter(pk=target.record.pk).exists()
            assert gone == (status in (204, 404)), (
                f"{target.url} → {status} but the record is {'gone' if gone else 'there'}"
            )
    assert not failures, f"{role} {method}:\n  " + "\n  ".join(failures)


def test_pages_refuse_writes_with_405_naming_get_and_head(sample_kb, client_for):
    """Regression: pages answered 200 to POST, PUT, PATCH and DELETE (rendering as for GET)."""
    client = client_for("analyst")
    claim = sample_kb["meeting"]
    for method in WRITES:
        response = send(client, method, claim.get_absolute_url())
        assert response.status_code == 405 and response["Allow"] == "GET, HEAD", method
    assert client.get(claim.get_absolute_url()).status_code == 200


def test_a_route_the_generator_cannot_fill_fails_the_matrix(sample_kb, monkeypatch):
    """A new route with a parameter nobody taught instantiate() stops the suite, naming it."""
    new = Route("kb", "report-detail", "reports/<int:pk>/", ("pk",))
    routes = project_routes()
    monkeypatch.setitem(globals(), "project_routes", lambda: [*routes, new])
    with pytest.raises(AssertionError, match=r"kb:report-detail\(pk\)"):
        generate(sample_kb)


def test_matrix_size(sample_kb):
    """Routes × roles × methods as the docstring of this module states them (update both together)."""
    routes, targets = project_routes(), generate(sample_kb)
    assert (len(routes), len(targets), len(targets) * len(ROLES) * len(METHODS)) == (74, 95, 2660)


# --- what the empty-body matrix cannot show ----------------------------------------------

# API lists of claim-backed kinds → the basename of PAIRS.
LISTS = {
    "sources": "source",
    "claims": "claim",
    "events": "event",
    "agreements": "agreement",
    "arms-transfers": "arms-transfer",
    "relationships": "relationship",
}
REFUSED = {"anonymous": 401, "analyst": 403}
DONE = {"create": 201, "update": 200, "delete": 204}


@pytest.mark.parametrize("resource", LISTS)
@pytest.mark.parametrize("role", ROLES)
def test_lists_hold_hidden_records_for_editors_only(sample_kb, client_for, role, resource):
    """A list holds the record an accepted claim backs for everyone, the one only a proposed claim backs for editors."""
    shown, hidden = PAIRS[LISTS[resource]]
    listed = ids(client_for(role).get(f"/api/v1/{resource}/"))
    assert sample_kb[shown].pk in listed
    assert (sample_kb[hidden].pk in listed) == (role not in REFUSED)


@pytest.mark.parametrize("action", DONE)
@pytest.mark.parametrize("role", ROLES)
def test_claim_writes_with_a_valid_body(sample_kb, client_for, editor, role, action):
    """Editors' valid writes happen; anonymous callers' and analysts' are refused with a detail and change nothing."""
    client = client_for(role)
    refused = REFUSED.get(role)
    before = Claim.objects.count()
    claims, json = "/api/v1/claims/", "application/json"
    if action == "create":
        body = {"source": sample_kb["source"].pk, "quote": "Russia’s need", "modality": "assessment"}
        response = client.post(claims, body, content_type=json)
        assert Claim.objects.count() == before + (0 if refused else 1)
    elif action == "update":
        claim = sample_kb["meeting"]
        response = client.patch(f"{claims}{claim.pk}/", {"statement": "Changed."}, content_type=json)
        claim.refresh_from_db()
        assert (claim.statement == "Changed.") == (refused is None)
    else:
        spare = services.claim_create(user=editor, source=sample_kb["source"], quote="weapons")
        response = client.delete(f"{claims}{spare.pk}/")
        assert Claim.objects.filter(pk=spare.pk).exists() == (refused is not None)
    assert response.status_code == (refused or DONE[action]), response.content
    if refused:
        assert "detail" in response.json()
