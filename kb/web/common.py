"""What every page of the analyst UI shares: pagination that forgives bad input, and visible evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from kb import selectors
from kb.choices import ClaimStatus
from kb.models import Claim

PER_PAGE = 25


@dataclass
class Problems:
    """Messages about malformed parameters; any of them makes the page answer 400."""

    messages: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.messages.append(message)

    def extend(self, messages) -> None:
        self.messages.extend(messages)

    @property
    def status(self) -> int:
        return 400 if self.messages else 200

    def __bool__(self) -> bool:
        return bool(self.messages)


def paginate(request, items, problems: Problems, per_page: int = PER_PAGE, param: str = "page") -> Page:
    """The requested page of ``items``; a malformed or out-of-range number shows page 1 or the last page."""
    paginator = Paginator(items, per_page)
    raw = request.GET.get(param, "1").strip() or "1"
    try:
        number = int(raw)
    except ValueError:
        problems.add(f"The page number “{raw}” is not a whole number; showing page 1.")
        return paginator.page(1)
    if number < 1:
        problems.add(f"There is no page {number}; pages start at 1. Showing page 1.")
        return paginator.page(1)
    if number > paginator.num_pages:
        problems.add(f"There is no page {number}; there are {paginator.num_pages}. Showing the last page.")
        return paginator.page(paginator.num_pages)
    return paginator.page(number)


def visible_evidence(user, lookup: str = "evidence", to_attr: str | None = None) -> Prefetch:
    """Prefetch of the claims behind a record that ``user`` may see, with their sources."""
    queryset = selectors.visible_claims(user, Claim.objects.select_related("source")).order_by(
        "source__published_on", "source_id", "start"
    )
    return Prefetch(lookup, queryset=queryset, to_attr=to_attr)


def evidence_count(user, lookup: str = "evidence") -> Count:
    """An annotation counting the claims behind a record that ``user`` may see."""
    if selectors.is_editor(user):
        return Count(lookup, distinct=True)
    return Count(lookup, filter=Q(**{f"{lookup}__status": ClaimStatus.ACCEPTED}), distinct=True)


def visible(user, queryset: QuerySet) -> QuerySet:
    """Shorthand for the records of ``queryset`` that ``user`` may see."""
    return selectors.visible_records(user, queryset)
