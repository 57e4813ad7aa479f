"""Sortable lists: column headers that sort by the FilterSet's own ``ordering`` keys (the API's too)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class SortColumn:
    """A column header that sorts: its label, the link that sorts by it, and how the list is sorted now."""

    label: str
    url: str
    direction: str = ""  # "ascending" or "descending" when the list is sorted by this column (aria-sort)

    @property
    def arrow(self) -> str:
        return {"ascending": "▲", "descending": "▼"}.get(self.direction, "")


def chosen_ordering(filterset) -> list[str]:
    """The ``ordering`` keys the address gives (valid ones only), e.g. ["-supplier"]."""
    if not filterset.is_valid():
        return []
    return list(filterset.form.cleaned_data.get("ordering") or [])


def order_fields(filterset, default: tuple[str, ...]) -> tuple[str, ...]:
    """The fields the list is ordered by: the address's ``ordering`` (then the id, to be stable), else ``default``."""
    chosen = chosen_ordering(filterset)
    if not chosen:
        return default
    ordering = filterset.filters["ordering"]
    return (*(ordering.get_ordering_value(key) for key in chosen), "-pk" if chosen[0].startswith("-") else "pk")


def sort_columns(request, filterset, columns: dict[str, str]) -> dict[str, SortColumn]:
    """Per sort key in ``columns`` ({key: label}): its header link, keeping the other filters and going to page 1.

    A first click sorts ascending; a click on the column the list is sorted by turns the direction.
    """
    keys = filterset.filters["ordering"].keys
    unknown = set(columns) - set(keys)
    if unknown:
        raise ImproperlyConfigured(f"{type(filterset).__name__} does not sort by {', '.join(sorted(unknown))}.")
    chosen = chosen_ordering(filterset)
    current = chosen[0] if chosen else ""
    found = {}
    for key, label in columns.items():
        direction = "ascending" if current == key else "descending" if current == f"-{key}" else ""
        query = request.GET.copy()
        query.pop("page", None)
        query["ordering"] = f"-{key}" if direction == "ascending" else key
        found[key] = SortColumn(label=label, url=f"?{query.urlencode()}", direction=direction)
    return found
