"""Who sees what: editors see everything, everyone else public sources, accepted claims and the records they back."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q

from kb.choices import ClaimStatus
from kb.models import Agreement, ArmsTransfer, Claim, ClaimLink, Event, Relationship, Source

EDITORS_GROUP = "Editors"
# Records that exist for analysts only when an accepted claim backs them.
BACKED_MODELS = (Relationship, Event, Agreement, ArmsTransfer)

# Anyone who reads: a signed-in account, an anonymous visitor, or nobody (commands, scripts).
User = AbstractBaseUser | AnonymousUser | None


def is_editor(user: User) -> bool:
    """Editors see and write everything: superusers and members of the Editors group."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_kb_is_editor", None)
    if cached is None:
        cached = user.groups.filter(name=EDITORS_GROUP).exists()
        user._kb_is_editor = cached
    return cached


class _Accepted(models.Value):
    """The status 'accepted' written into the SQL, not passed as a parameter.

    SQLite reads its partial index of accepted claims (``kb_claim_accepted``, migration 0003)
    without the claims' rows only when the query names the status as the index does; bound
    as a parameter, each claim's row is read to compare its status.
    """

    def __init__(self) -> None:
        super().__init__(ClaimStatus.ACCEPTED.value, output_field=models.CharField())

    def as_sql(self, compiler, connection):
        return f"'{self.value}'", []


def claim_visibility_q(*, user: User, prefix: str = "") -> Q:
    """The condition on claims (reached through ``prefix``, such as ``claim__``) that ``user`` may see them."""
    return Q() if is_editor(user) else Q(**{f"{prefix}status": _Accepted()})


def visible_claims(*, user: User, queryset: models.QuerySet[Claim] | None = None) -> models.QuerySet[Claim]:
    """Claims ``user`` may see: all for editors, accepted ones for everyone else."""
    queryset = Claim.objects.all() if queryset is None else queryset
    return queryset if is_editor(user) else queryset.filter(claim_visibility_q(user=user))


def visible_sources(*, user: User, queryset: models.QuerySet[Source] | None = None) -> models.QuerySet[Source]:
    """Sources ``user`` may see: all for editors; for everyone else the public ones.

    A source is public once an editor has accepted one of its claims or published it
    (``Source.published_at``, kb/services/sources.py), so a fresh ingest waits for review.
    A stored column, not a test of the claims: a list of readers' sources reads its rows in
    the order of the partial index ``source_public_order``. An accepted claim's source is
    always public (accepting publishes it, and a source with accepted claims cannot be made
    private again), so claims and records need no test of their sources.
    """
    queryset = Source.objects.all() if queryset is None else queryset
    return queryset if is_editor(user) else queryset.filter(published_at__isnull=False)


def visible_records(*, user: User, queryset: models.QuerySet) -> models.QuerySet:
    """Relationships, events, agreements and transfers ``user`` may see.

    Editors see every record; everyone else sees those backed by at least one accepted claim.
    """
    if is_editor(user) or queryset.model not in BACKED_MODELS:
        return queryset
    through = queryset.model.evidence.through
    own = f"{queryset.model._meta.model_name}_id"
    accepted = through.objects.filter(claim_visibility_q(user=user, prefix="claim__"), **{own: OuterRef("pk")})
    return queryset.filter(Exists(accepted))


def visible_evidence(
    *, user: User, claims: models.QuerySet[Claim] | None = None, to_attr: str | None = None
) -> Prefetch:
    """Prefetch of a record's ``evidence``: the claims behind it that ``user`` may see.

    ``claims`` gives their joins and order; by default each comes with its source, in the
    order the sources were published.
    """
    if claims is None:
        claims = Claim.objects.select_related("source").order_by("source__published_on", "source_id", "start")
    return Prefetch("evidence", queryset=visible_claims(user=user, queryset=claims), to_attr=to_attr)


def visible_links(
    *, user: User, queryset: models.QuerySet[ClaimLink], end: str = "to_claim"
) -> models.QuerySet[ClaimLink]:
    """Links between claims whose other ``end`` (``to_claim`` or ``from_claim``) ``user`` may see."""
    if is_editor(user):
        return queryset
    # Checked per link (an index lookup), not against the list of every visible claim.
    return queryset.filter(Exists(visible_claims(user=user).filter(pk=OuterRef(f"{end}_id"))))
