"""The editors' review desk (/review/): one proposed claim at a time, decisions through the services."""

import pytest
from django.urls import reverse

from kb import services
from kb.choices import ClaimStatus, Credibility, DraftKind, DraftStatus, Modality
from kb.models import Actor, ArmsTransfer, Claim, Draft
from kb.selectors.desk import DESK_DRAFTS
from tests.helpers import ARTICLE

DESK = reverse("kb:review")
QUOTES = (
    "Kim Jong-un met Vladimir Putin at the Vostochny Cosmodrome in September 2023.",
    "North Korea is expected to sell artillery shells to Russia.",
    "The two leaders signed a treaty in Pyongyang on June 19, 2024.",
)


def decide_url(claim, query: str = "") -> str:
    return reverse("kb:review-decide", args=[claim.pk]) + (f"?{query}" if query else "")


@pytest.fixture
def queue(make_source, make_claim, make_actor):
    """Three proposed claims of one article, oldest first, the first two about Russia."""
    russia = make_actor("Russia")
    source = make_source(ARTICLE, title="The summit")
    claims = [
        make_claim(QUOTES[0], source=source, subjects=[russia], statement="They met.", credibility=2),
        make_claim(QUOTES[1], source=source, subjects=[russia], statement=""),
        make_claim(QUOTES[2], source=source, statement="A treaty."),
    ]
    return claims


def fields(claim, **changes) -> dict:
    data = {
        "statement": claim.statement,
        "modality": claim.modality,
        "about": str(claim.about) if claim.about else "",
        "subjects": ",".join(a.slug for a in claim.subjects.all()),
        "speaker": "",
        "attributed_to": claim.attributed_to,
        "credibility": claim.credibility,
        "note": "",
    }
    data.update(changes)
    return data


def test_desk_is_for_editors_only(client, analyst, queue):
    response = client.get(DESK)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert client.post(decide_url(queue[0]), {"decision": "accept"}).status_code == 302
    client.force_login(analyst)
    assert client.get(DESK).status_code == 404
    assert client.post(decide_url(queue[0]), {"decision": "accept"}).status_code == 404
    assert Claim.objects.get(pk=queue[0].pk).status == ClaimStatus.PROPOSED


def test_desk_shows_the_oldest_claim_in_its_paragraph(desk, queue, django_assert_num_queries):
    # Session, user, editor check; the claim with its subjects (2); the counts (1); the claim's own drafts (1)
    # and its source's new names (1).
    with django_assert_num_queries(8):
        response = desk.get(DESK)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Claim 1 of 3" in html
    assert '<mark class="hl hl-forecast depth-1 start unreviewed focus"' in html
    assert "The summit" in html and "source reliability" in html
    assert "<kbd>a</kbd>" in html and 'data-key="s"' in html
    assert "kb/desk.js" in html


def test_query_count_does_not_grow_with_the_queue(desk, queue, make_claim, django_assert_num_queries):
    desk.get(DESK)
    source = queue[0].source
    with django_assert_num_queries(8) as small:
        desk.get(DESK)
    make_claim("Russia’s need for a “continuous supply” of weapons is growing.", source=source)
    with django_assert_num_queries(len(small.captured_queries)):
        desk.get(DESK + "?order=newest")


def test_accept_with_corrections_goes_through_the_service_with_the_note_as_reason(desk, editor, queue):
    first = queue[0]
    versions = first.history.count()
    response = desk.post(
        decide_url(first),
        fields(first, decision="accept", about="2023-09", modality=Modality.STATEMENT, note="Checked the video."),
    )
    assert response.status_code == 303
    assert response["Location"] == f"{DESK}?after={first.pk}"
    first.refresh_from_db()
    assert first.status == ClaimStatus.ACCEPTED and first.reviewed_by == editor
    assert str(first.about) == "2023-09" and first.modality == Modality.STATEMENT
    assert first.review_note == "Checked the video."
    latest = first.history.latest()
    assert latest.history_change_reason == "Checked the video." and latest.history_user == editor
    assert first.history.count() == versions + 1  # one change for the edits and the review

    nxt = desk.get(response["Location"])
    assert "Claim 1 of 2" in nxt.content.decode()
    assert f'data-claim="{queue[1].pk}"' in nxt.content.decode()


