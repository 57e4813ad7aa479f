"""A strict API: unknown query parameters are 400, records are named by slug or id, formats not
served are 406, and the root lists everything."""

import pytest
from rest_framework.test import APIClient

from kb.filtersets import ClaimFilterSet
from tests.helpers import API_LISTS, V1

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return APIClient()


# --- unknown query parameters ----------------------------------------------------------


def test_a_misspelt_filter_is_400_naming_it_and_listing_what_is_taken(client, make_claim, accepted):
    accepted(make_claim())
    response = client.get(f"{V1}/claims/?subjects=russia")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["unknown_parameters"] == ["subjects"]
    assert "“subjects”" in body["detail"]
    # The allowed set is the FilterSet's filters, the paginator's parameters and the format.
    assert set(body["allowed_parameters"]) == {*ClaimFilterSet.base_filters, "page", "page_size", "cursor", "format"}


def test_every_unknown_parameter_is_named(client):
    body = client.get(f"{V1}/actors/?kind=state&colour=red&size=3").json()
    assert body["unknown_parameters"] == ["colour", "size"]
    assert "parameters “colour”, “size”" in body["detail"]


@pytest.mark.parametrize("resource", API_LISTS)
def test_every_list_refuses_unknown_parameters_and_takes_its_own(client, resource):
    assert client.get(f"{V1}/{resource}/?nonsense=1").status_code == 400
    assert client.get(f"{V1}/{resource}/?nonsense=1&format=csv").status_code == 400
    known = "ordering=id&search=kim&page=1&page_size=5&format=json"
    assert client.get(f"{V1}/{resource}/?{known}").status_code == 200
    assert client.get(f"{V1}/{resource}/?cursor=&ordering=-id").status_code == 200


def test_a_detail_takes_the_format_only(client, make_actor):
    actor = make_actor("Russia")
    assert client.get(f"{V1}/actors/{actor.pk}/?format=json").status_code == 200
    response = client.get(f"{V1}/actors/{actor.pk}/?kind=state")
    assert response.status_code == 400
    assert response.json()["allowed_parameters"] == ["format"]


