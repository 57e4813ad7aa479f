"""Property-based API tests: requests generated from our OpenAPI schema, answers checked against it.

Schemathesis reads /api/schema/ from the app in-process (WSGI) and, for every operation of
/api/v1/ and for two callers (anonymous, an editor with a token), generates requests that fit
the schema and requests that break it. Ids in paths and bodies are drawn partly from a seeded
knowledge base, so details, updates and deletes reach real rows. Every answer must be no server
error, a documented status code and content type, a body that conforms to the documented schema
and documented headers. Hypothesis is derandomized: the same examples run every time.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kb.models import Actor, Agreement, ArmsTransfer, Claim, Event, Relationship, Source
from tests.helpers import token_for

# Not kb.wsgi: importing it would switch this whole test process (and its subprocesses) to production.
application = get_wsgi_application()

pytestmark = pytest.mark.django_db

EXAMPLES = 12  # per operation, caller and mode: about 2,000 requests in all, ~1 minute per database
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
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
}

SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}


def test_the_schema_covers_every_resource_and_method():
    paths = {label.split(" ", 1)[1] for label in OPERATIONS}
    for prefix in RESOURCES:
        assert f"/api/v1/{prefix}/" in paths and f"/api/v1/{prefix}/{{id}}/" in paths
    methods = {label.split(" ", 1)[0] for label in OPERATIONS}
    assert methods == {"GET", "POST", "PUT", "PATCH", "DELETE"}
    assert len(OPERATIONS) >= 7 * 6


@pytest.fixture
def callers(editor):
    return {"anonymous": {}, "editor": {"Authorization": f"Token {token_for(editor)}"}}


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


def _real_ids() -> dict[type, list[int]]:
    return {
        model: list(model._default_manager.order_by("pk").values_list("pk", flat=True)) for model in RESOURCES.values()
    }


def _resource(path: str):
    parts = path.strip("/").split("/")
    return RESOURCES.get(parts[2]) if len(parts) > 2 else None


@pytest.mark.parametrize("caller", ["anonymous", "editor"])
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation(label, caller, sample_kb, callers, no_throttle, in_process):
    operation = OPERATIONS[label]
    headers = callers[caller]
    ids = _real_ids()
    model = _resource(operation.path)
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, data=st.data())
    def run(case, data):
        # Aim half of the ids at real rows, so details, updates and deletes reach them.
        if model is not None and "id" in (case.path_parameters or {}) and ids[model] and data.draw(st.booleans()):
            case.path_parameters["id"] = data.draw(st.sampled_from(ids[model]))
        if isinstance(case.body, dict):
            for name, target in REFERENCES.items():
                if name in case.body and ids.get(target) and data.draw(st.booleans()):
                    case.body[name] = data.draw(st.sampled_from(ids[target]))
        # Every example starts from the seeded base: its writes are rolled back after it.
        savepoint = transaction.savepoint()
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        finally:
            transaction.savepoint_rollback(savepoint)

    run()


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