def test_accept_without_paraphrase_or_credibility_asks_once(desk, queue):
    second = queue[1]
    response = desk.post(decide_url(second), fields(second, decision="accept"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Accept anyway?" in html and "no paraphrase" in html and "cannot be judged" in html
    assert 'name="confirm" value="1"' in html
    assert Claim.objects.get(pk=second.pk).status == ClaimStatus.PROPOSED
    response = desk.post(decide_url(second), fields(second, decision="accept", confirm="1"))
    assert response.status_code == 303
    assert Claim.objects.get(pk=second.pk).status == ClaimStatus.ACCEPTED


def test_reject_dispute_and_skip(desk, queue):
    first, second, third = queue
    versions = third.history.count()
    assert desk.post(decide_url(first), fields(first, decision="reject")).status_code == 303
    assert desk.post(decide_url(second), fields(second, decision="dispute", note="Vague")).status_code == 303
    response = desk.post(decide_url(third), {"decision": "skip"})
    assert response.status_code == 303 and response["Location"] == f"{DESK}?after={third.pk}"
    statuses = dict(Claim.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "rejected", second.pk: "disputed", third.pk: "proposed"}
    assert third.history.count() == versions
    end = desk.get(response["Location"]).content.decode()
    assert "reached the end of the queue" in end and "1 claim still waits" in end


def test_bad_input_changes_nothing(desk, queue):
    first = queue[0]
    versions = first.history.count()
    for bad in (
        {"about": "the day after"},
        {"subjects": "no-such-actor"},
        {"credibility": "9"},
        {"modality": "rumour"},
        {"decision": "approve"},
        {"speaker": "russia,russia-2"},
    ):
        data = fields(first, **{"decision": "accept", **bad})
        response = desk.post(decide_url(first), data)
        assert response.status_code == 400, bad
        assert 'class="errorlist' in response.content.decode()
    first.refresh_from_db()
    assert first.status == ClaimStatus.PROPOSED and first.history.count() == versions


def test_a_claim_reviewed_meanwhile_is_not_reviewed_again(desk, queue, editor, accepted):
    accepted(queue[0])
    response = desk.post(decide_url(queue[0]), fields(queue[0], decision="reject"))
    assert response.status_code == 409
    assert "was accepted meanwhile" in response.content.decode()
    assert Claim.objects.get(pk=queue[0].pk).status == ClaimStatus.ACCEPTED


def test_filters_and_order_stay_in_the_address(desk, queue):
    first, second, third = queue
    response = desk.get(DESK + "?order=newest")
    assert f'data-claim="{third.pk}"' in response.content.decode()
    response = desk.get(DESK + "?subject=russia&order=newest")
    html = response.content.decode()
    assert f'data-claim="{second.pk}"' in html and "Claim 1 of 2" in html
    response = desk.post(decide_url(second, "subject=russia&order=newest"), fields(second, decision="skip"))
    assert response["Location"] == f"{DESK}?subject=russia&order=newest&after={second.pk}"
    html = desk.get(response["Location"]).content.decode()
    assert f'data-claim="{first.pk}"' in html and "Claim 2 of 2" in html
    assert desk.get(DESK + f"?source={first.source_id}").status_code == 200


def test_bad_filters_are_named_and_ignored(desk, queue):
    response = desk.get(DESK + "?order=sideways&subject=nobody&source=x")
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not an order" in html and "nobody" in html and "Claim 1 of 3" in html
    # a number no id can be is refused like any bad number, not sent to the database
    too_big = desk.get(DESK + "?source=99999999999999999999")
    assert too_big.status_code == 400 and "Claim 1 of 3" in too_big.content.decode()


def test_the_fragment_for_javascript(desk, queue):
    response = desk.post(
        decide_url(queue[0]), fields(queue[0], decision="reject"), HTTP_X_DESK_FRAGMENT="1", follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'data-claim="{queue[1].pk}"' in html and "Claim 1 of 2" in html


def test_unset_credibility_is_the_default(queue):
    assert queue[1].credibility == Credibility.CANNOT_BE_JUDGED


# --- draft records on the desk -------------------------------------------------------------


@pytest.fixture
def korea(make_actor):
    return make_actor("North Korea", country_code="KP")


def draft_url(draft, query: str = "") -> str:
    return reverse("kb:review-draft", args=[draft.pk]) + (f"?{query}" if query else "")


def test_a_claims_drafts_and_its_sources_new_names_come_with_it(desk, editor, queue, korea, django_assert_num_queries):
    second = queue[1]
    transfer = services.draft_from_claim(second, user=editor, kind=DraftKind.TRANSFER)
    name = services.draft_create(
        user=editor,
        kind=DraftKind.ACTOR,
        data={"name": "Vostochny Cosmodrome", "kind": "facility"},
        source=second.source,
    )
    with django_assert_num_queries(8):  # as above; the transfer's target is none
        html = desk.get(DESK + f"?claim={second.pk}").content.decode()
    assert f'data-draft="{transfer.pk}"' in html and f'data-draft="{name.pk}"' in html
    # The claim's own draft first; the source's new names after it, folded, with their number.
    names = html.index('<details class="desk-names">')
    assert html.index(f'data-draft="{transfer.pk}"') < names < html.index(f'data-draft="{name.pk}"')
    assert "New names found in its source" in html[names:] and '<span class="muted">(1)</span>' in html[names:]
    # the quote is read as ingest reads it: North Korea sells, although the claim's only subject is Russia
    assert f'name="draft{transfer.pk}-supplier" value="north-korea"' in html
    assert f'name="draft{transfer.pk}-recipient" value="russia"' in html


def test_a_source_with_many_new_names_does_not_hide_the_claims_own_drafts(
    desk, editor, queue, korea, django_assert_num_queries
):
    second = queue[1]
    names = [
        services.draft_create(
            user=editor, kind=DraftKind.ACTOR, data={"name": f"Place {i}", "kind": "place"}, source=second.source
        )
        for i in range(DESK_DRAFTS + 5)
    ]
    named_here = services.draft_create(
        user=editor,
        kind=DraftKind.ACTOR,
        data={"name": "Russia", "kind": "state"},
        claims=[second],
        source=second.source,
    )
    transfer = services.draft_from_claim(second, user=editor, kind=DraftKind.TRANSFER)
    with django_assert_num_queries(9):  # as above, and the count of the new names, more than are shown
        html = desk.get(DESK + f"?claim={second.pk}").content.decode()
    assert f'data-draft="{transfer.pk}"' in html
    assert f"({DESK_DRAFTS + 6}, the first {DESK_DRAFTS} here)" in html
    # A name its quote mentions first, the newest of all; then the oldest.
    assert html.index(f'data-draft="{named_here.pk}"') < html.index(f'data-draft="{names[0].pk}"')
    assert sum(f'data-draft="{name.pk}"' in html for name in names) == DESK_DRAFTS - 1
    assert f'data-draft="{names[-1].pk}"' not in html
    assert html.index(f'data-draft="{transfer.pk}"') < html.index('<details class="desk-names">')
    assert f'id="draft-kind-{second.pk}"' in html


def test_a_draft_that_matches_a_record_says_it_changes_that_record(desk, editor, queue, korea):
    second = queue[1]
    russia = second.subjects.get()
    existing = services.transfer_create(
        user=editor, supplier=korea, recipient=russia, category="ammunition", description="Shells", status="reported"
    )
    services.claim_update(second, user=editor, subjects=[korea, russia])
    draft = services.draft_from_claim(second, user=editor, kind=DraftKind.TRANSFER)
    assert draft.target == existing
    html = desk.get(DESK + f"?claim={second.pk}").content.decode()
    assert f'changes the existing arms transfer <a href="{existing.get_absolute_url()}">' in html


def test_accept_a_draft_transfer_with_corrections(desk, editor, queue, korea):
    second = queue[1]
    draft = services.draft_from_claim(second, user=editor, kind=DraftKind.TRANSFER)
    prefix = f"draft{draft.pk}"
    data = {
        f"{prefix}-decision": "accept",
        f"{prefix}-supplier": "north-korea",
        f"{prefix}-recipient": "russia",
        f"{prefix}-category": "ammunition",
        f"{prefix}-status": "reported",
        f"{prefix}-start_on": "2024",
        f"{prefix}-description": "Artillery shells",
        f"{prefix}-note": "From the wire.",
    }
    missing = desk.post(draft_url(draft, f"claim={second.pk}"), {**data, f"{prefix}-category": ""})
    assert missing.status_code == 400 and "needs its category" in missing.content.decode()
    assert ArmsTransfer.objects.count() == 0
    response = desk.post(draft_url(draft, f"claim={second.pk}"), data)
    assert response.status_code == 303 and response["Location"] == f"{DESK}?claim={second.pk}"
    transfer = ArmsTransfer.objects.get()
    assert transfer.supplier == korea and transfer.category == "ammunition"
    assert list(transfer.evidence.all()) == [second]
    second.refresh_from_db()
    assert second.status == ClaimStatus.ACCEPTED  # the draft's claim is its evidence, accepted with it
    page = desk.get(response["Location"]).content.decode()
    assert "This one is accepted" in page and "Next claim" in page


def test_a_new_name_becomes_an_actor_or_an_alias(desk, editor, queue, korea, make_actor):
    source = queue[0].source
    new = services.draft_create(
        user=editor, kind=DraftKind.ACTOR, data={"name": "Vostochny Cosmodrome", "kind": "place"}, source=source
    )
    alias = services.draft_create(
        user=editor, kind=DraftKind.ACTOR, data={"name": "Marshal Kim", "kind": "person"}, source=source
    )
    kim = make_actor("Kim Jong Un", kind="person")
    p = f"draft{new.pk}"
    response = desk.post(
        draft_url(new, f"claim={queue[0].pk}"),
        {f"{p}-decision": "accept", f"{p}-name": "Vostochny Cosmodrome", f"{p}-kind": "facility", f"{p}-country": "ru"},
    )
    assert response.status_code == 303
    cosmodrome = Actor.objects.get(name="Vostochny Cosmodrome")
    assert cosmodrome.kind == "facility" and cosmodrome.country_code == "RU"
    assert cosmodrome in queue[0].subjects.all()  # the claim quoting the name is about it now
    p = f"draft{alias.pk}"
    response = desk.post(
        draft_url(alias, f"claim={queue[0].pk}"),
        {f"{p}-decision": "accept", f"{p}-name": "Marshal Kim", f"{p}-kind": "person", f"{p}-alias_of": kim.slug},
    )
    assert response.status_code == 303
    assert Actor.objects.filter(name__startswith="Kim").count() == 1
    assert kim.aliases.filter(name="Marshal Kim").exists()


def test_an_ambiguous_name_asks_which_actor(desk, editor, queue, make_actor):
    first = services.actor_create(user=editor, name="Kim Il Sung", kind="person")
    second = services.actor_create(user=editor, name="Kim Jong Il", kind="person")
    services.alias_add(user=editor, actor=first, name="Chairman Kim")
    services.alias_add(user=editor, actor=second, name="Chairman Kim")
    draft = services.draft_create(
        user=editor, kind=DraftKind.ACTOR, data={"name": "Chairman Kim", "kind": "person"}, source=queue[0].source
    )
    p = f"draft{draft.pk}"
    response = desk.post(
        draft_url(draft, f"claim={queue[0].pk}"),
        {f"{p}-decision": "accept", f"{p}-name": "Chairman Kim", f"{p}-kind": "person"},
    )
    assert response.status_code == 400
    assert "is a name of several actors" in response.content.decode()
    assert Draft.objects.get(pk=draft.pk).status == DraftStatus.PROPOSED


def test_draft_from_a_claim_then_reject_it(desk, queue):
    first = queue[0]
    response = desk.post(reverse("kb:review-draft-from-claim", args=[first.pk]), {"kind": "event"})
    assert response.status_code == 303 and response["Location"] == f"{DESK}?claim={first.pk}"
    draft = Draft.objects.get()
    assert draft.kind == DraftKind.EVENT and list(draft.claims.all()) == [first]
    bad = desk.post(reverse("kb:review-draft-from-claim", args=[first.pk]), {"kind": "rumour"})
    assert bad.status_code == 400 and "Unknown draft kind" in bad.content.decode()
    p = f"draft{draft.pk}"
    response = desk.post(draft_url(draft, f"claim={first.pk}"), {f"{p}-decision": "reject", f"{p}-note": "No"})
    assert response.status_code == 303
    draft.refresh_from_db()
    assert draft.status == DraftStatus.REJECTED and draft.note == "No"
    assert draft.history.latest().history_change_reason == f"draft #{draft.pk} rejected: No"


def test_a_long_draft_note_from_the_desk_is_kept_whole_and_shortened_in_history(desk, queue):
    first = queue[0]
    desk.post(reverse("kb:review-draft-from-claim", args=[first.pk]), {"kind": "event"})
    draft = Draft.objects.get()
    p, note = f"draft{draft.pk}", "not an event of its own but part of the visit " * 5
    response = desk.post(draft_url(draft, f"claim={first.pk}"), {f"{p}-decision": "reject", f"{p}-note": note})
    assert response.status_code == 303
    draft.refresh_from_db()
    assert draft.status == DraftStatus.REJECTED and draft.note == note.strip()
    reason = draft.history.latest().history_change_reason
    # What happened, then as much of the note as fits in the 100 characters history keeps, cut between words.
    full = f"draft #{draft.pk} rejected: {note.strip()}"
    kept = reason.removesuffix("…")
    assert reason.endswith("…") and 90 <= len(reason) <= 100
    assert full.startswith(kept) and full[len(kept)] == " "


# --- the links to the desk, and the queue on the admin index ---------------------------------


def test_the_admin_index_shows_the_queue(client, editor, queue, django_assert_num_queries):
    client.force_login(editor)
    services.claim_update(queue[0], user=editor, status=ClaimStatus.ACCEPTED, reason="fine")
    services.claim_update(queue[1], user=editor, status=ClaimStatus.REJECTED, reason="no")
    services.draft_from_claim(queue[2], user=editor, kind=DraftKind.EVENT)
    with django_assert_num_queries(11):
        response = client.get(reverse("admin:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Proposed claims" in html and "the oldest proposed" in html
    assert "Draft records</a></th><td>1</td>" in html
    assert '<th scope="row">editor</th><td>2 claims</td>' in html
    assert reverse("kb:review") in html


def test_the_site_links_the_desk_for_editors_only(client, editor, analyst, queue):
    assert f'href="{DESK}"' not in client.get("/").content.decode()
    client.force_login(analyst)
    assert f'href="{DESK}"' not in client.get("/").content.decode()
    client.force_login(editor)
    assert f'href="{DESK}"' in client.get("/").content.decode()


def test_an_editor_drafts_a_record_from_the_claim_page(client, editor, analyst, queue, accepted):
    claim = accepted(queue[0])
    page = reverse("kb:claim-detail", args=[claim.pk])
    assert "Draft from this claim" not in client.get(page).content.decode()
    client.force_login(editor)
    assert "Draft from this claim" in client.get(page).content.decode()
    response = client.post(reverse("kb:review-draft-from-claim", args=[claim.pk]), {"kind": "relationship"})
    assert response.status_code == 303
    html = client.get(response["Location"]).content.decode()
    assert "This one is accepted" in html and "Relationship" in html
    assert Draft.objects.get().kind == DraftKind.RELATIONSHIP


def test_a_refused_decision_shows_what_was_typed(desk, queue, korea):
    first = queue[0]
    data = fields(first, decision="accept", subjects="russia,north-korea", about="the day after", statement="Met.")
    html = desk.post(decide_url(first), data).content.decode()
    assert 'value="russia,north-korea"' in html and 'value="the day after"' in html and "Met.</textarea>" in html
    assert "“the day after” is not a date" in html


def test_the_end_of_the_queue_lists_the_drafts_still_waiting(desk, editor, queue, django_assert_num_queries):
    draft = services.draft_from_claim(queue[0], user=editor, kind=DraftKind.EVENT)
    name = services.draft_create(
        user=editor, kind=DraftKind.ACTOR, data={"name": "Vostochny", "kind": "place"}, source=queue[1].source
    )
    for claim in queue:
        services.claim_review(claim, user=editor, status=ClaimStatus.ACCEPTED)
    with django_assert_num_queries(6):  # session, user, editor; the next claim (none), the count, the drafts
        html = desk.get(DESK).content.decode()
    assert "No claim waits for review" in html and "Draft records still waiting" in html
    assert f'{DESK}?claim={queue[0].pk}">{draft.title}</a>' in html
    assert f'{DESK}?claim={queue[0].pk}">Vostochny</a>' in html  # a new name: at its source's first claim
    assert name.source_id == queue[0].source_id


def test_a_long_note_is_kept_whole_and_cut_as_the_history_reason(desk, queue):
    first, note = queue[0], "checked against the footage " * 20
    assert desk.post(decide_url(first), fields(first, decision="dispute", note=note)).status_code == 303
    first.refresh_from_db()
    assert first.review_note == note.strip()
    reason = first.history.latest().history_change_reason
    # Cut between words, within the 100 characters history keeps.
    assert reason == "checked against the footage " * 3 + "checked against…"


def test_what_ingest_suggested_is_marked_as_a_suggestion(desk, editor, make_actor):
    make_actor("Russia")
    result = services.source_ingest(
        user=editor,
        content=b"Sergei Lavrov said that Russia would deepen its military cooperation with its partners.",
        filename="a.txt",
        title="Lavrov",
        publisher="Wire",
        published_on="2025-03-13",
        reliability="B",
    )
    (claim,) = result.claims
    assert set(claim.suggested) == {"statement", "credibility"}
    html = desk.get(DESK, {"claim": claim.pk}).content.decode()
    assert html.count('<span class="badge suggested"') == 2
    assert claim.statement and claim.statement in html
