"""The reads every surface shares: one count per thing whoever asks, alias lookup, dossiers and snippets."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb import selectors, services
from kb.choices import ClaimStatus
from kb.models import Actor, Agreement, ArmsTransfer, Claim, Event, Source
from kb.web.highlight import highlight


def connection_queries(read) -> list:
    with CaptureQueriesContext(connection) as captured:
        read()
    return captured.captured_queries


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


def test_visibility_names_the_accepted_status_in_the_sql(sample_kb):
    # As the partial index of accepted claims does: SQLite then reads the index alone.
    anonymous = AnonymousUser()
    for queryset in (
        selectors.visible_claims(user=anonymous),
        selectors.visible_records(user=anonymous, queryset=ArmsTransfer.objects.all()),
    ):
        sql, params = queryset.query.sql_with_params()
        assert "= 'accepted'" in sql and ClaimStatus.ACCEPTED not in params
    assert [claim.status for claim in selectors.visible_claims(user=anonymous)] == [ClaimStatus.ACCEPTED]
    assert selectors.visible_records(user=anonymous, queryset=ArmsTransfer.objects.all()).count() == 1


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
        assert annotated.n_claims == dossier.totals["claim_count"] == len(dossier.claims)
        related = selectors.actor_related_counts(user=user, actor=dprk)
        assert related == {name: getattr(annotated, name) for name in related}
    assert len(selectors.actor_dossier(user=AnonymousUser(), actor=dprk).supplied) == 1
    assert len(selectors.actor_dossier(user=editor, actor=dprk).supplied) == 2
    assert ArmsTransfer.objects.filter(supplier=dprk).count() == 2


def test_actor_dossier_sections_are_bounded(sample_kb, editor):
    dprk = sample_kb["dprk"]
    dossier = selectors.actor_dossier(user=editor, actor=dprk, limit=1)
    assert len(dossier.transfers) == 1 and dossier.totals["transfer_count"] == 2


@pytest.fixture
def busy(editor, make_actor, make_source):
    """An actor in every section of a dossier, from every side, in records backed by accepted and proposed claims."""
    from kb.choices import AgreementKind, AgreementStatus, EventKind, RelationshipPredicate, TransferCategory

    u = editor
    hub = make_actor("Hub")
    others = [make_actor(f"Other {letter}") for letter in "DBECA"]
    sources = [make_source(published_on=day, title=title) for day, title in (("2024-07-01", "B"), ("2023", "A"))]
    claims = []
    for source in sources:
        for quote in ("Kim Jong-un met Vladimir Putin", "North Korea is expected", "The two leaders signed"):
            claims.append(
                services.claim_create(user=u, source=source, quote=quote, subjects=[hub], status=ClaimStatus.ACCEPTED)
            )
    hidden = services.claim_create(user=u, source=sources[0], quote="Pyongyang", subjects=[hub])
    for i, other in enumerate(others):
        evidence = [hidden] if i == 2 else [claims[i]]
        predicate = [RelationshipPredicate.ALLY_OF, RelationshipPredicate.MEMBER_OF][i % 2]
        ends = (hub, other) if i % 2 else (other, hub)
        services.relationship_create(user=u, subject=ends[0], predicate=predicate, object=ends[1], evidence=evidence)
        services.transfer_create(
            user=u,
            supplier=ends[0],
            recipient=ends[1],
            category=TransferCategory.AMMUNITION,
            description="Shells",
            status="reported",
            start_on=f"20{10 + i}",
            evidence=evidence,
        )
        services.event_create(
            user=u,
            title=f"Meeting {i}",
            kind=EventKind.SUMMIT,
            start_on=f"20{20 - i}",
            place=hub if i == 4 else None,
            participants=[other] if i == 4 else [hub, other],
            evidence=evidence,
        )
        services.agreement_create(
            user=u,
            title=f"Accord {i}",
            kind=AgreementKind.AGREEMENT,
            status=AgreementStatus.SIGNED,
            signed_on=f"20{15 + i}",
            parties=[(other, hub), others[(i + 1) % 5]] if i == 3 else [hub, other],
            evidence=evidence,
        )
    return hub


@pytest.mark.parametrize("walk", [True, False])
def test_dossier_sections_are_the_first_of_each_whole_section(busy, editor, monkeypatch, walk):
    """Read in index order from either end, or walked, or gathered: the first ``limit`` of the whole section."""
    from kb.selectors import dossiers

    # Walking or gathering is a choice of plan, never of result.
    monkeypatch.setattr(dossiers, "_walk", lambda **kwargs: walk)
    for user in (AnonymousUser(), editor):
        whole = selectors.actor_dossier(user=user, actor=busy, limit=100)
        assert whole.totals == {
            "relationship_count": len(whole.relationships),
            "event_count": len(whole.events),
            "agreement_count": len(whole.agreements),
            "transfer_count": len(whole.transfers),
            "claim_count": len(whole.claims),
        }
        assert [r.predicate for r in whole.relationships] == sorted(r.predicate for r in whole.relationships)
        assert [t.start_on for t in whole.transfers] == sorted((t.start_on for t in whole.transfers), reverse=True)
        assert [e.start_on for e in whole.events] == sorted(e.start_on for e in whole.events)
        assert [a.signed_on for a in whole.agreements] == sorted((a.signed_on for a in whole.agreements), reverse=True)
        for limit in (1, 2, 3):
            part = selectors.actor_dossier(user=user, actor=busy, limit=limit)
            assert part.totals == whole.totals
            for section in ("relationships", "events", "agreements", "transfers"):
                assert getattr(part, section) == getattr(whole, section)[:limit], (section, limit)
        claims = whole.claims[0 : len(whole.claims)]
        assert [c.source.published_on for c in claims] == sorted((c.source.published_on for c in claims), reverse=True)
        assert whole.claims[1:3] == claims[1:3]
    reader = selectors.actor_dossier(user=AnonymousUser(), actor=busy, limit=100)
    everything = selectors.actor_dossier(user=editor, actor=busy, limit=100)
    assert reader.totals == {
        "relationship_count": 4,
        "event_count": 4,
        "agreement_count": 4,
        "transfer_count": 4,
        "claim_count": 6,
    }
    assert everything.totals["claim_count"] == 7 and everything.totals["event_count"] == 5


def test_dossier_totals_are_counted_once_per_version_of_the_data(busy, editor):
    anonymous = AnonymousUser()
    cold = connection_queries(lambda: selectors.actor_dossier(user=anonymous, actor=busy))
    warm = connection_queries(lambda: selectors.actor_dossier(user=anonymous, actor=busy))
    assert len(warm) == len(cold) - 1
    assert not any("COUNT(" in query["sql"] for query in warm)
    before = selectors.actor_dossier(user=anonymous, actor=busy).totals["claim_count"]
    claim = services.claim_create(user=editor, source=Source.objects.first(), quote="Putin", subjects=[busy])
    assert selectors.actor_dossier(user=anonymous, actor=busy).totals["claim_count"] == before
    services.claim_review(claim, user=editor, status=ClaimStatus.ACCEPTED)
    assert selectors.actor_dossier(user=anonymous, actor=busy).totals["claim_count"] == before + 1


def test_actor_claims_reach_a_bounded_number_of_pages(busy, monkeypatch):
    from kb.selectors import dossiers

    monkeypatch.setattr(dossiers, "CLAIMS_REACH", 4)
    dossier = selectors.actor_dossier(user=AnonymousUser(), actor=busy)
    assert dossier.totals["claim_count"] == 6 and len(dossier.claims) == 4
    assert len(dossier.claims[2:10]) == 2 and dossier.claims[5:9] == []


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


def test_search_all_reads_each_type_once_however_much_it_finds(
    sample_kb, make_actor, make_source, make_claim, django_assert_num_queries
):
    """The actors named, each type's newest matches with the names that matched, the text of the
    sources shown by it: as many queries when more records match and more actors are named."""

    def search():
        return selectors.search_all(user=AnonymousUser(), q="korea", limit=60)

    with django_assert_num_queries(9):
        few = search()
    south = make_actor("South Korea", aliases=["ROK"])
    for n in range(5):
        source = make_source(text=f"Talks with Korea, round {n}.", title=f"Round {n}")
        quote = f"Talks with Korea, round {n}."
        make_claim(source=source, quote=quote, subjects=[south, sample_kb["dprk"]], status="accepted")
    with django_assert_num_queries(9):
        many = search()
    assert len(many) == len(few) + 1 + 5 + 5  # South Korea, the claims and their sources


def test_search_all_counts_a_record_once_though_several_of_its_actors_are_named(make_actor, make_source, make_claim):
    north, south = make_actor("North Korea"), make_actor("South Korea")
    source = make_source(text="Talks stalled. Talks resumed. Talks ended.")
    quotes = ("Talks stalled.", "Talks resumed.", "Talks ended.")
    claims = [make_claim(source=source, quote=quote, subjects=[north, south], status="accepted") for quote in quotes]
    hits = selectors.search_all(user=AnonymousUser(), q="korea", limit=3, types=("claim",))
    assert {hit.id for hit in hits} == {claim.pk for claim in claims}
    assert {hit.text for hit in hits} == {"North Korea"}  # the first subject by name whose alias matched


def test_search_counts_each_type_exactly_up_to_the_cap_and_as_more_beyond(make_actor, make_source, make_claim, editor):
    north = make_actor("North Korea")
    source = make_source(text="Talks stalled. Talks resumed. Talks ended. Talks failed.", title="Four talks")
    quotes = ("Talks stalled.", "Talks resumed.", "Talks ended.")
    for quote in quotes:
        make_claim(source=source, quote=quote, subjects=[north], status="accepted")
    make_claim(source=source, quote="Talks failed.", status="proposed")

    def counts(user, cap=10):
        return {c.type: (c.count, c.more) for c in selectors.search_counts(user=user, q="talks", cap=cap)}

    assert counts(AnonymousUser()) == {"claim": (3, False), "source": (1, False)}  # the proposed one is hidden
    assert counts(editor) == {"claim": (4, False), "source": (1, False)}
    assert counts(AnonymousUser(), cap=2)["claim"] == (2, True)
    assert counts(AnonymousUser(), cap=3)["claim"] == (3, False)
    # A claim found through its subject's name counts once, though its text matches too.
    assert {c.type: c.count for c in selectors.search_counts(user=AnonymousUser(), q="north korea")} == {
        "actor": 1,
        "claim": 3,
    }
    # Counts are kept per version of the data: a write shows at once.
    make_claim(source=make_source(text="More talks."), quote="More talks.", status="accepted")
    assert counts(AnonymousUser())["claim"] == (4, False)


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
