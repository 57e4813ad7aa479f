"""What every page of the analyst UI shares: problems with the parameters, and pagination that forgives them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page

from kb.selectors.cache import CachedCountPaginator

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


# Numbered pages reach this many rows of a list: a deeper page would make the database step
# over every row before it. The CSV downloads and the API's cursor walk whole lists.
MAX_ROWS = 5_000


def paginate(
    request, items, problems: Problems, per_page: int = PER_PAGE, param: str = "page", count: int | None = None
) -> Page:
    """The requested page of ``items``; a malformed or out-of-range number shows page 1 or the last page.

    ``count``: the number of ``items`` when the page has counted them already (no second COUNT).
    Pages reach the first MAX_ROWS rows; the page says so (``page.last_reachable``).
    """
    paginator = CachedCountPaginator(items, per_page)
    if count is not None:
        paginator.count = count
    reachable = max(1, min(paginator.num_pages, MAX_ROWS // per_page))
    raw = request.GET.get(param, "1").strip() or "1"
    try:
        number = int(raw)
    except ValueError:
        problems.add(f"The page number “{raw[:20]}” is not a whole number; showing page 1.")
        number = 1
    if number < 1:
        problems.add(f"There is no page {number}; pages start at 1. Showing page 1.")
        number = 1
    elif number > paginator.num_pages:
        problems.add(f"There is no page {number}; there are {paginator.num_pages}. Showing page {reachable}.")
        number = reachable
    elif number > reachable:
        problems.add(
            f"Pages reach the first {MAX_ROWS:,} of {paginator.count:,}: narrow the filters to see the rest "
            f"(the CSV download and the API list every row). Showing page {reachable}."
        )
        number = reachable
    page = paginator.page(number)
    page.last_reachable = reachable
    return page
