"""Every bad input to the API is a 4xx with a JSON body naming the field and the problem; nothing is half-written."""

import pytest
from rest_framework.test import APIClient

from kb import services
from kb.models import Actor, Claim, Event, Source
from tests.helpers import API_LISTS, V1

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def source(make_source):
    return make_source()


def assert_field_error(response, field: str, status: int = 400) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert field in body, body
    assert body[field] and all(isinstance(message, str) and message for message in body[field])
    return " ".join(body[field])


def assert_detail(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()["detail"]


# --- lists: pages, filters, search -------------------------------------------------------


@pytest.mark.parametrize("resource", API_LISTS)
@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "1.5", "9" * 30])
def test_bad_page_numbers_are_404_json(client, resource, page):
    assert "Invalid page" in assert_detail(client.get(f"{V1}/{resource}/?page={page}"), 404)


@pytest.mark.parametrize("page_size", ["0", "201", "abc", "-5", "1e3"])
def test_page_size_is_bounded(client, page_size):
    assert "1 to 200" in assert_field_error(client.get(f"{V1}/claims/?page_size={page_size}"), "page_size")


@pytest.mark.parametrize("resource", API_LISTS)
@pytest.mark.parametrize("value", ["abc", "1.5", "-3", "99999999999999999999999", "1;DROP TABLE kb_actor"])
def test_bad_ids_are_404_json(client, resource, value):
    assert assert_detail(client.get(f"{V1}/{resource}/{value}/"), 404)


def test_missing_record_is_404_json(client):
    assert assert_detail(client.get(f"{V1}/claims/999999/"), 404)


def test_unknown_api_path_is_404_json(client):
    assert "/api/docs/" in assert_detail(client.get("/api/v1/nothing-here/"), 404)
    assert assert_detail(client.get("/api/v2/claims/"), 404)


@pytest.mark.parametrize(
    ("resource", "query", "field"),
    [
        ("actors", "kind=planet", "kind"),
        ("relationships", "predicate=likes", "predicate"),
        ("sources", "reliability=Z", "reliability"),
        ("sources", "reliability_at_least=Q", "reliability_at_least"),
        ("claims", "status=maybe", "status"),
        ("claims", "modality=rumour", "modality"),
        ("claims", "credibility=7", "credibility"),
        ("claims", "credibility_at_least=0", "credibility_at_least"),
        ("events", "kind=party", "kind"),
        ("agreements", "status=forgotten", "status"),
        ("agreements", "provision_kind=secret", "provision_kind"),
        ("arms-transfers", "category=lasers", "category"),
        ("arms-transfers", "status=rumoured", "status"),
    ],
)
def test_unknown_choices_name_the_filter(client, resource, query, field):
    message = assert_field_error(client.get(f"{V1}/{resource}/?{query}"), field)
    assert message.startswith(f"“{query.split('=')[1]}” is not one of the choices: "), message


@pytest.mark.parametrize(
    "value",
    ["2023-13", "2024-02-30", "2023-00", "23", "2023/09", "September 2023", "0000", "2023-09-13T00:00", "x" * 300],
)
@pytest.mark.parametrize("resource", ["claims", "events", "arms-transfers", "sources"])
def test_malformed_or_impossible_dates(client, resource, value):
    assert_field_error(client.get(f"{V1}/{resource}/", {"date_from": value}), "date_from")


def test_reversed_date_range(client):
    message = assert_field_error(client.get(f"{V1}/claims/?date_from=2024&date_to=2023-06"), "date_to")
    assert "before" in message


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("subject=1 OR 1=1", "subject"),
        ("subject=' OR ''='", "subject"),
        ("subject=no-such-actor", "subject"),
        ("source=1 UNION SELECT 1", "source"),
        ("source=99999999999999999999999", "source"),
        ("id=1);--", "id"),
        ("ordering=quote;DELETE", "ordering"),
    ],
)
def test_injection_looking_filters_are_refused(client, make_claim, query, field):
    make_claim()
    assert_field_error(client.get(f"{V1}/claims/?{query}"), field)
    assert Claim.objects.count() == 1


