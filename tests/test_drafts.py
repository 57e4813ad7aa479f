"""Draft records: proposed by ingest or from a claim, accepted through the record services or rejected."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kb import services
from kb.choices import ActorKind, ClaimStatus, DraftKind, DraftStatus, Modality
from kb.dates import PartialDate
from kb.models import Actor, AgreementParty, ArmsTransfer, Claim, Draft, Event, Relationship
from tests.helpers import ingest
from tests.world import build_world

pytestmark = pytest.mark.django_db

TREATY = "treaty-on-comprehensive-strategic-partnership"


@pytest.fixture
def world(editor):
    return build_world(
        editor,
        *("dprk", "russia", "kim", "putin", "source", "meeting", "shells", "proposed", "treaty_claim"),
        *("treaty", "transfer", "summit"),
        treaty={"parties": [("dprk", "kim")], "evidence": ["treaty_claim"]},
    )


@pytest.fixture
def quoted(make_source, make_claim):
    """A proposed claim of fact, with no statement, on a new source (of 24 October 2024) with ``quote`` as its text."""

    def make(quote: str, **fields) -> Claim:
        fields.setdefault("modality", Modality.FACT)
        fields.setdefault("statement", "")
        return make_claim(quote, source=make_source(quote, published_on="2024-10-24"), **fields)

    return make


def _transfer_data(**changes):
    data = {
        "supplier": "north-korea",
        "recipient": "russia",
        "category": "missiles",
        "designation": "KN-23",
        "quantity_low": 50,
        "quantity_high": 50,
        "delivered_quantity_estimated": True,
        "status": "reported",
        "reported_by": "Ukraine's military intelligence",
        "reported_on": "2024-10",
        "start_on": "2024",
        "description": "KN-23 ballistic missiles",
    }
    data.update(changes)
    return data


# --- creating ------------------------------------------------------------------------------


def test_a_draft_is_made_with_a_human_title_and_history(world, editor, quoted):
    claim = quoted("North Korea sent about 50 KN-23 missiles to Russia.")
    draft = services.draft_create(user=editor, kind=DraftKind.TRANSFER, data=_transfer_data(), claims=[claim])
    assert str(draft) == "Transfer: KN-23 missiles, North Korea → Russia"
    assert draft.source == claim.source
    assert draft.status == DraftStatus.PROPOSED and draft.created_by == editor
    assert list(claim.drafts.all()) == [draft]
    assert {entry.history_user for entry in draft.history.all()} == {editor}


@pytest.mark.parametrize(
    ("kind", "data", "field", "words"),
    [
        (DraftKind.TRANSFER, _transfer_data(supplier="atlantis"), "supplier", "“atlantis”"),
        (DraftKind.TRANSFER, _transfer_data(category="spears"), "category", "missiles"),
        (DraftKind.TRANSFER, _transfer_data(quantity_low="many"), "quantity_low", "whole number"),
        (DraftKind.TRANSFER, _transfer_data(quantity_low=9, quantity_high=3), "quantity_high", "below"),
        (DraftKind.TRANSFER, _transfer_data(start_on="June 2024"), "start_on", "not a date"),
        (DraftKind.TRANSFER, _transfer_data(weight=3), "weight", "no value"),
        (DraftKind.TRANSFER, _transfer_data(recipient="north-korea"), "recipient", "same actor"),
        (DraftKind.MILESTONE, {"agreement": "no-such-pact", "party": "russia"}, "agreement", "no-such-pact"),
        (DraftKind.MILESTONE, {"step": "dreamt"}, "step", "ratified"),
        (DraftKind.EVENT, {"participants": ["russia", "narnia"]}, "participants", "“narnia”"),
        (DraftKind.ACTOR, {"name": "NIS", "country": "Korea"}, "country", "alpha-2"),
        ("treaty", {}, "kind", "milestone"),
    ],
)
def test_bad_data_is_refused_by_field_and_nothing_is_made(world, editor, kind, data, field, words):
    with pytest.raises(ValidationError) as refused:
        services.draft_create(user=editor, kind=kind, data=data)
    assert field in refused.value.message_dict
    assert words in " ".join(refused.value.message_dict[field])
    assert not Draft.objects.exists()


def test_a_draft_matching_a_record_targets_it_and_keeps_what_it_saw(world, editor):
    data = _transfer_data(designation="152mm shells", category="ammunition", quantity_low=2000000, quantity_high=None)
    draft = services.draft_create(user=editor, kind=DraftKind.TRANSFER, data=data)
    assert draft.target == world.transfer
    assert draft.target_seen["quantity_low"] == 1000000


def test_a_transfer_draft_naming_no_weapon_targets_no_transfer_between_its_parties(world, editor):
    draft = services.draft_create(
        user=editor, kind=DraftKind.TRANSFER, data={"supplier": "north-korea", "recipient": "russia"}
    )
    assert draft.target is None and draft.target_seen == {}


def test_a_relationship_draft_targets_the_one_of_its_period_else_the_earliest_recorded(world, editor):
    def ally(valid_from):
        return services.relationship_create(
            user=editor, subject=world.russia, predicate="ally_of", object=world.dprk, valid_from=valid_from
        )

    earliest, _open, of_2023 = ally("2024"), ally(None), ally("2023-06")
    data = {"subject": "russia", "predicate": "ally_of", "object": "north-korea"}
    dated = services.draft_create(user=editor, kind=DraftKind.RELATIONSHIP, data={**data, "valid_from": "2023"})
    assert dated.target == of_2023 and dated.target_seen == {"valid_from": "2023-06"}
    undated = services.draft_create(user=editor, kind=DraftKind.RELATIONSHIP, data=data)
    assert undated.target == earliest


def test_an_event_draft_targets_the_event_of_its_kind_day_and_place_whatever_its_title(newsroom, editor):
    pyongyang = Actor.objects.get(slug="pyongyang")
    visit = services.event_create(
        user=editor, title="Putin's state visit to North Korea", kind="visit", start_on="2024-06-19", place=pyongyang
    )
    (ingested,) = _by_kind(ingest(editor, NEWS, **NEWS_SOURCE))["event"]
    assert ingested.target == visit and ingested.target_seen["participants"] == []
    made = services.draft_create(
        user=editor,
        kind=DraftKind.EVENT,
        data={"title": "Putin in Pyongyang", "kind": "visit", "start_on": "2024-06-19", "place": "pyongyang"},
    )
    assert made.target == visit
    other_day = services.draft_create(
        user=editor,
        kind=DraftKind.EVENT,
        data={"title": "Putin in Pyongyang", "kind": "visit", "start_on": "2024-06", "place": "pyongyang"},
    )
    assert other_day.target is None
    accepted = services.draft_accept(ingested, user=editor)
    assert accepted == visit and list(visit.participants.all()) == [newsroom.putin]
    assert Event.objects.filter(kind="visit").count() == 1


def test_an_ingested_event_draft_targets_the_event_its_sentence_cites_before_one_of_its_title(newsroom, editor):
    pyongyang = Actor.objects.get(slug="pyongyang")
    services.event_create(
        user=editor, title="Vladimir Putin visit to Pyongyang", kind="visit", start_on="2000-07-19", place=pyongyang
    )
    cited = services.event_create(
        user=editor, title="Putin's state visit to North Korea", kind="visit", start_on="2024-06-19", place=pyongyang
    )
    (ingested,) = _by_kind(ingest(editor, NEWS, **NEWS_SOURCE))["event"]
    assert ingested.data["title"] == "Vladimir Putin visit to Pyongyang"
    assert ingested.target == cited


def test_of_two_events_a_sentence_could_cite_ingest_targets_the_earliest_of_its_kind_day_and_place(newsroom, editor):
    pyongyang = Actor.objects.get(slug="pyongyang")
    first, _second = (
        services.event_create(user=editor, title=title, kind="visit", start_on="2024-06-19", place=pyongyang)
        for title in ("Putin's state visit to North Korea", "Putin's second visit")
    )
    (ingested,) = _by_kind(ingest(editor, NEWS, **NEWS_SOURCE))["event"]
    assert ingested.target == first


# --- accepting -----------------------------------------------------------------------------


def test_accepting_a_transfer_creates_it_public_with_the_claim_as_evidence(world, editor, anon, quoted):
    claim = quoted("North Korea sent about 50 KN-23 missiles to Russia.")
    draft = services.draft_create(user=editor, kind=DraftKind.TRANSFER, data=_transfer_data(), claims=[claim])
    transfer = services.draft_accept(draft, user=editor, note="checked against the report")
    assert isinstance(transfer, ArmsTransfer)
    assert (transfer.designation, transfer.quantity_low, transfer.quantity_high) == ("KN-23", 50, 50)
    assert transfer.delivered_quantity_estimated and str(transfer.start) == "2024"
    assert list(transfer.evidence.all()) == [claim]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACCEPTED and claim.reviewed_by == editor
    draft.refresh_from_db()
    assert (draft.status, draft.record, draft.reviewed_by, draft.note) == (
        DraftStatus.ACCEPTED,
        transfer,
        editor,
        "checked against the report",
    )
    assert transfer.history.first().history_change_reason == f"draft #{draft.pk} accepted: checked against the report"
    assert transfer.history.first().history_user == editor
    ids = {row["id"] for row in anon.get("/api/v1/arms-transfers/").json()["results"]}
    assert transfer.pk in ids


def test_accept_takes_overrides_and_refuses_incomplete_data(world, editor, quoted):
    claim = quoted("Pyongyang shipped shells to Moscow.")
    draft = services.draft_from_claim(claim, user=editor, kind=DraftKind.TRANSFER)
    with pytest.raises(ValidationError) as refused:
        services.draft_accept(draft, user=editor)
    assert set(refused.value.message_dict) == {"supplier", "recipient"}  # no subjects on the claim
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROPOSED and not ArmsTransfer.objects.filter(evidence=claim).exists()
    overrides = {"supplier": "north-korea", "recipient": "russia", "category": "ammunition"}
    transfer = services.draft_accept(draft, user=editor, data=overrides)
    assert (transfer.supplier, transfer.recipient, transfer.category) == (world.dprk, world.russia, "ammunition")


def test_accepting_an_event_and_a_relationship(world, editor, quoted):
    visit = quoted("Vladimir Putin visited Pyongyang in June 2024.")
    draft = services.draft_create(
        user=editor,
        kind=DraftKind.EVENT,
        data={
            "title": "Putin visit to North Korea",
            "kind": "visit",
            "participants": ["vladimir-putin"],
            "place": "north-korea",
            "start_on": "2024-06",
        },
        claims=[visit],
    )
    event = services.draft_accept(draft, user=editor)
    assert isinstance(event, Event) and list(event.participants.all()) == [world.putin]
    assert event.place == world.dprk and list(event.evidence.all()) == [visit]
    ally = quoted("Russia is an ally of North Korea.")
    draft = services.draft_create(
        user=editor,
        kind=DraftKind.RELATIONSHIP,
        data={"subject": "russia", "predicate": "ally_of", "object": "north-korea"},
        claims=[ally],
    )
    relationship = services.draft_accept(draft, user=editor)
    assert isinstance(relationship, Relationship) and str(relationship) == "Russia ally of North Korea"


def test_a_milestone_adds_the_party_or_climbs_its_ladder(world, editor, quoted):
    duma = quoted("The State Duma ratified the treaty on 24 October 2024.")
    draft = services.draft_create(
        user=editor,
        kind=DraftKind.MILESTONE,
        data={"agreement": TREATY, "party": "russia", "step": "ratified", "on": "2024-10-24"},
        claims=[duma],
    )
    assert str(draft) == "Milestone: Russia ratified Treaty on Comprehensive Strategic Partnership on 24 October 2024"
    party = services.draft_accept(draft, user=editor)
    assert isinstance(party, AgreementParty) and party.actor == world.russia
    assert str(party.ratified) == "2024-10-24" and party.ratification_kind == "ratification"
    assert list(party.evidence.all()) == [duma]
    kp = quoted("North Korea ratified the treaty in November 2024.")
    draft = services.draft_create(
        user=editor,
        kind=DraftKind.MILESTONE,
        data={"agreement": TREATY, "party": "north-korea", "step": "ratified", "on": "2024-11"},
        claims=[kp],
    )
    assert draft.target == AgreementParty.objects.get(actor=world.dprk)
    party = services.draft_accept(draft, user=editor, note="KCNA")
    assert str(party.ratified) == "2024-11" and party.signatory == world.kim
    assert party.history.first().history_change_reason == f"draft #{draft.pk} accepted: KCNA"


def test_an_accept_never_overwrites_a_value_changed_since_the_draft(world, editor):
    data = _transfer_data(designation="152mm shells", category="ammunition", quantity_low=2000000, quantity_high=None)
    draft = services.draft_create(user=editor, kind=DraftKind.TRANSFER, data=data)
    services.transfer_update(world.transfer, user=editor, quantity_low=1500000)
    with pytest.raises(ValidationError) as refused:
        services.draft_accept(draft, user=editor)
    message = " ".join(refused.value.message_dict["target"])
    assert "changed since this draft was made" in message and "quantity_low was 1000000, now 1500000" in message
    world.transfer.refresh_from_db()
    draft.refresh_from_db()
    assert world.transfer.quantity_low == 1500000 and draft.status == DraftStatus.PROPOSED


def test_an_accept_changes_an_unchanged_target_with_history(world, editor, quoted):
    claim = quoted("North Korea has sent about 2 million shells to Russia.")
    data = _transfer_data(designation="152mm shells", category="ammunition", quantity_low=2000000, quantity_high=None)
    draft = services.draft_create(user=editor, kind=DraftKind.TRANSFER, data=data, claims=[claim])
    transfer = services.draft_accept(draft, user=editor)
    assert transfer.pk == world.transfer.pk and transfer.quantity_low == 2000000
    assert transfer.quantity_high == 3000000  # left empty in the draft: kept
    assert set(transfer.evidence.all()) == {world.shells, claim}
    assert ArmsTransfer.objects.count() == 1


def test_a_reviewed_draft_cannot_be_reviewed_again(world, editor):
    draft = services.draft_create(user=editor, kind=DraftKind.TRANSFER, data=_transfer_data())
    services.draft_reject(draft, user=editor, note="a duplicate of a SIPRI row")
    draft.refresh_from_db()
    assert (draft.status, draft.note, draft.reviewed_by) == (DraftStatus.REJECTED, "a duplicate of a SIPRI row", editor)
    assert draft.history.first().history_change_reason == f"draft #{draft.pk} rejected: a duplicate of a SIPRI row"
    with pytest.raises(ValidationError, match="already rejected"):
        services.draft_accept(draft, user=editor)
    assert not ArmsTransfer.objects.filter(designation="KN-23").exists()


# --- names --------------------------------------------------------------------------------


def test_a_new_name_becomes_an_actor_and_the_subject_of_the_claims_naming_it(world, editor, quoted):
    claim = quoted("South Korea's National Intelligence Service said troops moved.")
    other = services.claim_create(user=editor, source=claim.source, quote="troops moved")
    draft = services.draft_create(
        user=editor,
        kind=DraftKind.ACTOR,
        data={"name": "National Intelligence Service", "kind": "organization", "country": "kr", "mentions": 1},
        claims=[claim],
    )
    actor = services.draft_accept(draft, user=editor)
    assert (actor.name, actor.kind, actor.country_code) == ("National Intelligence Service", "organization", "KR")
    assert list(claim.subjects.all()) == [actor] and not other.subjects.exists()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROPOSED  # a name is not a review of the claims that use it


def test_a_new_name_can_be_an_alias_and_an_ambiguous_one_asks_which(world, editor, quoted):
    claim = quoted("Kim said the shells were sent.")
    services.actor_create(user=editor, name="Kim Yo Jong", kind=ActorKind.PERSON, aliases=["Kim"])
    services.actor_create(user=editor, name="Kim Il Sung", kind=ActorKind.PERSON, aliases=["kim"])
    data = {"name": "Kim", "kind": "person"}
    draft = services.draft_create(user=editor, kind=DraftKind.ACTOR, data=data, claims=[claim])
    with pytest.raises(ValidationError) as refused:
        services.draft_accept(draft, user=editor)
    message = refused.value.message_dict["actor"][0]
    assert "Kim Il Sung (kim-il-sung)" in message and "Kim Yo Jong (kim-yo-jong)" in message
    assert not claim.subjects.exists()
    actor = services.draft_accept(draft, user=editor, actor=world.kim)
    assert actor == world.kim and world.kim.aliases.filter(name="Kim").exists()
    assert list(claim.subjects.all()) == [world.kim]
    assert Actor.objects.filter(name="Kim").count() == 0


def test_draft_from_claim_is_prefilled(world, editor):
    draft = services.draft_from_claim(world.treaty_claim, user=editor, kind=DraftKind.EVENT)
    assert draft.data["participants"] == ["kim-jong-un", "vladimir-putin"]
    assert draft.data["start_on"] == "2024-06-19"
    assert list(draft.claims.all()) == [world.treaty_claim]
    with pytest.raises(ValidationError):
        services.draft_from_claim(world.treaty_claim, user=editor, kind="poem")


# --- the API ------------------------------------------------------------------------------

DRAFTS = "/api/v1/drafts/"
JSON = "application/json"


@pytest.fixture
def drafts(world, editor, quoted):
    """Three proposed drafts: a transfer with its claim, an event and a relationship."""
    claim = quoted("North Korea sent about 50 KN-23 missiles to Russia.")
    transfer = services.draft_create(user=editor, kind=DraftKind.TRANSFER, data=_transfer_data(), claims=[claim])
    event = services.draft_create(
        user=editor, kind=DraftKind.EVENT, data={"title": "Shoigu visit to Pyongyang", "kind": "visit"}
    )
    ally = services.draft_create(
        user=editor, kind=DraftKind.RELATIONSHIP, data={"subject": "russia", "predicate": "ally_of"}
    )
    return {"transfer": transfer, "event": event, "relationship": ally, "claim": claim}


def test_drafts_are_for_editors_only(drafts, anon, analyst, as_editor):
    from rest_framework.test import APIClient

    as_analyst = APIClient()
    as_analyst.force_authenticate(analyst)
    draft = drafts["transfer"]
    assert anon.get(DRAFTS).status_code == 401
    assert as_analyst.get(DRAFTS).status_code == 403
    # Without credentials a draft asks for them (401); signed in, a non-editor finds nothing (404) and is
    # refused its accept and reject (403).
    for client, read, act in ((anon, 401, 401), (as_analyst, 404, 403)):
        assert client.get(f"{DRAFTS}{draft.pk}/").status_code == read
        assert client.post(f"{DRAFTS}{draft.pk}/accept/", {}, format="json").status_code == act
        assert client.post(f"{DRAFTS}{draft.pk}/reject/", {"note": "no"}, format="json").status_code == act
        claim = client.get(f"/api/v1/claims/{drafts['claim'].pk}/")
        assert claim.status_code == 404  # a proposed claim
    draft.refresh_from_db()
    assert draft.status == DraftStatus.PROPOSED
    listed = as_editor.get(DRAFTS)
    assert listed.status_code == 200 and listed.json()["count"] == 3
    shown = as_editor.get(f"{DRAFTS}{draft.pk}/").json()
    assert shown["title"] == "Transfer: KN-23 missiles, North Korea → Russia"
    assert shown["claims"][0]["id"] == drafts["claim"].pk and shown["data"]["designation"] == "KN-23"
    assert shown["accept_url"].endswith(f"/api/v1/drafts/{draft.pk}/accept/")
    claim = as_editor.get(f"/api/v1/claims/{drafts['claim'].pk}/").json()
    assert [d["id"] for d in claim["drafts"]] == [draft.pk]


def test_the_claims_api_shows_drafts_to_editors_only(world, drafts, anon, as_editor, editor):
    claim = drafts["claim"]
    services.claim_review(claim, user=editor, status=ClaimStatus.ACCEPTED)
    assert anon.get(f"/api/v1/claims/{claim.pk}/").json()["drafts"] is None
    assert as_editor.get(f"/api/v1/claims/{claim.pk}/").json()["drafts"][0]["kind"] == "transfer"


def test_the_list_filters(drafts, as_editor, world):
    def listed(query: str) -> set[int]:
        response = as_editor.get(f"{DRAFTS}?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    transfer = drafts["transfer"]
    assert listed("kind=transfer,event") == {transfer.pk, drafts["event"].pk}
    assert listed(f"claim={drafts['claim'].pk}") == {transfer.pk}
    assert listed(f"source={drafts['claim'].source_id}") == {transfer.pk}
    assert listed("status=accepted") == set()
    assert listed("search=shoigu") == {drafts["event"].pk}
    for bad in ("kind=poem", "status=maybe", "claim=999999", "colour=red"):
        response = as_editor.get(f"{DRAFTS}?{bad}")
        assert response.status_code == 400, bad
        assert bad.split("=")[0] in response.content.decode()


def _drafts_with_targets(world, editor, n: int) -> None:
    """Drafts that change records of their own, whose names read other rows: a transfer, a relationship (accepted:
    its record too) and an agreement party; and an event draft."""
    services.transfer_create(
        user=editor,
        **{"supplier": world.dprk, "recipient": world.russia, "category": "missiles", "status": "reported"},
        designation=f"KN-{n}",
        description="Missiles",
    )
    services.draft_create(user=editor, kind=DraftKind.TRANSFER, data=_transfer_data(designation=f"KN-{n}"))
    unit = services.actor_create(user=editor, name=f"Unit {n}", kind=ActorKind.ORGANIZATION)
    services.relationship_create(user=editor, subject=unit, predicate="part_of", object=world.russia)
    relationship = {"subject": unit.slug, "predicate": "part_of", "object": "russia", "valid_from": "2024"}
    ally = services.draft_create(user=editor, kind=DraftKind.RELATIONSHIP, data=relationship)
    services.draft_accept(ally, user=editor)
    pact = services.agreement_create(user=editor, title=f"Protocol {n}", kind="agreement", status="signed")
    services.agreement_party_add(user=editor, agreement=pact, actor=world.russia)
    milestone = {"agreement": pact.slug, "party": "russia", "step": "signed", "on": "2024-06"}
    services.draft_create(user=editor, kind=DraftKind.MILESTONE, data=milestone)
    data = {"title": f"Meeting {n}", "kind": "meeting", "participants": ["russia"]}
    services.draft_create(user=editor, kind=DraftKind.EVENT, data=data, claims=[world.shells])


def test_the_list_costs_the_same_whatever_its_length(drafts, as_editor, editor, world, django_assert_num_queries):
    _drafts_with_targets(world, editor, 0)
    # Token and editor check, count, drafts, their claims; the transfers, relationships and parties
    # they change (each with the rows its name reads), and the relationships they made.
    with django_assert_num_queries(9):
        listed = as_editor.get(DRAFTS).json()
    assert listed["count"] == 7
    targets = {(row["target"] or {}).get("type") for row in listed["results"]}
    assert {"armstransfer", "relationship", "agreementparty"} <= targets
    assert "Unit 0 part of Russia" in {(row["record"] or {}).get("title") for row in listed["results"]}
    for n in range(1, 6):
        _drafts_with_targets(world, editor, n)
    with django_assert_num_queries(9):
        assert as_editor.get(DRAFTS).json()["count"] == 27


def test_accept_and_reject_through_the_api(drafts, as_editor, world, anon):
    draft = drafts["transfer"]
    response = as_editor.post(
        f"{DRAFTS}{draft.pk}/accept/",
        {"data": {"quantity_low": 40, "quantity_high": 60}, "note": "per the UN panel"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted" and body["record"]["type"] == "armstransfer"
    transfer = ArmsTransfer.objects.get(pk=body["record"]["id"])
    assert (transfer.quantity_low, transfer.quantity_high) == (40, 60)
    assert anon.get(f"/api/v1/arms-transfers/{transfer.pk}/").status_code == 200
    again = as_editor.post(f"{DRAFTS}{draft.pk}/accept/", {}, format="json")
    assert again.status_code == 400 and "already accepted" in again.json()["draft"][0]
    event = drafts["event"]
    assert as_editor.post(f"{DRAFTS}{event.pk}/reject/", {}, format="json").status_code == 400
    response = as_editor.post(f"{DRAFTS}{event.pk}/reject/", {"note": "not a visit"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"data": {"supplier": "atlantis"}}, "supplier"),
        ({"data": {"quantity_low": -4}}, "quantity_low"),
        ({"data": {"colour": "red"}}, "colour"),
        ({"data": "all of it"}, "data"),
        ({"note": 5}, "note"),
        ({"actor": "no-such-actor"}, "actor"),
        ({"actor": "russia"}, "actor"),  # only an actor draft takes one
    ],
)
def test_a_bad_accept_is_a_400_naming_the_field_and_changes_nothing(drafts, as_editor, body, field):
    draft = drafts["transfer"]
    response = as_editor.post(f"{DRAFTS}{draft.pk}/accept/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    draft.refresh_from_db()
    assert draft.status == DraftStatus.PROPOSED and not ArmsTransfer.objects.filter(designation="KN-23").exists()
    assert Claim.objects.get(pk=drafts["claim"].pk).status == ClaimStatus.PROPOSED


def test_an_ambiguous_name_through_the_api(world, as_editor, editor, quoted):
    claim = quoted("Kim said the shells were sent.")
    services.actor_create(user=editor, name="Kim Yo Jong", kind=ActorKind.PERSON, aliases=["Kim"])
    services.actor_create(user=editor, name="Kim Il Sung", kind=ActorKind.PERSON, aliases=["Kim"])
    draft = services.draft_create(
        user=editor, kind=DraftKind.ACTOR, data={"name": "Kim", "kind": "person"}, claims=[claim]
    )
    response = as_editor.post(f"{DRAFTS}{draft.pk}/accept/", {}, format="json")
    assert response.status_code == 400 and "kim-il-sung" in response.json()["actor"][0]
    response = as_editor.post(f"{DRAFTS}{draft.pk}/accept/", {"actor": "kim-jong-un"}, format="json")
    assert response.status_code == 200 and response.json()["record"]["id"] == world.kim.pk


# --- ingest drafts them --------------------------------------------------------------------

NEWS = (
    "North Korea has sent about 500 KN-23 missiles to Russia, according to Ukraine's military intelligence.\n\n"
    "Vladimir Putin visited Pyongyang on 19 June 2024.\n\n"
    "The State Duma ratified the Treaty on Comprehensive Strategic Partnership on 24 October 2024.\n\n"
    "South Korea's National Intelligence Service said North Korea also shipped some 20 to 30 Hwasong-11 "
    "missiles to Moscow.\n\n"
    "Kim Jong Un, the leader of North Korea, praised the ties.\n\n"
    "The talks in Pyongyang were led by Andrei Rudenko, a deputy foreign minister."
)
# The source fields NEWS and its variants are ingested with.
NEWS_SOURCE = {"title": "Missiles and a treaty", "published_on": "2024-10-25"}


@pytest.fixture
def newsroom(world, editor):
    services.actor_create(user=editor, name="South Korea", kind=ActorKind.STATE, country_code="KR")
    services.actor_create(user=editor, name="Pyongyang", kind=ActorKind.PLACE, country_code="KP")
    services.actor_create(user=editor, name="Moscow", kind=ActorKind.PLACE, country_code="RU")
    services.actor_create(user=editor, name="Ukraine", kind=ActorKind.STATE, country_code="UA")
    services.actor_create(user=editor, name="State Duma", kind=ActorKind.ORGANIZATION, country_code="RU")
    return world


def _by_kind(result) -> dict[str, list[Draft]]:
    found: dict[str, list[Draft]] = {}
    for draft in result.drafts:
        found.setdefault(draft.kind, []).append(draft)
    return found


def test_ingest_drafts_transfers_events_milestones_relationships_and_names(newsroom, editor):
    result = ingest(editor, NEWS, **NEWS_SOURCE)
    drafts = _by_kind(result)
    kn23, hwasong = sorted(drafts["transfer"], key=lambda d: d.data["designation"])[::-1]
    assert str(kn23) == "Transfer: KN-23 missiles, North Korea → Russia"
    assert kn23.data | {"reported_by": "?"} == {
        "supplier": "north-korea",
        "recipient": "russia",
        "category": "missiles",
        "designation": "KN-23",
        "status": "reported",
        "description": "KN-23 missiles",
        "reported_by": "?",
        "reported_on": "2024-10-25",
        "quantity_low": 500,
        "quantity_high": 500,
        "quantity_unit": "missiles",
        "delivered_quantity_estimated": True,
    }
    assert "Ukraine" in kn23.data["reported_by"]
    assert (hwasong.data["designation"], hwasong.data["quantity_low"], hwasong.data["quantity_high"]) == (
        "Hwasong-11",
        20,
        30,
    )
    assert hwasong.data["recipient"] == "russia"  # "to Moscow": the capital stands for its state
    (visit,) = drafts["event"]
    assert visit.data == {
        "title": "Vladimir Putin visit to Pyongyang",
        "kind": "visit",
        "participants": ["vladimir-putin"],
        "place": "pyongyang",
        "start_on": "2024-06-19",
    }
    (milestone,) = drafts["milestone"]
    assert milestone.data == {"agreement": TREATY, "party": "russia", "step": "ratified", "on": "2024-10-24"}
    assert milestone.target is None  # Russia is not yet a party of this world's treaty
    (leader,) = drafts["relationship"]
    assert leader.data == {"subject": "kim-jong-un", "predicate": "leader_of", "object": "north-korea"}
    names = {draft.data["name"]: draft for draft in drafts["actor"]}
    assert set(names) == {"Andrei Rudenko", "South Korea's National Intelligence Service"}, names
    name = names["Andrei Rudenko"]
    assert name.data == {"name": "Andrei Rudenko", "kind": "person", "mentions": 1}
    assert list(name.claims.all()) == [result.claims[-1]]
    for draft in result.drafts:
        assert draft.source == result.source and draft.status == DraftStatus.PROPOSED
        assert draft.claims.exists() and draft.history.get().history_change_reason == "ingest"
    assert list(kn23.claims.all()) == [result.claims[0]]
    # Accepting one of them publishes it, with the claim as its evidence.
    transfer = services.draft_accept(kn23, user=editor)
    assert list(transfer.evidence.all()) == [result.claims[0]]


def test_ingest_targets_a_matching_record_and_drops_what_adds_nothing(newsroom, editor):
    services.transfer_create(
        user=editor,
        supplier=newsroom.dprk,
        recipient=newsroom.russia,
        category="missiles",
        designation="KN-23",
        description="KN-23 missiles",
        status="reported",
        quantity_low=500,
        quantity_high=500,
        quantity_unit="missiles",
    )
    services.transfer_create(
        user=editor,
        supplier=newsroom.dprk,
        recipient=newsroom.russia,
        category="missiles",
        designation="Hwasong-11",
        description="Hwasong-11 missiles",
        status="reported",
    )
    services.relationship_create(user=editor, subject=newsroom.kim, predicate="leader_of", object=newsroom.dprk)
    drafts = _by_kind(ingest(editor, NEWS, **NEWS_SOURCE))
    (hwasong,) = drafts["transfer"]  # the KN-23 draft would add nothing: not made
    assert hwasong.target.designation == "Hwasong-11"
    assert hwasong.target_seen["quantity_low"] is None
    assert "relationship" not in drafts
    accepted = services.draft_accept(hwasong, user=editor)
    assert accepted.pk == hwasong.target.pk and (accepted.quantity_low, accepted.quantity_high) == (20, 30)
    assert ArmsTransfer.objects.filter(designation="Hwasong-11").count() == 1


def test_one_draft_for_what_several_sentences_say(newsroom, editor):
    text = (
        "North Korea has sent KN-23 missiles to Russia.\n\n"
        "By October, North Korea had shipped about 60 KN-23 missiles to Russia."
    )
    result = ingest(editor, text, **NEWS_SOURCE)
    (transfer,) = result.drafts
    assert transfer.data["quantity_low"] == 60
    assert list(transfer.claims.all()) == result.claims


def test_ingest_again_returns_the_drafts_and_makes_no_more(newsroom, editor):
    first = ingest(editor, NEWS, **NEWS_SOURCE)
    again = ingest(editor, NEWS, **NEWS_SOURCE)
    assert not again.created and [d.pk for d in again.drafts] == [d.pk for d in first.drafts]
    assert Draft.objects.count() == len(first.drafts)


def test_drafting_costs_no_query_per_sentence(newsroom, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(text: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            result = ingest(editor, text, **NEWS_SOURCE)
        return len(ctx.captured_queries), len(result.drafts)

    short, short_drafts = queries(NEWS)
    longer = "\n\n".join(NEWS.replace("Hwasong-11", f"Hwasong-{n}").replace("500", f"{n}00") for n in range(12, 18))
    long, long_drafts = queries(longer + "\n\nThe end.")
    assert long_drafts >= short_drafts + 5
    assert long == short


def test_the_ingest_summary_lists_the_drafts(newsroom, editor, as_editor, django_assert_num_queries):
    from kb.api.ingest import IngestResultSerializer

    result = ingest(editor, NEWS, **NEWS_SOURCE)
    with django_assert_num_queries(0):
        summary = IngestResultSerializer(result).data
    assert {d["kind"] for d in summary["drafts"]} == {"transfer", "event", "milestone", "relationship", "actor"}
    assert "url" not in summary["drafts"][0]
    response = as_editor.post(
        "/api/v1/ingest/",
        {"text": NEWS + "\n\nMore.", "title": "Again", "publisher": "Wire", "published": "2024-10-25"},
        format="json",
    )
    assert response.status_code == 201
    draft = response.json()["drafts"][0]
    assert as_editor.get(draft["url"]).json()["id"] == draft["id"]


def test_draft_from_claim_reads_the_quote_as_ingest_does(world, editor, quoted):
    claim = quoted(
        "Russia received some 20 to 30 KN-24 missiles from North Korea.",
        subjects=[world.russia, world.dprk],
        about_on="2024-03",
    )
    draft = services.draft_from_claim(claim, user=editor, kind=DraftKind.TRANSFER)
    assert draft.data | {"reported_on": None} == {
        "supplier": "north-korea",
        "recipient": "russia",
        "category": "missiles",
        "designation": "KN-24",
        "quantity_low": 20,
        "quantity_high": 30,
        "quantity_unit": "missiles",
        "delivered_quantity_estimated": True,
        "status": "reported",
        "description": "KN-24 missiles",
        "start_on": "2024-03",
        "reported_on": None,
    }
    treaty = quoted("North Korea ratified the treaty.", subjects=[world.dprk], about_on="2024-11")
    world.treaty.evidence.add(treaty)
    draft = services.draft_from_claim(treaty, user=editor, kind=DraftKind.MILESTONE)
    assert draft.data == {"agreement": TREATY, "party": "north-korea", "step": "ratified", "on": "2024-11"}
    assert draft.target == AgreementParty.objects.get(actor=world.dprk)


def test_draft_from_claim_knows_the_names_and_adjectives_ingest_knows(world, editor, quoted):
    quote = "Russia has received North Korean KN-23 missiles."
    claim = quoted(quote, subjects=[world.russia])  # the supplier is read in the quote, not the subjects
    draft = services.draft_from_claim(claim, user=editor, kind=DraftKind.TRANSFER)
    assert (draft.data["supplier"], draft.data["recipient"]) == ("north-korea", "russia")
    assert (draft.data["designation"], draft.data["category"]) == ("KN-23", "missiles")
    ingested = ingest(editor, quote, **NEWS_SOURCE)
    (transfer,) = ingested.drafts
    assert transfer.data | {"reported_on": None} == draft.data | {"reported_on": None}


# --- the rules, one sentence at a time --------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("about 500 shells", (500, 500, True, "shells")),
        ("some 20 to 30 ballistic missiles", (20, 30, True, "missiles")),
        ("between 20 and 30 missiles", (20, 30, True, "missiles")),
        ("more than 1 million artillery shells", (1_000_000, None, True, "shells")),
        ("5 million rounds", (5_000_000, 5_000_000, False, "rounds")),
        ("five million rounds", (5_000_000, 5_000_000, False, "rounds")),
        ("up to 1,000 rockets", (None, 1000, True, "rockets")),
        ("In 2023 shells arrived", None),
        ("KN-23 missiles", None),
        ("the launch of a missile", None),
    ],
)
def test_quantities(sentence, expected):
    from kb.ingest.drafts import find_quantity

    found = find_quantity(sentence)
    assert (found and (found.low, found.high, found.estimated, found.unit)) == expected


@pytest.mark.parametrize(
    ("sentence", "category", "designations"),
    [
        ("artillery shells", "ammunition", []),
        ("KN-23 and KN-24 missiles", "missiles", ["KN-23", "KN-24"]),
        ("Hwasong-11 ballistic missiles", "missiles", ["Hwasong-11"]),
        ("152-mm artillery shells", "ammunition", ["152mm artillery shells"]),
        ("Koksan M1989 self-propelled guns", "artillery", ["M1989"]),
        ("multiple rocket launchers", "artillery", []),
        ("missile technology", "technology", []),
        ("in 2024 nothing", None, []),
    ],
)
def test_categories_and_designations(sentence, category, designations):
    from kb.ingest.drafts import find_category, find_designations

    assert (find_category(sentence), find_designations(sentence)) == (category, designations)


def test_new_names_get_a_kind_and_the_country_of_the_state_before_them():
    from kb.ingest.drafts import ActorFacts, Named, name_drafts

    text = (
        "South Korea's National Intelligence Service said so. Russia's Defence Minister Andrei Belousov agreed. "
        "NIS staff went to the Kursk Region and the Tumangang Rail Station."
    )
    facts = {"kr": ActorFacts("South Korea", "state", "KR"), "ru": ActorFacts("Russia", "state", "RU")}
    mentions = [Named(0, 11, "kr"), Named(text.index("Russia"), text.index("Russia") + 6, "ru")]
    names = ["National Intelligence Service", "Andrei Belousov", "NIS", "Kursk Region", "Tumangang Rail Station"]
    found = {spec.data["name"]: spec.data for spec in name_drafts(text, names, mentions, facts)}
    assert {name: (data["kind"], data["country"]) for name, data in found.items()} == {
        "National Intelligence Service": ("organization", "KR"),
        "Andrei Belousov": ("person", "RU"),
        "NIS": ("organization", ""),
        "Kursk Region": ("place", ""),
        "Tumangang Rail Station": ("facility", ""),
    }


def test_a_long_note_is_kept_whole_and_the_history_reason_fits(world, editor):
    draft = services.draft_create(user=editor, kind=DraftKind.TRANSFER, data=_transfer_data())
    note = "checked " * 40
    transfer = services.draft_accept(draft, user=editor, note=note)
    draft.refresh_from_db()
    assert draft.note == note
    reason = transfer.history.first().history_change_reason
    # Within the 100 characters history keeps, cut between words.
    kept = reason.removesuffix("…")
    assert reason.endswith("…") and 90 <= len(reason) <= 100
    assert kept.startswith(f"draft #{draft.pk} accepted: checked") and f"{kept} checked".endswith(" checked checked")
    assert f"draft #{draft.pk} accepted: {note.strip()}".startswith(kept + " ")
    assert draft.history.latest().history_change_reason == reason


# The actors the sentences below may name: key, then name, kind and country.
_FACTS = {
    "kim": ("Kim Jong Un", "person", "KP"),
    "putin": ("Vladimir Putin", "person", "RU"),
    "ru": ("Russia", "state", "RU"),
    "kp": ("North Korea", "state", "KP"),
    "moscow": ("Moscow", "place", "RU"),
    "pyongyang": ("Pyongyang", "place", "KP"),
}


def _facts() -> dict:
    from kb.ingest.drafts import ActorFacts

    return {key: ActorFacts(*fact) for key, fact in _FACTS.items()}


def _named(sentence: str) -> list:
    """The first mention of each actor of _FACTS that ``sentence`` names, in the order of the text."""
    from kb.ingest.drafts import Named

    named = []
    for key, (name, _kind, _country) in _FACTS.items():
        at = sentence.find(name)
        if at >= 0:
            named.append(Named(at, at + len(name), key))
    return sorted(named, key=lambda n: n.start)


@pytest.mark.parametrize(
    ("sentence", "participants"),
    [
        ("Kim Jong Un met Vladimir Putin in Russia in 2023.", ["kim", "putin"]),
        ("Russia and North Korea held talks in 2023.", ["ru", "kp"]),
        ("Russia, North Korea and Kim Jong Un met in 2023.", None),  # one person: not a meeting of leaders
        ("At the summit, Russia and North Korea agreed.", None),  # a summit is of people
        ("Russia and North Korea did not meet in 2023.", None),
    ],
)
def test_meetings_are_of_leaders_or_of_states(sentence, participants):
    from kb.ingest.drafts import event_drafts

    specs = event_drafts(sentence, _named(sentence), _facts(), about=None, agreements=(), events=())
    assert ([s.data["participants"] for s in specs] or [None])[0] == participants


def _sentence_drafts(sentence: str, **fields):
    from kb.ingest.drafts import sentence_drafts

    fields.setdefault("published", PartialDate.parse("2025-04-28"))
    return sentence_drafts(sentence, named=_named(sentence), facts=_facts(), states={"RU": "ru", "KP": "kp"}, **fields)


def test_each_weapon_a_sentence_lists_is_its_own_transfer_with_its_own_count():
    specs = _sentence_drafts(
        "North Korea had shipped about 5 million artillery shells to Moscow since August 2023, "
        "along with some 200 KN-23 and KN-24 short-range ballistic missiles."
    )
    assert [(s.data["category"], s.data["designation"], s.data.get("quantity_low")) for s in specs] == [
        ("ammunition", "", 5_000_000),
        ("missiles", "KN-23", None),
        ("missiles", "KN-24", None),
    ]
    assert {s.data["recipient"] for s in specs} == {"ru"}


@pytest.mark.parametrize(
    ("sentence", "about", "expected"),
    [
        # the date right after the step, not the signing before it; every party of a treaty in force
        (
            "The treaty was signed by Putin and Kim in Pyongyang in June 2024 and entered into force in December.",
            "2024-06",
            [("ru", "in_force", "2024-12"), ("kp", "in_force", "2024-12")],
        ),
        (
            "The treaty entered into force on 4 December 2024, when the instruments were exchanged in Moscow.",
            "2024-12-04",
            [("ru", "in_force", "2024-12-04"), ("kp", "in_force", "2024-12-04")],
        ),
        # the date of another clause is not the step's, and a ban is not the treaty
        ("Troops from North Korea arrived in October 2024, weeks before the treaty took effect.", "2024-10", []),
        ("Workers from North Korea stayed despite a ban that took effect in December 2019.", "2019-12", []),
        # no date written after the step: the sentence's own (here from "on 11 November" in the past)
        ("In Pyongyang, Kim ratified the pact by decree.", "2024-11-11", [("kp", "ratified", "2024-11-11")]),
    ],
)
def test_a_milestone_is_dated_by_its_own_step(sentence, about, expected):
    specs = _sentence_drafts(
        sentence, about=PartialDate.parse(about), agreements=["csp"], parties={"csp": ["ru", "kp"]}
    )
    assert [(s.data["party"], s.data["step"], s.data["on"]) for s in specs if s.kind == "milestone"] == expected


def test_a_host_receiving_a_guest_not_yet_known_is_a_meeting_and_a_landing_is_a_visit():
    (meeting,) = _sentence_drafts(
        "Kim Jong Un received Sergei Shoigu, secretary of the Security Council, in Pyongyang on June 17.",
        about=PartialDate.parse("2025-06-17"),
    )
    assert meeting.data == {
        "title": "Kim Jong Un receives Sergei Shoigu",
        "kind": "meeting",
        "participants": ["kim"],
        "place": "pyongyang",
        "start_on": "2025-06-17",
    }
    (visit,) = _sentence_drafts(
        "Vladimir Putin landed in Pyongyang on June 19, his first visit to North Korea in 24 years.",
        about=PartialDate.parse("2024-06-19"),
    )
    assert (visit.data["kind"], visit.data["place"]) == ("visit", "pyongyang")


def test_designations_after_the_noun_are_its_own_and_a_letter_is_no_guest():
    specs = _sentence_drafts("North Korea sent missiles, including KN-23 and KN-24, to Russia.")
    assert [(s.data["category"], s.data["designation"]) for s in specs] == [
        ("missiles", "KN-23"),
        ("missiles", "KN-24"),
    ]
    for sentence in (
        "Kim Jong Un received a letter from Vladimir Putin on June 17.",
        "Kim Jong Un received reports that Moscow had agreed.",
        "Kim Jong Un welcomes New Year with fireworks in Pyongyang.",
    ):
        assert [s for s in _sentence_drafts(sentence) if s.kind == "event"] == [], sentence
    (official,) = _sentence_drafts("Kim Jong Un received the Russian minister later that day.")
    assert (official.data["title"], official.data["participants"]) == (
        "Kim Jong Un receives the Russian minister",
        ["kim"],
    )
    (meeting,) = _sentence_drafts("Kim Jong Un received Vladimir Putin in Pyongyang.")
    assert (meeting.data["title"], meeting.data["participants"]) == (
        "Kim Jong Un receives Vladimir Putin",
        ["kim", "putin"],
    )


def test_an_impossible_quantity_is_no_quantity(world, editor):
    text = f"North Korea sent 1{'0' * 400} shells to Russia, officials said."
    result = ingest(editor, text, title="Shells", publisher="Wire")
    (transfer,) = [d for d in result.drafts if d.kind == "transfer"]
    assert "quantity_low" not in transfer.data


def test_an_accept_that_changes_a_milestones_step_compares_the_date_of_that_step(world, editor, as_editor):
    data = {"agreement": TREATY, "party": "north-korea", "step": "signed", "on": "2024-06-19"}
    draft = services.draft_create(user=editor, kind=DraftKind.MILESTONE, data=data)
    party = AgreementParty.objects.get(actor=world.dprk)
    assert draft.target == party and draft.target_seen["on"]["ratified"] is None
    services.agreement_party_update(party, user=editor, ratified_on="2024-11", ratification_kind="ratification")
    # The editor turns the signing into a ratification: the ratification the draft saw (none) is no longer there.
    response = as_editor.post(
        f"{DRAFTS}{draft.pk}/accept/", {"data": {"step": "ratified", "on": "2024-12-04"}}, format="json"
    )
    assert response.status_code == 400, response.json()
    message = " ".join(response.json()["target"])
    assert "changed since this draft was made" in message and "on was empty, now 2024-11" in message
    party.refresh_from_db()
    draft.refresh_from_db()
    assert str(party.ratified) == "2024-11" and draft.status == DraftStatus.PROPOSED


@pytest.mark.parametrize("value", ["1" * 5000, "0" * 30 + "1" * 11])
def test_an_accept_refuses_a_number_of_too_many_digits_in_words(drafts, as_editor, value):
    draft = drafts["transfer"]
    response = as_editor.post(f"{DRAFTS}{draft.pk}/accept/", {"data": {"quantity_high": value}}, format="json")
    assert response.status_code == 400
    (message,) = response.json()["quantity_high"]
    assert message == f"A number of {len(value)} digits is out of range: give a whole number from 0."
    draft.refresh_from_db()
    assert draft.status == DraftStatus.PROPOSED


def test_a_number_of_ten_digits_is_read_then_refused_by_its_value(drafts, as_editor):
    draft = drafts["transfer"]
    response = as_editor.post(
        f"{DRAFTS}{draft.pk}/accept/", {"data": {"quantity_high": "0009999999999"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["quantity_high"] == ["9999999999 is out of range: give a whole number from 0."]
