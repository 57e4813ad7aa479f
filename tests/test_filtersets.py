"""The FilterSets shared by the API and the web lists: partial-date overlap, actor references, search, errors."""

import pytest
from django.http import QueryDict

from kb import services
from kb.choices import ActorKind, ClaimStatus, EventKind, Modality, RelationshipPredicate, TransferCategory
from kb.filtersets import (
    ActorFilterSet,
    ArmsTransferFilterSet,
    ClaimFilterSet,
    EventFilterSet,
    RelationshipFilterSet,
    SourceFilterSet,
)
from kb.models import Actor, ArmsTransfer, Claim, Event, Relationship, Source

pytestmark = pytest.mark.django_db


def run(filterset_class, query: str, queryset=None):
    filterset = filterset_class(data=QueryDict(query), queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def errors(filterset_class, query: str) -> dict:
    filterset = filterset_class(data=QueryDict(query))
    assert not filterset.is_valid()
    return filterset.errors


@pytest.fixture
def dated_claims(make_source, make_claim):
    source = make_source(
        text="Alpha one happened. Beta two happened. Gamma three happened. Delta four happened. Epsilon five."
    )
    return {
        about: make_claim(quote=quote, source=source, about_on=about)
        for about, quote in [
            ("2023", "Alpha one happened."),
            ("2023-09", "Beta two happened."),
            ("2023-10", "Gamma three happened."),
            ("2023-09-13", "Delta four happened."),
            ("", "Epsilon five."),
        ]
    }


def test_claim_about_overlaps_partial_date_range(dated_claims):
    got = set(run(ClaimFilterSet, "date_from=2023-09&date_to=2023-09"))
    assert got == {dated_claims["2023"], dated_claims["2023-09"], dated_claims["2023-09-13"]}


def test_open_range_bounds(dated_claims):
    assert set(run(ClaimFilterSet, "date_from=2023-10")) == {dated_claims["2023"], dated_claims["2023-10"]}
    assert set(run(ClaimFilterSet, "date_to=2023-09-12")) == {dated_claims["2023"], dated_claims["2023-09"]}
    assert set(run(ClaimFilterSet, "date_from=2020s")) == set(dated_claims.values()) - {dated_claims[""]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=2023-13", "date_from"),
        ("date_to=2024-02-30", "date_to"),
        ("date_from=yesterday", "date_from"),
        ("date_from=2024&date_to=2023", "date_to"),
        ("status=maybe", "status"),
        ("modality=fact,rumour", "modality"),
        ("credibility_at_least=9", "credibility_at_least"),
        ("ordering=password", "ordering"),
        ("source=abc", "source"),
        ("source=999999", "source"),
        ("subject=no-such-actor", "subject"),
        ("subject=1;DROP TABLE kb_claim", "subject"),
        ("id=1,x", "id"),
        ("search=" + "x" * 201, "search"),
    ],
)
def test_bad_filter_values_name_the_field(query, field):
    assert field in errors(ClaimFilterSet, query)


def test_choices_repeated_or_comma_separated(make_claim, make_source, editor):
    source = make_source()
    fact = make_claim(source=source, modality=Modality.FACT)
    opinion = make_claim(source=source, quote="The two leaders signed a treaty", modality=Modality.OPINION)
    make_claim(source=source, quote="Kim Jong-un met Vladimir Putin", modality=Modality.FORECAST)
    assert set(run(ClaimFilterSet, "modality=fact,opinion")) == {fact, opinion}
    assert set(run(ClaimFilterSet, "modality=fact&modality=opinion")) == {fact, opinion}


def test_credibility_at_least(make_source, make_claim):
    source = make_source()
    good = make_claim(source=source, credibility=2)
    make_claim(source=source, quote="The two leaders signed a treaty", credibility=4)
    best = make_claim(source=source, quote="Kim Jong-un met Vladimir Putin", credibility=1)
    assert set(run(ClaimFilterSet, "credibility_at_least=2")) == {good, best}
    assert set(run(ClaimFilterSet, "credibility=4")) == set(Claim.objects.filter(credibility=4))


def test_actor_reference_by_id_or_slug(make_actor, make_claim, make_source):
    kim = make_actor("Kim Jong-un", kind=ActorKind.PERSON)
    putin = make_actor("Vladimir Putin", kind=ActorKind.PERSON)
    source = make_source()
    about_kim = make_claim(source=source, subjects=[kim])
    about_putin = make_claim(source=source, quote="The two leaders signed a treaty", subjects=[putin])
    assert list(run(ClaimFilterSet, f"subject={kim.pk}")) == [about_kim]
    assert list(run(ClaimFilterSet, f"subject={kim.slug}")) == [about_kim]
    assert set(run(ClaimFilterSet, f"subject={kim.slug},{putin.pk}")) == {about_kim, about_putin}
    assert "No actor" in errors(ClaimFilterSet, "subject=kim,nobody-here")["subject"][0]


def test_search_is_alias_case_accent_and_hyphen_insensitive(make_actor, editor):
    kim = make_actor("Kim Jong Un", kind=ActorKind.PERSON, aliases=["Kim Jong-un"])
    sungri = make_actor("Sŭngri", kind=ActorKind.FACILITY)
    dprk = make_actor("Democratic People's Republic of Korea", aliases=["North Korea", "DPRK"])
    for query, expected in [
        ("kim jong-un", kim),
        ("KIM JONG UN", kim),
        ("jong un", kim),
        ("sungri", sungri),
        ("SŬNGRI", sungri),
        ("dprk", dprk),
        ("north-korea", dprk),
        ("peoples republic", dprk),
    ]:
        assert list(run(ActorFilterSet, f"search={query}")) == [expected], query
    assert list(run(ActorFilterSet, "q=Sungri")) == [sungri]
    assert not run(ActorFilterSet, "search=%25%25%25").exists()