@pytest.mark.parametrize(
    "text", ["'; DROP TABLE kb_claim; --", "%", "_", "\\", "[a-z]+", ".*", "(?i)", "<script>", "\x00", "🙂"]
)
def test_injection_looking_search_is_harmless(client, make_claim, accepted, text):
    accepted(make_claim())
    response = client.get(f"{V1}/claims/", {"search": text})
    assert response.status_code in (200, 400), response.content
    if response.status_code == 200:
        assert response.json()["count"] in (0, 1)
    assert client.get(f"{V1}/search/", {"q": text}).status_code in (200, 400)
    assert Claim.objects.count() == 1


def test_over_long_search(client):
    assert_field_error(client.get(f"{V1}/claims/", {"search": "x" * 201}), "search")
    assert_field_error(client.get(f"{V1}/search/", {"q": "x" * 201}), "q")


@pytest.mark.parametrize(
    ("query", "field"),
    [("", "q"), ("q=kim&type=planet", "type"), ("q=kim&limit=0", "limit"), ("q=kim&limit=x", "limit")],
)
def test_search_endpoint_errors(client, query, field):
    assert_field_error(client.get(f"{V1}/search/?{query}"), field)


def test_csv_is_only_on_lists(client, make_actor):
    actor = make_actor()
    assert assert_detail(client.get(f"{V1}/actors/{actor.pk}/?format=csv"), 406)
    assert_detail(client.get(f"{V1}/actors/?format=xml"), 406)
    assert_detail(client.get(f"{V1}/actors/?format="), 406)


@pytest.mark.parametrize("page", ["0", "x", "²", "-1"])
def test_a_csv_with_a_bad_page_is_refused_as_a_json_list_is(client, make_actor, page):
    make_actor()
    assert_detail(client.get(f"{V1}/actors/?page={page}"), 404)
    assert_detail(client.get(f"{V1}/actors/?format=csv&page={page}"), 404)


def test_a_csv_takes_any_page_number_and_writes_the_whole_list(client, make_actor):
    make_actor("Pyongyang")
    for page in ("1", "last", "10983826128893283970056192"):
        response = client.get(f"{V1}/actors/?format=csv&page={page}")
        assert response.status_code == 200
        assert "Pyongyang" in b"".join(response.streaming_content).decode()


# --- writes -------------------------------------------------------------------------------


def test_wrong_content_type_is_415(as_editor):
    response = as_editor.generic("POST", f"{V1}/actors/", "name=x", content_type="text/plain")
    assert "Unsupported media type" in assert_detail(response, 415)
    assert not Actor.objects.exists()


def test_malformed_json_is_400(as_editor):
    response = as_editor.generic("POST", f"{V1}/actors/", '{"name": "x", ', content_type="application/json")
    assert "JSON parse error" in assert_detail(response, 400)


def test_json_that_is_not_an_object(as_editor):
    response = as_editor.post(f"{V1}/actors/", ["a", "b"], format="json")
    assert response.status_code == 400 and response.json()


def test_a_quote_that_does_not_anchor(as_editor, source):
    response = as_editor.post(f"{V1}/claims/", {"source": source.pk, "quote": "Words not in the text."}, format="json")
    assert "does not occur" in assert_field_error(response, "quote")
    assert not Claim.objects.exists()


def test_a_quote_that_occurs_twice_needs_an_occurrence(as_editor, make_source):
    source = make_source(text="Twice said. Twice said.")
    response = as_editor.post(f"{V1}/claims/", {"source": source.pk, "quote": "Twice said."}, format="json")
    assert "occurrence" in assert_field_error(response, "quote")
    response = as_editor.post(
        f"{V1}/claims/", {"source": source.pk, "quote": "Twice said.", "occurrence": 3}, format="json"
    )
    assert_field_error(response, "occurrence")
    response = as_editor.post(
        f"{V1}/claims/", {"source": source.pk, "quote": "Twice said.", "occurrence": 2}, format="json"
    )
    assert response.status_code == 201 and response.json()["start"] == 12


