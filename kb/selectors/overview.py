"""The whole knowledge base at a glance: its totals and latest records."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from kb.choices import ClaimStatus
from kb.models import Actor, Agreement, ArmsTransfer, Claim, Event
from kb.selectors.cache import cached
from kb.selectors.counts import counts
from kb.selectors.dossiers import party_links
from kb.selectors.visibility import User, visible_claims, visible_records, visible_sources


@dataclass
class Overview:
    """Totals by type, the latest accepted claims, recent agreements, transfers and dated events."""

    totals: dict[str, int]  # actors, sources, claims, agreements, transfers, events, dated_events
    latest: models.QuerySet[Claim]
    agreements: models.QuerySet[Agreement]
    transfers: models.QuerySet[ArmsTransfer]
    events: list[Event]  # the most recent dated events, newest first


def kb_overview(*, user: User, claims: int, records: int, events: int) -> Overview:
    """What ``user`` may see of the knowledge base: every total (one query, cached), and a few of the latest records.

    ``claims``, ``records`` and ``events`` bound how many claims, agreements and transfers,
    and dated events are read.
    """
    agreements = visible_records(user=user, queryset=Agreement.objects.all())
    transfers = visible_records(user=user, queryset=ArmsTransfer.objects.all())
    visible_events = visible_records(user=user, queryset=Event.objects.all())
    dated = visible_events.filter(start_on__isnull=False)
    totals = cached(
        "overview-totals",
        lambda: counts(
            actors=Actor.objects.all(),
            sources=visible_sources(user=user),
            claims=visible_claims(user=user),
            agreements=agreements,
            transfers=transfers,
            events=visible_events,
            dated_events=dated,
        ),
        user=user,
    )
    return Overview(
        totals=totals,
        # The latest accepted claims, whoever reads: the overview shows what has been reviewed.
        latest=Claim.objects.filter(status=ClaimStatus.ACCEPTED)
        .select_related("source")
        .order_by("-reviewed_at", "-pk")[:claims],
        agreements=agreements.select_related("signed_place")
        .prefetch_related(party_links())
        .order_by("-signed_on", "title")[:records],
        transfers=transfers.select_related("supplier", "recipient").order_by("-start_on", "pk")[:records],
        events=list(dated.order_by("-start_on", "title")[:events]),
    )