def test_search_finds_quotes_without_accents_and_with_other_hyphens(make_source, make_claim, make_actor):
    source = make_source(text="Ships docked at the Sŭngri refinery. Kim Jong-un inspected the Rason port.")
    refinery = make_claim(source=source, quote="Ships docked at the Sŭngri refinery.")
    inspection = make_claim(source=source, quote="Kim Jong-un inspected the Rason port.")
    assert list(run(ClaimFilterSet, "search=sungri REFINERY")) == [refinery]
    assert list(run(ClaimFilterSet, "search=kim jong un inspected")) == [inspection]
    assert list(run(ClaimFilterSet, "search=Rason")) == [inspection]


def test_search_through_actor_aliases(make_actor, make_source, make_claim, editor):
    dprk = make_actor("North Korea", aliases=["DPRK"])
    russia = make_actor("Russia", aliases=["Russian Federation"])
    transfer = services.transfer_create(
        user=editor,
        supplier=dprk,
        recipient=russia,
        category=TransferCategory.AMMUNITION,
        description="Artillery shells",
        status="reported",
    )
    assert list(run(ArmsTransferFilterSet, "search=dprk", ArmsTransfer.objects.all())) == [transfer]
    assert list(run(ArmsTransferFilterSet, "search=russian federation", ArmsTransfer.objects.all())) == [transfer]
    assert list(run(ArmsTransferFilterSet, f"supplier={dprk.slug}&recipient={russia.pk}")) == [transfer]
    assert list(run(ArmsTransferFilterSet, f"actor={russia.slug}")) == [transfer]
    assert not run(ArmsTransferFilterSet, f"supplier={russia.slug}").exists()


def test_event_span_overlap(editor):
    war = services.event_create(user=editor, title="War", kind=EventKind.WAR, start_on="2022-02", end_on="2024")
    summit = services.event_create(user=editor, title="Summit", kind=EventKind.SUMMIT, start_on="2023-09-13")
    services.event_create(user=editor, title="Undated", kind=EventKind.OTHER)
    assert set(run(EventFilterSet, "date_from=2023-09&date_to=2023-09")) == {war, summit}
    assert set(run(EventFilterSet, "date_from=2024-06")) == {war}
    assert set(run(EventFilterSet, "date_to=2022-01")) == set()
    assert set(run(EventFilterSet, "kind=summit,war")) == {war, summit}
    assert list(run(EventFilterSet, "ordering=-start_on")) == list(Event.objects.order_by("-start_on", "title"))


def test_relationship_validity_is_open_ended(make_actor, editor):
    kim, dprk, putin, russia = (make_actor(n) for n in ("Kim", "DPRK", "Putin", "Russia"))
    ongoing = services.relationship_create(
        user=editor, subject=kim, predicate=RelationshipPredicate.LEADER_OF, object=dprk, valid_from="2011-12"
    )
    ended = services.relationship_create(
        user=editor,
        subject=putin,
        predicate=RelationshipPredicate.LEADER_OF,
        object=russia,
        valid_from="2000",
        valid_until="2008",
    )
    assert set(run(RelationshipFilterSet, "date_from=2024")) == {ongoing}
    assert set(run(RelationshipFilterSet, "date_from=2005&date_to=2005")) == {ended}
    assert set(run(RelationshipFilterSet, f"actor={kim.slug}")) == {ongoing}
    assert set(run(RelationshipFilterSet, "predicate=leader_of")) == set(Relationship.objects.all())


def test_actor_and_source_filters(make_actor, make_source):
    state = make_actor("Russia", kind=ActorKind.STATE, country_code="RU")
    make_actor("Kim", kind=ActorKind.PERSON, start_on="1984-01-08")
    assert list(run(ActorFilterSet, "kind=state")) == [state]
    assert list(run(ActorFilterSet, "country_code=RU")) == [state]
    assert "kind" in errors(ActorFilterSet, "kind=planet")
    old = make_source(published_on="2023-09-14", reliability="B")
    new = make_source(published_on="2024-06", reliability="D")
    assert list(run(SourceFilterSet, "date_from=2024")) == [new]
    assert list(run(SourceFilterSet, "reliability_at_least=C")) == [old]
    assert set(run(SourceFilterSet, "publisher=test wire")) == {old, new}
    assert list(run(SourceFilterSet, f"id={old.pk}")) == [old]
    assert Source.objects.count() == 2
    assert Actor.objects.filter(kind=ActorKind.PERSON).count() == 1


def test_claim_status_filter(make_claim, make_source, accepted):
    source = make_source()
    proposed = make_claim(source=source)
    ok = accepted(make_claim(source=source, quote="The two leaders signed a treaty"))
    assert list(run(ClaimFilterSet, "status=accepted")) == [ok]
    assert list(run(ClaimFilterSet, "status=proposed")) == [proposed]
    assert ok.status == ClaimStatus.ACCEPTED


def test_an_actor_slug_is_found_whatever_its_case(client, sample_kb):
    """People type names: "North-Korea" finds north-korea in filters, the graph and the changes page."""
    slug = sample_kb["dprk"].slug
    assert client.get("/api/v1/claims/", {"subject": slug.upper()}).status_code == 200
    assert client.get("/graph/", {"actor": slug.title()}).status_code == 200
    assert client.get("/changes/", {"actor": slug.upper()}).status_code == 200
    assert client.get("/api/v1/claims/", {"subject": "no-such-actor"}).status_code == 400
