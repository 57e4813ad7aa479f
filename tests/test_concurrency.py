"""Optimistic concurrency: API ETags and If-Match (412 on a stale version), admin forms that refuse stale saves."""

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from kb import services
from kb.choices import ActorKind, AgreementKind, AgreementStatus, ClaimStatus
from kb.models import Actor, Agreement, Claim
from tests.helpers import V1, admin_url, form_data, form_errors, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_editor(db) -> User:
    user = User.objects.create_user("second-editor", password="pw-second-123", is_staff=True)
    user.groups.add(Group.objects.get(name=services.EDITORS_GROUP))
    return user


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture
def api(editor) -> APIClient:
    return token_client(editor)


@pytest.fixture
def claim(make_claim, make_actor):
    return make_claim(subjects=[make_actor("North Korea")], status=ClaimStatus.ACCEPTED)


# --- the API ------------------------------------------------------------------------


def test_detail_carries_an_etag_that_changes_on_every_update(api, claim):
    url = f"{V1}/claims/{claim.pk}/"
    first = api.get(url)["ETag"]
    assert first.startswith('"') and first.endswith('"')
    assert api.get(url)["ETag"] == first, "reading does not change the version"
    assert api.head(url)["ETag"] == first
    assert APIClient().get(url)["ETag"] == first, "anonymous readers get the same version"

    patched = api.patch(url, {"statement": "Changed."}, format="json", HTTP_IF_MATCH=first)
    assert patched.status_code == 200, patched.content
    second = patched["ETag"]
    assert second != first and api.get(url)["ETag"] == second

    put_body = {"source": claim.source_id, "quote": claim.quote, "modality": "forecast", "statement": "Again."}
    put = api.put(url, put_body, format="json", HTTP_IF_MATCH=second)
    assert put.status_code == 200, put.content
    assert put["ETag"] not in (first, second)


def test_stale_if_match_is_refused_with_412_and_changes_nothing(api, claim):
    url = f"{V1}/claims/{claim.pk}/"
    stale = api.get(url)["ETag"]
    assert api.patch(url, {"statement": "First writer."}, format="json", HTTP_IF_MATCH=stale).status_code == 200
    before = Claim.objects.get(pk=claim.pk)

    bodies = {
        "patch": {"statement": "Second writer."},
        "put": {"source": claim.source_id, "quote": claim.quote, "modality": "forecast", "statement": "Second writer."},
        "delete": None,
    }
    for method, body in bodies.items():
        response = getattr(api, method)(url, body, format="json", HTTP_IF_MATCH=stale)
        assert response.status_code == 412, (method, response.content)
        assert response["Content-Type"].startswith("application/json")
        detail = response.json()["detail"]
        assert "changed by editor" in detail and "ETag" in detail

    after = Claim.objects.get(pk=claim.pk)
    assert (
        (after.statement, after.updated_at)
        == (before.statement, before.updated_at)
        == ("First writer.", after.updated_at)
    )
    assert after.history.count() == before.history.count()


def test_matching_or_wildcard_if_match_and_no_if_match_all_write(api, make_actor):
    actor = make_actor("Russia")
    url = f"{V1}/actors/{actor.pk}/"
    assert (
        api.patch(url, {"summary": "One."}, format="json", HTTP_IF_MATCH='"nope", ' + api.get(url)["ETag"]).status_code
        == 200
    )
    assert api.patch(url, {"summary": "Two."}, format="json", HTTP_IF_MATCH="*").status_code == 200
    assert api.patch(url, {"summary": "Three."}, format="json").status_code == 200
    assert Actor.objects.get(pk=actor.pk).summary == "Three."
    assert api.delete(url, HTTP_IF_MATCH=api.get(url)["ETag"]).status_code == 204
    assert not Actor.objects.filter(pk=actor.pk).exists()


