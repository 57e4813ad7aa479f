"""The OpenAPI schema validates and documents every filter, body and error; the docs pages load only local assets."""

import re

import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from kb import filtersets

pytestmark = pytest.mark.django_db

LIST_FILTERSETS = {
    "/api/v1/actors/": filtersets.ActorFilterSet,
    "/api/v1/relationships/": filtersets.RelationshipFilterSet,
    "/api/v1/sources/": filtersets.SourceFilterSet,
    "/api/v1/claims/": filtersets.ClaimFilterSet,
    "/api/v1/events/": filtersets.EventFilterSet,
    "/api/v1/agreements/": filtersets.AgreementFilterSet,
    "/api/v1/arms-transfers/": filtersets.ArmsTransferFilterSet,
}


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_schema_validates_as_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_schema_is_served_as_yaml_by_default():
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3")


@pytest.mark.parametrize("path", list(LIST_FILTERSETS))
def test_every_filter_is_documented(schema, path):
    parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
    for name in LIST_FILTERSETS[path].base_filters:
        assert name in parameters, f"{path} does not document ?{name}="
        assert parameters[name].get("description"), f"{path} ?{name}= has no description"
    assert {"page", "page_size", "format"} <= set(parameters)


@pytest.mark.parametrize("path", list(LIST_FILTERSETS))
def test_every_body_and_error_is_documented(schema, path):
    operations = schema["paths"][path]
    create = operations["post"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("Request")
    assert {"201", "400", "401", "403", "415"} <= set(create["responses"])
    assert {"200", "400", "404", "429"} <= set(operations["get"]["responses"])
    assert "text/csv" in operations["get"]["responses"]["200"]["content"]
    detail = schema["paths"][path + "{id}/"]
    assert {"200", "404"} <= set(detail["get"]["responses"])
    assert {"200", "400", "401", "403", "404", "415"} <= set(detail["patch"]["responses"])
    assert {"204", "401", "403", "404", "409"} <= set(detail["delete"]["responses"])
    assert "text/csv" not in detail["get"]["responses"]["200"]["content"]


def test_error_bodies_are_components(schema):
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["detail"]
    assert components["FieldErrors"]["additionalProperties"]["type"] == "array"
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_partial_dates_are_documented_as_strings(schema):
    claim = schema["components"]["schemas"]["Claim"]["properties"]
    assert claim["about_on"]["type"] == "string"
    assert "about_on_precision" in claim
    request = schema["components"]["schemas"]["ClaimInputRequest"]["properties"]
    assert "YYYY-MM" in request["about_on"]["description"]


def test_search_and_ingest_are_documented(schema):
    search = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {"q", "type", "limit"}


def _local_assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href|spec-url)="([^"]+)"', html)


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_their_assets_from_the_app(page):
    client = APIClient()
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assets = _local_assets(html)
    assert assets
    assert "cdn" not in html.lower()
    for url in assets:
        assert url.startswith("/"), f"{page} loads {url} from elsewhere"
        asset = client.get(url)
        assert asset.status_code == 200, url
        body = b"".join(asset.streaming_content) if asset.streaming else asset.content
        assert body, url
        if url.startswith("/api/docs/?script"):
            assert b"/api/schema/" in body
            assert b"https://" not in body