def test_offsets_that_do_not_match(as_editor, source):
    response = as_editor.post(
        f"{V1}/claims/", {"source": source.pk, "quote": "Kim Jong-un", "start": 5, "end": 16}, format="json"
    )
    assert_field_error(response, "quote")
    response = as_editor.post(
        f"{V1}/claims/", {"source": source.pk, "quote": "Kim Jong-un", "start": 0, "end": 10**6}, format="json"
    )
    assert_field_error(response, "start")


def test_duplicate_claim_is_refused(as_editor, make_claim, source):
    make_claim(source=source, quote="Kim Jong-un")
    response = as_editor.post(f"{V1}/claims/", {"source": source.pk, "quote": "Kim Jong-un"}, format="json")
    assert "already" in assert_field_error(response, "quote")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "planet", "name": "Mars"}, "kind"),
        ({"kind": "state"}, "name"),
        ({"kind": "state", "name": "x" * 201}, "name"),
        ({"kind": "state", "name": "Atlantis", "country_code": "atlantis"}, "country_code"),
        ({"kind": "state", "name": "Atlantis", "start_on": "2024-02-30"}, "start_on"),
        ({"kind": "state", "name": "Atlantis", "start_on": "2024-13"}, "start_on"),
        ({"kind": "state", "name": "Atlantis", "start_on": 2024}, "start_on"),
        ({"kind": "state", "name": "Atlantis", "start_on": "2020", "end_on": "1990"}, "end_on"),
        ({"kind": "state", "name": "Atlantis", "wikidata_id": "Z1"}, "wikidata_id"),
        ({"kind": "state", "name": "Atlantis", "aliases": "not a list"}, "aliases"),
        ({"kind": "state", "name": "Atlantis", "slug": "not a slug!"}, "slug"),
    ],
)
def test_bad_actor_bodies_name_the_field(as_editor, body, field):
    assert_field_error(as_editor.post(f"{V1}/actors/", body, format="json"), field)
    assert not Actor.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "T", "kind": "summit", "place": 999999}, "place"),
        ({"title": "T", "kind": "summit", "place": "abc"}, "place"),
        ({"title": "T", "kind": "summit", "participants": [999999]}, "participants"),
        ({"title": "T", "kind": "summit", "evidence": ["x"]}, "evidence"),
        ({"title": "T", "kind": "summit", "end_on": "2024"}, "start_on"),
        ({"title": "x" * 301, "kind": "summit"}, "title"),
        ({"title": "T", "kind": "fiesta"}, "kind"),
    ],
)
def test_bad_event_bodies_name_the_field(as_editor, body, field):
    assert_field_error(as_editor.post(f"{V1}/events/", body, format="json"), field)
    assert not Event.objects.exists()


def test_bad_transfer_bodies(as_editor, make_actor):
    a, b = make_actor(), make_actor()
    base = {"supplier": a.pk, "recipient": b.pk, "category": "missiles", "description": "x", "status": "alleged"}
    assert_field_error(as_editor.post(f"{V1}/arms-transfers/", {**base, "recipient": a.pk}, format="json"), "recipient")
    body = {**base, "quantity_low": 10, "quantity_high": 5}
    assert_field_error(as_editor.post(f"{V1}/arms-transfers/", body, format="json"), "quantity_high")
    assert_field_error(
        as_editor.post(f"{V1}/arms-transfers/", {**base, "quantity_low": -1}, format="json"), "quantity_low"
    )
    assert_field_error(
        as_editor.post(f"{V1}/arms-transfers/", {**base, "description": ""}, format="json"), "description"
    )


