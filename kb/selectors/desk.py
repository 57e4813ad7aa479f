"""The editors' review desk: the queue of proposed claims, one at a time, and what waits for review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from kb.choices import ClaimStatus, DraftKind, DraftStatus
from kb.models import AgreementParty, ArmsTransfer, Claim, Draft, Relationship
from kb.selectors.counts import counts

ORDERS = ("oldest", "newest")
# The desk shows at most this many drafts beside a claim (its own, and the new names of its source).
DESK_DRAFTS = 30
# "Reviewed this week" reads at most this many of the week's latest history rows of claims.
WEEK_HISTORY_BOUND = 5_000


def review_queue(*, source: int | None = None, subjects: list[int] | None = None) -> models.QuerySet[Claim]:
    """Proposed claims, of one source and about every one of ``subjects`` when given (unordered)."""
    queue = Claim.objects.filter(status=ClaimStatus.PROPOSED)
    if source is not None:
        queue = queue.filter(source_id=source)
    for actor in subjects or ():
        # a correlated EXISTS keeps the review-queue index's order: a join would read all the actor's claims first
        tagged = Claim.subjects.through.objects.filter(claim=OuterRef("pk"), actor_id=actor)
        queue = queue.filter(Exists(tagged))
    return queue


def _ordered(queue: models.QuerySet[Claim], order: str) -> models.QuerySet[Claim]:
    # The order of the claim_review_queue index (status, created_at), ties broken by id.
    return queue.order_by("-created_at", "-pk") if order == "newest" else queue.order_by("created_at", "pk")


def _after(claim: Claim, order: str) -> Q:
    """Claims that come after ``claim`` in the queue's ``order``.

    Written as a range on created_at (what the review-queue index reads from) less the ties
    that do not come after: an OR of the two cases would make the database walk the index.
    """
    if order == "newest":
        return Q(created_at__lte=claim.created_at) & ~Q(created_at=claim.created_at, pk__gte=claim.pk)
    return Q(created_at__gte=claim.created_at) & ~Q(created_at=claim.created_at, pk__lte=claim.pk)


@dataclass
class DeskPlace:
    """The claim the desk shows, where it stands in the queue, and how many wait."""

    claim: Claim | None
    waiting: int
    position: int  # 1-based place of ``claim`` among the waiting claims; 0 without a claim
    passed: int = 0  # waiting claims before the cursor when the desk has reached the queue's end


def desk_place(
    *,
    source: int | None = None,
    subjects: list[int] | None = None,
    order: str = "oldest",
    after: Claim | None = None,
    claim: Claim | None = None,
) -> DeskPlace:
    """The claim to review: ``claim`` when given and waiting, else the first after ``after``, else the first.

    Three queries at most, each an index range: the claim (and its subjects), then the number
    waiting and its place together.
    """
    queue = review_queue(source=source, subjects=subjects)
    shown = claim
    if shown is None:
        rest = queue.filter(_after(after, order)) if after is not None else queue
        shown = _ordered(rest, order).select_related("source", "speaker").prefetch_related("subjects").first()
    if shown is None:
        waiting = queue.count()
        return DeskPlace(claim=None, waiting=waiting, position=0, passed=waiting)
    before = queue.filter(_after(shown, "newest" if order == "oldest" else "oldest"))
    found = counts(waiting=queue, before=before)
    return DeskPlace(claim=shown, waiting=found["waiting"], position=found["before"] + 1)


@dataclass
class ClaimDrafts:
    """The proposed drafts that come with a claim: its own, then the new names found in its source."""

    own: list[Draft]
    names: list[Draft]
    names_waiting: int  # how many new names of the source wait, ``names`` being the first DESK_DRAFTS


def claim_drafts(claim: Claim) -> ClaimDrafts:
    """The proposed drafts drawn from ``claim``, and the new names found in its source, each at most DESK_DRAFTS.

    Two queries, each bounded by an index (the claim's draft links; the source's drafts by
    status), so that a source with many new names does not hide the claim's own drafts.
    The new names its quote mentions come first, then in the order they were made.
    """
    proposed = Draft.objects.filter(status=DraftStatus.PROPOSED).select_related("target_type")
    # The record each would change, fetched per type of record, not per draft.
    links = Draft.claims.through.objects.filter(claim=claim).values("draft_id")  # read by the link's claim index
    own = proposed.filter(pk__in=links).exclude(kind=DraftKind.ACTOR).order_by("created_at", "pk")
    mentioned = Exists(Draft.claims.through.objects.filter(draft=OuterRef("pk"), claim=claim))
    names = proposed.filter(source_id=claim.source_id, kind=DraftKind.ACTOR)
    first = names.annotate(mentioned=mentioned).order_by("-mentioned", "created_at", "pk")
    shown_names = list(first.prefetch_related("target")[:DESK_DRAFTS])
    waiting = len(shown_names) if len(shown_names) < DESK_DRAFTS else names.count()
    return ClaimDrafts(own=list(own.prefetch_related("target")[:DESK_DRAFTS]), names=shown_names, names_waiting=waiting)


def draft_desk_claim() -> Coalesce:
    """The id of the claim the desk shows a draft with: its own first claim, else (a new name) its source's first."""
    own = Draft.claims.through.objects.filter(draft=OuterRef("pk")).order_by("claim_id").values("claim_id")[:1]
    of_source = Claim.objects.filter(source=OuterRef("source_id")).order_by("start").values("pk")[:1]
    return Coalesce(Subquery(own), Subquery(of_source), output_field=models.BigIntegerField())


