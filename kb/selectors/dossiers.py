"""Dossiers: everything the knowledge base holds about one actor, claim or source that a reader may see."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q

from kb.models import (
    Actor,
    Agreement,
    AgreementParty,
    ArmsTransfer,
    Claim,
    ClaimLink,
    Event,
    Provision,
    Relationship,
    Source,
)
from kb.selectors.cache import cached
from kb.selectors.counts import counts
from kb.selectors.visibility import User, visible_claims, visible_evidence, visible_links, visible_records

# Each section of an actor's dossier holds at most this many records, with its total: the
# most-mentioned actors have thousands, and the page must stay fast.
SECTION_LIMIT = 25
# The dossier's pages of claims reach this many, newest first (the API's cursor walks them all):
# a deeper page would read most of the most-mentioned actor's 50,000.
CLAIMS_REACH = 1_000
# The order of an actor's claims: newest source first, then reading order. It leads with the
# keys of the sources' index (publication date, title, id) so that claims can be read by
# walking it; SQLite then sorts each source's claims by offset. (A further key, such as the
# claim's id, makes SQLite's planner sort every claim of the actor instead.)
CLAIM_ORDER = ("-source__published_on", "source__title", "source_id", "start")


def party_links(*, evidence: bool = False, user: User = None) -> Prefetch:
    """Prefetch of an agreement's parties, with their actors and signatories, by name.

    With ``evidence``, each party also carries ``visible_evidence``: the claims behind its
    steps (signature, ratification, entry into force) that ``user`` may see.
    """
    parties = AgreementParty.objects.select_related("actor", "signatory").order_by("actor__name")
    if evidence:
        parties = parties.prefetch_related(_evidence(user, to_attr="visible_evidence"))
    return Prefetch("party_links", queryset=parties)


def _linked(links: models.QuerySet, own: str, *, walk: bool) -> Q:
    """Rows whose pk is the ``own`` column of one of ``links``, without a join (no DISTINCT).

    Gathered (``walk=False``): the rows whose pk is among the links, read through the link
    table's index, then sorted. Walked: each row in the order of the outer query is tested
    for a link, one index lookup each.
    """
    if walk:
        return Q(Exists(links.filter(**{own: OuterRef("pk")})))
    return Q(pk__in=links.values(own))


def _walk(*, count: int, rows: int, stop: int) -> bool:
    """Whether to walk a table in order for the first ``stop`` of ``count`` matching rows, rather than gather them.

    Walking finds them among about ``stop × rows / count`` rows of the table's ``rows``;
    gathering reads all ``count`` and sorts them: whichever reads fewer. PostgreSQL's
    statistics know the common actors and plan both shapes alike; SQLite's planner follows
    the shape of the query, so the shape chooses the plan.
    """
    return count > 0 and stop * rows < count * count


def _evidence(user: User, to_attr: str | None = None) -> Prefetch:
    """A record's visible evidence with its source's metadata (a source's full text stays in the database)."""
    claims = (
        Claim.objects.select_related("source")
        .defer("source__text", "source__furniture_note")
        .order_by("source__published_on", "source_id", "start")
    )
    return visible_evidence(user=user, claims=claims, to_attr=to_attr)


class ActorClaims:
    """The claims about an actor that a reader may see, in ``CLAIM_ORDER``, for a paginator.

    ``count`` is their number (counted with the dossier's totals); as a sequence it holds the
    first ``reach`` of them. Each slice is read the cheaper way (see ``_walk``): the
    most-mentioned actor's claims by walking every claim in reading order and keeping its
    own, a rarely mentioned actor's by gathering them and sorting.
    """

    def __init__(self, *, user: User, actor: Actor, count: int, rows: int, reach: int) -> None:
        self.user, self.actor, self.count, self.rows = user, actor, count, rows
        self.length = min(count, reach)

    def __len__(self) -> int:
        return self.length

    def queryset(self, *, stop: int) -> models.QuerySet[Claim]:
        """The claims, shaped to be read cheaply up to the ``stop``-th."""
        if _walk(count=self.count, rows=self.rows, stop=stop):
            about = _linked(Claim.subjects.through.objects.filter(actor=self.actor), "claim_id", walk=True)
            claims = Claim.objects.filter(about)
        else:
            claims = Claim.objects.filter(subjects=self.actor)
        claims = claims.select_related("source").defer("source__text", "source__furniture_note")
        return visible_claims(user=self.user, queryset=claims).order_by(*CLAIM_ORDER)

    def __getitem__(self, key: slice) -> list[Claim]:
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError("ActorClaims are read a page at a time: slice them.")
        start, stop = min(key.start or 0, self.length), min(self.length if key.stop is None else key.stop, self.length)
        return list(self.queryset(stop=stop)[start:stop]) if start < stop else []


@dataclass
class ActorDossier:
    """An actor's records by section (each at most ``limit`` long), each section's total, and its claims."""

    actor: Actor
    relationships: list[Relationship]
    events: list[Event]
    agreements: list[Agreement]
    transfers: list[ArmsTransfer]
    totals: dict[str, int]  # relationship_count, event_count, agreement_count, transfer_count, claim_count
    claims: ActorClaims  # the first CLAIMS_REACH of them: the page paginates them
    limit: int

    @property
    def supplied(self) -> list[ArmsTransfer]:
        return [t for t in self.transfers if t.supplier_id == self.actor.pk]

    @property
    def received(self) -> list[ArmsTransfer]:
        return [t for t in self.transfers if t.recipient_id == self.actor.pk]


def _dossier_filters(actor: Actor, *, walk_events: bool = False, walk_agreements: bool = False) -> dict[str, Q]:
    """What puts a record in each section of ``actor``'s dossier, as a condition on that record."""
    participants = Event.participants.through.objects.filter(actor=actor)
    parties = AgreementParty.objects.filter(Q(actor=actor) | Q(signatory=actor))
    return {
        "relationships": Q(subject=actor) | Q(object=actor),
        "events": _linked(participants, "event_id", walk=walk_events) | Q(place=actor),
        "agreements": _linked(parties, "agreement_id", walk=walk_agreements),
        "transfers": Q(supplier=actor) | Q(recipient=actor),
    }


def _dossier_counts(*, user: User, actor: Actor) -> dict[str, int]:
    """Every total of ``actor``'s dossier, and the sizes of the tables its sections may walk: one query."""
    where = _dossier_filters(actor)

    def visible(model: type[models.Model], section: str) -> models.QuerySet:
        return visible_records(user=user, queryset=model.objects.filter(where[section]))

    return counts(
        relationship_count=visible(Relationship, "relationships"),
        event_count=visible(Event, "events"),
        agreement_count=visible(Agreement, "agreements"),
        transfer_count=visible(ArmsTransfer, "transfers"),
        claim_count=visible_claims(user=user, queryset=Claim.objects.filter(subjects=actor)),
        claim_rows=Claim.objects.all(),
        event_rows=Event.objects.all(),
        agreement_rows=Agreement.objects.all(),
    )


def actor_dossier(*, user: User, actor: Actor, limit: int = SECTION_LIMIT) -> ActorDossier:
    """What ``user`` may see about ``actor``, by section, with every section's total.

    Relationships (either end), events (as participant or place), agreements (as party or
    signatory), transfers (either way) and the claims about it. The totals come in one query,
    kept under the data's version (the most-mentioned actor's count walks its thousands of
    records). Each section is read once, at most ``limit`` rows, in an order an index keeps:
    transfers and relationships from either end, the first ``limit`` of each end; events and
    agreements walked in order or gathered, whichever reads fewer rows.
    """
    n = cached(f"dossier:{actor.pk}", lambda: _dossier_counts(user=user, actor=actor), user=user)
    where = _dossier_filters(
        actor,
        walk_events=_walk(count=n["event_count"], rows=n["event_rows"], stop=limit),
        walk_agreements=_walk(count=n["agreement_count"], rows=n["agreement_rows"], stop=limit),
    )

    def visible(queryset: models.QuerySet) -> models.QuerySet:
        return visible_records(user=user, queryset=queryset)

    # Each end of a relationship or transfer has its own index in the section's order: the
    # first ``limit`` of either end hold the first ``limit`` of both.
    rel_order = ("predicate", "subject__name", "object__name", "pk")
    as_subject = visible(Relationship.objects.filter(subject=actor)).order_by("predicate", "object__name", "pk")
    as_object = visible(Relationship.objects.filter(object=actor)).order_by("predicate", "subject__name", "pk")
    relationships = list(
        Relationship.objects.filter(
            Q(pk__in=as_subject.values("pk")[:limit]) | Q(pk__in=as_object.values("pk")[:limit])
        )
        .select_related("subject", "object")
        .prefetch_related(_evidence(user))
        .order_by(*rel_order)[:limit]
    )
    events = list(
        visible(Event.objects.filter(where["events"]))
        .select_related("place")
        .order_by("start_on", "title", "pk")[:limit]
    )
    agreements = list(
        visible(Agreement.objects.filter(where["agreements"]))
        .select_related("signed_place")
        .prefetch_related(party_links(evidence=True, user=user))
        .order_by("-signed_on", "title", "pk")[:limit]
    )
    latest = ("-start_on", "pk")
    supplied = visible(ArmsTransfer.objects.filter(supplier=actor)).order_by(*latest).values("pk")[:limit]
    received = visible(ArmsTransfer.objects.filter(recipient=actor)).order_by(*latest).values("pk")[:limit]
    transfers = list(
        ArmsTransfer.objects.filter(Q(pk__in=supplied) | Q(pk__in=received))
        .select_related("supplier", "recipient")
        .prefetch_related(_evidence(user, to_attr="visible_evidence"))
        .order_by(*latest)[:limit]
    )
    shown = ("relationship_count", "event_count", "agreement_count", "transfer_count", "claim_count")
    totals = {key: n[key] for key in shown}
    claims = ActorClaims(user=user, actor=actor, count=n["claim_count"], rows=n["claim_rows"], reach=CLAIMS_REACH)
    return ActorDossier(actor, relationships, events, agreements, transfers, totals, claims, limit)


@dataclass
class ClaimDossier:
    """A claim with the records it backs and the claims linked to it, as far as the reader may see them."""

    claim: Claim
    relationships: models.QuerySet[Relationship]
    events: models.QuerySet[Event]
    agreements: models.QuerySet[Agreement]
    provisions: models.QuerySet[Provision]
    parties: models.QuerySet[AgreementParty]  # whose steps (signature, ratification, entry into force) it backs
    transfers: models.QuerySet[ArmsTransfer]
    links_out: models.QuerySet[ClaimLink]
    links_in: models.QuerySet[ClaimLink]


def claim_dossier(*, user: User, claim: Claim) -> ClaimDossier:
    """What ``user`` may see around ``claim`` (itself one they may see): the records it backs, its links."""
    links_out = visible_links(
        user=user,
        queryset=ClaimLink.objects.filter(from_claim=claim)
        .select_related("to_claim__source")
        .order_by("kind", "to_claim__source__published_on", "to_claim_id"),
        end="to_claim",
    )
    links_in = visible_links(
        user=user,
        queryset=ClaimLink.objects.filter(to_claim=claim)
        .select_related("from_claim__source")
        .order_by("kind", "from_claim__source__published_on", "from_claim_id"),
        end="from_claim",
    )
    return ClaimDossier(
        claim=claim,
        relationships=visible_records(user=user, queryset=claim.relationships.select_related("subject", "object")),
        events=visible_records(user=user, queryset=claim.events.all()),
        agreements=visible_records(user=user, queryset=claim.agreements.all()),
        provisions=Provision.objects.filter(
            evidence=claim, agreement__in=visible_records(user=user, queryset=Agreement.objects.all())
        )
        .select_related("agreement")
        .order_by("agreement__title", "order"),
        parties=AgreementParty.objects.filter(
            evidence=claim, agreement__in=visible_records(user=user, queryset=Agreement.objects.all())
        )
        .select_related("agreement", "actor")
        .order_by("agreement__title", "actor__name"),
        transfers=visible_records(user=user, queryset=claim.transfers.select_related("supplier", "recipient")),
        links_out=links_out,
        links_in=links_in,
    )


class ClaimMark(NamedTuple):
    """As much of a claim as a highlight in its source's text needs."""

    pk: int
    start: int
    end: int
    modality: str
    credibility: int
    status: str


def source_claims(*, user: User, source: Source) -> list[ClaimMark]:
    """The claims anchored in ``source`` that ``user`` may see, in reading order, as marks for the reader.

    A long article carries a thousand claims: plain values, not model instances.
    """
    rows = visible_claims(user=user, queryset=source.claims.all()).order_by("start", "pk")
    return [ClaimMark(*row) for row in rows.values_list(*ClaimMark._fields)]


class SubjectMarks(NamedTuple):
    """An actor that claims in a source are about, and which of those claims (their ids)."""

    slug: str
    name: str
    claims: frozenset[int]


def source_subjects(*, user: User, source: Source) -> list[SubjectMarks]:
    """The actors the visible claims of ``source`` are about, by name, each with those claims.

    What the reader's subject filter offers.

    One query over the source's claims' subject links, whatever else the knowledge base holds.
    """
    links = Claim.subjects.through.objects.filter(claim__in=visible_claims(user=user, queryset=source.claims.all()))
    found: dict[str, tuple[str, set[int]]] = {}
    for slug, name, claim in links.values_list("actor__slug", "actor__name", "claim_id").order_by("actor__name"):
        found.setdefault(slug, (name, set()))[1].add(claim)
    return [SubjectMarks(slug, name, frozenset(claims)) for slug, (name, claims) in found.items()]


def source_claim_page(*, user: User, source: Source, marks: Sequence[ClaimMark]) -> list[Claim]:
    """The claims of ``marks`` (some of ``source``'s) in full, in reading order, with their subjects."""
    claims = source.claims.filter(pk__in=[mark.pk for mark in marks])
    subjects = Prefetch("subjects", queryset=Actor.objects.only("pk", "name", "slug"))
    return list(visible_claims(user=user, queryset=claims).prefetch_related(subjects).order_by("start", "pk"))
