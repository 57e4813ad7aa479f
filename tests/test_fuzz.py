"""Property-based API tests: requests generated from our OpenAPI schema, answers checked against it.

Schemathesis reads /api/schema/ from the app in-process (WSGI) and, for every operation of
/api/v1/ and for three callers (anonymous, an analyst: a signed-in user outside Editors, with a
token, and an editor with a token), generates requests that fit the schema and requests that
break it, then walks the API statefully along the schema's links (create, then read, update,
delete what was made). Every answer goes through every schemathesis check (schemathesis.toml
says which statuses mean "valid, but the data is not so"): no server error, a documented status,
content type, headers and body, anonymous reads declared as such (ignored_auth), schema-valid
requests accepted (positive_data_acceptance) and schema-breaking ones refused
(negative_data_rejection), deleted records gone, created ones reachable.

The schema cannot say which records exist, nor rules between fields (a range's start before its
end, a quote that occurs in its source, a transfer between two actors): valid examples are
brought within those rules before they are sent (``within_rules``), so a refusal of one is a
finding. Each example starts from the seeded base and its writes are rolled back after it.
Hypothesis is derandomized: the same examples run every time.

``make test`` runs a small sample; the ``fuzz`` marker's run (``pytest -m fuzz``, once in CI)
sends at least 5,000 requests and fails on any finding, naming each.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test
from schemathesis import GenerationMode

from kb.dates import PartialDate
from kb.ingest.normalize import normalize_name
from kb.models import Actor, Agreement, ArmsTransfer, Claim, Event, Relationship, Source
from tests.helpers import ARTICLE, token_for

# Not kb.wsgi: importing it would switch this whole test process (and its subprocesses) to production.
application = get_wsgi_application()

pytestmark = pytest.mark.django_db


class CountedApp:
    """The WSGI application, counting the requests that reach it (the checks' own probes included)."""

    def __init__(self, app):
        self.app, self.requests = app, 0

    def __call__(self, environ, start_response):
        self.requests += 1
        return self.app(environ, start_response)


APP = CountedApp(application)
CONFIG = schemathesis.Config.from_path(Path(__file__).resolve().parent.parent / "schemathesis.toml")
SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/?format=json", APP, config=CONFIG)
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}
CALLERS = ("anonymous", "analyst", "editor")

EXAMPLES = 3  # per operation and caller in make test: with the links, about 650 requests
FUZZ_EXAMPLES = 23  # the same at the fuzz marker's scale: with its links, over 5,000 requests
FUZZ_MIN_REQUESTS = 5_000
STATEFUL = {"max_examples": 4, "stateful_step_count": 6}
FUZZ_STATEFUL = {"max_examples": 40, "stateful_step_count": 10}

RESOURCES = {
    "actors": Actor,
    "relationships": Relationship,
    "sources": Source,
    "claims": Claim,
    "events": Event,
    "agreements": Agreement,
    "arms-transfers": ArmsTransfer,
}
# Body fields that name other records, and the model whose ids they take.
REFERENCES = {
    "source": Source,
    "speaker": Actor,
    "subject": Actor,
    "object": Actor,
    "supplier": Actor,
    "recipient": Actor,
    "place": Actor,
    "signed_place": Actor,
    "subjects": Actor,
    "participants": Actor,
    "authors": Actor,
    "evidence": Claim,
}
# Filters that name actors (by id or slug) or sources (by id): they must exist.
ACTOR_FILTERS = {
    "actor",
    "author",
    "object",
    "participant",
    "party",
    "place",
    "recipient",
    "signatory",
    "signed_place",
    "speaker",
    "subject",
    "supplier",
    "ratified_by",
    "in_force_for",
}
# Pairs of fields whose first may not come after its second.
ORDERED_PAIRS = [
    ("start_on", "end_on"),
    ("valid_from", "valid_until"),
    ("quantity_low", "quantity_high"),
    ("start", "end"),
    ("signed_on", "in_force_on"),
]
# A party's steps, in the order it takes them (tests/test_ladder.py).
LADDER = ("signed_on", "ratified_on", "in_force_on")
# Pairs of actor fields that must name two different actors.
DISTINCT_ACTORS = [("subject", "object"), ("supplier", "recipient")]


