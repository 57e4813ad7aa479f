"""Scoring proposed claims against curated ones: claim overlap, subject actors, modality and dates.

A proposed claim matches a curated claim of the same source when their character spans
overlap by at least half of the shorter of the two: a proposed sentence that holds a
curated clause matches it. Curated claims are often clauses, several to a sentence, so
a proposal may match several of them. Claim precision is the share of proposals that
match some curated claim; claim recall is the share of curated claims matched by some
proposal. Each matched curated claim is then compared with its best proposal (largest
overlap): its modality, its date (precision: proposed dates that are right; recall: curated dates
found), the agreements, events and transfers it is evidence of, and its subject actors (precision and recall over
(claim, actor) pairs). Actors recognised in an article are compared with the union of
the curated claims' subjects.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from kb.ingest.normalize import normalize_name

MATCH_THRESHOLD = 0.5


@dataclass(frozen=True)
class ClaimSpan:
    """What scoring needs of one claim, proposed or curated."""

    start: int
    end: int
    modality: str
    subjects: frozenset[str] = frozenset()
    about: str | None = None
    links: frozenset[str] = frozenset()  # records it is evidence of, e.g. "agreement:csp-2024"
    speaker: str | None = None
    attributed_to: str = ""


def overlap(a: ClaimSpan, b: ClaimSpan) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def matches(p: ClaimSpan, c: ClaimSpan, threshold: float = MATCH_THRESHOLD) -> bool:
    shared = overlap(p, c)
    return bool(shared) and shared >= threshold * min(p.end - p.start, c.end - c.start)


def match(proposed: list[ClaimSpan], curated: list[ClaimSpan]) -> list[tuple[int, int]]:
    """(proposed index, curated index) for each matched curated claim and its best proposal."""
    pairs = []
    for j, c in enumerate(curated):
        candidates = [(overlap(p, c), -i) for i, p in enumerate(proposed) if matches(p, c)]
        if candidates:
            pairs.append((-max(candidates)[1], j))
    return pairs


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


@dataclass
class Scores:
    """Counts for one or more articles, and the precision and recall they give."""

    proposed: int = 0
    curated: int = 0
    matched: int = 0  # curated claims matched by a proposal
    useful: int = 0  # proposals that match some curated claim
    subject_tp: int = 0
    subject_fp: int = 0
    subject_fn: int = 0
    link_tp: int = 0
    link_fp: int = 0
    link_fn: int = 0
    actor_tp: int = 0
    actor_fp: int = 0
    actor_fn: int = 0
    modality_agree: int = 0
    dated: int = 0  # matched curated claims with a date
    date_agree: int = 0  # ... whose proposal has the same date
    proposed_dated: int = 0  # matched pairs whose proposal has a date
    proposed_date_right: int = 0  # ... equal to the curated claim's
    attributions: int = 0  # matched pairs attributed by the curator or by the proposal
    attribution_agree: int = 0  # ... with the same speaker and attribution (attribution_agrees)
    confusion: Counter = field(default_factory=Counter)  # (curated modality, proposed modality) -> count

    def __add__(self, other: Scores) -> Scores:
        total = Scores()
        for name in self.__dataclass_fields__:
            setattr(total, name, getattr(self, name) + getattr(other, name))
        return total

    def figures(self) -> dict[str, float]:
        return {
            "claim_precision": _ratio(self.useful, self.proposed),
            "claim_recall": _ratio(self.matched, self.curated),
            "subject_precision": _ratio(self.subject_tp, self.subject_tp + self.subject_fp),
            "subject_recall": _ratio(self.subject_tp, self.subject_tp + self.subject_fn),
            "link_precision": _ratio(self.link_tp, self.link_tp + self.link_fp),
            "link_recall": _ratio(self.link_tp, self.link_tp + self.link_fn),
            "actor_precision": _ratio(self.actor_tp, self.actor_tp + self.actor_fp),
            "actor_recall": _ratio(self.actor_tp, self.actor_tp + self.actor_fn),
            "modality_agreement": _ratio(self.modality_agree, self.matched),
            "date_precision": _ratio(self.proposed_date_right, self.proposed_dated),
            "date_recall": _ratio(self.date_agree, self.dated),
            "attribution_agreement": _ratio(self.attribution_agree, self.attributions),
        }


def score(
    proposed: list[ClaimSpan],
    curated: list[ClaimSpan],
    *,
    recognised: Iterable[str] = (),
) -> Scores:
    """Score one article's proposals; ``recognised`` are the actors the ingest reported for it."""
    scores = Scores(proposed=len(proposed), curated=len(curated))
    scores.useful = sum(any(matches(p, c) for c in curated) for p in proposed)
    for i, j in match(proposed, curated):
        p, c = proposed[i], curated[j]
        scores.matched += 1
        scores.subject_tp += len(p.subjects & c.subjects)
        scores.subject_fp += len(p.subjects - c.subjects)
        scores.subject_fn += len(c.subjects - p.subjects)
        scores.link_tp += len(p.links & c.links)
        scores.link_fp += len(p.links - c.links)
        scores.link_fn += len(c.links - p.links)
        scores.modality_agree += p.modality == c.modality
        scores.confusion[(c.modality, p.modality)] += 1
        if c.speaker or c.attributed_to or p.speaker or p.attributed_to:
            scores.attributions += 1
            scores.attribution_agree += _attribution_agrees(c, p)
        if c.about:
            scores.dated += 1
            scores.date_agree += p.about == c.about
        if p.about:
            scores.proposed_dated += 1
            scores.proposed_date_right += p.about == c.about
    expected = set().union(*(c.subjects for c in curated)) if curated else set()
    found = set(recognised)
    scores.actor_tp, scores.actor_fp, scores.actor_fn = (
        len(found & expected),
        len(found - expected),
        len(expected - found),
    )
    return scores


def name_form(value: str | None) -> str:
    """A name or attribution as compared: normalised (case, accents, hyphens, dots), without a leading "the"."""
    form = normalize_name(value or "")
    return form[4:] if form.startswith("the ") else form


def attribution_agrees(speaker: str | None, said: str | None, found_speaker: str | None, found: str | None) -> bool:
    """The same speaker slug (or none), and attributed-to texts of which one holds the other (or both empty)."""
    if speaker != found_speaker:
        return False
    said, found = name_form(said), name_form(found)
    if not said or not found:
        return not said and not found
    return said in found or found in said


def _attribution_agrees(curated: ClaimSpan, proposed: ClaimSpan) -> bool:
    return attribution_agrees(curated.speaker, curated.attributed_to, proposed.speaker, proposed.attributed_to)
