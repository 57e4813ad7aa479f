"""Scoring proposals against a sentence-level gold annotation (the development set): pure, with every miss listed.

A proposal matches a gold sentence when their spans overlap by at least half of the
shorter (as on the corpus). Each gold sentence worth citing is proposed when some proposal
matches it; its best proposal (largest overlap) is then compared with it: modality, date
(the same string, so the same precision), subject actors, attribution (speaker slug and
attributed-to text) and the records it cites. New names are compared with the candidates
ingest reported; a candidate that is no gold name and is made only of common words is
counted as a common word offered as a name. Drafts are compared by kind and the keys the
annotation gives, one proposed draft for one gold draft.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kbdev.ingest_eval.scoring import ClaimSpan, attribution_agrees, match, matches, name_form

# Words that a capitalised run made only of them cannot be a proper name with (headings, sentence
# openers, titles, months); a word the article itself also writes in lower case counts as common too.
_COMMON_WORDS = """
    a an the this that these those it its his her their our my your he she they we i you
    in on at by for from of to with without about after before since until during over under
    and or but nor not no yet so if as than then when while where who what which why how
    all any both each every few more most other some such one two three first second last next
    is are was were be been has have had will would can could may might must shall should
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    spring summer autumn fall winter today yesterday tomorrow week month year day
    mr mrs ms dr president minister prime foreign defence defense secretary leader chairman comrade
    general spokesman spokeswoman ambassador deputy chief head official officials state
    senior fellow correspondent editor reporter staff columnist director professor researcher analyst
    said says according reported reports analysis opinion news update updated related stories
    read also more share comments photo image video
"""
COMMON_WORDS = frozenset(_COMMON_WORDS.split())


@dataclass(frozen=True)
class Gold:
    """One annotated sentence anchored in the extracted text."""

    start: int
    end: int
    text: str
    cite: bool
    modality: str = ""
    subjects: frozenset[str] = frozenset()
    about: str | None = None
    speaker: str | None = None
    attributed_to: str | None = None
    cites: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Miss:
    """One disagreement between ingest and the gold annotation, for the verbose listing."""

    kind: str  # "not proposed", "modality", "date", "subjects", "attribution", "name", "common word", ...
    text: str
    detail: str = ""


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass
class SentenceScores:
    """Counts for one or more development articles, the figures they give, and the misses behind them."""

    worth_citing: int = 0  # gold sentences worth citing
    proposed_worth: int = 0  # ... matched by a proposal
    proposals: int = 0
    proposals_useful: int = 0  # proposals matching a sentence worth citing
    modality_agree: int = 0
    dated: int = 0  # matched gold sentences with a date
    date_found: int = 0  # ... whose proposal has the same date
    proposed_dated: int = 0  # matched proposals with a date
    proposed_date_right: int = 0
    subject_tp: int = 0
    subject_fp: int = 0
    subject_fn: int = 0
    attributions: int = 0  # matched sentences attributed in the gold or by the proposal
    attribution_agree: int = 0
    names: int = 0
    names_found: int = 0
    common_words: int = 0  # candidates offered that are common words
    cites: int = 0
    cites_found: int = 0
    cites_extra: int = 0
    drafts: int = 0
    drafts_found: int = 0
    drafts_proposed: int = 0
    misses: list[Miss] = field(default_factory=list)

    def __add__(self, other: SentenceScores) -> SentenceScores:
        total = SentenceScores()
        for name in self.__dataclass_fields__:
            setattr(total, name, getattr(self, name) + getattr(other, name))
        return total

    def figures(self) -> dict[str, float | None]:
        """Each measure (None where nothing was there to measure)."""
        return {
            "sentence_recall": _ratio(self.proposed_worth, self.worth_citing),
            "sentence_precision": _ratio(self.proposals_useful, self.proposals),
            "modality_agreement": _ratio(self.modality_agree, self.proposed_worth),
            "date_precision": _ratio(self.proposed_date_right, self.proposed_dated),
            "date_recall": _ratio(self.date_found, self.dated),
            "subject_precision": _ratio(self.subject_tp, self.subject_tp + self.subject_fp),
            "subject_recall": _ratio(self.subject_tp, self.subject_tp + self.subject_fn),
            "attribution_agreement": _ratio(self.attribution_agree, self.attributions),
            "name_recall": _ratio(self.names_found, self.names),
            "common_words_offered": self.common_words,
            "citation_recall": _ratio(self.cites_found, self.cites),
            "citation_precision": _ratio(self.cites_found, self.cites_found + self.cites_extra),
            "draft_recall": _ratio(self.drafts_found, self.drafts),
            "draft_precision": _ratio(self.drafts_found, self.drafts_proposed),
        }


def is_common(candidate: str, text: str) -> bool:
    """A candidate made only of common words, or of words the article also writes in lower case."""
    words = re.findall(r"[^\W\d_]+", candidate)
    lower = set(re.findall(r"\b[a-z]+\b", text))
    return bool(words) and all(w.casefold() in COMMON_WORDS or w.casefold() in lower for w in words)


def _draft_value(value: Any) -> Any:
    if isinstance(value, str):
        return name_form(value)
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(_draft_value(v) for v in value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def draft_matches(gold_kind: str, gold_data: Mapping[str, Any], kind: str, data: Mapping[str, Any]) -> bool:
    """The same kind, and every key the gold draft gives has the same value (case, spacing and list order aside)."""
    return gold_kind == kind and all(
        key in data and _draft_value(data[key]) == _draft_value(value) for key, value in gold_data.items()
    )


def _quote(text: str) -> str:
    return text if len(text) <= 110 else text[:109] + "…"


def score_sentences(
    proposed: list[ClaimSpan],
    gold: list[Gold],
    *,
    text: str,
    candidates: Iterable[str] = (),
    names: Iterable[tuple[str, ...]] = (),
    drafts: Iterable[tuple[str, Mapping[str, Any]]] = (),
    gold_drafts: Iterable[tuple[str, Mapping[str, Any]]] = (),
) -> SentenceScores:
    """Score one article's proposals, candidates and drafts against its annotation."""
    s = SentenceScores(proposals=len(proposed))
    worth = [g for g in gold if g.cite]
    s.worth_citing = len(worth)
    s.proposals_useful = sum(any(matches(p, g) for g in worth) for p in proposed)
    best = {j: i for i, j in match(proposed, worth)}  # each sentence's best proposal, as on the corpus
    for j, g in enumerate(worth):
        if j not in best:
            s.misses.append(Miss("not proposed", _quote(g.text), f"[{g.modality}]"))
            s.cites += len(g.cites)
            if g.cites:
                s.misses.append(Miss("citation", _quote(g.text), f"missed {', '.join(sorted(g.cites))}"))
            continue
        p = proposed[best[j]]
        s.proposed_worth += 1
        if p.modality == g.modality:
            s.modality_agree += 1
        else:
            s.misses.append(Miss("modality", _quote(g.text), f"{g.modality}→{p.modality}"))
        if g.about:
            s.dated += 1
            s.date_found += p.about == g.about
        if p.about:
            s.proposed_dated += 1
            s.proposed_date_right += p.about == g.about
        if p.about != g.about:
            s.misses.append(Miss("date", _quote(g.text), f"{g.about or 'none'}→{p.about or 'none'}"))
        s.subject_tp += len(p.subjects & g.subjects)
        s.subject_fp += len(p.subjects - g.subjects)
        s.subject_fn += len(g.subjects - p.subjects)
        if missing := sorted(g.subjects - p.subjects):
            s.misses.append(Miss("subjects", _quote(g.text), f"missing {', '.join(missing)}"))
        if extra := sorted(p.subjects - g.subjects):
            s.misses.append(Miss("subjects", _quote(g.text), f"extra {', '.join(extra)}"))
        if g.speaker or g.attributed_to or p.speaker or p.attributed_to:
            s.attributions += 1
            if attribution_agrees(g.speaker, g.attributed_to, p.speaker, p.attributed_to):
                s.attribution_agree += 1
            else:
                s.misses.append(
                    Miss(
                        "attribution",
                        _quote(g.text),
                        f"{g.attributed_to or 'none'} ({g.speaker or '-'})→"
                        f"{p.attributed_to or 'none'} ({p.speaker or '-'})",
                    )
                )
        s.cites += len(g.cites)
        s.cites_found += len(g.cites & p.links)
        s.cites_extra += len(p.links - g.cites)
        if missed := sorted(g.cites - p.links):
            s.misses.append(Miss("citation", _quote(g.text), f"missed {', '.join(missed)}"))
        if extra := sorted(p.links - g.cites):
            s.misses.append(Miss("citation", _quote(g.text), f"extra {', '.join(extra)}"))
    for p in proposed:
        if not any(matches(p, g) for g in worth):
            s.misses.append(Miss("spurious", _quote(text[p.start : p.end]), f"[{p.modality}]"))
    _score_names(s, list(candidates), list(names), text)
    _score_drafts(s, list(drafts), list(gold_drafts))
    return s