def waiting_drafts(*, source: int | None = None) -> tuple[list[Draft], int]:
    """Proposed drafts (of one source when given), oldest first, at most DESK_DRAFTS, and how many there are.

    For the desk's end of the queue: drafts whose claims were reviewed before the drafts were.
    """
    drafts = Draft.objects.filter(status=DraftStatus.PROPOSED)
    if source is not None:
        drafts = drafts.filter(source_id=source)
    shown = list(drafts.annotate(at_claim=draft_desk_claim()).order_by("created_at", "pk")[:DESK_DRAFTS])
    return shown, (len(shown) if len(shown) < DESK_DRAFTS else drafts.count())


@dataclass
class QueueSummary:
    """What waits for review, for the admin's index: counts, the oldest one's age, who reviewed lately."""

    proposed: int
    oldest: dt.datetime | None
    reviewed: list[tuple[str, int]] = field(default_factory=list)
    reviewed_bounded: bool = False
    drafts: int | None = None


def queue_summary(*, now: dt.datetime | None = None) -> QueueSummary:
    """Proposed claims (their count and oldest, from the review-queue index) and this week's reviews per editor.

    The week's reviews are read from the claims' history: the latest WEEK_HISTORY_BOUND rows of
    the last seven days (history is indexed by date) of claims reviewed in those days, each claim
    counted once for its reviewer.
    """
    now = now or timezone.now()
    proposed = Claim.objects.filter(status=ClaimStatus.PROPOSED)
    oldest = proposed.order_by("created_at").values_list("created_at", flat=True).first()
    history = Claim.history.model.objects
    recent = (
        history.filter(history_date__gte=now - dt.timedelta(days=7), reviewed_at__gte=now - dt.timedelta(days=7))
        .exclude(status=ClaimStatus.PROPOSED)
        .order_by("-history_date")
        .values_list("history_id", flat=True)[:WEEK_HISTORY_BOUND]
    )
    ids = list(recent)
    reviewed = (
        history.filter(history_id__in=ids)
        .exclude(reviewed_by=None)
        .values_list("reviewed_by__username")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n", "reviewed_by__username")
    )
    return QueueSummary(
        proposed=proposed.count(),
        oldest=oldest,
        reviewed=[(name, n) for name, n in reviewed],
        reviewed_bounded=len(ids) >= WEEK_HISTORY_BOUND,
        drafts=Draft.objects.filter(status=DraftStatus.PROPOSED).count(),
    )


def with_targets(drafts: models.QuerySet[Draft]) -> models.QuerySet[Draft]:
    """``drafts`` with the record each would change (``target``) and made (``record``), and what their names read.

    A transfer's name reads its supplier and recipient, a relationship's its two ends, an agreement
    party's its actor and agreement: read with them, a list of drafts costs the same few queries
    whatever its length and whatever its drafts point at.
    """
    named = (
        ArmsTransfer.objects.select_related("supplier", "recipient"),
        Relationship.objects.select_related("subject", "object"),
        AgreementParty.objects.select_related("actor", "agreement"),
    )
    return drafts.prefetch_related(*(GenericPrefetch(name, list(named)) for name in ("target", "record")))