def test_bad_agreement_bodies(as_editor, make_actor):
    a = make_actor()
    body = {"title": "T", "kind": "treaty", "status": "signed", "parties": [{"actor": 999999}]}
    assert_field_error(as_editor.post(f"{V1}/agreements/", body, format="json"), "parties")
    body = {"title": "T", "kind": "treaty", "status": "signed", "signed_on": "2024", "in_force_on": "2023"}
    assert_field_error(as_editor.post(f"{V1}/agreements/", body, format="json"), "in_force_on")
    body = {"title": "T", "kind": "treaty", "status": "signed", "parties": [{"actor": a.pk}, {"actor": a.pk}]}
    assert_field_error(as_editor.post(f"{V1}/agreements/", body, format="json"), "parties")


def test_bad_source_bodies(as_editor, source):
    body = {"title": "T", "publisher": "P", "text": "Some text.", "article_url": "not a url"}
    assert_field_error(as_editor.post(f"{V1}/sources/", body, format="json"), "article_url")
    body = {"title": "T", "publisher": "P", "text": source.text}
    assert "already stored" in assert_field_error(as_editor.post(f"{V1}/sources/", body, format="json"), "text")
    body = {"title": "T", "publisher": "P", "text": "   "}
    assert_field_error(as_editor.post(f"{V1}/sources/", body, format="json"), "text")
    assert Source.objects.count() == 1


def test_editing_a_source_text_that_breaks_claims_is_refused(as_editor, make_claim, source):
    make_claim(source=source)
    response = as_editor.patch(f"{V1}/sources/{source.pk}/", {"text": "Something else entirely."}, format="json")
    assert "anchors" in assert_field_error(response, "text")
    source.refresh_from_db()
    assert source.text.startswith("Kim Jong-un")


def test_deleting_a_record_in_use_is_409(as_editor, make_claim, source, make_actor):
    make_claim(source=source)
    assert "cannot be deleted" in assert_detail(as_editor.delete(f"{V1}/sources/{source.pk}/"), 409)
    actor = make_actor()
    make_claim(source=source, quote="Kim Jong-un", subjects=[actor])
    assert_detail(as_editor.delete(f"{V1}/actors/{actor.pk}/"), 409)
    assert Source.objects.filter(pk=source.pk).exists() and Actor.objects.filter(pk=actor.pk).exists()


def test_agreement_update_with_a_party_twice_is_refused(as_editor, make_actor, editor):
    party = make_actor()
    agreement = services.agreement_create(user=editor, title="T", kind="treaty", status="signed", parties=[party])
    body = {"parties": [{"actor": party.pk}, {"actor": party.pk}]}
    assert_field_error(as_editor.patch(f"{V1}/agreements/{agreement.pk}/", body, format="json"), "parties")
    assert list(agreement.party_links.values_list("actor_id", flat=True)) == [party.pk]


def test_unauthenticated_write_is_401_and_changes_nothing(client, source):
    response = client.post(f"{V1}/claims/", {"source": source.pk, "quote": "Kim Jong-un"}, format="json")
    assert "credentials" in assert_detail(response, 401)
    assert response["WWW-Authenticate"].startswith("Token")
    assert not Claim.objects.exists()


def test_session_writes_need_csrf(analyst, editor, source):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(f"{V1}/claims/", {"source": source.pk, "quote": "Kim Jong-un"}, format="json")
    assert "CSRF" in assert_detail(response, 403)


