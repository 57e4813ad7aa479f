"""The annotated reader: a source text cut into paragraphs and segments, each segment knowing its claims.

Claims may overlap or nest. The text of each paragraph is split at every claim boundary,
so each segment is covered by a fixed set of claims; the segment links to the innermost
of them (the shortest quote, then the lowest id), which makes the rendering deterministic.
The output is plain data: the template escapes every character of the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from kb.ingest.anchor import paragraph_around


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
    return [segment_range(text, start, end, claims, seen) for start, end in _paragraph_ranges(text)]


def quote_in_paragraph(text: str, claim) -> list[Segment]:
    """The paragraph that holds ``claim``'s quote, with the quote marked."""
    start, end = paragraph_around(text, claim.start, claim.end)
    return segment_range(text, start, end, [claim], set())
