"""Dossiers: everything the knowledge base holds about one actor, claim or source that a reader may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Prefetch, Q

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
from kb.selectors.counts import counts
from kb.selectors.visibility import User, visible_claims, visible_evidence, visible_links, visible_records

# Each section of an actor's dossier holds at most this many records, with its total: the
# most-mentioned actors have thousands, and the page must stay fast.
SECTION_LIMIT = 50


def party_links() -> Prefetch:
    """Prefetch of an agreement's parties, with their actors and signatories, by name."""
    return Prefetch(
        "party_links", queryset=AgreementParty.objects.select_related("actor", "signatory").order_by("actor__name")
    )


def _linked(model: type[models.Model], field: str, actor: Actor) -> Q:
    """Rows of ``model`` linked to ``actor`` through the many-to-many ``field``, without a join (no DISTINCT)."""
    through = model._meta.get_field(field).remote_field.through
    own = model._meta.get_field(field).m2m_field_name()
    return Q(pk__in=through._default_manager.filter(actor=actor).values(own))


@dataclass
class ActorDossier:
    """An actor's records by section (each at most ``limit`` long), each section's total, and its claims."""

    actor: Actor
    relationships: list[Relationship]
    events: list[Event]
    agreements: list[Agreement]
    transfers: list[ArmsTransfer]
    totals: dict[str, int]  # relationship_count, event_count, agreement_count, transfer_count
    claims: models.QuerySet[Claim]  # unbounded: the page paginates them
    limit: int

    @property
    def supplied(self) -> list[ArmsTransfer]:
        return [t for t in self.transfers if t.supplier_id == self.actor.pk]

    @property
    def received(self) -> list[ArmsTransfer]:
        return [t for t in self.transfers if t.recipient_id == self.actor.pk]


def actor_dossier(*, user: User, actor: Actor, limit: int = SECTION_LIMIT) -> ActorDossier:
    """What ``user`` may see about ``actor``, by section, with every section's total.

    Relationships (either end), events (as participant or place), agreements (as party or
    signatory), transfers (either way) and the claims about it. Each section is read once,
    at most ``limit`` rows; the four totals come together in one query.
    """
    relationship_qs = visible_records(
        user=user, queryset=Relationship.objects.filter(Q(subject=actor) | Q(object=actor))
    )
    event_qs = visible_records(
        user=user, queryset=Event.objects.filter(_linked(Event, "participants", actor) | Q(place=actor))
    )
    signed = AgreementParty.objects.filter(signatory=actor).values("agreement_id")
    agreement_qs = visible_records(
        user=user, queryset=Agreement.objects.filter(_linked(Agreement, "parties", actor) | Q(pk__in=signed))
    )
    transfer_qs = visible_records(
        user=user, queryset=ArmsTransfer.objects.filter(Q(supplier=actor) | Q(recipient=actor))
    )
    relationships = list(
        relationship_qs.select_related("subject", "object")
        .prefetch_related(visible_evidence(user=user))
        .order_by("predicate", "subject__name", "object__name")[:limit]
    )
    events = list(event_qs.select_related("place").order_by("start_on", "title")[:limit])
    agreements = list(agreement_qs.select_related("signed_place").prefetch_related(party_links())[:limit])
    transfers = list(
        transfer_qs.select_related("supplier", "recipient")
        .prefetch_related(visible_evidence(user=user, to_attr="visible_evidence"))
        .order_by("-start_on", "pk")[:limit]
    )
    totals = counts(
        relationship_count=relationship_qs,
        event_count=event_qs,
        agreement_count=agreement_qs,
        transfer_count=transfer_qs,
    )
    claims = (
        visible_claims(user=user, queryset=Claim.objects.filter(subjects=actor))
        .select_related("source")
        .order_by("-source__published_on", "source_id", "start")
    )
    return ActorDossier(actor, relationships, events, agreements, transfers, totals, claims, limit)


@dataclass
class ClaimDossier:
    """A claim with the records it backs and the claims linked to it, as far as the reader may see them."""

    claim: Claim
    relationships: models.QuerySet[Relationship]
    events: models.QuerySet[Event]
    agreements: models.QuerySet[Agreement]
    provisions: models.QuerySet[Provision]
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
        transfers=visible_records(user=user, queryset=claim.transfers.select_related("supplier", "recipient")),
        links_out=links_out,
        links_in=links_in,
    )


def source_claims(*, user: User, source: Source) -> list[Claim]:
    """The claims anchored in ``source`` that ``user`` may see, in reading order, with speaker and subjects."""
    return list(
        visible_claims(user=user, queryset=source.claims.all())
        .select_related("speaker")
        .prefetch_related(Prefetch("subjects", queryset=Actor.objects.only("pk", "name", "slug")))
        .order_by("start", "pk")
    )
