"""The plan of a synthetic knowledge base: every row built in memory, deterministically from a seed.

``plan`` draws from one random generator in a fixed order (actors, sources and their claims,
claim links, relationships, events, agreements, transfers), so the same scale and seed give
the same rows, ids, texts, offsets and links. Each step below keeps its own draws in the
order it always made them; reordering draws changes every row after them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils.text import slugify

from kb.choices import (
    AgreementKind,
    AgreementStatus,
    ClaimLinkKind,
    ClaimStatus,
    EventKind,
    ProvisionKind,
    RatificationKind,
    RelationshipPredicate,
    SourceKind,
    SourceReliability,
    TransferStatus,
)
from kb.dates import PartialDate, period_start
from kb.ingest.normalize import name_sort_key, normalize_name
from kb.models import (
    Actor,
    Agreement,
    AgreementParty,
    Alias,
    ArmsTransfer,
    Claim,
    ClaimLink,
    Event,
    Provision,
    Relationship,
    Source,
)
from kb.models.sources import text_sha256
from kb.progress import Progress, silent
from kbdev.synth.actors import SynthActor, plan_actors, unique_slug
from kbdev.synth.sampling import date_words, partial_date, weighted
from kbdev.synth.sentences import SentenceMaker
from kbdev.synth.vocabulary import PUBLISHER_KIND, PUBLISHERS, TOPICS, WEAPONS, WESTERN_FIRST, WESTERN_LAST

# Every synthetic source's URL starts with this: it is how a synthetic database is recognised.
SYNTH_URL = "https://synthetic.invalid/"
DEFAULT_SEED = 20240619
# What synthetic articles are (a dataset, such as a SIPRI file, is imported, not written).
ARTICLE_KINDS = (SourceKind.NEWS, SourceKind.ANALYSIS, SourceKind.OPINION, SourceKind.OFFICIAL)

# Rows per unit of scale.
SHAPE = {
    "actors": 10_000,
    "sources": 2_000,
    "claims": 200_000,
    "relationships": 20_000,
    "events": 5_000,
    "agreements": 1_000,
    "transfers": 20_000,
    "claim_links": 10_000,
}
# The planned rows, by table: model instances, or (left id, right id) pairs for many-to-many links.
TABLES = (
    "actor",
    "alias",
    "source",
    "source_authors",
    "claim",
    "claim_subjects",
    "claim_link",
    "relationship",
    "relationship_evidence",
    "event",
    "event_participants",
    "event_evidence",
    "agreement",
    "agreement_party",
    "provision",
    "agreement_evidence",
    "transfer",
    "transfer_evidence",
)
REVIEWED_AT = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)


@dataclass
class Plan:
    """Everything to insert, built in memory first so the same seed always gives the same rows."""

    scale: float
    seed: int
    actors: list[SynthActor] = field(default_factory=list)
    rows: dict[str, list] = field(default_factory=dict)


def count(scale: float, name: str, minimum: int = 1) -> int:
    """How many rows of ``name`` (a SHAPE key) a base of ``scale`` has."""
    return max(minimum, round(SHAPE[name] * scale))


def plan(scale: float = 1.0, seed: int = DEFAULT_SEED, *, progress: Progress = silent) -> Plan:
    """Build every row of the synthetic base in memory, deterministically from ``seed``."""
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}.")
    rng = random.Random(seed)
    actors = plan_actors(rng, count(scale, "actors", 40))
    result = Plan(scale=scale, seed=seed, actors=actors, rows={name: [] for name in TABLES})
    slugs: set[str] = set()
    _actors(result, rng, slugs)
    sentences = SentenceMaker(rng, actors)
    evidence = _sources_and_claims(result, rng, sentences, progress)
    _claim_links(result, rng, evidence)
    places = [a.pk for a in actors if a.kind in ("place", "facility")] or [actors[0].pk]
    _relationships(result, rng, sentences, evidence, progress)
    _events(result, rng, sentences, evidence, places, slugs, progress)
    _agreements(result, rng, sentences, evidence, places, slugs, progress)
    _transfers(result, rng, sentences, evidence, progress)
    return result


class Evidence:
    """The planned claims by subject actor, to cite as evidence of records about those actors."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.mentions_of: dict[int, list[int]] = {}  # actor id -> ids of claims about it
        self.claims = 0  # claim ids run from 1 to this

    def add(self, claim_pk: int, actor_pk: int) -> None:
        self.mentions_of.setdefault(actor_pk, []).append(claim_pk)

    def of(self, *actor_pks: int) -> list[int]:
        """A claim about each of the actors, and now and then (or failing those) any claim at all."""
        chosen: list[int] = []
        for actor_pk in actor_pks:
            pool = self.mentions_of.get(actor_pk)
            if pool:
                chosen.append(self.rng.choice(pool))
        if not chosen or self.rng.random() < 0.3:
            chosen.append(self.rng.randint(1, self.claims))
        return list(dict.fromkeys(chosen))


