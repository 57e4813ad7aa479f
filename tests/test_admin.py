"""The editors' admin: access, review queue, quote form, source protection, merge, history, ingest."""

import datetime as dt

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from kb import services
from kb.choices import ActorKind, ClaimStatus, RelationshipPredicate, TransferCategory, TransferStatus
from kb.models import Actor, Agreement, Alias, ArmsTransfer, Claim, ClaimLink, Relationship, Source
from kb.selectors import kb_violations
from tests.helpers import ARTICLE, form_data, form_errors
from tests.helpers import admin_url as url
from tests.world import CORE, World, build_world

SHELLS = "North Korea is expected to sell artillery shells to Russia."


@pytest.fixture
def records(editor) -> World:
    """One record of every kind, linked the way real ones are (CORE)."""
    return build_world(editor, *CORE)


# --- access -------------------------------------------------------------------------

MODELS = ["actor", "relationship", "source", "claim", "event", "agreement", "armstransfer"]
PARTS = ["alias", "claimlink", "agreementparty", "provision"]


def _objects(world: World) -> dict:
    """One object of each admin model (and each inline part) in a CORE world."""
    return {
        "actor": world.dprk,
        "relationship": world.leader,
        "source": world.source,
        "claim": world.shells,
        "event": world.summit,
        "agreement": world.treaty,
        "armstransfer": world.transfer,
        "alias": world.dprk.aliases.get(name="DPRK"),
        "claimlink": world.update,
        "agreementparty": world.treaty.party_links.get(actor=world.dprk),
        "provision": world.treaty.provisions.get(),
    }


def _pages(records) -> list[str]:
    pages = [url("index"), url("app_list", "kb"), url("kb_source_ingest")]
    objects = _objects(records)
    for model in MODELS + PARTS:
        obj = objects[model]
        version = obj.history.order_by("history_id").first().history_id
        pages += [
            url(f"kb_{model}_changelist"),
            url(f"kb_{model}_add"),
            url(f"kb_{model}_change", obj.pk),
            url(f"kb_{model}_history", obj.pk),
            url(f"kb_{model}_simple_history", obj.pk, version),
            url(f"kb_{model}_delete", obj.pk),
        ]
    return pages


@pytest.mark.slow
def test_every_admin_page_opens_for_an_editor(desk, records):
    for page in _pages(records):
        response = desk.get(page)
        assert response.status_code == 200, page


def test_every_admin_page_opens_for_a_superuser(client, admin_user, records):
    client.force_login(admin_user)
    for page in _pages(records)[:10]:
        assert client.get(page).status_code == 200, page


@pytest.mark.parametrize("who", ["anonymous", "analyst", "staff outside Editors", "inactive editor"])
def test_admin_is_refused_to_everyone_but_editors(client, records, analyst, editor, who):
    if who == "analyst":
        client.force_login(analyst)
    elif who == "staff outside Editors":
        client.force_login(User.objects.create_user("clerk", password="pw-clerk-123", is_staff=True))
    elif who == "inactive editor":
        editor.is_active = False
        editor.save()
        client.force_login(editor)
    for page in _pages(records):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(url("login")), page


def test_staff_outside_editors_cannot_log_in(client, db):
    User.objects.create_user("clerk", password="pw-clerk-123", is_staff=True)
    response = client.post(url("login"), {"username": "clerk", "password": "pw-clerk-123", "next": url("index")})
    assert response.status_code == 200
    assert client.get(url("index")).status_code == 302
    # The right password and a wrong one read alike: the page tells nothing about the password.
    right = response.context["form"].non_field_errors()
    wrong = client.post(url("login"), {"username": "clerk", "password": "not-it", "next": url("index")})
    assert right == wrong.context["form"].non_field_errors()
    assert "not an editor" not in response.content.decode()


def test_editor_logs_in_and_sees_the_desk(client, editor):
    response = client.post(url("login"), {"username": "editor", "password": "pw-editor-123", "next": url("index")})
    assert response.status_code == 302
    page = client.get(url("index"))
    assert page.status_code == 200
    assert "Claims" in page.content.decode()


# --- the review queue ----------------------------------------------------------------


def _queue(make_source, make_claim, n: int, editor=None, accepted=None):
    source = make_source()
    quotes = [
        "Kim Jong-un met Vladimir Putin at the Vostochny Cosmodrome in September 2023.",
        SHELLS,
        "Russia’s need for a “continuous supply” of weapons is growing.",
        "The two leaders signed a treaty in Pyongyang on June 19, 2024.",
    ]
    claims = [make_claim(quotes[i % 4], source=source if i < 4 else make_source()) for i in range(n)]
    return claims


def test_review_queue_lists_proposed_first_then_oldest(desk, make_source, make_claim, accepted):
    first, second, third = _queue(make_source, make_claim, 3)
    accepted(first)
    response = desk.get(url("kb_claim_changelist"))
    listed = [claim.pk for claim in response.context["cl"].result_list]
    assert listed == [second.pk, third.pk, first.pk]
    page = response.content.decode()
    for column in ("excerpt", "source_title", "modality", "credibility", "status", "subject_names"):
        assert f"column-{column}" in page, column


def test_review_queue_filters(desk, make_source, make_claim, make_actor, accepted):
    dprk = make_actor("North Korea", aliases=["DPRK"])
    one, two, three = _queue(make_source, make_claim, 3)
    services.claim_update(two, user=None, subjects=[dprk])
    accepted(three)
    cases = {
        "status__exact=proposed": {one.pk, two.pk},
        "status__exact=accepted": {three.pk},
        "modality__exact=forecast": {one.pk, two.pk, three.pk},
        "credibility__exact=6": {one.pk, two.pk, three.pk},
        f"source__id__exact={one.source_id}": {one.pk, two.pk, three.pk},
        f"subjects__id__exact={dprk.pk}": {two.pk},
    }
    for query, expected in cases.items():
        response = desk.get(url("kb_claim_changelist") + "?" + query)
        assert {c.pk for c in response.context["cl"].result_list} == expected, query
    for query in ("source__id__exact=99999999999999999999", "subjects__id__exact=99999999999999999999"):
        response = desk.get(url("kb_claim_changelist") + "?" + query)
        assert (response.status_code, len(response.context["cl"].result_list)) == (200, 0), query


