"""The reads every surface shares: one count per thing whoever asks, alias lookup, dossiers and snippets."""

from django.contrib.auth.models import AnonymousUser

from kb import selectors
from kb.models import Actor, Agreement, ArmsTransfer, Claim, Event, Source
from kb.web.highlight import highlight


def test_counts_fetches_every_total_in_one_query(sample_kb, django_assert_num_queries):
    anonymous = AnonymousUser()
    with django_assert_num_queries(1):
        totals = selectors.counts(
            actors=Actor.objects.all(),
            claims=selectors.visible_claims(user=anonymous),
            events=selectors.visible_records(user=anonymous, queryset=Event.objects.all()),
            nothing=Claim.objects.none(),
        )
    assert totals == {"actors": 3, "claims": 1, "events": 1, "nothing": 0}
    assert selectors.counts() == {}


def test_visible_claim_count_depends_only_on_who_reads(sample_kb, editor):
    kim = sample_kb["kim"]
    for user, expected in ((AnonymousUser(), 1), (editor, 2)):
        by_source = Source.objects.annotate(n=selectors.visible_claim_count(user=user, via="source"))
        assert by_source.get(pk=sample_kb["source"].pk).n == expected
        by_subject = Actor.objects.annotate(n=selectors.visible_claim_count(user=user, via="subjects"))
        assert by_subject.get(pk=kim.pk).n == expected
    agreement = sample_kb["treaty"]
    evidence = Agreement.objects.annotate(n=selectors.visible_claim_count(user=AnonymousUser(), via="agreements"))
    assert evidence.get(pk=agreement.pk).n == 1


def test_actor_counts_match_the_dossier_totals(sample_kb, editor):
    dprk = sample_kb["dprk"]
    for user in (AnonymousUser(), editor):
        annotated = Actor.objects.annotate(**selectors.actor_counts(user=user)).get(pk=dprk.pk)
        dossier = selectors.actor_dossier(user=user, actor=dprk)
        assert dossier.totals["relationship_count"] == annotated.n_relationships == len(dossier.relationships)
        transfers = annotated.n_transfers_supplied + annotated.n_transfers_received
        assert dossier.totals["transfer_count"] == transfers == len(dossier.transfers)
        assert dossier.totals["agreement_count"] == annotated.n_agreements == len(dossier.agreements)
        assert annotated.n_claims == dossier.claims.count()
    assert len(selectors.actor_dossier(user=AnonymousUser(), actor=dprk).supplied) == 1
    assert len(selectors.actor_dossier(user=editor, actor=dprk).supplied) == 2
    assert ArmsTransfer.objects.filter(supplier=dprk).count() == 2


def test_actor_dossier_sections_are_bounded(sample_kb, editor):
    dprk = sample_kb["dprk"]
    dossier = selectors.actor_dossier(user=editor, actor=dprk, limit=1)
    assert len(dossier.transfers) == 1 and dossier.totals["transfer_count"] == 2


def test_actors_named_by_any_spelling(sample_kb):
    dprk, russia, kim = sample_kb["dprk"], sample_kb["russia"], sample_kb["kim"]
    assert list(selectors.actors_named(name="dprk")) == [dprk]
    assert list(selectors.actors_named(name="KIM JONG-UN", exact=True)) == [kim]
    assert set(selectors.actors_named(name="kim jong")) == {kim}
    assert list(selectors.actors_named(name="kim jong", exact=True)) == []
    assert list(selectors.actors_named(name="%%%")) == []
    assert russia not in selectors.actors_named(name="korea")


def test_search_hits_carry_plain_text_and_the_web_marks_it(sample_kb):
    hits = selectors.search_all(user=AnonymousUser(), q="vostochny")
    claim = next(hit for hit in hits if hit.type == "claim")
    assert "<mark>" not in claim.text and "Vostochny" in claim.text
    assert "<mark>Vostochny</mark>" in highlight(claim.text, "vostochny")
    assert str(highlight("a <b> Vostochny", "vostochny")) == "a &lt;b&gt; <mark>Vostochny</mark>"


def test_every_type_is_found_by_its_indexed_text_and_follows_edits(sample_kb, editor):
    """Full-text search (migration 0006): every word of a record's text fields, kept in step with writes."""
    from kb import services

    event, agreement, transfer = sample_kb["summit"], sample_kb["treaty"], sample_kb["transfer"]
    services.transfer_update(transfer, user=editor, designation="KN-23", reported_by="Sŭngri monitors")
    services.event_update(event, user=editor, summary="Talks on the Khasan–Rajin rail link.")

    def found(model, q):
        return set(selectors.search_filter(queryset=model.objects.all(), q=q).values_list("pk", flat=True))

    assert found(ArmsTransfer, "kn-23") == found(ArmsTransfer, "KN 23") == {transfer.pk}
    assert found(ArmsTransfer, "sungri monit") == {transfer.pk}  # accents, case, last word a prefix
    assert found(Event, "rajin rail") == {event.pk}
    assert found(Agreement, "mutual aid") >= {agreement.pk}  # a provision's words find its agreement
    assert found(Source, "Vostochny Cosmodrome") == {sample_kb["source"].pk}  # the body text
    services.event_update(event, user=editor, summary="Nothing about trains.")
    assert found(Event, "rajin rail") == set()
    services.record_delete(transfer, user=editor)
    assert found(ArmsTransfer, "kn-23") == set()
    assert selectors.search_all(user=editor, q="KN-23") == []
