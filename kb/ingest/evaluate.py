"""Scoring proposed claims against curated ones: claim overlap, subject actors, modality and dates.

A proposed claim matches a curated claim of the same source when their character spans
overlap by at least half of the shorter of the two (a proposed sentence that holds a
curated clause matches it). Matching is one-to-one, largest overlap first. Precision
and recall are then counted on claims, on (claim, subject actor) pairs of matched
claims, and on the actors recognised in each article against the curated subjects.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

MATCH_THRESHOLD = 0.5


@dataclass(frozen=True)
class ClaimSpan:
    """What scoring needs of one claim, proposed or curated."""

    start: int
    end: int
    modality: str
    subjects: frozenset[str] = frozenset()
    about: str | None = None


def overlap(a: ClaimSpan, b: ClaimSpan) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def match(proposed: list[ClaimSpan], curated: list[ClaimSpan], threshold: float = MATCH_THRESHOLD):
    """One-to-one pairs (proposed index, curated index) whose overlap is at least ``threshold`` of the shorter."""
    pairs = []
    for i, p in enumerate(proposed):
        for j, c in enumerate(curated):
            shared = overlap(p, c)
            if shared and shared >= threshold * min(p.end - p.start, c.end - c.start):
                pairs.append((shared, i, j))
    used_p, used_c, matched = set(), set(), []
    for _shared, i, j in sorted(pairs, key=lambda t: (-t[0], t[1], t[2])):
        if i not in used_p and j not in used_c:
            used_p.add(i)
            used_c.add(j)
            matched.append((i, j))
    return sorted(matched)


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


@dataclass
class Scores:
    """Counts for one or more articles, and the precision and recall they give."""

    proposed: int = 0
    curated: int = 0
    matched: int = 0
    subject_tp: int = 0
    subject_fp: int = 0
    subject_fn: int = 0
    actor_tp: int = 0
    actor_fp: int = 0
    actor_fn: int = 0
    modality_agree: int = 0
    dated: int = 0
    date_agree: int = 0
    confusion: Counter = field(default_factory=Counter)  # (curated modality, proposed modality) -> count

    def __add__(self, other: Scores) -> Scores:
        total = Scores()
        for name in self.__dataclass_fields__:
            setattr(total, name, getattr(self, name) + getattr(other, name))
        return total

    def figures(self) -> dict[str, float]:
        return {
            "claim_precision": _ratio(self.matched, self.proposed),
            "claim_recall": _ratio(self.matched, self.curated),
            "subject_precision": _ratio(self.subject_tp, self.subject_tp + self.subject_fp),
            "subject_recall": _ratio(self.subject_tp, self.subject_tp + self.subject_fn),
            "actor_precision": _ratio(self.actor_tp, self.actor_tp + self.actor_fp),
            "actor_recall": _ratio(self.actor_tp, self.actor_tp + self.actor_fn),
            "modality_agreement": _ratio(self.modality_agree, self.matched),
            "date_agreement": _ratio(self.date_agree, self.dated),
        }


def score(
    proposed: list[ClaimSpan],
    curated: list[ClaimSpan],
    *,
    recognised: Iterable[str] = (),
) -> Scores:
    """Score one article's proposals; ``recognised`` are the actors the ingest reported for it."""
    scores = Scores(proposed=len(proposed), curated=len(curated))
    for i, j in match(proposed, curated):
        p, c = proposed[i], curated[j]
        scores.matched += 1
        scores.subject_tp += len(p.subjects & c.subjects)
        scores.subject_fp += len(p.subjects - c.subjects)
        scores.subject_fn += len(c.subjects - p.subjects)
        scores.modality_agree += p.modality == c.modality
        scores.confusion[(c.modality, p.modality)] += 1
        if c.about:
            scores.dated += 1
            scores.date_agree += p.about == c.about
    expected = set().union(*(c.subjects for c in curated)) if curated else set()
    found = set(recognised)
    scores.actor_tp, scores.actor_fp, scores.actor_fn = (
        len(found & expected),
        len(found - expected),
        len(expected - found),
    )
    return scores