def test_the_schema_covers_every_resource_and_method():
    paths = {label.split(" ", 1)[1] for label in OPERATIONS}
    for prefix in RESOURCES:
        assert f"/api/v1/{prefix}/" in paths and f"/api/v1/{prefix}/{{id}}/" in paths
    methods = {label.split(" ", 1)[0] for label in OPERATIONS}
    assert methods == {"GET", "POST", "PUT", "PATCH", "DELETE"}
    assert len(OPERATIONS) >= 7 * 6


def test_reads_declare_anonymous_access_and_writes_do_not():
    for label, operation in OPERATIONS.items():
        security = operation.definition.raw.get("security", [])
        editors_only = "/api/v1/drafts/" in label  # drafts are read by editors alone
        assert ({} in security) == (label.startswith("GET ") and not editors_only), (label, security)


@pytest.fixture
def callers(analyst, editor):
    return {
        "anonymous": {},
        "analyst": {"Authorization": f"Token {token_for(analyst)}"},
        "editor": {"Authorization": f"Token {token_for(editor)}"},
    }


@pytest.fixture
def in_process():
    """Keep the test's database connection across requests, as Django's test client does.

    A request through the WSGI handler ends by closing connections that are not in autocommit
    mode, which the test's own transaction never is (on PostgreSQL that would close it).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def no_throttle():
    cache.clear()
    with override_settings(KB_API_ANON_RATE=""):
        yield
    cache.clear()


class Data:
    """What the seeded base holds, for aiming generated ids at real rows."""

    def __init__(self):
        self.ids = {
            model: list(model._default_manager.order_by("pk").values_list("pk", flat=True))
            for model in RESOURCES.values()
        }

    @property
    def actor_refs(self) -> list[str]:
        """Ids and slugs of the actors there are now (a stateful run deletes some)."""
        return [ref for pk, slug in Actor.objects.order_by("pk").values_list("pk", "slug") for ref in (str(pk), slug)]

    def text(self, source_id) -> str:
        """The text of a source, as stored now (a stateful run reads records it made itself)."""
        return Source.objects.filter(pk=source_id).values_list("text", flat=True).first() or ""

    def source_of(self, claim_id):
        return Claim.objects.filter(pk=claim_id).values_list("source_id", flat=True).first()


def _resource(path: str):
    parts = path.strip("/").split("/")
    return RESOURCES.get(parts[2]) if len(parts) > 2 else None


def _is_positive(case) -> bool:
    return case.meta is None or case.meta.generation.mode.is_positive


def _after(first: str, second: str, *, by_end: bool) -> bool:
    """Whether the partial date ``first`` starts after ``second`` starts (or, ``by_end``, ends)."""
    try:
        low, high = PartialDate.parse(first), PartialDate.parse(second)
    except ValueError:
        return False  # not both dates: no rule between them to keep
    return low.start > (high.end if by_end else high.start)


def _in_ladder_order(party: dict) -> None:
    """A party's steps in order, a ratification date with its kind and a kind with its date, no signed accession."""
    dated = []
    for name in LADDER:
        try:
            dated.append((PartialDate.parse(party[name]), name))
        except (KeyError, TypeError, ValueError):
            continue
    # By start: each later step then ends after every earlier one starts.
    for (date, _), name in zip(sorted(dated, key=lambda pair: pair[0].sort_key()), [n for _, n in dated], strict=True):
        party[name] = str(date)
    ratified = party.get("ratified_on") not in (None, "")
    if ratified and not party.get("ratification_kind"):
        party["ratification_kind"] = "ratification"
    elif not ratified and party.get("ratification_kind"):
        party["ratification_kind"] = ""
    if party.get("ratification_kind") == "accession" and party.get("signed_on") not in (None, ""):
        party["ratification_kind"] = "ratification"