def test_search_and_ingest_refuse_unknown_parameters(client, as_editor):
    response = client.get(f"{V1}/search/?q=kim&limt=5")
    assert response.status_code == 400
    assert response.json()["unknown_parameters"] == ["limt"]
    assert set(response.json()["allowed_parameters"]) == {"q", "type", "limit", "format"}
    assert client.get(f"{V1}/search/?q=kim&limit=5&type=actor").status_code == 200
    response = as_editor.post(f"{V1}/ingest/?dry_run=1", {"text": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["unknown_parameters"] == ["dry_run"]


def test_a_write_with_an_unknown_parameter_changes_nothing(as_editor, make_actor):
    actor = make_actor("Russia")
    response = as_editor.patch(f"{V1}/actors/{actor.pk}/?notify=1", {"name": "Other"}, format="json")
    assert response.status_code == 400
    actor.refresh_from_db()
    assert actor.name == "Russia"


def test_credentials_are_checked_before_parameters(client, make_actor):
    actor = make_actor("Russia")
    assert client.delete(f"{V1}/actors/{actor.pk}/?x=1").status_code == 401


# --- slug or id -----------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["actors", "events", "agreements"])
def test_records_with_a_slug_are_found_by_slug_or_id(as_editor, sample_kb, resource):
    listed = as_editor.get(f"{V1}/{resource}/?page_size=1").json()["results"][0]
    by_id = as_editor.get(f"{V1}/{resource}/{listed['id']}/")
    by_slug = as_editor.get(f"{V1}/{resource}/{listed['slug']}/")
    assert by_id.status_code == by_slug.status_code == 200
    assert by_slug.json() == by_id.json()


def test_an_actor_is_written_and_deleted_by_slug(as_editor, make_actor):
    actor = make_actor("Transient Actor")
    response = as_editor.patch(f"{V1}/actors/{actor.slug}/", {"summary": "Changed by slug."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["summary"] == "Changed by slug."
    body = as_editor.get(f"{V1}/actors/{actor.slug}/").json()
    body.update(summary="Put by slug.")
    put = {k: body[k] for k in ("name", "kind", "summary")}
    assert as_editor.put(f"{V1}/actors/{actor.slug}/", put, format="json").status_code == 200
    assert as_editor.delete(f"{V1}/actors/{actor.slug}/").status_code == 204
    assert as_editor.get(f"{V1}/actors/{actor.pk}/").status_code == 404


def test_not_found_messages_name_the_slug_or_id(client, make_source):
    assert client.get(f"{V1}/actors/no-such-actor/").json()["detail"] == "No actor has the slug “no-such-actor”."
    assert client.get(f"{V1}/actors/999999/").json()["detail"] == "No actor has the id “999999”."
    assert "slug or id" in client.get(f"{V1}/actors/a%20b/").json()["detail"]
    # Sources have no slug: only ids.
    assert "ids are whole numbers" in client.get(f"{V1}/sources/some-source/").json()["detail"]


def test_the_schema_documents_slug_or_id(client):
    schema = client.get("/api/schema/?format=json").json()
    (parameter,) = schema["paths"]["/api/v1/actors/{id}/"]["get"]["parameters"]
    assert "slug or id" in parameter["description"] and parameter["schema"]["type"] == "string"
    (parameter,) = schema["paths"]["/api/v1/sources/{id}/"]["get"]["parameters"]
    assert parameter["schema"]["type"] == "integer"


# --- formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["format=xml", "format=", "format=yaml"])
def test_a_format_not_served_is_406_naming_those_served(client, query):
    response = client.get(f"{V1}/actors/?{query}")
    assert response.status_code == 406, response.content
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert "json, api, csv" in detail and "text/csv" in detail


def test_an_accept_header_nothing_serves_is_406(client):
    response = client.get(f"{V1}/actors/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert "application/xml" in response.json()["detail"] and "application/json" in response.json()["detail"]


def test_csv_is_406_on_a_detail_and_served_formats_still_work(client, make_actor):
    actor = make_actor("Russia")
    assert client.get(f"{V1}/actors/{actor.pk}/?format=csv").status_code == 406
    assert client.get(f"{V1}/actors/?format=csv")["Content-Type"].startswith("text/csv")
    assert client.get(f"{V1}/actors/?format=json").status_code == 200
    assert client.get(f"{V1}/actors/?format=api")["Content-Type"].startswith("text/html")
    assert client.get(f"{V1}/actors/", HTTP_ACCEPT="text/csv")["Content-Type"].startswith("text/csv")


# --- the root ---------------------------------------------------------------------------------


def test_the_root_lists_every_resource_and_entry_point_with_absolute_urls(client):
    response = client.get(f"{V1}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {*API_LISTS, "drafts", "search", "ingest", "stix", "schema", "docs"}
    assert body["actors"] == "http://testserver/api/v1/actors/"
    assert body["search"] == "http://testserver/api/v1/search/"
    assert body["stix"] == "http://testserver/api/v1/stix/"
    assert body["schema"] == "http://testserver/api/schema/"
    assert body["docs"] == "http://testserver/api/docs/"
    for url in body.values():
        assert client.get(url.removeprefix("http://testserver")).status_code != 404, url  # search wants ?q=
    assert client.get(f"{V1}/?format=api")["Content-Type"].startswith("text/html")
    assert client.get(f"{V1}/?verbose=1").status_code == 400


def test_the_root_is_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    assert "get" in schema["paths"]["/api/v1/"]


def test_repeated_values_count_towards_the_limit_of_fifty(client):
    response = client.get(f"{V1}/sources/", {"id": ["0"] * 51})
    assert response.status_code == 400 and "At most 50 values" in response.json()["id"][0]
    assert client.get(f"{V1}/sources/", {"id": ["0"] * 50}).status_code == 200


def test_an_empty_ordering_is_a_400_naming_it(anon):
    response = anon.get(f"{V1}/relationships/", {"ordering": "", "format": "csv"})
    assert response.status_code == 400
    assert "ordering" in response.json()
    assert anon.get(f"{V1}/relationships/", {"ordering": "-id"}).status_code == 200
