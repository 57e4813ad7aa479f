"""Search snippets: the text around a match, escaped, with every match of the query wrapped in <mark>."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb.selectors import search_pattern


def highlight(text: str, q: str, width: int = 90) -> SafeString:
    """An HTML snippet of ``text`` around the first match of ``q``, every match wrapped in <mark>.

    Everything else is escaped; a text without a match gives its escaped opening.
    """
    text = text or ""
    pattern = search_pattern(q)
    first = re.search(pattern, text) if pattern else None
    if first is None:
        cut = text[: 2 * width]
        return mark_safe(escape(cut) + ("…" if len(text) > len(cut) else ""))
    lo = max(0, first.start() - width)
    hi = min(len(text), first.end() + width)
    if lo > 0:
        space = text.find(" ", lo, first.start())
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", first.end(), hi)
        hi = space if space != -1 else hi
    window = text[lo:hi]
    parts, at = [], 0
    for match in re.finditer(pattern, window):
        parts.append(escape(window[at : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        at = match.end()
    parts.append(escape(window[at:]))
    return mark_safe(("…" if lo > 0 else "") + "".join(parts) + ("…" if hi < len(text) else ""))