def within_rules(case, data: Data, pick: Callable[[list], object]) -> None:
    """Bring a valid example within the rules the schema cannot state; invalid ones are left alone."""
    if not _is_positive(case):
        return
    query = case.query if isinstance(case.query, dict) else {}
    for name in list(query):
        if name in ACTOR_FILTERS and query[name] not in (None, "", []):
            query[name] = [pick(data.actor_refs)]
        elif name == "source" and query[name] not in (None, "", []) and data.ids[Source]:
            query[name] = [pick(data.ids[Source])]
        elif name == "claim" and query[name] not in (None, "", []) and data.ids[Claim]:
            query[name] = [pick(data.ids[Claim])]
    for name in [n for n in query if n.endswith("_from")]:
        upper = name[: -len("_from")] + "_to"
        low, high = query.get(name), query.get(upper)
        if isinstance(low, str) and isinstance(high, str) and _after(low, high, by_end=True):
            query[name], query[upper] = high, low
    if "cursor" in query:
        query.pop("page", None)
        ordering = query.get("ordering")
        if ordering not in (None, "id", "-id", ["id"], ["-id"]):
            query.pop("ordering")
    body = case.body
    if not isinstance(body, dict):
        return
    for name, model in REFERENCES.items():
        value = body.get(name)
        if not data.ids[model] or value is None or value == "":
            continue
        body[name] = [pick(data.ids[model]) for _ in value] if isinstance(value, list) else pick(data.ids[model])
    path = case.operation.path
    if path.startswith("/api/v1/sources/") and body.get("public") is False:
        # A source with an accepted claim cannot be hidden; which ones have one the schema cannot say.
        body.pop("public")
    if path.endswith("/accept/"):
        # A draft's overrides and the actor a name joins depend on the draft's kind and values.
        body.pop("data", None)
        body.pop("actor", None)
    for first, second in DISTINCT_ACTORS:
        # Two different actors; an update that names one names both, so the other cannot clash.
        if (first in body or second in body) and len(data.ids[Actor]) > 1:
            body[first] = body.get(first) or data.ids[Actor][0]
            if body.get(second) in (None, body[first]):
                body[second] = next(pk for pk in data.ids[Actor] if pk != body[first])
    if case.operation.path.startswith("/api/v1/relationships/") and {"subject", "predicate", "object"} <= set(body):
        # One relationship of a kind between two actors at a time: a new one names an object not yet related so.
        own = _as_int((case.path_parameters or {}).get("id"))
        taken = set(
            Relationship.objects.filter(subject=body["subject"], predicate=body["predicate"])
            .exclude(pk=own)
            .values_list("object_id", flat=True)
        )
        free = [pk for pk in data.ids[Actor] if pk not in taken and pk != body["subject"]]
        if body["object"] in taken and free:
            body["object"] = free[0]
    if isinstance(body.get("parties"), list):
        # Each party is a different actor: as many parties as there are actors at most.
        body["parties"] = [party for party in body["parties"] if isinstance(party, dict)][: len(data.ids[Actor])]
        for party, actor in zip(body["parties"], data.ids[Actor], strict=False):
            party["actor"] = actor
            if party.get("signatory") is not None:
                party["signatory"] = pick(data.ids[Actor])
            if isinstance(party.get("evidence"), list):
                party["evidence"] = [pick(data.ids[Claim]) for _ in party["evidence"]] if data.ids[Claim] else []
            _in_ladder_order(party)
    if isinstance(body.get("provisions"), list):
        # A numbered provision once in its agreement ("Article 4" twice clashes); unnumbered ones may repeat.
        seen = set()
        for provision in body["provisions"]:
            label = provision.get("label") if isinstance(provision, dict) else None
            if isinstance(label, str) and label.strip():
                if label.strip() in seen:
                    provision["label"] = ""
                seen.add(label.strip())
    for first, second in ORDERED_PAIRS:
        # The first no later than the second (an end needs a start); an update that sets one sets both.
        if first not in body and second not in body:
            continue
        low, high = body.get(first), body.get(second)
        if low in (None, "") and high not in (None, ""):
            body[first] = high
        elif high in (None, "") and second not in body:
            body[second] = low
        low, high = body.get(first), body.get(second)
        dates = isinstance(low, str) and isinstance(high, str) and _after(low, high, by_end=False)
        if dates or (isinstance(low, int) and isinstance(high, int) and low > high):
            body[first], body[second] = high, low
    if case.operation.path.startswith("/api/v1/actors/"):
        # Every name is found by its letters and digits (of any script, which a pattern cannot say).
        if isinstance(body.get("name"), str) and not normalize_name(body["name"]):
            body["name"] = "A" + body["name"][1:]
        if isinstance(body.get("aliases"), list):
            named = {}
            for alias in body["aliases"]:
                if isinstance(alias, str):
                    alias = alias if normalize_name(alias) else "A" + alias[1:]
                    named.setdefault(normalize_name(alias), alias)  # two spellings of one name are one alias
            body["aliases"] = list(named.values())
    if case.operation.path == "/api/v1/ingest/":
        # An article is text: UTF-8 without control characters, which the schema cannot say of a file.
        if "file" in body:
            body["file"] = ARTICLE.encode()
        if isinstance(body.get("text"), str):
            body["text"] = ARTICLE + "".join(c for c in body["text"] if c.isprintable() or c in "\n\t")
    if case.operation.path.startswith("/api/v1/claims/"):
        # A quote must occur once in its source: take one from the text, and let its offsets be found.
        source = body.get("source")
        if not isinstance(source, int):
            source = data.source_of(_as_int((case.path_parameters or {}).get("id")))
        text = data.text(source)
        if text and ("quote" in body or "source" in body):
            # Not a quote a claim of that source anchors already (that is a duplicate, refused).
            taken = set(Claim.objects.filter(source_id=source).values_list("quote", flat=True))
            spans = [at for at in range(0, max(1, len(text) - 80), 7) if text[at : at + 80].strip() not in taken]
            at = pick(spans or [0])
            body["quote"] = text[at : at + 80].strip() or text[:80]
        for name in ("start", "end", "occurrence"):
            body.pop(name, None)
    if "text" in body and "{id}" in case.operation.path and case.operation.path.startswith("/api/v1/sources/"):
        # A source's new text must keep every claim anchored: send the text it has.
        body["text"] = data.text(_as_int(case.path_parameters.get("id"))) or body["text"]


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class Findings:
    """Every failed check, named by operation and caller, so one run reports them all."""

    def __init__(self):
        self.items: list[str] = []

    def run(self, name: str, test: Callable[[], None]) -> None:
        try:
            test()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' failed checks come as an exception group
            self.items.append(f"{name}: {type(exc).__name__}: {str(exc)[:2000]}")


