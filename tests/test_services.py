"""Services: every write validates, runs in one transaction, records history and protects evidence."""

import inspect
import re

import pytest
from django.core.exceptions import ValidationError

from kb import selectors, services
from kb.choices import ClaimStatus, Modality
from kb.models import Actor, Agreement, Alias, ArmsTransfer, Claim, ClaimLink, Event, Relationship, Source
from tests.helpers import ARTICLE

pytestmark = pytest.mark.django_db


def counts():
    return {
        m.__name__: m.objects.count() for m in (Actor, Alias, Source, Claim, ClaimLink, Event, Agreement, ArmsTransfer)
    }


# --- sources ----------------------------------------------------------------------


def test_source_create_cleans_text_and_hashes(editor):
    source = services.source_create(
        user=editor, title="T", publisher="P", text="  Body\r\n\r\n\r\ntext ", published_on="2024-07"
    )
    assert source.text == "Body\n\ntext"
    assert len(source.sha256) == 64
    assert str(source.published) == "2024-07"
    assert source.history.get().history_user == editor


def test_source_duplicate_text_refused(make_source, editor):
    source = make_source()
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.source_create(user=editor, title="Again", publisher="P", text=source.text + "\n")
    assert "already stored as source" in exc.value.message_dict["text"][0]
    assert counts() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": ""}, "text"),
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"published_on": "2024-02-30"}, "published_on"),
        ({"kind": "rumour"}, "kind"),
        ({"reliability": "G"}, "reliability"),
        ({"url": "not a url"}, "url"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_source_bad_input_refused_naming_field(editor, fields, field):
    data = {"title": "T", "publisher": "P", "text": "Some text.", **fields}
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.source_create(user=editor, **data)
    assert field in exc.value.message_dict
    assert counts() == before


def test_source_text_edit_keeps_anchors(make_claim, editor):
    claim = make_claim()
    source = claim.source
    services.source_update(source, user=editor, text="A new first line.\n\n" + source.text)
    claim.refresh_from_db()
    assert source.text[claim.start : claim.end] == claim.quote
    assert claim.history.first().history_change_reason == "re-anchored"


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: "A new first line.\n\n" + t,
        lambda t: t + "\n\nA closing line.",
        lambda t: t.replace("Beta nodded.", "Beta nodded twice, slowly."),
        lambda t: t.replace("Alpha spoke first.", "Alpha spoke."),
    ],
    ids=["before", "after", "between", "shortened-before"],
)
def test_source_text_edit_keeps_repeated_quotes_on_their_own_words(make_source, make_claim, editor, edit):
    # The quote occurs three times: only following the edit, not searching the new text, finds each one.
    text = "Alpha spoke first. The talks went well. Beta nodded. The talks went well. Gamma left. The talks went well."
    source = make_source(text=text)
    claims = [make_claim(quote="The talks went well.", source=source, occurrence=n) for n in (1, 2, 3)]
    new_text = edit(text)
    services.source_update(source, user=editor, text=new_text)
    starts = [m.start() for m in re.finditer("The talks went well", new_text)]
    for claim, start in zip(claims, starts, strict=True):
        claim.refresh_from_db()
        assert (claim.start, claim.quote) == (start, "The talks went well.")


def test_source_text_edit_breaking_anchor_refused(make_claim, editor):
    claim = make_claim()
    source = claim.source
    original = source.text
    with pytest.raises(ValidationError) as exc:
        services.source_update(source, user=editor, text=original.replace("artillery shells", "rice"))
    assert f"#{claim.pk}" in exc.value.message_dict["text"][0]
    source.refresh_from_db()
    assert source.text == original
    assert source.history.count() == 1


# --- claims -----------------------------------------------------------------------


def test_claim_offsets_found_from_quote(make_source, editor, make_actor):
    source = make_source()
    kp = make_actor("North Korea")
    claim = services.claim_create(
        user=editor,
        source=source,
        quote="North Korea is expected to sell artillery shells to Russia.",
        modality=Modality.FORECAST,
        subjects=[kp],
        about_on="2023",
    )
    assert source.text[claim.start : claim.end] == claim.quote
    assert list(claim.subjects.all()) == [kp]
    assert claim.status == ClaimStatus.PROPOSED and claim.created_by == editor


