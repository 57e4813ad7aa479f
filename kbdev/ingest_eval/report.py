"""The evaluation's figures as text lines and as JSON, on the corpus and on the development set, beside the targets."""

from __future__ import annotations

from typing import Any

from kbdev.ingest_eval.run import ArticleResult, DevArticleResult, Evaluation
from kbdev.ingest_eval.scoring import ClaimSpan, Scores, match, matches
from kbdev.ingest_eval.sentences import SentenceScores

# The targets: (measure, its figure, the least it should be), held on the development set and on
# the corpus's sources, both annotated sentence by sentence under one guide (docs/ingest.md).
TARGETS = [
    ("sentences worth citing proposed", "sentence_recall", 0.95),
    ("modality agreement", "modality_agreement", 0.90),
    ("dates precision", "date_precision", 0.90),
    ("dates recall", "date_recall", 0.90),
    ("subjects precision", "subject_precision", 0.90),
    ("subjects recall", "subject_recall", 0.90),
    ("attribution agreement", "attribution_agreement", 0.90),
    ("new names recall", "name_recall", 0.80),
    ("citations of known records recall", "citation_recall", 0.80),
]

FIGURES = [
    ("claims", "claim_precision", "claim_recall"),
    ("subjects of matched claims", "subject_precision", "subject_recall"),
    ("records cited by matched claims", "link_precision", "link_recall"),
    ("actors recognised per article", "actor_precision", "actor_recall"),
]


def total(results: list[ArticleResult]) -> Scores:
    return sum((result.scores for result in results), Scores())


def dev_total(results: list[DevArticleResult]) -> SentenceScores:
    return sum((result.scores for result in results), SentenceScores())


def evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    """Each set's figures (each article's and the total), the curated claims' comparison, and the targets."""
    return {
        "corpus": dev_json(evaluation.corpus_sentences),
        "curated_claims": as_json(evaluation.corpus),
        "devset": dev_json(evaluation.devset),
        "heldout": dev_json(evaluation.heldout),
        "targets": {label: {"figure": key, "at_least": target} for label, key, target in TARGETS}
        | {"common words offered as names": {"figure": "common_words_offered", "at_most": 0}},
    }


def dev_json(results: list[DevArticleResult]) -> dict[str, Any]:
    """Every development article's figures and counts by name, and the total."""

    def figures(scores: SentenceScores) -> dict[str, Any]:
        return {
            **scores.figures(),
            "worth_citing": scores.worth_citing,
            "proposed": scores.proposals,
            "names": scores.names,
            "drafts": scores.drafts,
        }

    report = {result.name: figures(result.scores) for result in results}
    report["total"] = figures(dev_total(results))
    return report


def target_lines(figures: dict[str, Any], drafts: bool = True) -> list[str]:
    """Each measure the issue sets a target for, its figure, and ✓ or ✗; then the drafts' figures if annotated."""
    lines = []
    for label, key, target in TARGETS:
        value = figures.get(key)
        shown = "  n/a" if value is None else f"{value:5.2f}"
        mark = "" if value is None else ("✓" if value >= target else "✗")
        lines.append(f"  {label:<36} {shown}   target ≥ {target:.2f} {mark}")
    common = figures["common_words_offered"]
    mark = "✓" if common == 0 else "✗"
    lines.append(f"  {'common words offered as names':<36} {common:5d}   target = 0    {mark}")
    if drafts:
        recall, precision = figures["draft_recall"], figures["draft_precision"]
        lines.append(
            f"  {'drafts (kind and annotated keys)':<36} recall {_figure(recall)}  precision {_figure(precision)}"
        )
    return lines


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def dev_score_lines(scores: SentenceScores, drafts: bool = True) -> list[str]:
    """The figures of one sentence-annotated article (or the total) beside the targets."""
    figures = scores.figures()
    lines = [
        f"  {scores.worth_citing} sentences worth citing ({scores.proposed_worth} proposed), "
        f"{scores.proposals} proposals ({scores.proposals_useful} on a sentence worth citing: "
        f"precision {_figure(figures['sentence_precision'])})",
        f"  {scores.dated} dated sentences, {scores.attributions} attributed, {scores.names} new names "
        f"({scores.names_found} offered), {scores.cites} citations (citation precision "
        f"{_figure(figures['citation_precision'])})",
    ]
    return lines + target_lines(figures, drafts)