def test_very_long_numbers_never_fail(client, as_editor, make_source):
    digits = "9" * 5000
    assert "too long" in assert_detail(client.get(f"{V1}/claims/?page={digits}"), 404)
    assert_field_error(client.get(f"{V1}/claims/?page_size={digits}"), "page_size")
    assert_field_error(client.get(f"{V1}/claims/?id={digits}"), "id")
    assert_field_error(client.get(f"{V1}/claims/?source={digits}"), "source")
    assert_field_error(client.get(f"{V1}/claims/?subject={digits[:200]}"), "subject")
    assert assert_detail(client.get(f"{V1}/claims/{digits}/"), 404)
    huge = int("9" * 30)
    source = make_source()
    for body, field in [
        ({"source": huge, "quote": "Kim"}, "source"),
        ({"source": source.pk, "quote": "Kim", "subjects": [huge]}, "subjects"),
        ({"source": source.pk, "quote": "Kim", "start": huge, "end": huge}, "start"),
        ({"source": source.pk, "quote": "Kim", "credibility": huge}, "credibility"),
    ]:
        assert_field_error(as_editor.post(f"{V1}/claims/", body, format="json"), field)


def test_oversized_body_is_413_json(as_editor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"title": "T", "publisher": "P", "text": "word " * 5_000}
    assert "larger than the limit" in assert_detail(as_editor.post(f"{V1}/sources/", body, format="json"), 413)
    assert not Source.objects.exists()


# --- bounded bodies: nesting depth and id lists -------------------------------------------


@pytest.mark.parametrize("path", ["claims/", "agreements/", "ingest/"])
@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_deeply_nested_json_is_400(as_editor, path, depth):
    body = "[" * depth + "]" * depth
    response = as_editor.generic("POST", f"{V1}/{path}", body, content_type="application/json")
    assert "nests" in assert_detail(response, 400)
    body = '{"a":' * depth + "1" + "}" * depth
    response = as_editor.generic("POST", f"{V1}/{path}", body, content_type="application/json")
    assert "nests" in assert_detail(response, 400)


def test_json_within_the_depth_limit_is_read(as_editor, source):
    # 32 levels parse; the body is then refused for what it says, not for its shape.
    body = f'{{"source": {source.pk}, "quote": "Kim Jong-un", "statement": ' + "[" * 31 + "]" * 31 + "}"
    response = as_editor.generic("POST", f"{V1}/claims/", body, content_type="application/json")
    assert_field_error(response, "statement")


@pytest.mark.parametrize("count", [201, 100_000])
def test_long_id_lists_are_refused_before_any_lookup(
    as_editor, source, make_actor, count, django_assert_max_num_queries
):
    actor = make_actor()
    body = {"source": source.pk, "quote": "Kim Jong-un", "subjects": [actor.pk] * count}
    with django_assert_max_num_queries(8):  # the user and the token, not an id at a time
        message = assert_field_error(as_editor.post(f"{V1}/claims/", body, format="json"), "subjects")
    assert "at most 200 ids" in message and f"{count} were given" in message
    assert not Claim.objects.exists()
    body = {"title": "Summit", "participants": [actor.pk] * count}
    assert "at most 200" in assert_field_error(as_editor.post(f"{V1}/events/", body, format="json"), "participants")
    parties = [{"actor": actor.pk}] * count
    response = as_editor.post(f"{V1}/agreements/", {"title": "Pact", "parties": parties}, format="json")
    assert "200" in assert_field_error(response, "parties")
    assert not Event.objects.exists()


def test_two_hundred_ids_are_accepted(as_editor, source, make_actor):
    actors = [make_actor(name=f"Actor {n}") for n in range(3)]
    ids = [actor.pk for actor in actors] * 66 + [actors[0].pk, actors[1].pk]
    body = {"source": source.pk, "quote": "Kim Jong-un", "subjects": ids}
    response = as_editor.post(f"{V1}/claims/", body, format="json")
    assert response.status_code == 201, response.content
    assert {subject["id"] for subject in response.json()["subjects"]} == {actor.pk for actor in actors}


def test_schema_states_the_id_list_bound(client):
    schema = client.get("/api/schema/?format=json").json()
    subjects = schema["components"]["schemas"]["ClaimInputRequest"]["properties"]["subjects"]
    assert subjects["type"] == "array" and subjects["maxItems"] == 200
