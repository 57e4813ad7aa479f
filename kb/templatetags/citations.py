"""How the analyst UI cites a source: "Author, *Title* (Publisher, date)", leaving out what is unknown."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


def citation_html(source, url: str = "") -> SafeString:
    """``source`` cited as "Author, <cite>Title</cite> (Publisher, date)".

    The author is the byline as printed; the date is said as its precision allows ("1 July
    2024", "June 2024", "2024"). A part the source does not record is left out, with its
    comma and brackets. With ``url`` the title links there. Reads no relation: a list may
    cite many sources without a query each.
    """
    title = format_html('<a href="{}">{}</a>', url, source.title) if url else source.title
    parts = [format_html('<cite class="cite-title">{}</cite>', title)]
    if source.byline:
        parts.insert(0, format_html('<span class="cite-author">{}</span>, ', source.byline))
    where = [p for p in (source.publisher, source.published.display() if source.published else "") if p]
    if where:
        parts.append(format_html(" ({})", ", ".join(where)))
    return format_html('<span class="citation">{}</span>', format_html_join("", "{}", ((p,) for p in parts)))


@register.simple_tag
def citation(source, url: str = "") -> SafeString:
    """``{% citation source %}`` or ``{% citation source url %}``: see citation_html."""
    return citation_html(source, url)


@register.simple_tag
def claim_citation(claim) -> SafeString:
    """``{% claim_citation claim %}``: the claim's source cited, its title linking to the quote in the reader."""
    return citation_html(claim.source, f"{claim.source.get_absolute_url()}#q{claim.pk}")
