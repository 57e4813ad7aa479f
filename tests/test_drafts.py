"""Draft records: proposed by ingest or from a claim, accepted through the record services or rejected."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kb import services
from kb.choices import ActorKind, ClaimStatus, DraftKind, DraftStatus, Modality
from kb.models import Actor, AgreementParty, ArmsTransfer, Claim, Draft, Event, Relationship
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


def _claim(world, quote: str, **fields) -> Claim:
    """A proposed claim on a new source with ``quote`` as its text."""
    source = services.source_create(
        user=world.editor, title=quote[:40], publisher="Wire", published_on="2024-10-24", text=quote
    )
    fields.setdefault("modality", Modality.FACT)
    return services.claim_create(user=world.editor, source=source, quote=quote, **fields)


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


def test_a_draft_is_made_with_a_human_title_and_history(world, editor):
    claim = _claim(world, "North Korea sent about 50 KN-23 missiles to Russia.")
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


# --- accepting -----------------------------------------------------------------------------


def test_accepting_a_transfer_creates_it_public_with_the_claim_as_evidence(world, editor, anon):
    claim = _claim(world, "North Korea sent about 50 KN-23 missiles to Russia.")
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


def test_accept_takes_overrides_and_refuses_incomplete_data(world, editor):
    claim = _claim(world, "Pyongyang shipped shells to Moscow.")
    draft = services.draft_from_claim(claim, user=editor, kind=DraftKind.TRANSFER)
    with pytest.raises(ValidationError) as refused:
        services.draft_accept(draft, user=editor)
    assert {"supplier", "recipient", "category"} <= set(refused.value.message_dict)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROPOSED and not ArmsTransfer.objects.filter(evidence=claim).exists()
    overrides = {"supplier": "north-korea", "recipient": "russia", "category": "ammunition"}
    transfer = services.draft_accept(draft, user=editor, data=overrides)
    assert (transfer.supplier, transfer.recipient, transfer.category) == (world.dprk, world.russia, "ammunition")


def test_accepting_an_event_and_a_relationship(world, editor):
    visit = _claim(world, "Vladimir Putin visited Pyongyang in June 2024.")
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
    ally = _claim(world, "Russia is an ally of North Korea.")
    draft = services.draft_create(
        user=editor,
        kind=DraftKind.RELATIONSHIP,
        data={"subject": "russia", "predicate": "ally_of", "object": "north-korea"},
        claims=[ally],
    )
    relationship = services.draft_accept(draft, user=editor)
    assert isinstance(relationship, Relationship) and str(relationship) == "Russia ally of North Korea"


def test_a_milestone_adds_the_party_or_climbs_its_ladder(world, editor):
    duma = _claim(world, "The State Duma ratified the treaty on 24 October 2024.")
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
    kp = _claim(world, "North Korea ratified the treaty in November 2024.")
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


def test_an_accept_changes_an_unchanged_target_with_history(world, editor):
    claim = _claim(world, "North Korea has sent about 2 million shells to Russia.")
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


def test_a_new_name_becomes_an_actor_and_the_subject_of_the_claims_naming_it(world, editor):
    claim = _claim(world, "South Korea's National Intelligence Service said troops moved.")
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


def test_a_new_name_can_be_an_alias_and_an_ambiguous_one_asks_which(world, editor):
    claim = _claim(world, "Kim said the shells were sent.")
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