def test_claim_explicit_offsets_checked(make_source, editor):
    source = make_source()
    start = source.text.index("Kim Jong-un")
    claim = services.claim_create(user=editor, source=source, quote="Kim Jong-un", start=start, end=start + 11)
    assert claim.start == start
    with pytest.raises(ValidationError) as exc:
        services.claim_create(user=editor, source=source, quote="Kim Jong-un", start=start + 1, end=start + 12)
    assert "quote" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.claim_create(user=editor, source=source, quote="Kim", start=10**6, end=10**6 + 3)
    assert "start" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.claim_create(user=editor, source=source, quote="Kim", start=0)
    assert "end" in exc.value.message_dict


def test_claim_missing_ambiguous_and_duplicate_refused(make_source, editor):
    source = make_source(text="Russia armed. Russia paid. North Korea sold.")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.claim_create(user=editor, source=source, quote="China paid.")
    assert "does not occur" in exc.value.message_dict["quote"][0]
    with pytest.raises(ValidationError) as exc:
        services.claim_create(user=editor, source=source, quote="Russia")
    assert "occurs 2 times" in exc.value.message_dict["quote"][0]
    with pytest.raises(ValidationError) as exc:
        services.claim_create(user=editor, source=source, quote="Russia", occurrence=5)
    assert "occurrence" in exc.value.message_dict
    assert counts() == before
    services.claim_create(user=editor, source=source, quote="Russia", occurrence=2)
    with pytest.raises(ValidationError, match="already anchors"):
        services.claim_create(user=editor, source=source, quote="Russia", occurrence=2)


def test_claim_bad_fields_leave_nothing(make_source, editor, make_actor):
    source = make_source()
    before = counts()
    for bad in ({"modality": "rumour"}, {"credibility": 9}, {"about_on": "2023-13"}, {"status": "maybe"}):
        with pytest.raises(ValidationError) as exc:
            services.claim_create(user=editor, source=source, quote="Kim Jong-un met Vladimir Putin", **bad)
        assert set(bad) & set(exc.value.message_dict)
    assert counts() == before


def test_claim_update_reanchors_and_refuses(make_claim, editor):
    claim = make_claim()
    claim = services.claim_update(claim, user=editor, quote="The two leaders signed a treaty")
    assert claim.source.text[claim.start : claim.end] == "The two leaders signed a treaty"
    with pytest.raises(ValidationError) as exc:
        services.claim_update(claim, user=editor, quote="not in the text")
    assert "quote" in exc.value.message_dict
    claim.refresh_from_db()
    assert claim.quote == "The two leaders signed a treaty"


def test_claim_review_records_reviewer_and_history(make_claim, editor):
    claim = make_claim()
    claim = services.claim_review(claim, user=editor, status=ClaimStatus.ACCEPTED, note="Checked.")
    assert claim.reviewed_by == editor and claim.reviewed_at is not None
    latest = claim.history.first()
    assert latest.history_user == editor
    assert latest.status == ClaimStatus.ACCEPTED
    assert latest.history_change_reason == "review: accepted"
    with pytest.raises(ValidationError) as exc:
        services.claim_review(claim, user=editor, status="maybe")
    assert "status" in exc.value.message_dict
    claim = services.claim_review(claim, user=editor, status=ClaimStatus.PROPOSED)
    assert claim.reviewed_at is None


def test_claim_links(make_claim, make_source, editor):
    one = make_claim()
    two = make_claim(source=make_source())
    link = services.claim_link(user=editor, from_claim=one, to_claim=two, kind="supports")
    assert list(one.links_out.all()) == [link]
    with pytest.raises(ValidationError, match="already supports"):
        services.claim_link(user=editor, from_claim=one, to_claim=two, kind="supports")
    with pytest.raises(ValidationError) as exc:
        services.claim_link(user=editor, from_claim=one, to_claim=one, kind="updates")
    assert "to_claim" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.claim_link(user=editor, from_claim=one, to_claim=two, kind="likes")
    assert "kind" in exc.value.message_dict


# --- history ----------------------------------------------------------------------


def test_history_records_acting_user_and_changes(make_actor, editor, admin_user):
    actor = make_actor("Russia", kind="state")
    services.actor_update(actor, user=admin_user, summary="A state.")
    first, second = actor.history.order_by("history_date")
    assert (first.history_type, first.history_user) == ("+", editor)
    assert (second.history_type, second.history_user) == ("~", admin_user)
    delta = second.diff_against(first)
    assert [change.field for change in delta.changes] == ["summary"]


def test_history_keeps_deleted_records(make_actor, editor):
    actor = make_actor("Temporary")
    pk = actor.pk
    services.actor_delete(actor, user=editor)
    assert not Actor.objects.filter(pk=pk).exists()
    last = Actor.history.filter(id=pk).first()
    assert last.history_type == "-" and last.history_user == editor and last.name == "Temporary"
    assert Alias.history.filter(actor_id=pk, history_type="-").exists()


