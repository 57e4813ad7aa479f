"""A write's change reason through the API: ``reason`` in the body or ``X-Change-Reason``, kept in history."""

import pytest

from kb.choices import DraftStatus
from kb.models import Actor, Claim, Draft, Event, Source
from tests.helpers import ARTICLE, V1

pytestmark = pytest.mark.django_db


def _last_reason(model, pk) -> str | None:
    return model.history.filter(id=pk).order_by("-history_id").first().history_change_reason


def test_a_create_keeps_the_reason_of_its_body(as_editor):
    response = as_editor.post(f"{V1}/actors/", {"kind": "state", "name": "Laos", "reason": "Named in a new article."})
    assert response.status_code == 201, response.json()
    assert "reason" not in response.json()  # write-only: not a field of the record
    assert _last_reason(Actor, response.json()["id"]) == "Named in a new article."


def test_an_update_keeps_the_reason_of_its_header(as_editor, make_actor):
    actor = make_actor("Laos")
    response = as_editor.patch(
        f"{V1}/actors/{actor.pk}/", {"summary": "A state."}, format="json", HTTP_X_CHANGE_REASON="Summary added."
    )
    assert response.status_code == 200, response.json()
    assert _last_reason(Actor, actor.pk) == "Summary added."


def test_a_reason_in_the_header_may_be_utf8(as_editor, make_actor):
    actor = make_actor("Laos")
    reason = "Spelling from the Sŭngri article"
    # A client sends the header's UTF-8 bytes; the server reads them as Latin-1 (WSGI).
    header = reason.encode("utf-8").decode("latin-1")
    response = as_editor.patch(f"{V1}/actors/{actor.pk}/", {"summary": "x"}, format="json", HTTP_X_CHANGE_REASON=header)
    assert response.status_code == 200, response.json()
    assert _last_reason(Actor, actor.pk) == reason


def test_body_and_header_that_agree_are_one_reason(as_editor, make_actor):
    actor = make_actor("Laos")
    response = as_editor.patch(
        f"{V1}/actors/{actor.pk}/", {"summary": "x", "reason": "Same."}, format="json", HTTP_X_CHANGE_REASON="Same."
    )
    assert response.status_code == 200
    assert _last_reason(Actor, actor.pk) == "Same."


def test_when_body_and_header_differ_the_body_wins(as_editor, make_actor):
    actor = make_actor("Laos")
    response = as_editor.patch(
        f"{V1}/actors/{actor.pk}/", {"summary": "x", "reason": "One."}, format="json", HTTP_X_CHANGE_REASON="Two."
    )
    assert response.status_code == 200
    assert _last_reason(Actor, actor.pk) == "One."


@pytest.mark.parametrize("where", ["body", "header"])
def test_a_reason_longer_than_100_characters_is_refused_naming_it(as_editor, make_actor, where):
    actor = make_actor("Laos")
    body = {"summary": "x", "reason": "r" * 101} if where == "body" else {"summary": "x"}
    headers = {"HTTP_X_CHANGE_REASON": "r" * 101} if where == "header" else {}
    response = as_editor.patch(f"{V1}/actors/{actor.pk}/", body, format="json", **headers)
    assert response.status_code == 400
    assert "100" in response.json()["reason"][0]
    assert actor.history.count() == 1