def as_path_id(operation, pk: int) -> int | str:
    """``pk`` as the operation's ``{id}`` path parameter declares it: a number, or text for slug-or-id."""
    for parameter in operation.definition.raw.get("parameters", []):
        if parameter.get("in") == "path" and parameter.get("name") == "id":
            return str(pk) if parameter.get("schema", {}).get("type") == "string" else pk
    return pk


def fuzz_operation(label: str, headers: dict, data: Data, *, examples: int) -> None:
    """Valid and invalid examples of one operation, each answer through every check."""
    operation = OPERATIONS[label]
    model = _resource(operation.path)
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, rnd=st.randoms(use_true_random=False))
    def run(case, rnd):
        # Aim half of the ids in paths at real rows, so details, updates and deletes reach them.
        if model is not None and "id" in (case.path_parameters or {}) and data.ids[model] and rnd.random() < 0.5:
            # A record that has a slug is named by a string (slug or id) in the schema: its id goes as text.
            case.path_parameters["id"] = as_path_id(operation, rnd.choice(data.ids[model]))
        within_rules(case, data, rnd.choice)
        savepoint = transaction.savepoint()
        try:
            case.call_and_validate(headers=headers)
        finally:
            transaction.savepoint_rollback(savepoint)

    run()


def fuzz_links(headers: dict, data: Data, **limits) -> None:
    """Stateful: chains of calls along the schema's links, every answer through every check."""
    base = SCHEMA.as_state_machine()

    class Machine(base):
        def setup(self):
            super().setup()
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)
            super().teardown()

        def before_call(self, case):
            # Picks follow from the case alone, so Hypothesis replays a scenario exactly (its links read answers).
            seed = f"{case.operation.label} {case.path_parameters} {case.query} {case.body!r}"
            within_rules(case, data, random.Random(seed).choice)

        def get_call_kwargs(self, case):
            return {"headers": dict(headers)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # The caller's credentials are given, not generated: the checks must know it (ignored_auth).
            case.validate_response(
                response,
                additional_checks=additional_checks,
                headers=dict(headers) or None,
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    run_state_machine_as_test(
        Machine,
        settings=settings(
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            **limits,
        ),
    )


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation(label, caller, sample_kb, callers, no_throttle, in_process):
    fuzz_operation(label, callers[caller], Data(), examples=EXAMPLES)


@pytest.mark.parametrize("caller", CALLERS)
def test_links(caller, sample_kb, callers, no_throttle, in_process):
    fuzz_links(callers[caller], Data(), **STATEFUL)


@pytest.mark.fuzz
@pytest.mark.slow
def test_the_whole_api_at_scale(sample_kb, callers, no_throttle, in_process, capsys):
    """Every operation as every caller, then the links as every caller: no finding, at least 5,000 requests."""
    data = Data()
    before = APP.requests
    findings = Findings()
    for caller in CALLERS:
        for label in sorted(OPERATIONS):
            findings.run(
                f"{label} as {caller}",
                lambda label=label, caller=caller: fuzz_operation(label, callers[caller], data, examples=FUZZ_EXAMPLES),
            )
        findings.run(f"links as {caller}", lambda caller=caller: fuzz_links(callers[caller], data, **FUZZ_STATEFUL))
    sent = APP.requests - before
    with capsys.disabled():
        for finding in findings.items:
            print(f"\n--- finding: {finding}")
        print(
            f"\nfuzz: {sent:,} requests over {len(OPERATIONS)} operations as {', '.join(CALLERS)}; "
            f"{len(findings.items)} finding(s)"
        )
    assert not findings.items, "\n\n".join(findings.items)
    assert sent >= FUZZ_MIN_REQUESTS, f"only {sent:,} requests were sent; the fuzz run promises {FUZZ_MIN_REQUESTS:,}"


# --- regressions: what the fuzzing found, each pinned by a plain test -------------------


def test_a_write_to_no_resource_is_a_json_404_not_a_csrf_page(db):
    response = Client().delete("/api/v1/actors/-1.5e-112/")
    assert response.status_code == 404 and "No API resource" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "name"), [("agreements", "party"), ("agreements", "signed_place"), ("claims", "date_from")]
)
def test_filter_values_with_a_percent_sign_are_400_naming_the_filter(sample_kb, no_throttle, path, name):
    response = Client().get(f"/api/v1/{path}/", {name: "a%b"})
    assert response.status_code == 400 and name in response.json(), response.content