def test_history_records_many_to_many(make_claim, make_actor, editor):
    claim = make_claim()
    kp = make_actor("North Korea")
    services.claim_update(claim, user=editor, subjects=[kp])
    latest = claim.history.first()
    assert [s.actor_id for s in latest.subjects.all()] == [kp.pk]


def test_renamed_actor_keeps_old_name_as_alias(make_actor, editor):
    actor = make_actor("DPRK")
    services.actor_update(actor, user=editor, name="North Korea")
    assert set(actor.aliases.values_list("name", flat=True)) == {"DPRK", "North Korea"}
    assert list(selectors.actors_named(name="dprk", exact=True)) == [actor]


# --- protected deletes ------------------------------------------------------------


def test_source_with_claims_cannot_be_deleted(make_claim, editor):
    claim = make_claim()
    with pytest.raises(services.RecordInUse, match="used by 1 claim "):
        services.source_delete(claim.source, user=editor)
    assert Source.objects.filter(pk=claim.source_id).exists()


def test_actor_named_in_claims_cannot_be_deleted(make_claim, make_actor, editor):
    kp = make_actor("North Korea")
    make_claim(subjects=[kp])
    with pytest.raises(services.RecordInUse, match="used by 1 claim \\(as subjects\\)"):
        services.actor_delete(kp, user=editor)
    assert Actor.objects.filter(pk=kp.pk).exists() and kp.aliases.exists()


def test_actor_in_agreements_and_transfers_cannot_be_deleted(make_actor, make_claim, editor):
    ru, kp, kim = make_actor("Russia"), make_actor("North Korea"), make_actor("Kim Jong-un", kind="person")
    claim = make_claim()
    agreement = services.agreement_create(
        user=editor,
        title="Comprehensive Strategic Partnership",
        kind="treaty",
        status="signed",
        signed_on="2024-06-19",
        parties=[ru, (kp, kim)],
        provisions=[{"label": "Article 4", "kind": "mutual_defence", "summary": "Mutual assistance."}],
        evidence=[claim],
    )
    assert agreement.slug == "comprehensive-strategic-partnership"
    assert agreement.party_links.get(actor=kp).signatory == kim
    services.transfer_create(
        user=editor,
        supplier=kp,
        recipient=ru,
        category="ammunition",
        description="Artillery shells",
        status="reported",
        start_on="2023",
        evidence=[claim],
    )
    for actor in (ru, kp, kim):
        with pytest.raises(services.RecordInUse):
            services.actor_delete(actor, user=editor)
    with pytest.raises(services.RecordInUse, match="agreement \\(as evidence\\)"):
        services.claim_delete(claim, user=editor)
    # An agreement owns its parties and provisions: deleting it takes them along.
    services.record_delete(agreement, user=editor)
    assert not Agreement.objects.exists()


def test_unused_records_can_be_deleted(make_claim, editor):
    claim = make_claim()
    services.claim_delete(claim, user=editor)
    services.source_delete(claim.source, user=editor)
    assert not Source.objects.exists()


def test_alias_that_is_the_name_cannot_be_removed(make_actor, editor):
    kim = make_actor("Kim Jong-un", kind="person", aliases=["Kim Jong Un", "Kim Chong-un"])
    with pytest.raises(services.RecordInUse):
        services.alias_delete(kim.aliases.get(name="Kim Jong-un"), user=editor)
    services.alias_delete(kim.aliases.get(name="Kim Chong-un"), user=editor)
    assert kim.aliases.count() == 1


# --- other records ----------------------------------------------------------------


def test_event_and_transfer_rules(make_actor, editor):
    ru, kp = make_actor("Russia"), make_actor("North Korea")
    with pytest.raises(ValidationError) as exc:
        services.event_create(user=editor, title="Summit", kind="summit", start_on="2023-09", end_on="2023-08")
    assert "end_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.event_create(user=editor, title="Summit", kind="summit", end_on="2023-08")
    assert "start_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.transfer_create(
            user=editor, supplier=kp, recipient=kp, category="missiles", description="x", status="reported"
        )
    assert "recipient" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.transfer_create(
            user=editor,
            supplier=kp,
            recipient=ru,
            category="missiles",
            description="x",
            status="reported",
            quantity_low=50,
            quantity_high=10,
        )
    assert "quantity_high" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.relationship_create(user=editor, subject=ru, object=ru, predicate="ally_of")
    assert "object" in exc.value.message_dict
    assert not Event.objects.exists() and not ArmsTransfer.objects.exists()


