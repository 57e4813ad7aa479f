"""How the analyst UI writes partial dates in lists: ``{{ e.start|span_in_list:e.end }}``."""

from __future__ import annotations

from django import template

from kb.dates import PartialDate
from kb.dates import span_in_list as _span_in_list

register = template.Library()


@register.filter
def span_in_list(start: PartialDate | None, end: PartialDate | None) -> str:
    """The span from ``start`` to ``end`` as a list under ``start``'s year heading says it (kb.dates.span_in_list)."""
    return _span_in_list(start, end)
