"""One evaluation run: the corpus's actors, agreements, events and transfers, its texts ingested, then rolled back."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from kb import services
from kb.corpus import Corpus
from kb.corpus.fixtures import SourceFixture
from kb.models import Actor, Claim, Source
from kbdev.ingest_eval.scoring import ClaimSpan, Scores, score


class NotEmptyError(Exception):
    """The database holds actors or sources; the evaluation needs an empty one."""


@dataclass
class ArticleResult:
    """One corpus article: its scores, and what was compared (for the verbose listing)."""

    title: str
    scores: Scores
    text: str
    proposed: list[ClaimSpan]
    curated: list[ClaimSpan]
    candidates: list[str]


@dataclass
class _Reference:
    """The corpus's records as stored for the run, and the records each curated claim is evidence of."""

    cited: dict[str, set[str]]  # curated claim key -> "agreement:<slug>", "event:<slug>", "transfer:<key>"
    transfer_keys: dict[int, str]  # stored transfer id -> its corpus key


def alias_names(row: dict) -> list[str]:
    """An actor fixture's aliases, given as strings or as tables with a name and a language."""
    return [alias if isinstance(alias, str) else alias["name"] for alias in row.get("aliases", [])]


def evaluate_corpus(corpus: Corpus) -> list[ArticleResult]:
    """Score ingest on every corpus article in an empty database, leaving it empty.

    Raises NotEmptyError when the database holds actors or sources, and lets a service's
    ValidationError through (after rolling back).
    """
    if Actor.objects.exists() or Source.objects.exists():
        raise NotEmptyError(
            "eval_ingest needs an empty database (it loads the corpus's actors itself); "
            "run `make eval-ingest`, which makes a scratch one."
        )
    with transaction.atomic():
        reference = _store_reference(corpus)
        results = [_evaluate_article(corpus, fixture, reference) for fixture in corpus.sources]
        transaction.set_rollback(True)
    return results


def _store_reference(corpus: Corpus) -> _Reference:
    """Store the corpus's actors, agreements, events and transfers (not its sources or claims)."""
    actors = {}
    for slug, row in corpus.actors:
        actors[slug] = services.actor_create(
            user=None,
            name=row["name"],
            kind=row["kind"],
            slug=slug,
            aliases=alias_names(row),
            country_code=row.get("country_code", ""),
        )
    cited: dict[str, set[str]] = {}
    for slug, row in corpus.agreements:
        parties = [actors[party["actor"]] for party in row.get("parties", []) if party["actor"] in actors]
        services.agreement_create(
            user=None,
            title=row["title"],
            slug=slug,
            kind=row["kind"],
            status=row["status"],
            parties=parties,
            signed_on=row.get("signed"),
        )
        for key in row["evidence"]:
            cited.setdefault(key, set()).add(f"agreement:{slug}")
    for slug, row in corpus.events:
        services.event_create(user=None, title=row["title"], slug=slug, kind=row["kind"])
        for key in row["evidence"]:
            cited.setdefault(key, set()).add(f"event:{slug}")
    transfer_keys = {}
    for transfer_key, row in corpus.transfers:
        for key in row["evidence"]:
            cited.setdefault(key, set()).add(f"transfer:{transfer_key}")
        transfer = services.transfer_create(
            user=None,
            supplier=actors[row["supplier"]],
            recipient=actors[row["recipient"]],
            category=row["category"],
            designation=row.get("designation", ""),
            description=row["description"],
            status=row["status"],
        )
        transfer_keys[transfer.pk] = transfer_key
    return _Reference(cited=cited, transfer_keys=transfer_keys)


def _evaluate_article(corpus: Corpus, fixture: SourceFixture, reference: _Reference) -> ArticleResult:
    """Ingest one corpus text and score its proposals against the article's curated claims."""
    meta = fixture.fields
    result = services.source_ingest(
        user=None,
        content=fixture.text.encode("utf-8"),
        filename=meta["text_file"],
        title=meta["title"],
        # Ingest asks for a publisher; a corpus source that names none is scored all the same
        # (the scratch source is rolled back with everything else).
        publisher=meta.get("publisher") or "(corpus source without publisher)",
        published_on=meta.get("published", ""),
        kind=meta["kind"],
    )
    claims = Claim.objects.filter(pk__in=[c.pk for c in result.claims]).order_by("start")
    proposed = [
        ClaimSpan(
            start=claim.start,
            end=claim.end,
            modality=claim.modality,
            subjects=frozenset(actor.slug for actor in claim.subjects.all()),
            about=str(claim.about) if claim.about else None,
            links=frozenset(
                [f"agreement:{a.slug}" for a in claim.agreements.all()]
                + [f"event:{e.slug}" for e in claim.events.all()]
                + [f"transfer:{reference.transfer_keys[t.pk]}" for t in claim.transfers.all()]
            ),
        )
        for claim in claims.prefetch_related("subjects", "agreements", "events", "transfers")
    ]
    curated = []
    for key, row in fixture.claims:
        anchor = corpus.anchors[key]
        curated.append(
            ClaimSpan(
                start=anchor.start,
                end=anchor.end,
                modality=row["modality"],
                subjects=frozenset(row.get("subjects", [])),
                about=row.get("about"),
                links=frozenset(reference.cited.get(key, ())),
            )
        )
    scores = score(proposed, curated, recognised=[actor.slug for actor in result.actors])
    return ArticleResult(
        title=meta["title"],
        scores=scores,
        text=fixture.text,
        proposed=proposed,
        curated=curated,
        candidates=list(result.candidates),
    )