def test_review_queue_search_matches_quote_statement_and_actor_aliases(desk, make_source, make_claim, make_actor):
    kim = make_actor("Kim Jong-un", kind=ActorKind.PERSON, aliases=["Kim Jong Un"])
    one, two, three = _queue(make_source, make_claim, 3)
    services.claim_update(three, user=None, speaker=kim, statement="A meeting in the Far East.")
    searches = {
        "artillery": {two.pk},
        "far east": {three.pk},
        "KIM JONG UN": {one.pk, three.pk},  # the quote of one, the speaker alias of three
        "kim-jong-un": {three.pk},
    }
    for term, expected in searches.items():
        response = desk.get(url("kb_claim_changelist"), {"q": term})
        assert {c.pk for c in response.context["cl"].result_list} == expected, term


def test_review_queue_query_count_does_not_grow_with_rows(
    desk, make_source, make_claim, make_actor, django_assert_num_queries
):
    actors = [make_actor(f"Actor {i}") for i in range(3)]
    claims = _queue(make_source, make_claim, 3)
    for claim in claims:
        services.claim_update(claim, user=None, subjects=actors)
    # Session, user, Editors membership, the user's and group's permissions (5); the count, the
    # rows with their sources, the subjects (3). The source and subject filters list nothing:
    # they are autocompletes, which read only the record chosen (1 more each when one is).
    with django_assert_num_queries(8):
        response = desk.get(url("kb_claim_changelist"))
    assert len(response.context["cl"].result_list) == 3
    more = _queue(make_source, make_claim, 6)
    for claim in more:
        services.claim_update(claim, user=None, subjects=actors)
    with django_assert_num_queries(8):
        response = desk.get(url("kb_claim_changelist"))
    assert len(response.context["cl"].result_list) == 9
    with django_assert_num_queries(8):
        response = desk.get(url("kb_claim_changelist"), {"q": "Actor 1", "status__exact": "proposed"})
    assert len(response.context["cl"].result_list) == 9
    with django_assert_num_queries(9):
        response = desk.get(url("kb_claim_changelist"), {"subjects__id__exact": actors[0].pk})
    assert len(response.context["cl"].result_list) == 9


def test_review_queue_rows_leave_out_the_long_text_they_do_not_show(desk, make_source, make_claim, make_actor):
    russia = make_actor("Russia")
    claims = _queue(make_source, make_claim, 3)
    for claim in claims:
        services.claim_update(claim, user=None, subjects=[russia], statement="A paraphrase kept out of the list.")
    for query in ({"subjects__id__exact": russia.pk}, {"q": "russia"}):
        with CaptureQueriesContext(connection) as done:
            response = desk.get(url("kb_claim_changelist"), query)
        assert len(response.context["cl"].result_list) == 3, query
        rows = [
            q["sql"]
            for q in done.captured_queries
            if 'FROM "kb_claim"' in q["sql"] and '"kb_source"."title"' in q["sql"]
        ]
        assert len(rows) == 1, query
        selected = rows[0].split(' FROM "kb_claim"')[0]
        for column in ('"kb_source"."text"', '"kb_source"."furniture_note"', '"kb_claim"."statement"'):
            assert column not in selected, (query, column)
        assert "DISTINCT" in rows[0]  # the case that reads whole rows
        assert claims[0].source.title in response.content.decode()


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("accept_claims", ClaimStatus.ACCEPTED),
        ("reject_claims", ClaimStatus.REJECTED),
        ("dispute_claims", ClaimStatus.DISPUTED),
    ],
)
def test_review_actions_confirm_then_review_many_claims_with_a_note(
    desk, editor, make_source, make_claim, action, status
):
    claims = _queue(make_source, make_claim, 3)
    chosen = [c.pk for c in claims[:2]]
    base = {"action": action, helpers.ACTION_CHECKBOX_NAME: chosen}
    confirm = desk.post(url("kb_claim_changelist"), base)
    assert confirm.status_code == 200
    assert "review_confirmation" in confirm.templates[0].name
    assert Claim.objects.filter(status=ClaimStatus.PROPOSED).count() == 3  # nothing yet

    done = desk.post(url("kb_claim_changelist"), {**base, "apply": "yes", "note": "Checked against the original."})
    assert done.status_code == 302
    for claim in Claim.objects.filter(pk__in=chosen):
        assert claim.status == status
        assert claim.reviewed_by == editor
        assert claim.reviewed_at is not None
        assert claim.review_note == "Checked against the original."
        assert claim.history.first().history_user == editor
    assert Claim.objects.get(pk=claims[2].pk).status == ClaimStatus.PROPOSED


