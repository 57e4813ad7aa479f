"""The evaluation's figures as text lines and as JSON: precision, recall, modality and date agreement."""

from __future__ import annotations

from typing import Any

from kbdev.ingest_eval.run import ArticleResult
from kbdev.ingest_eval.scoring import ClaimSpan, Scores, match, matches

FIGURES = [
    ("claims", "claim_precision", "claim_recall"),
    ("subjects of matched claims", "subject_precision", "subject_recall"),
    ("records cited by matched claims", "link_precision", "link_recall"),
    ("actors recognised per article", "actor_precision", "actor_recall"),
]


def total(results: list[ArticleResult]) -> Scores:
    return sum((result.scores for result in results), Scores())


def as_json(results: list[ArticleResult]) -> dict[str, Any]:
    """Every article's figures and counts by title, and the total."""

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