def test_create_answers_with_the_new_records_etag(api, make_source):
    source = make_source()
    response = api.post(
        f"{V1}/claims/",
        {"source": source.pk, "quote": "Russia’s need", "modality": "assessment"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response["ETag"] == api.get(response["Location"])["ETag"]


def test_etag_changes_when_many_to_many_values_or_parts_change(api, editor, claim, make_actor):
    claim_url = f"{V1}/claims/{claim.pk}/"
    before = api.get(claim_url)["ETag"]
    response = api.patch(claim_url, {"subjects": [make_actor("Russia").pk]}, format="json", HTTP_IF_MATCH=before)
    assert response.status_code == 200, response.content
    assert response["ETag"] != before

    # A part written through its own service moves its record's version.
    actor = Actor.objects.get(name="North Korea")
    actor_url = f"{V1}/actors/{actor.pk}/"
    before = api.get(actor_url)["ETag"]
    services.alias_add(user=editor, actor=actor, name="DPRK")
    after_alias = api.get(actor_url)["ETag"]
    assert after_alias != before
    assert api.patch(actor_url, {"summary": "x"}, format="json", HTTP_IF_MATCH=before).status_code == 412
    services.alias_delete(actor.aliases.get(name="DPRK"), user=editor)
    assert api.get(actor_url)["ETag"] != after_alias

    agreement = services.agreement_create(
        user=editor, title="Treaty", kind=AgreementKind.TREATY, status=AgreementStatus.SIGNED, evidence=[claim]
    )
    agreement_url = f"{V1}/agreements/{agreement.pk}/"
    before = api.get(agreement_url)["ETag"]
    services.provision_add(user=editor, agreement=agreement, label="Article 4", kind="mutual_defence", summary="Aid.")
    assert api.get(agreement_url)["ETag"] != before


def test_a_bad_body_is_400_whatever_if_match_says_then_the_version_is_checked(api, claim):
    url = f"{V1}/claims/{claim.pk}/"
    stale = api.get(url)["ETag"]
    assert api.patch(url, {"statement": "First writer."}, format="json", HTTP_IF_MATCH=stale).status_code == 200
    bad = api.patch(url, {"modality": "rumour"}, format="json", HTTP_IF_MATCH=stale)
    assert bad.status_code == 400 and "modality" in bad.json(), bad.content
    incomplete = api.put(url, {"statement": "Second writer."}, format="json", HTTP_IF_MATCH=stale)
    assert incomplete.status_code == 400 and "quote" in incomplete.json(), incomplete.content
    assert api.patch(url, {"modality": "fact"}, format="json", HTTP_IF_MATCH=stale).status_code == 412
    assert Claim.objects.get(pk=claim.pk).statement == "First writer."


@pytest.mark.parametrize("value", ["", "abc", '"open', 'W/"a", b'])
def test_an_if_match_that_is_no_entity_tag_is_a_400_naming_it(api, claim, value):
    url = f"{V1}/claims/{claim.pk}/"
    for method, body in (("patch", {"statement": "x"}), ("delete", None)):
        response = getattr(api, method)(url, body, format="json", HTTP_IF_MATCH=value)
        assert response.status_code == 400, (method, value, response.content)
        assert "If-Match" in response.json() and "ETag" in response.json()["If-Match"][0]
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_non_editors_get_401_or_403_not_412(analyst, claim):
    url = f"{V1}/claims/{claim.pk}/"
    assert APIClient().patch(url, {}, format="json", HTTP_IF_MATCH='"x"').status_code == 401
    client = APIClient()
    client.force_login(analyst)
    assert client.patch(url, {}, format="json", HTTP_IF_MATCH='"x"').status_code == 403


def test_schema_documents_etag_if_match_and_412():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/v1/claims/{id}/", "/api/v1/actors/{id}/", "/api/v1/arms-transfers/{id}/"):
        operations = schema["paths"][path]
        assert "ETag" in operations["get"]["responses"]["200"]["headers"]
        for method in ("put", "patch", "delete"):
            assert "412" in operations[method]["responses"], (path, method)
            names = [p["name"] for p in operations[method]["parameters"] if p["in"] == "header"]
            assert "If-Match" in names, (path, method)


# --- the admin ----------------------------------------------------------------------


@pytest.fixture
def desks(client, editor, other_editor):
    from django.test import Client

    first, second = client, Client()
    first.force_login(editor)
    second.force_login(other_editor)
    return first, second


def test_second_save_of_a_stale_form_is_refused_naming_who_changed_it(desks, make_actor):
    first, second = desks
    actor = make_actor("Kim Jong Un", kind=ActorKind.PERSON)
    change = admin_url("kb_actor_change", actor.pk)
    mine, theirs = form_data(first.get(change)), form_data(second.get(change))
    assert mine["kb_version"] and mine["kb_version"] == theirs["kb_version"]

    mine["summary"] = "Leader of the DPRK since 2011."
    assert first.post(change, mine).status_code == 302

    theirs["summary"] = "Something else."
    refused = second.post(change, theirs)
    assert refused.status_code == 200
    message = " ".join(form_errors(refused)["__all__"])
    assert "changed by editor" in message and "UTC" in message and "not saved" in message
    assert "changed by editor" in refused.content.decode()
    assert Actor.objects.get(pk=actor.pk).summary == "Leader of the DPRK since 2011."

    # Opened again, the form carries the new version and saves.
    again = form_data(second.get(change))
    again["summary"] = "Something else."
    assert second.post(change, again).status_code == 302
    assert Actor.objects.get(pk=actor.pk).summary == "Something else."


def test_a_part_changed_meanwhile_also_refuses_the_stale_form(desks, other_editor, make_claim):
    first, _ = desks
    claim = make_claim()
    change = admin_url("kb_claim_change", claim.pk)
    mine = form_data(first.get(change))
    services.claim_link(user=other_editor, from_claim=make_claim(), to_claim=claim, kind="supports")
    mine["statement"] = "Mine."
    refused = first.post(change, mine)
    assert refused.status_code == 200
    assert "changed by second-editor" in " ".join(form_errors(refused)["__all__"])
    assert Claim.objects.get(pk=claim.pk).statement != "Mine."


def test_revert_is_checked_against_the_record_as_it_is_now(desks, make_actor):
    first, _ = desks
    actor = make_actor("Russia")
    old = actor.history.earliest("history_date")
    services.actor_update(actor, user=None, summary="Later text.")
    revert = admin_url("kb_actor_simple_history", actor.pk, old.history_id)
    data = form_data(first.get(revert))
    assert first.post(revert, data).status_code == 302
    assert Actor.objects.get(pk=actor.pk).summary == ""


def test_a_form_posted_without_a_version_still_saves(desks, make_actor):
    first, _ = desks
    actor = make_actor("Russia")
    change = admin_url("kb_actor_change", actor.pk)
    data = form_data(first.get(change))
    del data["kb_version"]
    data["summary"] = "No version sent."
    assert first.post(change, data).status_code == 302
    assert Agreement.objects.count() == 0 and Actor.objects.get(pk=actor.pk).summary == "No version sent."