def test_errors_of_list_items_are_flat_messages_naming_the_item(editor, callers):
    headers = {"HTTP_AUTHORIZATION": callers["editor"]["Authorization"]}
    body = {"name": "Someone", "kind": "person", "aliases": ["ok", "x" * 300]}
    response = Client().post("/api/v1/actors/", body, content_type="application/json", **headers)
    assert response.status_code == 400
    assert response.json()["aliases"] == ["item 2: Ensure this field has no more than 200 characters."]


def test_schema_matches_empty_and_missing_values_and_write_answers():
    schemas = SCHEMA.raw_schema["components"]["schemas"]
    assert (
        schemas["Claim"]["properties"]["speaker"].get("nullable")
        or "oneOf" in schemas["Claim"]["properties"]["speaker"]
    )
    assert schemas["Claim"]["properties"]["reviewed_by"]["nullable"]
    assert "format" not in schemas["Source"]["properties"]["article_url"]
    patch = SCHEMA.raw_schema["paths"]["/api/v1/events/{id}/"]["patch"]["responses"]["200"]["content"]
    assert patch["application/json"]["schema"]["$ref"] == "#/components/schemas/Event"
    bad = SCHEMA.raw_schema["paths"]["/api/v1/actors/"]["post"]["responses"]["400"]["content"]["application/json"]
    assert {"$ref": "#/components/schemas/Error"} in bad["schema"]["anyOf"]


@pytest.mark.parametrize("params", [{"page_size": "-5"}, {"page_size": "500"}, {"page": "0"}, {"page": "x"}])
def test_csv_checks_page_and_page_size_as_any_list_does(sample_kb, no_throttle, params):
    response = Client().get("/api/v1/actors/", {"format": "csv", **params})
    as_json = Client().get("/api/v1/actors/", params)
    assert response.status_code == as_json.status_code, response.content
    if "page_size" in params:
        assert response.status_code == 400 and set(params) <= set(response.json()), response.content
    else:
        assert response.status_code == 404 and "detail" in response.json(), response.content