def test_a_reason_that_is_not_text_is_refused(as_editor):
    response = as_editor.post(f"{V1}/actors/", {"kind": "state", "name": "Laos", "reason": 5}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert not Actor.objects.exists()


def test_a_delete_keeps_its_reason(as_editor, make_claim):
    claim = make_claim()
    response = as_editor.delete(f"{V1}/claims/{claim.pk}/", {"reason": "Duplicate of another."}, format="json")
    assert response.status_code == 204
    deleted = Claim.history.filter(id=claim.pk, history_type="-").get()
    assert deleted.history_change_reason == "Duplicate of another."


def test_a_delete_takes_the_header_too(as_editor, make_actor):
    actor = make_actor("Laos")
    response = as_editor.delete(f"{V1}/actors/{actor.pk}/", HTTP_X_CHANGE_REASON="Not relevant.")
    assert response.status_code == 204
    assert Actor.history.filter(id=actor.pk, history_type="-").get().history_change_reason == "Not relevant."


def test_a_review_through_the_api_keeps_its_reason(as_editor, make_claim):
    claim = make_claim()
    response = as_editor.patch(
        f"{V1}/claims/{claim.pk}/", {"status": "accepted", "reason": "Checked against the original."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert _last_reason(Claim, claim.pk) == "Checked against the original."


def test_without_a_reason_a_review_still_says_what_it_was(as_editor, make_claim):
    claim = make_claim()
    assert as_editor.patch(f"{V1}/claims/{claim.pk}/", {"status": "accepted"}, format="json").status_code == 200
    assert _last_reason(Claim, claim.pk) == "review: accepted"


def test_the_schema_documents_the_reason(anon):
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    body = schema["components"]["schemas"]["ActorInputRequest"]["properties"]["reason"]
    assert body["writeOnly"] and {form.get("maxLength") for form in body["oneOf"]} == {100, 0}
    writes = [("/api/v1/actors/", "post"), ("/api/v1/actors/{id}/", "patch"), ("/api/v1/claims/{id}/", "delete")]
    for path, method in writes:
        names = [p["name"] for p in schema["paths"][path][method].get("parameters", [])]
        assert "X-Change-Reason" in names, (path, method)
    assert "X-Change-Reason" not in [p["name"] for p in schema["paths"]["/api/v1/actors/"]["get"]["parameters"]]
    delete = schema["paths"]["/api/v1/claims/{id}/"]["delete"]["requestBody"]["content"]["application/json"]
    assert delete["schema"]["properties"]["reason"]["maxLength"] == 100


@pytest.mark.parametrize("body", [[[]], {"reason": "x", "other": 1}, {"reason": ["x"]}])
def test_a_delete_with_a_body_other_than_a_reason_is_refused(as_editor, make_actor, body):
    actor = make_actor("Laos")
    response = as_editor.delete(f"{V1}/actors/{actor.pk}/", body, format="json")
    assert response.status_code == 400
    assert Actor.objects.filter(pk=actor.pk).exists()


def test_an_ingest_keeps_its_reason_on_the_source_and_its_proposed_claims(as_editor):
    body = {"text": ARTICLE, "title": "T", "publisher": "P", "published": "2024-06", "reason": "Weekly reading."}
    response = as_editor.post(f"{V1}/ingest/", body, format="json")
    assert response.status_code == 201, response.json()
    source = Source.objects.get()
    assert source.history.get().history_change_reason == "Weekly reading."
    reasons = {c.history.earliest("history_id").history_change_reason for c in source.claims.all()}
    assert reasons == {"Weekly reading."}


def test_an_ingest_without_a_reason_says_ingest(as_editor):
    body = {"text": ARTICLE, "title": "T", "publisher": "P", "published": "2024-06"}
    assert as_editor.post(f"{V1}/ingest/", body, format="json").status_code == 201
    assert Source.objects.get().history.get().history_change_reason == "ingest"


# --- a draft's accept and reject -----------------------------------------------------------


def _visit_draft(editor):
    from kb import services
    from kb.choices import DraftKind

    return services.draft_create(user=editor, kind=DraftKind.EVENT, data={"title": "Shoigu visit", "kind": "visit"})


@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_a_draft_decision_takes_a_utf8_reason_header(as_editor, editor, decision):
    draft = _visit_draft(editor)
    reason = "Sŭngri visit, per the Rodong Sinmun"
    header = reason.encode("utf-8").decode("latin-1")
    response = as_editor.post(
        f"{V1}/drafts/{draft.pk}/{decision}/", {"note": "checked"}, format="json", HTTP_X_CHANGE_REASON=header
    )
    assert response.status_code == 200, response.json()
    assert _last_reason(Draft, draft.pk) == reason
    if decision == "accept":
        assert _last_reason(Event, response.json()["record"]["id"]) == reason


@pytest.mark.parametrize("decision", ["accept", "reject"])
@pytest.mark.parametrize("where", ["body", "header"])
def test_a_draft_decision_refuses_a_reason_over_100_characters_naming_it(as_editor, editor, decision, where):
    draft = _visit_draft(editor)
    body = {"note": "checked", "reason": "r" * 150} if where == "body" else {"note": "checked"}
    headers = {"HTTP_X_CHANGE_REASON": "r" * 150} if where == "header" else {}
    response = as_editor.post(f"{V1}/drafts/{draft.pk}/{decision}/", body, format="json", **headers)
    assert response.status_code == 400
    assert "100" in response.json()["reason"][0]
    draft.refresh_from_db()
    assert draft.status == DraftStatus.PROPOSED and draft.history.count() == 1
    assert not Event.objects.exists()


def test_the_schema_documents_a_draft_decisions_reason(anon):
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for decision in ("accept", "reject"):
        operation = schema["paths"][f"/api/v1/drafts/{{id}}/{decision}/"]["post"]
        assert "X-Change-Reason" in [p["name"] for p in operation["parameters"]]
        name = f"Draft{decision.capitalize()}Request"
        reason = schema["components"]["schemas"][name]["properties"]["reason"]
        assert reason["writeOnly"] and {form.get("maxLength") for form in reason["oneOf"]} == {100, 0}


@pytest.mark.parametrize(("value", "words"), [("abc", "“abc”: ids are whole numbers"), ("999999", "the id “999999”")])
def test_a_draft_url_that_names_none_says_so(as_editor, value, words):
    response = as_editor.get(f"{V1}/drafts/{value}/")
    assert response.status_code == 404
    assert words in response.json()["detail"] and "draft" in response.json()["detail"]