def dev_detail_lines(result: DevArticleResult) -> list[str]:
    """Every miss of one development article against its gold annotation, and the names ingest offered."""
    lines = [
        f"  {miss.kind:<13} {miss.text}" + (f"  ({miss.detail})" if miss.detail else "")
        for miss in result.scores.misses
    ]
    lines.append(f"  candidates: {', '.join(result.candidates) or 'none'}")
    return lines


def as_json(results: list[ArticleResult]) -> dict[str, Any]:
    """Every corpus article's figures and counts by title, and the total."""

    def figures(scores: Scores) -> dict[str, Any]:
        return {**scores.figures(), "proposed": scores.proposed, "curated": scores.curated}

    report = {result.title: figures(result.scores) for result in results}
    report["total"] = figures(total(results))
    return report


def score_lines(scores: Scores) -> list[str]:
    """The figures of one article (or the total), one measure a line."""
    figures = scores.figures()
    lines = [
        f"  {scores.proposed} proposed ({scores.useful} match a curated claim), "
        f"{scores.curated} curated ({scores.matched} matched by a proposal)"
    ]
    for label, precision, recall in FIGURES:
        lines.append(f"  {label:<32} precision {figures[precision]:.2f}  recall {figures[recall]:.2f}")
    agreement = f"{figures['modality_agreement']:.2f} ({scores.modality_agree}/{scores.matched})"
    lines.append(f"  {'modality agreement':<32} {agreement}")
    lines.append(
        f"  {'attribution of matched claims':<32} {_figure(figures['attribution_agreement'])} "
        f"({scores.attribution_agree}/{scores.attributions})"
    )
    lines.append(
        f"  {'dates of matched claims':<32} precision {figures['date_precision']:.2f}  "
        f"recall {figures['date_recall']:.2f} "
        f"({scores.proposed_dated} proposed dated, {scores.dated} curated dated)"
    )
    disagreements = {k: v for k, v in scores.confusion.items() if k[0] != k[1]}
    if disagreements:
        listed = ", ".join(f"{c}→{p} {n}" for (c, p), n in sorted(disagreements.items()))
        lines.append(f"  modality disagreements (curated→proposed): {listed}")
    return lines


def detail_lines(result: ArticleResult) -> list[str]:
    """Missed, spurious and disagreeing claims of one article, and the new names it found."""
    proposed, curated = result.proposed, result.curated
    pairs = match(proposed, curated)
    matched_c = {j for _, j in pairs}
    matched_p = {i for i, p in enumerate(proposed) if any(matches(p, c) for c in curated)}

    def quote(span: ClaimSpan) -> str:
        words = result.text[span.start : span.end]
        return words if len(words) <= 110 else words[:109] + "…"

    lines = []
    for j, c in enumerate(curated):
        if j not in matched_c:
            lines.append(f"  missed   [{c.modality}] {quote(c)}")
    for i, p in enumerate(proposed):
        if i not in matched_p:
            lines.append(f"  spurious [{p.modality}] {quote(p)}")
    for i, j in pairs:
        p, c = proposed[i], curated[j]
        if p.modality != c.modality or p.subjects != c.subjects or (c.about and p.about != c.about):
            lines.append(
                f"  differs  {quote(c)}\n"
                f"           modality {c.modality}/{p.modality} about {c.about}/{p.about} "
                f"subjects curated {sorted(c.subjects)} proposed {sorted(p.subjects)}"
            )
        if p.links != c.links:
            lines.append(f"  links    {quote(c)}: curated {sorted(c.links)} proposed {sorted(p.links)}")
    lines.append(f"  candidates: {', '.join(result.candidates) or 'none'}")
    return lines