def _score_names(s: SentenceScores, candidates: list[str], names: list[tuple[str, ...]], text: str) -> None:
    offered = {name_form(c): c for c in candidates}
    accounted = set()
    for forms in names:
        s.names += 1
        hits = [name_form(form) for form in forms if name_form(form) in offered]
        if hits:
            s.names_found += 1
            accounted.update(hits)
        else:
            s.misses.append(Miss("name", " / ".join(forms), "not offered"))
    for form, candidate in offered.items():
        if form not in accounted and is_common(candidate, text):
            s.common_words += 1
            s.misses.append(Miss("common word", candidate, "offered as a name"))


def _score_drafts(
    s: SentenceScores,
    drafts: list[tuple[str, Mapping[str, Any]]],
    gold: list[tuple[str, Mapping[str, Any]]],
) -> None:
    # New names are scored as new names; these are the records drafted (transfers, events, milestones…).
    drafts = [(kind, data) for kind, data in drafts if kind != "actor"]
    s.drafts, s.drafts_proposed = len(gold), len(drafts)
    free = list(range(len(drafts)))
    for kind, data in gold:
        hit = next((i for i in free if draft_matches(kind, data, *drafts[i])), None)
        if hit is None:
            shown = ", ".join(f"{k}={v}" for k, v in data.items())
            s.misses.append(Miss("draft", kind, f"not drafted: {shown}"))
            continue
        free.remove(hit)
        s.drafts_found += 1
    for i in free:
        kind, data = drafts[i]
        shown = ", ".join(f"{k}={v}" for k, v in data.items() if v not in (None, "", [], {}))
        s.misses.append(Miss("draft", kind, f"drafted, not annotated: {shown}"))