def test_review_action_without_a_note(desk, make_source, make_claim):
    (claim,) = _queue(make_source, make_claim, 1)
    desk.post(
        url("kb_claim_changelist"),
        {"action": "accept_claims", helpers.ACTION_CHECKBOX_NAME: [claim.pk], "apply": "yes", "note": ""},
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACCEPTED
    assert claim.review_note == ""


# --- the claim form ------------------------------------------------------------------


def _claim_post(source, **overrides):
    data = {
        "source": source.pk,
        "quote": SHELLS,
        "statement": "North Korea will sell shells to Russia.",
        "modality": "forecast",
        "credibility": 3,
        "status": "proposed",
        "links_out-TOTAL_FORMS": 0,
        "links_out-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_pasted_quote_gets_its_offsets(desk, editor, make_source, make_actor):
    source = make_source()
    dprk = make_actor("North Korea")
    response = desk.post(url("kb_claim_add"), _claim_post(source, subjects=[dprk.pk]))
    assert response.status_code == 302, form_errors(response)
    claim = Claim.objects.get()
    assert source.text[claim.start : claim.end] == claim.quote == SHELLS
    assert list(claim.subjects.all()) == [dprk]
    assert claim.created_by == editor
    assert claim.history.first().history_user == editor


def test_pasted_quote_with_straight_quotes_is_stored_as_the_texts_characters(desk, make_source):
    source = make_source()
    pasted = 'Russia\'s need for a "continuous supply" of weapons is growing.'
    response = desk.post(url("kb_claim_add"), _claim_post(source, quote=pasted))
    assert response.status_code == 302, form_errors(response)
    claim = Claim.objects.get()
    assert claim.quote == "Russia’s need for a “continuous supply” of weapons is growing."
    assert source.text[claim.start : claim.end] == claim.quote


def test_ambiguous_quote_is_refused_on_the_quote_field_then_occurrence_chooses(desk, make_source):
    source = make_source(text="Russia and North Korea met.\n\nThen Russia and North Korea signed.")
    response = desk.post(url("kb_claim_add"), _claim_post(source, quote="Russia and North Korea"))
    assert response.status_code == 200
    assert "occurs 2 times" in " ".join(form_errors(response)["quote"])
    assert not Claim.objects.exists()

    response = desk.post(url("kb_claim_add"), _claim_post(source, quote="Russia and North Korea", occurrence=2))
    assert response.status_code == 302, form_errors(response)
    claim = Claim.objects.get()
    assert claim.start == source.text.rindex("Russia and North Korea")


def test_missing_quote_is_refused_on_the_quote_field(desk, make_source):
    source = make_source()
    response = desk.post(url("kb_claim_add"), _claim_post(source, quote="Seoul sold tanks to Moscow."))
    assert response.status_code == 200
    assert "does not occur" in " ".join(form_errors(response)["quote"])
    assert not Claim.objects.exists()


def test_wrong_offsets_are_refused_and_nothing_is_written(desk, make_source):
    source = make_source()
    response = desk.post(url("kb_claim_add"), _claim_post(source, start=0, end=len(SHELLS)))
    assert response.status_code == 200
    assert "reads" in " ".join(form_errors(response)["quote"])
    assert not Claim.objects.exists()


def test_claim_change_page_shows_the_quote_highlighted_in_its_paragraph(desk, make_claim):
    claim = make_claim(quote="“continuous supply”")
    page = desk.get(url("kb_claim_change", claim.pk)).content.decode()
    assert "<mark>“continuous supply”</mark>" in page
    assert "North Korea is expected to sell artillery shells to Russia. Russia’s need for a <mark>" in page
    assert "Vostochny" not in page.split("<mark>")[1].split("</div>")[0]  # only its own paragraph


def test_claim_context_escapes_the_source_text(desk, make_source, make_claim):
    source = make_source(text="<script>alert(1)</script> Pyongyang said <b>yes</b> to Moscow.")
    claim = make_claim(quote="said <b>yes</b>", source=source)
    page = desk.get(url("kb_claim_change", claim.pk)).content.decode()
    assert "<mark>said &lt;b&gt;yes&lt;/b&gt;</mark>" in page
    assert "<script>alert(1)</script>" not in page


def test_editing_the_quote_re_anchors_it(desk, make_claim):
    claim = make_claim()
    page = desk.get(url("kb_claim_change", claim.pk))
    data = form_data(page)
    data["quote"] = "The two leaders signed a treaty in Pyongyang on June 19, 2024."
    response = desk.post(url("kb_claim_change", claim.pk), data)
    assert response.status_code == 302, form_errors(response)
    claim.refresh_from_db()
    assert claim.source.text[claim.start : claim.end] == claim.quote == data["quote"]


def test_claim_links_are_edited_inline(desk, make_source, make_claim):
    one, two, _ = _queue(make_source, make_claim, 3)
    data = form_data(desk.get(url("kb_claim_change", one.pk)))
    data.update({"links_out-TOTAL_FORMS": 1, "links_out-0-kind": "contradicts", "links_out-0-to_claim": two.pk})
    response = desk.post(url("kb_claim_change", one.pk), data)
    assert response.status_code == 302, form_errors(response)
    link = ClaimLink.objects.get()
    assert (link.from_claim, link.kind, link.to_claim) == (one, "contradicts", two)

    data = form_data(desk.get(url("kb_claim_change", one.pk)))
    data["links_out-0-DELETE"] = "on"
    response = desk.post(url("kb_claim_change", one.pk), data)
    assert response.status_code == 302
    assert not ClaimLink.objects.exists()


def test_autocomplete_finds_actors_by_any_spelling(desk, make_actor):
    make_actor("Kim Jong-un", kind=ActorKind.PERSON, aliases=["Kim Jong Un", "김정은"])
    make_actor("Sŭngri Motor Complex", kind=ActorKind.FACILITY)
    params = {"app_label": "kb", "model_name": "claim", "field_name": "subjects"}
    for term, expected in [
        ("kim jong un", "Kim Jong-un"),
        ("KIM-JONG-UN", "Kim Jong-un"),
        ("sungri", "Sŭngri Motor Complex"),
    ]:
        response = desk.get(url("autocomplete"), {**params, "term": term})
        assert [r["text"] for r in response.json()["results"]] == [expected], term


# --- sources -------------------------------------------------------------------------


def test_source_text_edit_that_breaks_an_anchor_is_refused_naming_the_claims(desk, make_claim):
    claim = make_claim()
    source = claim.source
    data = form_data(desk.get(url("kb_source_change", source.pk)))
    data["text"] = source.text.replace("artillery shells", "tank engines")
    response = desk.post(url("kb_source_change", source.pk), data)
    assert response.status_code == 200
    message = " ".join(form_errors(response)["text"])
    assert f"#{claim.pk}" in message and "break" in message
    source.refresh_from_db()
    assert "artillery shells" in source.text
    assert source.history.count() == 1


def test_source_text_edit_moves_the_claims_along(desk, make_claim):
    claim = make_claim()
    source = claim.source
    data = form_data(desk.get(url("kb_source_change", source.pk)))
    data["text"] = "Editor's note: updated.\n\n" + source.text
    data["title"] = "Summit report (updated)"
    response = desk.post(url("kb_source_change", source.pk), data)
    assert response.status_code == 302, form_errors(response)
    claim.refresh_from_db()
    source.refresh_from_db()
    assert source.title == "Summit report (updated)"
    assert source.text[claim.start : claim.end] == claim.quote


def test_source_page_lists_its_claims(desk, make_source, make_claim):
    source = make_source()
    claims = [make_claim(q, source=source) for q in (SHELLS, "“continuous supply”")]
    page = desk.get(url("kb_source_change", source.pk)).content.decode()
    for claim in claims:
        assert url("kb_claim_change", claim.pk) in page


def test_deleting_a_source_with_claims_is_refused(desk, make_claim):
    claim = make_claim()
    response = desk.post(url("kb_source_delete", claim.source_id), {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert Source.objects.filter(pk=claim.source_id).exists()


def test_bulk_delete_is_all_or_nothing(desk, make_source, make_claim):
    used = make_claim().source
    unused = make_source()
    response = desk.post(
        url("kb_source_changelist"),
        {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [used.pk, unused.pk], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert Source.objects.filter(pk__in=[used.pk, unused.pk]).count() == 2


# --- actors ---------------------------------------------------------------------------


def test_actor_aliases_are_edited_inline(desk, make_actor):
    actor = make_actor("North Korea")
    data = form_data(desk.get(url("kb_actor_change", actor.pk)))
    data.update({"aliases-TOTAL_FORMS": int(data["aliases-TOTAL_FORMS"]), "aliases-1-name": "DPRK"})
    extra = int(data["aliases-TOTAL_FORMS"]) - 1
    data[f"aliases-{extra}-name"] = "DPRK"
    response = desk.post(url("kb_actor_change", actor.pk), data)
    assert response.status_code == 302, form_errors(response)
    assert set(actor.aliases.values_list("name", flat=True)) == {"North Korea", "DPRK"}


def test_merge_folds_a_duplicate_into_another(desk, editor, records):
    dprk, russia, kim = records["dprk"], records["russia"], records["kim"]
    duplicate = services.actor_create(
        user=editor, name="D.P.R.K.", kind=ActorKind.STATE, aliases=["Democratic People's Republic of Korea"]
    )
    claim = records["shells"]
    services.claim_update(claim, user=editor, subjects=[duplicate, russia], speaker=duplicate)
    services.relationship_create(user=editor, subject=kim, predicate=RelationshipPredicate.LEADER_OF, object=duplicate)
    services.relationship_create(user=editor, subject=duplicate, predicate=RelationshipPredicate.ALLY_OF, object=russia)
    services.transfer_create(
        user=editor,
        supplier=duplicate,
        recipient=russia,
        category=TransferCategory.MISSILES,
        description="KN-23",
        status=TransferStatus.ALLEGED,
    )
    services.agreement_party_add(user=editor, agreement=records["treaty"], actor=duplicate)
    services.record_update(records["summit"], user=editor, participants=[kim, duplicate], place=duplicate)

    chosen = {"action": "merge_actors", helpers.ACTION_CHECKBOX_NAME: [dprk.pk, duplicate.pk]}
    confirm = desk.post(url("kb_actor_changelist"), chosen)
    assert confirm.status_code == 200
    assert "merge_confirmation" in confirm.templates[0].name
    done = desk.post(url("kb_actor_changelist"), {**chosen, "apply": "yes", "into": dprk.pk})
    assert done.status_code == 302

    assert not Actor.objects.filter(pk=duplicate.pk).exists()
    claim.refresh_from_db()
    assert set(claim.subjects.all()) == {dprk, russia}
    assert claim.speaker == dprk
    assert Relationship.objects.filter(subject=kim, predicate="leader_of", object=dprk).count() == 1
    assert Relationship.objects.filter(subject=dprk, predicate="ally_of", object=russia).exists()
    assert dprk.transfers_supplied.count() == 2
    assert records["treaty"].party_links.filter(actor=dprk).count() == 1
    records["summit"].refresh_from_db()
    assert records["summit"].place == dprk
    assert set(records["summit"].participants.all()) == {kim, dprk}
    names = set(dprk.aliases.values_list("name", flat=True))
    assert names == {"Democratic People's Republic of Korea", "DPRK", "North Korea"}  # "D.P.R.K." is "DPRK"
    last = dprk.history.first()
    assert last.history_user == editor
    assert last.history_change_reason.startswith("merge: D.P.R.K.")
    assert claim.history.first().history_change_reason.startswith("merge:")
    assert not list(kb_violations())


def test_merge_that_would_make_a_transfer_reflexive_is_refused(desk, editor, records):
    dprk, russia = records["dprk"], records["russia"]
    response = desk.post(
        url("kb_actor_changelist"),
        {"action": "merge_actors", helpers.ACTION_CHECKBOX_NAME: [dprk.pk, russia.pk], "apply": "yes", "into": dprk.pk},
        follow=True,
    )
    assert "Nothing was merged" in response.content.decode()
    assert Actor.objects.filter(pk=russia.pk).exists()


def test_merge_service_drops_self_relationships_and_folds_repeats(editor, make_actor, make_claim):
    a, b, c = make_actor("A"), make_actor("A bis"), make_actor("C")
    claim = make_claim()
    services.relationship_create(user=editor, subject=a, predicate="ally_of", object=b)
    services.relationship_create(user=editor, subject=a, predicate="ally_of", object=c)
    services.relationship_create(user=editor, subject=b, predicate="ally_of", object=c, evidence=[claim])
    services.actor_merge(user=editor, duplicate=b, into=a)
    assert list(Relationship.objects.values_list("subject__name", "object__name")) == [("A", "C")]
    assert list(Relationship.objects.get().evidence.all()) == [claim]
    assert Alias.objects.filter(actor=a, name="A bis").exists()


# --- history and revert -------------------------------------------------------------


def test_history_shows_who_changed_what_and_the_diff(desk, editor, make_claim):
    claim = make_claim()
    data = form_data(desk.get(url("kb_claim_change", claim.pk)))
    data["statement"] = "Shells will flow north."
    assert desk.post(url("kb_claim_change", claim.pk), data).status_code == 302
    page = desk.get(url("kb_claim_history", claim.pk)).content.decode()
    assert "Shells will flow north." in page and "A paraphrase." in page  # old → new
    assert "editor" in page
    assert "Statement" in page


def test_history_shows_an_empty_link_as_empty_and_times_as_the_admin_does(desk, editor, make_claim, accepted):
    claim = accepted(make_claim())
    reviewed = claim.history.order_by("-history_id").first()
    page = desk.get(url("kb_claim_history", claim.pk)).content.decode()
    assert "Deleted user" not in page and "pk=None" not in page
    assert page.count('<span class="kb-diff-empty">(empty)</span>') >= 2  # reviewer and review time, before
    assert str(reviewed.reviewed_at) not in page
    assert formats.localize(timezone.template_localtime(reviewed.reviewed_at)) in page
    assert 'style="' not in page.split('id="change-history"')[1]  # the site's CSP allows no inline style


def test_revert_restores_an_earlier_version(desk, editor, make_claim):
    claim = make_claim()
    first = claim.history.order_by("history_id").first()
    services.claim_update(claim, user=editor, statement="Changed later.", credibility=2)
    page = desk.get(url("kb_claim_simple_history", claim.pk, first.history_id))
    assert page.status_code == 200
    response = desk.post(url("kb_claim_simple_history", claim.pk, first.history_id), form_data(page))
    assert response.status_code == 302, form_errors(response)
    claim.refresh_from_db()
    assert (claim.statement, claim.credibility) == ("A paraphrase.", 6)
    assert claim.history.count() == 3  # create, change, revert: no version lost
    assert claim.history.first().history_user == editor


def test_reverting_a_claim_to_offsets_the_text_no_longer_has_is_refused(desk, editor, make_claim):
    claim = make_claim()
    first = claim.history.order_by("history_id").first()
    services.source_update(claim.source, user=editor, text="Preface added.\n\n" + claim.source.text)
    claim.refresh_from_db()
    moved_to = claim.start
    page = desk.get(url("kb_claim_simple_history", claim.pk, first.history_id))
    response = desk.post(url("kb_claim_simple_history", claim.pk, first.history_id), form_data(page))
    assert response.status_code == 200
    assert form_errors(response)
    claim.refresh_from_db()
    assert claim.start == moved_to
    assert claim.source.text[claim.start : claim.end] == claim.quote


def test_reverting_a_source_to_text_that_would_break_a_claim_is_refused(desk, editor, make_source, make_claim):
    source = make_source()
    first = source.history.order_by("history_id").first()
    services.source_update(source, user=editor, text=source.text + "\n\nPutin promised satellites.")
    claim = make_claim("Putin promised satellites.", source=source)
    page = desk.get(url("kb_source_simple_history", source.pk, first.history_id))
    response = desk.post(url("kb_source_simple_history", source.pk, first.history_id), form_data(page))
    assert response.status_code == 200
    assert f"#{claim.pk}" in " ".join(form_errors(response)["text"])
    source.refresh_from_db()
    assert "Putin promised satellites." in source.text


# --- ingest -------------------------------------------------------------------------


def _ingest(desk, content: bytes, name="article.txt", **overrides):
    data = {
        "content": SimpleUploadedFile(name, content),
        "title": "Putin and Kim meet",
        "publisher": "Test Wire",
        "published_on": "2024-06-19",
        "byline": "A. Reporter",
        "url": "https://example.org/a",
        "kind": "news",
    }
    data.update(overrides)
    return desk.post(url("kb_source_ingest"), data)


def test_source_changelist_links_to_ingest(desk):
    page = desk.get(url("kb_source_changelist")).content.decode()
    assert url("kb_source_ingest") in page


def test_ingest_stores_the_source_and_proposes_claims(desk, make_actor):
    make_actor("North Korea")
    make_actor("Russia")
    response = _ingest(desk, ARTICLE.encode())
    assert response.status_code == 302
    source = Source.objects.get()
    assert source.title == "Putin and Kim meet"
    assert response["Location"].startswith(url("kb_claim_changelist"))
    again = _ingest(desk, ARTICLE.encode())
    assert again.status_code == 302
    assert Source.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "overrides", "field"),
    [
        (b"", {}, "content"),
        (b"\x00\x01\x02\xff\xfe" * 100, {}, "content"),
        (ARTICLE.encode(), {"published_on": "2024-02-30"}, "published_on"),
        (ARTICLE.encode(), {"title": ""}, "title"),
    ],
)
def test_bad_uploads_show_the_error_and_store_nothing(desk, content, overrides, field):
    response = _ingest(desk, content, **overrides)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Source.objects.exists()
    assert not Claim.objects.exists()


def test_too_large_upload_is_refused(desk, settings):
    settings.KB_INGEST_MAX_BYTES = 100
    response = _ingest(desk, ARTICLE.encode())
    assert response.status_code == 200
    assert response.context["form"].errors["content"]
    assert not Source.objects.exists()


def test_revert_restores_the_subjects_of_that_version(desk, editor, make_actor, make_claim):
    russia, dprk = make_actor("Russia"), make_actor("North Korea")
    claim = make_claim(subjects=[russia])
    version = claim.history.order_by("-history_id").first()
    services.claim_update(claim, user=editor, subjects=[dprk])
    page = desk.get(url("kb_claim_simple_history", claim.pk, version.history_id))
    response = desk.post(url("kb_claim_simple_history", claim.pk, version.history_id), form_data(page))
    assert response.status_code == 302, form_errors(response)
    assert list(claim.subjects.all()) == [russia]


# --- records with inlines and evidence ----------------------------------------------


def _inline(prefix: str, rows: list[dict]) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


def test_agreement_is_added_with_parties_and_provisions_inline(desk, editor, make_actor, make_claim):
    russia, dprk = make_actor("Russia"), make_actor("North Korea")
    putin = make_actor("Vladimir Putin", kind=ActorKind.PERSON)
    claim = make_claim()
    data = {
        "title": "Comprehensive Strategic Partnership Treaty",
        "slug": "cspt",
        "kind": "treaty",
        "status": "signed",
        "signed_on": "19 June 2024",
        "evidence": [claim.pk],
        **_inline("party_links", [{"actor": russia.pk, "signatory": putin.pk}, {"actor": dprk.pk}]),
        **_inline(
            "provisions", [{"label": "Article 4", "kind": "mutual_defence", "summary": "Mutual aid.", "order": 1}]
        ),
    }
    response = desk.post(url("kb_agreement_add"), data)
    assert response.status_code == 302, form_errors(response)
    agreement = Agreement.objects.get()
    assert {(p.actor, p.signatory) for p in agreement.party_links.all()} == {(russia, putin), (dprk, None)}
    assert agreement.provisions.get().label == "Article 4"
    assert list(agreement.evidence.all()) == [claim]
    assert agreement.history.first().history_user == editor


def test_bad_agreement_dates_are_refused_on_the_field(desk, make_actor):
    data = {
        "title": "Backwards",
        "slug": "backwards",
        "kind": "treaty",
        "status": "signed",
        "signed_on": "31 June 2024",
        **_inline("party_links", []),
        **_inline("provisions", []),
    }
    response = desk.post(url("kb_agreement_add"), data)
    assert response.status_code == 200
    assert "June 2024 has 30 days" in " ".join(form_errors(response)["signed_on"])
    assert not Agreement.objects.exists()


def test_event_is_added_with_participants_and_evidence(desk, make_actor, make_claim):
    kim, putin = make_actor("Kim Jong-un", kind=ActorKind.PERSON), make_actor("Vladimir Putin", kind=ActorKind.PERSON)
    claim = make_claim()
    data = {
        "title": "Vostochny summit",
        "slug": "vostochny-summit",
        "kind": "summit",
        "start_on": "September 2023",
        "participants": [kim.pk, putin.pk],
        "evidence": [claim.pk],
    }
    response = desk.post(url("kb_event_add"), data)
    assert response.status_code == 302, form_errors(response)
    event = kim.events.get()
    assert set(event.participants.all()) == {kim, putin}
    assert str(event.start) == "2023-09"


def test_transfer_from_an_actor_to_itself_is_refused_and_nothing_is_written(desk, make_actor):
    dprk = make_actor("North Korea")
    data = {
        "supplier": dprk.pk,
        "recipient": dprk.pk,
        "category": "ammunition",
        "description": "Shells",
        "status": "reported",
    }
    response = desk.post(url("kb_armstransfer_add"), data)
    assert response.status_code == 200
    assert form_errors(response)["recipient"]
    assert not dprk.transfers_supplied.exists()


def test_renaming_an_actor_keeps_the_old_name_as_an_alias(desk, make_actor):
    actor = make_actor("North Korea")
    data = form_data(desk.get(url("kb_actor_change", actor.pk)))
    data["name"] = "Democratic People's Republic of Korea"
    response = desk.post(url("kb_actor_change", actor.pk), data)
    assert response.status_code == 302, form_errors(response)
    assert set(actor.aliases.values_list("name", flat=True)) == {"North Korea", "Democratic People's Republic of Korea"}


def test_removing_the_alias_that_is_the_actors_name_is_refused(desk, make_actor):
    actor = make_actor("North Korea")
    data = form_data(desk.get(url("kb_actor_change", actor.pk)))
    data["aliases-0-DELETE"] = "on"
    response = desk.post(url("kb_actor_change", actor.pk), data)
    assert response.status_code == 200
    assert "rename the actor" in str(response.context["errors"])
    assert actor.aliases.count() == 1


def test_a_refused_save_shows_the_form_again_and_writes_nothing(desk, editor, make_actor, make_source):
    """The guard of kb.admin.refusals: a service's refusal, on add, change (after the record was
    saved, by an inline) and revert, is shown on the form as typed, and everything is rolled back."""
    dprk = make_actor("North Korea")
    add = {"supplier": dprk.pk, "recipient": dprk.pk, "category": "ammunition", "description": "Shells"}
    response = desk.post(url("kb_armstransfer_add"), {**add, "status": "reported"})
    assert response.status_code == 200
    assert form_errors(response)["recipient"]
    assert response.context["adminform"].form["description"].value() == "Shells"

    versions = dprk.history.count()
    data = form_data(desk.get(url("kb_actor_change", dprk.pk)))
    data["summary"] = "Typed by the editor."
    data["aliases-0-DELETE"] = "on"
    response = desk.post(url("kb_actor_change", dprk.pk), data)
    assert response.status_code == 200
    assert "rename the actor" in " ".join(form_errors(response)["__all__"])
    assert response.context["adminform"].form["summary"].value() == "Typed by the editor."
    dprk.refresh_from_db()
    assert (dprk.summary, dprk.history.count(), dprk.aliases.count()) == ("", versions, 1)

    source = make_source()
    first = source.history.order_by("history_id").first()
    services.source_update(source, user=editor, text=source.text + "\n\nPutin promised satellites.")
    services.claim_create(user=editor, source=source, quote="Putin promised satellites.")
    revert = url("kb_source_simple_history", source.pk, first.history_id)
    response = desk.post(revert, form_data(desk.get(revert)))
    assert response.status_code == 200
    assert "break" in " ".join(form_errors(response)["text"])
    assert source.history.count() == 2
    assert not ArmsTransfer.objects.exists()


def test_editors_open_the_token_pages(desk):
    for page in (url("kb_apitoken_changelist"), url("kb_apitoken_add")):
        assert desk.get(page).status_code == 200, page


@pytest.mark.parametrize("model", MODELS + PARTS)
def test_changelist_query_counts_do_not_grow_with_rows(desk, editor, model, django_assert_num_queries):
    for _ in range(3):
        build_world(editor, *CORE)
    with CaptureQueriesContext(connection) as three:
        assert desk.get(url(f"kb_{model}_changelist")).status_code == 200
    for _ in range(3):
        build_world(editor, *CORE)
    with django_assert_num_queries(len(three.captured_queries)):
        response = desk.get(url(f"kb_{model}_changelist"))
    assert response.context["cl"].result_count >= 6


def test_an_alias_has_its_own_history_and_revert(desk, editor, make_actor):
    actor = make_actor("North Korea", aliases=["DPRK"])
    alias = actor.aliases.get(name="DPRK")
    first = alias.history.order_by("history_id").first()
    data = form_data(desk.get(url("kb_alias_change", alias.pk)))
    data["name"] = "D.P.R. Korea"
    assert desk.post(url("kb_alias_change", alias.pk), data).status_code == 302
    assert "D.P.R. Korea" in desk.get(url("kb_alias_history", alias.pk)).content.decode()
    page = desk.get(url("kb_alias_simple_history", alias.pk, first.history_id))
    assert desk.post(url("kb_alias_simple_history", alias.pk, first.history_id), form_data(page)).status_code == 302
    alias.refresh_from_db()
    assert (alias.name, alias.normalized) == ("DPRK", "dprk")


def test_source_is_added_and_the_same_text_twice_is_refused(desk, editor):
    data = {
        "title": "A report",
        "publisher": "Test Wire",
        "published_on": "June 2024",
        "kind": "news",
        "reliability": "B",
        "language": "en",
        "text": ARTICLE.replace("\n", "\r\n"),
    }
    response = desk.post(url("kb_source_add"), data)
    assert response.status_code == 302, form_errors(response)
    source = Source.objects.get()
    assert source.text == ARTICLE  # cleaned: browsers send CRLF
    assert str(source.published) == "2024-06"
    again = desk.post(url("kb_source_add"), {**data, "title": "Again"})
    assert again.status_code == 200
    assert f"#{source.pk}" in " ".join(form_errors(again)["text"])
    assert Source.objects.count() == 1


# --- partial dates as people write them -------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "iso", "shown"),
    [
        ("2024", "2024", "2024"),
        ("June 2024", "2024-06", "June 2024"),
        ("Jun 2024", "2024-06", "June 2024"),
        ("2024-06", "2024-06", "June 2024"),
        ("June 19, 2024", "2024-06-19", "19 June 2024"),
        ("19 June 2024", "2024-06-19", "19 June 2024"),
        ("the 1990s", "1990s", "the 1990s"),
        ("1990s", "1990s", "the 1990s"),
    ],
)
def test_a_partial_date_is_typed_as_people_write_it_and_shown_so(desk, make_claim, typed, iso, shown):
    claim = make_claim()
    data = form_data(desk.get(url("kb_claim_change", claim.pk)))
    assert "about_on_precision" not in data  # one field, not a date picker and a precision
    response = desk.post(url("kb_claim_change", claim.pk), {**data, "about_on": typed})
    assert response.status_code == 302, form_errors(response)
    claim.refresh_from_db()
    assert str(claim.about) == iso
    page = desk.get(url("kb_claim_change", claim.pk))
    assert page.context["adminform"].form["about_on"].value().display() == shown
    assert f'value="{shown}"' in page.content.decode()


def test_a_bad_partial_date_is_refused_on_its_field_and_nothing_is_written(desk, make_claim):
    claim = make_claim()
    data = form_data(desk.get(url("kb_claim_change", claim.pk)))
    response = desk.post(url("kb_claim_change", claim.pk), {**data, "about_on": "Juny 2024", "statement": "New."})
    assert response.status_code == 200
    assert "“juny” is not a month" in " ".join(form_errors(response)["about_on"])
    claim.refresh_from_db()
    assert claim.statement == "A paraphrase."


def test_changelists_and_inlines_say_partial_dates_as_people_do(desk, editor, records):
    services.event_update(records.summit, user=editor, start_on="1990s", end_on=None)
    services.transfer_update(records.transfer, user=editor, start_on="1950", end_on=None)
    events = desk.get(url("kb_event_changelist")).content.decode()
    assert "the 1990s" in events and "Decade" not in events
    transfers = desk.get(url("kb_armstransfer_changelist")).content.decode()
    assert '<td class="field-start_on">1950</td>' in transfers and "Jan. 1, 1950" not in transfers
    party = records.treaty.party_links.get(actor=records.dprk)
    services.agreement_party_update(party, user=editor, signed_on="2024-06")
    page = desk.get(url("kb_agreement_change", records.treaty.pk))
    assert 'value="June 2024"' in page.content.decode()
    data = form_data(page)
    prefix = next(key for key, value in data.items() if value == "June 2024")
    response = desk.post(url("kb_agreement_change", records.treaty.pk), {**data, prefix: "19 June 2024"})
    assert response.status_code == 302, form_errors(response)
    party.refresh_from_db()
    assert str(party.signed) == "2024-06-19"


def test_ingest_takes_the_publication_date_as_people_write_it(desk):
    upload = SimpleUploadedFile("article.txt", ARTICLE.encode())
    data = {"content": upload, "title": "T", "publisher": "P", "published_on": "June 19, 2024", "kind": "news"}
    assert desk.post(url("kb_source_ingest"), data).status_code == 302
    assert str(Source.objects.get().published) == "2024-06-19"


# --- readable history -------------------------------------------------------------------


def test_a_save_keeps_the_editors_reason_in_history(desk, make_claim):
    claim = make_claim()
    data = form_data(desk.get(url("kb_claim_change", claim.pk)))
    data.update(statement="Shells will flow north.", change_reason="The article says north.")
    assert desk.post(url("kb_claim_change", claim.pk), data).status_code == 302
    assert claim.history.first().history_change_reason == "The article says north."
    assert "The article says north." in desk.get(url("kb_claim_history", claim.pk)).content.decode()


def test_a_reason_too_long_is_refused_on_its_field(desk, make_claim):
    claim = make_claim()
    data = form_data(desk.get(url("kb_claim_change", claim.pk)))
    response = desk.post(url("kb_claim_change", claim.pk), {**data, "statement": "New.", "change_reason": "x" * 101})
    assert response.status_code == 200
    assert "at most 100 characters" in " ".join(form_errors(response)["change_reason"])
    assert claim.history.count() == 1


def test_an_added_record_and_its_inline_rows_keep_the_reason(desk, make_actor):
    actor = make_actor("North Korea")
    data = form_data(desk.get(url("kb_actor_change", actor.pk)))
    data.update({"aliases-0-name": "DPRK", "change_reason": "Common abbreviation."})
    assert desk.post(url("kb_actor_change", actor.pk), data).status_code == 302, data
    alias = actor.aliases.get(name="DPRK")
    assert alias.history.first().history_change_reason == "Common abbreviation."


def test_history_shows_whole_texts_with_the_changed_words_marked(desk, editor, make_claim):
    claim = make_claim()
    long_statement = (
        "North Korea is expected to supply artillery shells to Russia, according to officials "
        "speaking on condition of anonymity about the deal signed in Pyongyang."
    )
    services.claim_update(claim, user=editor, statement=long_statement)
    services.claim_update(claim, user=editor, statement=long_statement.replace("officials", "US officials"))
    page = desk.get(url("kb_claim_history", claim.pk)).content.decode()
    assert "chars]" not in page  # nothing cut
    assert long_statement.replace("officials", "<ins>US </ins>officials") in page
    assert "signed in Pyongyang." in page
    services.claim_update(claim, user=editor, statement="Shells go north.")
    page = desk.get(url("kb_claim_history", claim.pk)).content.decode()
    assert "<del>" in page and "<ins>" in page


def test_history_says_a_partial_date_and_a_choice_as_people_do(desk, editor, make_claim):
    claim = make_claim()
    services.claim_update(claim, user=editor, about_on="2024-06", modality="assessment")
    services.claim_update(claim, user=editor, about_on="1990s")
    page = desk.get(url("kb_claim_history", claim.pk)).content.decode()
    assert "June 2024" in page and "the 1990s" in page
    assert "About precision" not in page and "Decade" not in page
    assert "Assessment" in page


def test_a_revert_is_recorded_with_the_version_it_went_back_to(desk, editor, make_claim):
    claim = make_claim()
    first = claim.history.order_by("history_id").first()
    services.claim_update(claim, user=editor, statement="Changed later.")
    page = desk.get(url("kb_claim_simple_history", claim.pk, first.history_id))
    response = desk.post(url("kb_claim_simple_history", claim.pk, first.history_id), form_data(page))
    assert response.status_code == 302, form_errors(response)
    reason = claim.history.first().history_change_reason
    assert reason == f"Reverted to the version of {first.history_date:%Y-%m-%d %H:%M:%S} UTC by editor"


def test_a_revert_names_the_time_of_its_version_in_the_site_zone(desk, editor, make_claim, settings):
    settings.TIME_ZONE = "Asia/Pyongyang"
    claim = make_claim()
    first = claim.history.order_by("history_id").first()
    services.claim_update(claim, user=editor, statement="Changed later.")
    page = desk.get(url("kb_claim_simple_history", claim.pk, first.history_id))
    response = desk.post(url("kb_claim_simple_history", claim.pk, first.history_id), form_data(page))
    assert response.status_code == 302, form_errors(response)
    when = timezone.localtime(first.history_date)
    assert when.utcoffset() == dt.timedelta(hours=9)
    reason = claim.history.first().history_change_reason
    assert reason == f"Reverted to the version of {when:%Y-%m-%d %H:%M:%S} KST by editor"


def test_success_messages_quote_a_claim_once(desk, make_claim):
    claim = make_claim()
    data = form_data(desk.get(url("kb_claim_change", claim.pk)))
    response = desk.post(url("kb_claim_change", claim.pk), {**data, "statement": "New."}, follow=True)
    message = str(next(iter(response.context["messages"])))
    assert "““" not in message and "””" not in message
    assert "The claim “<a" in message and "shells to Russia.</a>” was changed" in message


# --- a changelist that fits ---------------------------------------------------------------


def test_claim_filters_on_sources_and_subjects_are_autocompletes_that_read_no_list(
    desk, make_source, make_claim, make_actor, django_assert_max_num_queries
):
    kim = make_actor("Kim Jong-un", kind=ActorKind.PERSON)
    for _ in range(30):
        make_actor()  # actors no claim names: Django's related filter would list them all
    source = make_source()
    named = make_claim(source=source, subjects=[kim])
    other = make_claim()
    page = desk.get(url("kb_claim_changelist")).content.decode()
    assert 'class="kb-autocomplete-filter admin-autocomplete"' in page
    assert "autocomplete_filter.js" in page and "select2" in page
    assert "Actor 3" not in page  # no list of every actor
    with django_assert_max_num_queries(12):
        response = desk.get(url("kb_claim_changelist"), {"subjects__id__exact": kim.pk})
    assert [c.pk for c in response.context["cl"].result_list] == [named.pk]
    assert f'<option value="{kim.pk}" selected>Kim Jong-un</option>' in response.content.decode()
    response = desk.get(url("kb_claim_changelist"), {"source__id__exact": other.source_id})
    assert [c.pk for c in response.context["cl"].result_list] == [other.pk]


def test_the_autocomplete_of_a_filter_finds_actors_by_any_spelling(desk, make_actor):
    make_actor("Kim Jong-un", kind=ActorKind.PERSON, aliases=["Kim Jong Un"])
    params = {"term": "kim jong un", "app_label": "kb", "model_name": "claim", "field_name": "subjects"}
    found = desk.get(url("autocomplete"), params).json()["results"]
    assert [r["text"] for r in found] == ["Kim Jong-un"]


def test_a_bad_autocomplete_filter_value_is_no_server_error(desk, make_claim):
    make_claim()
    response = desk.get(url("kb_claim_changelist"), {"source__id__exact": "abc"})
    # The admin drops a filter it cannot apply and redirects to the list with ?e=1.
    assert (response.status_code, response["Location"]) == (302, url("kb_claim_changelist") + "?e=1")


def test_the_claim_changelist_shows_quote_status_modality_credibility_source_subjects(desk, make_claim):
    make_claim()
    response = desk.get(url("kb_claim_changelist"))
    headers = [str(h["text"]).lower() for h in response.context["result_headers"]][1:]  # after the checkbox
    assert headers == ["quote", "status", "modality", "credibility", "source", "subjects"]
    assert 'class="kb-clamp"' in response.content.decode()


def test_words_added_at_the_end_are_marked_and_nothing_is_struck(desk, editor, make_claim):
    claim = make_claim()
    services.claim_update(claim, user=editor, statement="A paraphrase. With more words.")
    page = desk.get(url("kb_claim_history", claim.pk)).content.decode()
    assert "<ins>With more words.</ins>" in page
    assert "<del>" not in page
    assert ">None<" not in page.replace(" ", "").replace("\n", "")  # no reason given: nothing said


def test_the_delete_message_quotes_a_claim_once(desk, make_claim):
    claim = make_claim()
    response = desk.post(url("kb_claim_delete", claim.pk), {"post": "yes"}, follow=True)
    message = str(next(iter(response.context["messages"])))
    assert message.startswith("The claim “North Korea") and message.endswith("Russia.” was deleted successfully.")
    assert "““" not in message


def test_counts_asked_of_the_claim_changelist_are_no_server_error(desk, make_claim):
    make_claim()
    response = desk.get(url("kb_claim_changelist"), {"_facets": "True", "source__id__exact": "1"})
    assert response.status_code == 200


# --- drafts -------------------------------------------------------------------------


def test_a_proposed_draft_links_to_the_desk_from_its_list_and_its_page(
    desk, editor, make_claim, django_assert_num_queries
):
    claim = make_claim()
    drafts = [
        services.draft_create(
            user=editor, kind="event", data={"title": f"Talks {i}", "kind": "meeting"}, claims=[claim]
        )
        for i in range(3)
    ]
    name = services.draft_create(
        user=editor, kind="actor", data={"name": "Vostochny", "kind": "place"}, source=claim.source
    )
    services.draft_reject(drafts[2], user=editor, note="Not a meeting.")
    at_desk = f'<a href="{reverse("kb:review")}?claim={claim.pk}">On the desk</a>'
    desk.get(url("kb_draft_changelist"))
    with CaptureQueriesContext(connection) as listed:
        page = desk.get(url("kb_draft_changelist")).content.decode()
    assert page.count(at_desk) == 3  # two drafted from the claim, and a new name at its source's first claim
    assert not any('FROM "kb_claim" INNER JOIN' in q["sql"] for q in listed.captured_queries)  # no claims prefetched
    services.draft_create(user=editor, kind="event", data={"title": "More talks", "kind": "meeting"}, claims=[claim])
    with django_assert_num_queries(len(listed.captured_queries)):
        assert desk.get(url("kb_draft_changelist")).content.decode().count(at_desk) == 4
    page = desk.get(url("kb_draft_change", drafts[0].pk)).content.decode()
    assert at_desk in page and claim.get_absolute_url() in page
    assert at_desk in desk.get(url("kb_draft_change", name.pk)).content.decode()
    assert at_desk not in desk.get(url("kb_draft_change", drafts[2].pk)).content.decode()  # rejected: nothing to do