def test_agreement_with_bad_party_leaves_nothing(make_actor, editor):
    ru = make_actor("Russia")
    with pytest.raises(ValidationError):
        services.agreement_create(user=editor, title="Pact", kind="treaty", status="signed", parties=[ru, ru])
    assert not Agreement.objects.exists()


# --- signatures -------------------------------------------------------------------

TYPED_SERVICES = [
    (services.actor_create, services.actor_update, Actor),
    (services.source_create, services.source_update, Source),
    (services.claim_create, services.claim_update, Claim),
    (services.relationship_create, services.relationship_update, Relationship),
    (services.event_create, services.event_update, Event),
    (services.agreement_create, services.agreement_update, Agreement),
    (services.transfer_create, services.transfer_update, ArmsTransfer),
]
SET_BY_THE_SERVICES = {"created_by", "reviewed_by", "reviewed_at"}


@pytest.mark.parametrize(("create", "update", "model"), TYPED_SERVICES, ids=lambda x: getattr(x, "__name__", ""))
def test_typed_services_name_every_editable_field_with_the_models_default(create, update, model):
    created, updated = inspect.signature(create).parameters, inspect.signature(update).parameters
    for field in model._meta.get_fields():
        if not (field.concrete or field.many_to_many) or field.auto_created or not field.editable:
            continue
        if field.name in SET_BY_THE_SERVICES:
            continue
        if field.many_to_many and not field.remote_field.through._meta.auto_created:
            continue  # parts with their own rows (agreement parties) have their own services
        assert field.name in created and field.name in updated, field.name
        assert updated[field.name].default is services.UNSET, field.name
        default = created[field.name].default
        if default is inspect.Parameter.empty:
            assert not field.blank, f"{field.name} is optional in the model but required by {create.__name__}"
        elif field.many_to_many:
            assert tuple(default) == (), field.name
        else:
            assert default == field.get_default(), field.name


def test_update_services_change_only_the_fields_given(editor, make_actor):
    event = services.event_create(user=editor, title="Summit", kind="summit", start_on="2023-09", place=make_actor())
    services.event_update(event, user=editor, summary="Talks.", end_on="2023-10")
    event.refresh_from_db()
    assert (event.title, str(event.start), str(event.end), event.summary) == ("Summit", "2023-09", "2023-10", "Talks.")
    assert event.place is not None


def test_actor_update_adds_aliases_and_removes_none(editor, make_actor):
    actor = make_actor("North Korea", aliases=["DPRK"])
    services.actor_update(actor, user=editor, name="Democratic People's Republic of Korea", aliases=["dprk", "NK"])
    assert set(actor.aliases.values_list("name", flat=True)) == {
        "North Korea",
        "DPRK",
        "NK",
        "Democratic People's Republic of Korea",
    }


def test_claims_review_reviews_every_claim_or_none(editor, make_claim):
    claims = [make_claim(), make_claim()]
    with pytest.raises(ValidationError):
        services.claims_review(user=editor, claims=claims, status="maybe")
    assert set(Claim.objects.values_list("status", flat=True)) == {ClaimStatus.PROPOSED}
    reviewed = services.claims_review(user=editor, claims=claims, status=ClaimStatus.REJECTED, note="Unsourced.")
    assert [c.pk for c in reviewed] == [c.pk for c in claims]
    for claim in Claim.objects.all():
        assert (claim.status, claim.review_note, claim.reviewed_by) == (ClaimStatus.REJECTED, "Unsourced.", editor)


def test_agreement_parties_may_be_given_as_actors_pairs_or_mappings(editor, make_actor):
    ru, kp, putin = make_actor("Russia"), make_actor("North Korea"), make_actor("Vladimir Putin", kind="person")
    agreement = services.agreement_create(
        user=editor, title="Pact", kind="treaty", status="signed", parties=[ru, (kp, None)]
    )
    services.agreement_update(agreement, user=editor, parties=[{"actor": ru, "signatory": putin}, {"actor": kp}])
    assert {(p.actor, p.signatory) for p in agreement.party_links.all()} == {(ru, putin), (kp, None)}


def test_editors_group_has_kb_permissions(editor):
    assert editor.has_perm("kb.change_claim") and editor.has_perm("kb.delete_actor")
    assert editor.has_perm("kb.view_historicalclaim")


def test_article_fixture_text_is_clean():
    from kb.ingest.normalize import clean_text

    assert clean_text(ARTICLE) == ARTICLE
