"""One evaluation run: the corpus's records stored, its texts and the development set's ingested, then rolled back."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from kb import services
from kb.corpus import Corpus
from kb.corpus.fixtures import SourceFixture
from kb.corpus.loader import load_records
from kb.models import Actor, Claim, Source
from kbdev.ingest_eval.devset import GoldArticle, anchor
from kbdev.ingest_eval.scoring import ClaimSpan, Scores, score
from kbdev.ingest_eval.sentences import Gold, SentenceScores, score_sentences


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
class DevArticleResult:
    """One development article: its scores (with every miss) and the new names ingest offered."""

    name: str
    title: str
    scores: SentenceScores
    candidates: list[str]


@dataclass
class Evaluation:
    """The corpus's results and the development set's, each article in its own rolled-back run."""

    corpus: list[ArticleResult]
    devset: list[DevArticleResult]
    corpus_sentences: list[DevArticleResult]  # the corpus's sources against their sentence-level annotation
    heldout: list[DevArticleResult]  # articles the rules were not made on


@dataclass
class _Reference:
    """The corpus's records as stored for the run, and the records each curated claim is evidence of."""

    cited: dict[str, set[str]]  # curated claim key -> "agreement:<slug>", "event:<slug>", "transfer:<key>"
    transfer_keys: dict[int, str]  # stored transfer id -> its corpus key


def alias_names(row: dict) -> list[str]:
    """An actor fixture's aliases, given as strings or as tables with a name and a language."""
    return [alias if isinstance(alias, str) else alias["name"] for alias in row.get("aliases", [])]


def evaluate(
    corpus: Corpus,
    devset: list[GoldArticle],
    corpus_gold: list[GoldArticle] = (),
    heldout: list[GoldArticle] = (),
) -> Evaluation:
    """Score ingest on every corpus article and every development article in an empty database, leaving it empty.

    The corpus's records are stored once; the corpus's texts are ingested together (as before)
    and compared with the curated claims; each sentence-annotated article (development set,
    the corpus's sources, the held-out set) is ingested alone; and every run is rolled back. Raises NotEmptyError when
    the database holds actors or sources, DevsetError when a gold sentence is not in its
    article's extracted text, and lets a service's ValidationError through (after rolling back).
    """
    if Actor.objects.exists() or Source.objects.exists():
        raise NotEmptyError(
            "eval_ingest needs an empty database (it loads the corpus's actors itself); "
            "run `make eval-ingest`, which makes a scratch one."
        )
    with transaction.atomic():
        reference = _store_reference(corpus)
        with transaction.atomic():
            results = [_evaluate_article(corpus, fixture, reference) for fixture in corpus.sources]
            transaction.set_rollback(True)
        evaluation = Evaluation(
            corpus=results,
            devset=[_alone(article, reference) for article in devset],
            corpus_sentences=[_alone(article, reference) for article in corpus_gold],
            heldout=[_alone(article, reference) for article in heldout],
        )
        transaction.set_rollback(True)
    return evaluation


def _alone(article: GoldArticle, reference: _Reference) -> DevArticleResult:
    """One sentence-annotated article ingested and scored in its own rolled-back transaction."""
    with transaction.atomic():
        scored = _evaluate_dev_article(article, reference)
        transaction.set_rollback(True)
    return scored


def _store_reference(corpus: Corpus) -> _Reference:
    """Store the corpus's actors, agreements, events and transfers as the seed does (dates, places, participants,
    parties), but not its sources, claims or evidence; note which records each curated claim is evidence of."""
    transfers = load_records(corpus)
    cited: dict[str, set[str]] = {}
    for kind, rows in (("agreement", corpus.agreements), ("event", corpus.events), ("transfer", corpus.transfers)):
        for key, row in rows:
            for claim in row["evidence"]:
                cited.setdefault(claim, set()).add(f"{kind}:{key}")
    return _Reference(cited=cited, transfer_keys={transfer.pk: key for key, transfer in transfers.items()})


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
    proposed = _proposed(result.claims, reference)
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
                speaker=row.get("speaker"),
                attributed_to=row.get("attributed_to", ""),
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


def _proposed(claims: list[Claim], reference: _Reference) -> list[ClaimSpan]:
    """What scoring compares of the claims ingest proposed, in text order."""
    stored = (
        Claim.objects.filter(pk__in=[c.pk for c in claims])
        .select_related("speaker")
        .prefetch_related("subjects", "agreements", "events", "transfers")
        .order_by("start")
    )
    return [
        ClaimSpan(
            start=claim.start,
            end=claim.end,
            modality=claim.modality,
            subjects=frozenset(actor.slug for actor in claim.subjects.all()),
            about=str(claim.about) if claim.about else None,
            links=_links(claim, reference),
            speaker=claim.speaker.slug if claim.speaker else None,
            attributed_to=claim.attributed_to,
        )
        for claim in stored
    ]


def _links(claim: Claim, reference: _Reference) -> frozenset[str]:
    """The records a stored claim is cited as evidence of, named as the gold annotations name them."""
    return frozenset(
        [f"agreement:{a.slug}" for a in claim.agreements.all()]
        + [f"event:{e.slug}" for e in claim.events.all()]
        + [f"transfer:{reference.transfer_keys[t.pk]}" for t in claim.transfers.all()]
    )


def _evaluate_dev_article(article: GoldArticle, reference: _Reference) -> DevArticleResult:
    """Ingest one development article as ingest_article would (file bytes and name) and score it against its gold."""
    result = services.source_ingest(
        user=None,
        content=article.read(),
        filename=article.path.name,
        title=article.title,
        publisher=article.publisher,
        published_on=article.published_on,
        kind=article.kind,
        reliability=article.reliability,
    )
    text = result.source.text
    spans = anchor(article, text)
    proposed = _proposed(result.claims, reference)
    gold = [
        Gold(
            start=start,
            end=end,
            text=sentence.text,
            cite=sentence.cite,
            modality=sentence.modality,
            subjects=sentence.subjects,
            about=sentence.about,
            speaker=sentence.speaker,
            attributed_to=sentence.attributed_to,
            cites=sentence.cites,
        )
        for sentence, (start, end) in zip(article.sentences, spans, strict=True)
    ]
    scores = score_sentences(
        proposed,
        gold,
        text=text,
        candidates=result.candidates,
        names=article.new_names,
        drafts=[(str(draft.kind), draft.data) for draft in result.drafts] if article.annotates_drafts else [],
        gold_drafts=[(draft.kind, draft.data) for draft in article.drafts],
    )
    return DevArticleResult(name=article.name, title=article.title, scores=scores, candidates=list(result.candidates))