def _actors(result: Plan, rng: random.Random, slugs: set[str]) -> None:
    """Actor rows with life or existence dates for persons and some states, and an alias per spelling."""
    rows = result.rows
    for a in result.actors:
        start = end = (None, "")
        if a.kind == "person":
            start = partial_date(rng, 1940, 1995, (40, 10, 45, 5))
        elif a.kind == "state" and rng.random() < 0.5:
            start = partial_date(rng, 1900, 1991, (60, 10, 30, 0))
        if a.kind == "person" and rng.random() < 0.05:
            end = partial_date(rng, 2000, 2024, (60, 30, 10, 0))
            if end[0] < start[0]:
                end = (None, "")
        rows["actor"].append(
            Actor(
                pk=a.pk,
                kind=a.kind,
                name=a.name,
                sort_name=name_sort_key(a.name),
                slug=unique_slug(a.name, slugs),
                summary=f"Synthetic {a.kind} for load tests: {a.name}.",
                country_code=a.country,
                start_on=start[0],
                start_on_precision=start[1],
                end_on=end[0],
                end_on_precision=end[1],
            )
        )
        for alias in [a.name, *a.aliases]:
            rows["alias"].append(Alias(actor_id=a.pk, name=alias, normalized=normalize_name(alias)))


def _claims_per_source(rng: random.Random, n_sources: int, n_claims: int) -> list[int]:
    """``n_claims`` shared out among the sources, log-normally (a few long articles, many short)."""
    weights = [rng.lognormvariate(0, 0.5) for _ in range(n_sources)]
    total = sum(weights)
    per_source = [max(1, int(n_claims * w / total)) for w in weights]
    per_source[-1] += n_claims - sum(per_source)
    while per_source[-1] < 1:  # rounding took too much from the last source
        i = max(range(n_sources), key=per_source.__getitem__)
        per_source[i] -= 1
        per_source[-1] += 1
    return per_source


