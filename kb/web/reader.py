"""The annotated reader: a source text cut into paragraphs and segments, each segment knowing its claims.

Claims may overlap or nest. The text of each paragraph is split at every claim boundary,
so each segment is covered by a fixed set of claims; the segment links to the innermost
of them (the shortest quote, then the lowest id), which makes the rendering deterministic.
``paragraphs_html`` marks paragraphs up, escaping every character of the text: an article
may carry a thousand claims in two thousand segments, more than a template renders quickly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb.choices import ClaimStatus, Modality
from kb.ingest.anchor import paragraph_around
from kb.links import record_path


@dataclass
class Segment:
    text: str
    claims: list = field(default_factory=list)
    # The claim the segment links to, and the anchor id when this is a claim's first segment.
    primary: object | None = None
    anchors: list[str] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return min(len(self.claims), 3)

    @property
    def claim_ids(self) -> str:
        return " ".join(str(c.pk) for c in self.claims)


def _innermost(claims: Sequence) -> object:
    return min(claims, key=lambda c: (c.end - c.start, c.pk))


def _paragraph_ranges(text: str) -> Iterable[tuple[int, int]]:
    at = 0
    for line in text.split("\n"):
        if line.strip():
            yield at, at + len(line)
        at += len(line) + 1


def segment_range(text: str, start: int, end: int, claims: Sequence, seen: set[int]) -> list[Segment]:
    """Segments of ``text[start:end]``; ``seen`` collects the claims whose anchor id has been given out."""
    inside = [c for c in claims if c.start < end and c.end > start]
    cuts = sorted({start, end, *(max(c.start, start) for c in inside), *(min(c.end, end) for c in inside)})
    segments = []
    for a, b in pairwise(cuts):
        covering = sorted((c for c in inside if c.start <= a and c.end >= b), key=lambda c: (c.start, c.pk))
        segment = Segment(text=text[a:b], claims=covering)
        if covering:
            segment.primary = _innermost(covering)
            for claim in covering:
                if claim.pk not in seen:
                    seen.add(claim.pk)
                    segment.anchors.append(f"q{claim.pk}")
        segments.append(segment)
    return segments


def annotate(text: str, claims: Iterable) -> list[list[Segment]]:
    """The paragraphs of ``text``, each a list of segments marked with the claims covering them."""
    claims = sorted(claims, key=lambda c: (c.start, c.pk))
    seen: set[int] = set()
    paragraphs = []
    # One pass over paragraphs and claims together: each paragraph sees only the claims that
    # reach into it (those still open from earlier paragraphs, and those starting in it).
    following, open_claims = 0, []
    for start, end in _paragraph_ranges(text):
        while following < len(claims) and claims[following].start < end:
            open_claims.append(claims[following])
            following += 1
        open_claims = [c for c in open_claims if c.end > start]
        paragraphs.append(segment_range(text, start, end, open_claims, seen))
    return paragraphs


def quote_in_paragraph(text: str, claim) -> list[Segment]:
    """The paragraph that holds ``claim``'s quote, with the quote marked."""
    start, end = paragraph_around(text, claim.start, claim.end)
    return segment_range(text, start, end, [claim], set())


def chosen_marks(
    marks: Iterable, *, modalities: Sequence[str], statuses: Sequence[str], about: frozenset[int] | None
) -> list:
    """The claims (marks) the reader highlights: of the chosen modalities and statuses (none chosen: any),
    and among ``about`` (the claims about the chosen subject) when one is chosen."""
    return [
        mark
        for mark in marks
        if (not modalities or mark.modality in modalities)
        and (not statuses or mark.status in statuses)
        and (about is None or mark.pk in about)
    ]


def paragraphs_html(paragraphs: Iterable[Sequence[Segment]], *, focus: int | None = None) -> list[SafeString]:
    """Each paragraph as HTML: each segment covered by claims is a highlight linking to its innermost claim.

    The first segment of each claim carries its ``q<id>`` anchor; the highlight's class
    gives the claim's modality, how deeply claims nest there, whether it is accepted, and
    whether it belongs to the ``focus`` claim (the one the reader chose to show).
    """
    modalities = {value: str(label) for value, label in Modality.choices}

    def highlight(segment: Segment) -> str:
        claim = segment.primary
        classes = f"hl hl-{claim.modality} depth-{segment.depth}"
        if segment.anchors:
            classes += " start"
        if claim.status != ClaimStatus.ACCEPTED:
            classes += " unreviewed"
        if focus is not None and any(c.pk == focus for c in segment.claims):
            classes += " focus"
        title = f"{modalities.get(claim.modality, claim.modality)}, credibility {claim.credibility}"
        if (others := len(segment.claims) - 1) > 0:
            title += f" (inside {others} other claim{'s' if others > 1 else ''})"
        anchor = f' id="{segment.anchors[0]}"' if segment.anchors else ""
        href = record_path("kb:claim-detail", claim.pk)
        more = "".join(f'<span id="{a}" class="anchor"></span>' for a in segment.anchors[1:])
        # Classes, ids and the link are made of choice values and numbers; the title and text are escaped.
        return (
            f'{more}<mark class="{classes}" data-claims="{segment.claim_ids}"><a href="{href}"'
            f'{anchor} title="{escape(title)}">{escape(segment.text)}</a></mark>'
        )

    return [
        mark_safe("".join(highlight(s) if s.primary is not None else escape(s.text) for s in segments))
        for segments in paragraphs
    ]