def _article(
    rng: random.Random, sentences: SentenceMaker, *, source_pk: int, seed: int, n_claims: int, publisher: str, published
) -> tuple[str, str, list[dict]]:
    """One source's title, text and claims: two header sentences, then claims among filler in a random order.

    Each claim's ``start`` and ``end`` are its sentence's offsets in the text.
    """
    when_year = published[0].year
    slots = [True] * n_claims + [False] * (n_claims // 3 + 1)
    rng.shuffle(slots)
    paragraphs: list[list[str]] = [[]]
    text_parts: list[str] = []
    offset = 0
    title = ""
    claims = []
    for i, is_claim in enumerate([False, False, *slots]):
        if is_claim:
            when = partial_date(rng, when_year - 3, when_year) if rng.random() < 0.6 else None
            claim = sentences.claim(when, publisher)
            claim["about"] = when
            sentence = claim["quote"]
        elif i == 0:
            title = sentences.claim(None, publisher)["quote"].rstrip(".")[:290]
            sentence = f"{title} ({publisher}, {date_words(*published)})."
        elif i == 1:
            sentence = f"This is article {source_pk} of the synthetic corpus, seed {seed}."
        else:
            sentence = sentences.filler()
        if paragraphs[-1] and (len(paragraphs[-1]) >= 5 or rng.random() < 0.2):
            paragraphs.append([])
            text_parts.append("\n\n")
            offset += 2
        elif paragraphs[-1]:
            text_parts.append(" ")
            offset += 1
        paragraphs[-1].append(sentence)
        if is_claim:
            claim["start"], claim["end"] = offset, offset + len(sentence)
            claims.append(claim)
        text_parts.append(sentence)
        offset += len(sentence)
    return title, "".join(text_parts), claims


def _sources_and_claims(result: Plan, rng: random.Random, sentences: SentenceMaker, progress: Progress) -> Evidence:
    """Sources with full texts, and their claims: each claim is a sentence of its source's text."""
    rows, seed = result.rows, result.seed
    n_sources = count(result.scale, "sources")
    per_source = _claims_per_source(rng, n_sources, count(result.scale, "claims"))
    status_values = (ClaimStatus.ACCEPTED, ClaimStatus.PROPOSED, ClaimStatus.REJECTED, ClaimStatus.DISPUTED)
    people = [a.pk for a in result.actors if a.kind == "person"]
    evidence = Evidence(rng)
    claim_pk = 0
    for s in range(n_sources):
        source_pk = s + 1
        publisher = weighted(rng, PUBLISHERS, [1 / (i + 1) for i in range(len(PUBLISHERS))])
        published = partial_date(rng, 2015, 2025, (92, 6, 2, 0))
        title, text, source_claims = _article(
            rng,
            sentences,
            source_pk=source_pk,
            seed=seed,
            n_claims=per_source[s],
            publisher=publisher,
            published=published,
        )
        kind = PUBLISHER_KIND.get(publisher) or weighted(rng, ARTICLE_KINDS, (70, 15, 10, 5))
        source = Source(
            pk=source_pk,
            title=title,
            publisher=publisher,
            byline=f"By {rng.choice(WESTERN_FIRST)} {rng.choice(WESTERN_LAST)}",
            published_on=published[0],
            published_on_precision=published[1],
            url=f"{SYNTH_URL}{slugify(publisher)}/{source_pk}",
            kind=kind,
            reliability=weighted(rng, SourceReliability.values, (5, 30, 30, 15, 5, 15)),
            language="en",
            text=text,
            sha256=text_sha256(text),
        )
        rows["source"].append(source)
        if people and rng.random() < 0.1:
            rows["source_authors"].append((source_pk, rng.choice(people)))
        for claim in source_claims:
            claim_pk += 1
            status = weighted(rng, status_values, (80, 12, 4, 4))
            about = claim["about"] or (None, "")
            rows["claim"].append(
                Claim(
                    pk=claim_pk,
                    source_id=source_pk,
                    quote=claim["quote"],
                    start=claim["start"],
                    end=claim["end"],
                    statement=claim["statement"],
                    modality=claim["modality"],
                    attributed_to=claim["attributed_to"],
                    speaker_id=claim["speaker"],
                    about_on=about[0],
                    about_on_precision=about[1],
                    credibility=weighted(rng, (1, 2, 3, 4, 5, 6), (10, 30, 25, 10, 5, 20)),
                    status=status,
                    reviewed_at=None if status == ClaimStatus.PROPOSED else REVIEWED_AT,
                    review_note="",
                )
            )
            if status == ClaimStatus.ACCEPTED:
                source.published_at = REVIEWED_AT  # as accepting it would have: readers see the source
            for actor_pk in claim["subjects"]:
                rows["claim_subjects"].append((claim_pk, actor_pk))
                evidence.add(claim_pk, actor_pk)
        progress("planning sources and claims", source_pk, n_sources)
    evidence.claims = claim_pk
    return evidence


def _claim_links(result: Plan, rng: random.Random, evidence: Evidence) -> None:
    """Links (supports, contradicts…) between claims about the same actor."""
    subjects = result.rows["claim_subjects"]
    links: set[tuple[int, str, int]] = set()
    for _ in range(count(result.scale, "claim_links")):
        pool = evidence.mentions_of[subjects[rng.randrange(len(subjects))][1]]
        a, b = rng.choice(pool), rng.choice(pool)
        if a != b:
            links.add((a, weighted(rng, ClaimLinkKind.values, (50, 20, 20, 10)), b))
    result.rows["claim_link"] = [ClaimLink(from_claim_id=a, kind=k, to_claim_id=b) for a, k, b in sorted(links)]


def _relationships(
    result: Plan, rng: random.Random, sentences: SentenceMaker, evidence: Evidence, progress: Progress
) -> None:
    """Distinct (subject, predicate, object) triples between drawn actors, most with a start, some with an end."""
    rows, actors = result.rows, result.actors
    wanted = count(result.scale, "relationships")
    seen: set[tuple[int, str, int]] = set()
    predicates = RelationshipPredicate.values
    for _ in range(wanted * 2):
        if len(rows["relationship"]) >= wanted:
            break
        subject, obj = sentences.actor().pk, sentences.actor().pk
        predicate = rng.choice(predicates)
        if subject == obj or (subject, predicate, obj) in seen:
            continue
        seen.add((subject, predicate, obj))
        valid = partial_date(rng, 1990, 2024) if rng.random() < 0.7 else (None, "")
        until = (None, "")
        if valid[0] and rng.random() < 0.2:
            until = partial_date(rng, valid[0].year + 1, 2025, (30, 30, 40, 0))
        pk = len(rows["relationship"]) + 1
        rows["relationship"].append(
            Relationship(
                pk=pk,
                subject_id=subject,
                predicate=predicate,
                object_id=obj,
                valid_from=valid[0],
                valid_from_precision=valid[1],
                valid_until=until[0],
                valid_until_precision=until[1],
                note=f"{actors[subject - 1].name} {predicate.replace('_', ' ')} {actors[obj - 1].name}.",
            )
        )
        rows["relationship_evidence"].extend((pk, c) for c in evidence.of(subject, obj))
        progress("planning relationships", pk, wanted)


def _events(
    result: Plan,
    rng: random.Random,
    sentences: SentenceMaker,
    evidence: Evidence,
    places: list[int],
    slugs: set[str],
    progress: Progress,
) -> None:
    """Events of every kind with two to four participants; wars, military actions and visits may last."""
    rows, actors = result.rows, result.actors
    wanted = count(result.scale, "events")
    for pk in range(1, wanted + 1):
        kind = weighted(rng, EventKind.values, (10, 15, 20, 8, 12, 8, 2, 8, 3, 2, 6, 6))
        participants = list(dict.fromkeys(sentences.actor().pk for _ in range(rng.randint(2, 4))))
        start = partial_date(rng, 2000, 2025, (60, 25, 15, 0))
        end = (None, "")
        if kind in ("war", "military_action", "visit") and rng.random() < 0.5:
            end = (start[0] + dt.timedelta(days=rng.randint(1, 400)), "day")
            end = (period_start(end[0], start[1]), start[1])
        place = rng.choice(places) if rng.random() < 0.8 else None
        names = " and ".join(actors[p - 1].name for p in participants[:2])
        title = f"{EventKind(kind).label}: {names}, {date_words(*start)}"
        rows["event"].append(
            Event(
                pk=pk,
                title=title[:300],
                slug=unique_slug(title, slugs),
                kind=kind,
                start_on=start[0],
                start_on_precision=start[1],
                end_on=end[0],
                end_on_precision=end[1],
                place_id=place,
                summary=f"{title}. Synthetic event.",
            )
        )
        rows["event_participants"].extend((pk, p) for p in participants)
        rows["event_evidence"].extend((pk, c) for c in evidence.of(*participants[:2]))
        progress("planning events", pk, wanted)


def _agreements(
    result: Plan,
    rng: random.Random,
    sentences: SentenceMaker,
    evidence: Evidence,
    places: list[int],
    slugs: set[str],
    progress: Progress,
) -> None:
    """Agreements with two or three parties, signatories and one to five provisions."""
    rows, actors = result.rows, result.actors
    wanted = count(result.scale, "agreements")
    states = [a.pk for a in actors if a.kind in ("state", "organization")]
    people = [a.pk for a in actors if a.kind == "person"]
    for pk in range(1, wanted + 1):
        draw = sentences.actor
        parties = list(dict.fromkeys([draw().pk, draw().pk, *([rng.choice(states)] if rng.random() < 0.3 else [])]))
        if len(parties) < 2:
            parties.append(next(p for p in states if p not in parties))
        kind = rng.choice(AgreementKind.values)
        status = weighted(rng, AgreementStatus.values, (5, 10, 30, 15, 35, 10))
        signed = partial_date(rng, 1995, 2025, (70, 20, 10, 0)) if status != "proposed" else (None, "")
        in_force = (None, "")
        if status in ("in_force", "lapsed") and signed[0]:
            in_force = (period_start(signed[0] + dt.timedelta(days=rng.randint(30, 400)), "day"), "day")
        names = " and ".join(actors[p - 1].name for p in parties[:2])
        title = f"{AgreementKind(kind).label} on {rng.choice(TOPICS)} between {names}"
        if signed[0]:
            title += f" ({signed[0].year})"
        rows["agreement"].append(
            Agreement(
                pk=pk,
                title=title[:300],
                slug=unique_slug(title, slugs),
                kind=kind,
                status=status,
                signed_on=signed[0],
                signed_on_precision=signed[1],
                signed_place_id=rng.choice(places) if rng.random() < 0.6 else None,
                in_force_on=in_force[0],
                in_force_on_precision=in_force[1],
                summary=f"{title}. Synthetic agreement.",
            )
        )
        for number, party in enumerate(parties):
            signatory = rng.choice(people) if people and rng.random() < 0.7 else None
            rows["agreement_party"].append(
                AgreementParty(
                    agreement_id=pk,
                    actor_id=party,
                    signatory_id=signatory,
                    **_ladder(status, signed, in_force, number),
                )
            )
        for order in range(1, rng.randint(1, 5) + 1):
            provision_kind = rng.choice(ProvisionKind.values)
            rows["provision"].append(
                Provision(
                    agreement_id=pk,
                    label=f"Article {order}",
                    kind=provision_kind,
                    summary=f"{ProvisionKind(provision_kind).label} between the parties.",
                    order=order,
                )
            )
        rows["agreement_evidence"].extend((pk, c) for c in evidence.of(*parties[:2]))
        progress("planning agreements", pk, wanted)


def _ladder(status: str, signed: tuple, in_force: tuple, number: int) -> dict:
    """One party's steps, following its agreement's status and dates (no random draw: the rest of the plan stays)."""
    if status not in ("signed", "ratified", "in_force", "lapsed") or signed[0] is None:
        return {}
    steps = {"signed_on": signed[0], "signed_on_precision": signed[1]}
    if status == "signed":
        return steps
    # Ratified after the end of the signature's period, each party a few days after the one before.
    ratified = PartialDate(*signed).end + dt.timedelta(days=20 + 9 * number)
    if in_force[0] is not None:
        ratified = min(ratified, in_force[0])
    kind = RatificationKind.ACCEPTANCE if number == 2 else RatificationKind.RATIFICATION
    steps.update(ratified_on=ratified, ratified_on_precision="day", ratification_kind=kind)
    if in_force[0] is not None:
        steps.update(in_force_on=in_force[0], in_force_on_precision=in_force[1])
    return steps


def _transfers(
    result: Plan, rng: random.Random, sentences: SentenceMaker, evidence: Evidence, progress: Progress
) -> None:
    """Arms transfers between two drawn actors: a weapon, a quantity estimate, a period and who reported it."""
    rows, actors = result.rows, result.actors
    wanted = count(result.scale, "transfers")
    for pk in range(1, wanted + 1):
        supplier, recipient = sentences.actor().pk, sentences.actor().pk
        while recipient == supplier:
            recipient = sentences.actor().pk
        designation, category, unit = rng.choice(WEAPONS)
        low = rng.choice([None, 1, 10, 50, 100, 1_000, 100_000])
        high = None if low is None else low * rng.choice([1, 2, 5])
        start = partial_date(rng, 2000, 2025, (20, 30, 50, 0))
        end = (None, "")
        if rng.random() < 0.3:
            end = partial_date(rng, start[0].year, 2025, (0, 30, 70, 0))
            if end[0] < start[0]:
                end = (None, "")
        reported = partial_date(rng, max(start[0].year, 2015), 2025, (80, 20, 0, 0))
        rows["transfer"].append(
            ArmsTransfer(
                pk=pk,
                supplier_id=supplier,
                recipient_id=recipient,
                category=category,
                designation=designation,
                description=f"{designation} {unit} from {actors[supplier - 1].name} to {actors[recipient - 1].name}.",
                quantity_low=low,
                quantity_high=high,
                quantity_unit=unit if low is not None else "",
                start_on=start[0],
                start_on_precision=start[1],
                end_on=end[0],
                end_on_precision=end[1],
                status=weighted(rng, TransferStatus.values, (10, 25, 35, 20, 10)),
                reported_by=weighted(rng, PUBLISHERS, [1 / (i + 1) for i in range(len(PUBLISHERS))]),
                reported_on=reported[0],
                reported_on_precision=reported[1],
            )
        )
        rows["transfer_evidence"].extend((pk, c) for c in evidence.of(supplier, recipient))
        progress("planning arms transfers", pk, wanted)
