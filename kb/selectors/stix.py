"""The knowledge base as STIX 2.1 objects, a bounded page at a time, with ids that do not change.

A walk over the base goes section by section: ``actors`` (every actor, when nothing is filtered),
``relationships``, ``transfers``, ``events``, then ``sources`` (each a ``report`` with its
claims). A page holds up to ``limit`` records of one section (for sources: whole sources
holding up to ``limit`` claims, at least one source) and the actors they refer to; the
cursor it returns names where the next page starts.

Every object's id is a UUIDv5 of one of our keys under ``KB_NAMESPACE`` (actors and events
by slug, sources by the SHA-256 of their text, claims by that and their offsets,
relationships by their ends, predicate and start), and ``created``/``modified`` are the
record's own timestamps: the same data always gives the same objects, so a re-export
updates what OpenCTI or MISP hold instead of duplicating it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import stix2
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch

from kb.choices import ActorKind, EventKind, Modality
from kb.dates import PartialDate
from kb.filtersets import FILTERSETS
from kb.links import record_path
from kb.models import Actor, ArmsTransfer, Claim, Event, Relationship, Source
from kb.selectors.counts import count_subquery
from kb.selectors.visibility import User, claim_visibility_q, visible_claims, visible_records, visible_sources

KB_NAMESPACE = uuid.UUID("5d0c3a5e-8f7b-5a0e-9c7e-6b2f1e4a9d31")
SECTIONS = ("actors", "relationships", "transfers", "events", "sources")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500

IDENTITY_CLASSES = {
    ActorKind.STATE: "organization",
    ActorKind.PERSON: "individual",
    ActorKind.ORGANIZATION: "organization",
}
LOCATION_KINDS = {ActorKind.FACILITY, ActorKind.PLACE}
# STIX 2.1, appendix "Confidence scales": the Admiralty credibility grades 1–5 (6: none given).
CREDIBILITY_CONFIDENCE = {1: 90, 2: 70, 3: 50, 4: 30, 5: 10}
# The source's reliability A–E on the same steps (F, "cannot be judged": none given).
RELIABILITY_CONFIDENCE = {"A": 90, "B": 70, "C": 50, "D": 30, "E": 10}
# An opinion or forecast as a STIX opinion: how far its graded credibility supports it.
CREDIBILITY_OPINION = {
    1: "strongly-agree",
    2: "agree",
    3: "neutral",
    4: "disagree",
    5: "strongly-disagree",
    6: "neutral",
}
OPINION_MODALITIES = {Modality.OPINION, Modality.FORECAST}
SUSPICIOUS_EVENTS = {EventKind.MILITARY_ACTION, EventKind.WEAPONS_TEST, EventKind.WAR, EventKind.SANCTIONS}
TRANSFER_RELATIONSHIP = "transfers-arms-to"


def stix_id(kind: str, key: str) -> str:
    """The id of the STIX object of type ``kind`` for our record keyed ``key``: the same key, the same id."""
    return f"{kind}--{uuid.uuid5(KB_NAMESPACE, f'{kind}:{key}')}"


def actor_stix_type(kind: str) -> str:
    return "location" if kind in LOCATION_KINDS else "identity"


def actor_stix_id(actor: Actor) -> str:
    return stix_id(actor_stix_type(actor.kind), actor.slug)


def relationship_stix_id(subject_slug: str, predicate: str, object_slug: str, valid_from: PartialDate | None) -> str:
    return stix_id("relationship", f"{subject_slug}:{predicate}:{object_slug}:{valid_from or ''}")


def claim_stix_id(claim: Claim, sha256: str) -> str:
    kind = "opinion" if claim.modality in OPINION_MODALITIES else "note"
    return stix_id(kind, f"{sha256}:{claim.start}:{claim.end}")


def source_stix_id(sha256: str) -> str:
    return stix_id("report", sha256)


def period_start(partial: PartialDate | None) -> dt.datetime | None:
    if partial is None:
        return None
    return dt.datetime.combine(partial.start, dt.time(), tzinfo=dt.UTC)


def period_stop(partial: PartialDate | None) -> dt.datetime | None:
    """The instant the period ends: midnight after its last day (STIX's stop_time is exclusive)."""
    if partial is None:
        return None
    return dt.datetime.combine(partial.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def _text(partial: PartialDate | None) -> str | None:
    return str(partial) if partial is not None else None


def _clean(values: dict) -> dict:
    """Properties without the empty ones: STIX refuses empty strings and lists."""
    return {name: value for name, value in values.items() if value not in (None, "", [], {})}


@dataclass(frozen=True)
class StixFilters:
    """What a walk is limited to: actors (ids), a range of partial dates, sources (ids)."""

    actors: tuple[int, ...] = ()
    date_from: PartialDate | None = None
    date_to: PartialDate | None = None
    sources: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.actors or self.date_from or self.date_to or self.sources)


@dataclass(frozen=True)
class StixPage:
    """One page of a walk: its objects, and where the next page starts (None: the walk is over)."""

    objects: list
    section: str
    next_cursor: tuple[str, int] | None


class _Builder:
    """Turns records into STIX objects, with links back to the base at ``base_url``."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def reference(self, path: str, external_id: str = "") -> dict:
        return _clean({"source_name": "kb", "url": f"{self.base_url}{path}", "external_id": external_id})

    def actor(self, actor: Actor):
        aliases = sorted({alias.name for alias in actor.aliases.all()} - {actor.name})
        references = [self.reference(actor.get_absolute_url(), actor.slug)]
        if actor.wikidata_id:
            url = f"https://www.wikidata.org/wiki/{actor.wikidata_id}"
            references.append({"source_name": "wikidata", "external_id": actor.wikidata_id, "url": url})
        common = _clean(
            {
                "id": actor_stix_id(actor),
                "created": actor.created_at,
                "modified": actor.updated_at,
                "name": actor.name,
                "description": actor.summary,
                "external_references": references,
                "x_kb_kind": actor.kind,
                "x_kb_aliases": aliases,
                "x_kb_country_code": actor.country_code,
                "x_kb_start_on": _text(actor.start),
                "x_kb_end_on": _text(actor.end),
            }
        )
        if actor.kind in LOCATION_KINDS:
            # A location names a country, a region or a position; "unknown" when none is known.
            where = {"country": actor.country_code} if actor.country_code else {"region": "unknown"}
            return stix2.Location(**common, **where, allow_custom=True)
        sectors = {"sectors": ["government-national"]} if actor.kind == ActorKind.STATE else {}
        return stix2.Identity(**common, identity_class=IDENTITY_CLASSES[actor.kind], **sectors, allow_custom=True)

    def relationship(self, relationship: Relationship, ids: dict[int, str]):
        valid_from, valid_until = relationship.valid_from_date, relationship.valid_until_date
        return stix2.Relationship(
            **_clean(
                {
                    "id": relationship_stix_id(
                        relationship.subject.slug, relationship.predicate, relationship.object.slug, valid_from
                    ),
                    "created": relationship.created_at,
                    "modified": relationship.updated_at,
                    "relationship_type": relationship.predicate.replace("_", "-"),
                    "source_ref": ids[relationship.subject_id],
                    "target_ref": ids[relationship.object_id],
                    "description": relationship.note,
                    "start_time": period_start(valid_from),
                    "stop_time": period_stop(valid_until),
                    "external_references": [self.reference(record_path("api:relationship-detail", relationship.pk))],
                    "x_kb_valid_from": _text(valid_from),
                    "x_kb_valid_until": _text(valid_until),
                }
            ),
            allow_custom=True,
        )

    def transfer(self, transfer: ArmsTransfer, ids: dict[int, str]):
        start, end = transfer.start, transfer.end
        return stix2.Relationship(
            **_clean(
                {
                    "id": stix_id("relationship", f"transfer:{transfer.pk}"),
                    "created": transfer.created_at,
                    "modified": transfer.updated_at,
                    "relationship_type": TRANSFER_RELATIONSHIP,
                    "source_ref": ids[transfer.supplier_id],
                    "target_ref": ids[transfer.recipient_id],
                    "description": transfer.description,
                    "start_time": period_start(start),
                    "stop_time": period_stop(end or start),
                    "external_references": [self.reference(transfer.get_absolute_url())],
                    "x_kb_category": transfer.category,
                    "x_kb_designation": transfer.designation,
                    "x_kb_quantity_low": transfer.quantity_low,
                    "x_kb_quantity_high": transfer.quantity_high,
                    "x_kb_quantity_unit": transfer.quantity_unit,
                    "x_kb_status": transfer.status,
                    "x_kb_reported_by": transfer.reported_by,
                    "x_kb_reported_on": _text(transfer.reported),
                    "x_kb_start_on": _text(start),
                    "x_kb_end_on": _text(end),
                }
            ),
            allow_custom=True,
        )

    def event(self, event: Event, refs: list[str]):
        return stix2.Grouping(
            **_clean(
                {
                    "id": stix_id("grouping", event.slug),
                    "created": event.created_at,
                    "modified": event.updated_at,
                    "name": event.title,
                    "description": event.summary,
                    "context": "suspicious-activity" if event.kind in SUSPICIOUS_EVENTS else "unspecified",
                    "object_refs": refs,
                    "external_references": [self.reference(event.get_absolute_url(), event.slug)],
                    "x_kb_kind": event.kind,
                    "x_kb_start_on": _text(event.start),
                    "x_kb_end_on": _text(event.end),
                }
            ),
            allow_custom=True,
        )

    def claim(self, claim: Claim, source: Source, ids: dict[int, str]):
        report = source_stix_id(source.sha256)
        about = [ids[actor.pk] for actor in claim.subjects.all()]
        if claim.speaker_id:
            about.append(ids[claim.speaker_id])
        common = _clean(
            {
                "id": claim_stix_id(claim, source.sha256),
                "created": claim.created_at,
                "modified": claim.updated_at,
                "object_refs": [report, *sorted(set(about))],  # sorted: the same whatever order rows come in
                "authors": [claim.attributed_to] if claim.attributed_to else [],
                "confidence": CREDIBILITY_CONFIDENCE.get(claim.credibility),
                "external_references": [self.reference(claim.get_absolute_url())],
                "x_kb_modality": claim.modality,
                "x_kb_status": claim.status,
                "x_kb_credibility": claim.credibility,
                "x_kb_start": claim.start,
                "x_kb_end": claim.end,
                "x_kb_about_on": _text(claim.about),
            }
        )
        if claim.modality in OPINION_MODALITIES:
            return stix2.Opinion(
                **common,
                opinion=CREDIBILITY_OPINION[claim.credibility],
                explanation=claim.quote,
                **_clean({"x_kb_statement": claim.statement}),
                allow_custom=True,
            )
        return stix2.Note(**common, content=claim.quote, **_clean({"abstract": claim.statement}), allow_custom=True)

    def report(self, source: Source, refs: list[str]):
        published = period_start(source.published) or source.created_at
        references = [self.reference(source.get_absolute_url())]
        if source.url:
            references.insert(0, {"source_name": source.publisher or "source", "url": source.url})
        return stix2.Report(
            **_clean(
                {
                    "id": source_stix_id(source.sha256),
                    "created": source.created_at,
                    "modified": source.updated_at,
                    "name": source.title,
                    "description": source.subtitle,
                    "published": published,
                    "report_types": [source.kind],
                    "object_refs": refs,
                    "confidence": RELIABILITY_CONFIDENCE.get(source.reliability),
                    "lang": source.language,
                    "external_references": references,
                    "x_kb_publisher": source.publisher,
                    "x_kb_byline": source.byline,
                    "x_kb_reliability": source.reliability,
                    "x_kb_published_on": _text(source.published),
                    "x_kb_sha256": source.sha256,
                }
            ),
            allow_custom=True,
        )


def _filtered(model: type[models.Model], queryset: models.QuerySet, filters: StixFilters) -> models.QuerySet:
    """``queryset`` limited by the actor and date filters, as the model's FilterSet on the API reads them."""
    declared = FILTERSETS[model].base_filters
    if filters.actors and "actor" in declared:
        queryset = declared["actor"].filter(queryset, list(filters.actors))
    if filters.date_from:
        queryset = declared["date_from"].filter(queryset, filters.date_from)
    if filters.date_to:
        queryset = declared["date_to"].filter(queryset, filters.date_to)
    return queryset


def _backed_in_sources(queryset: models.QuerySet, *, user: User, sources: Iterable[int]) -> models.QuerySet:
    """Records with evidence the user may see in one of ``sources``.

    Read from the sources' claims (their index), not by testing every record in turn.
    """
    through = queryset.model.evidence.through
    own = f"{queryset.model._meta.model_name}_id"
    evidence = through.objects.filter(
        claim_visibility_q(user=user, prefix="claim__"), claim__source_id__in=list(sources)
    )
    return queryset.filter(pk__in=evidence.values(own))


def _claims(*, user: User, filters: StixFilters) -> models.QuerySet[Claim]:
    """The claims a walk exports: those the user may see, about the filter's actors if any."""
    claims = visible_claims(user=user)
    if filters.actors:
        claims = FILTERSETS[Claim].base_filters["actor"].filter(claims, list(filters.actors))
    return claims


def _actors(ids: Iterable[int]) -> dict[int, Actor]:
    ids = set(ids)
    if not ids:
        return {}
    actors = Actor.objects.filter(pk__in=ids).order_by("name", "pk").prefetch_related("aliases")
    return {actor.pk: actor for actor in actors}


def _after(queryset: models.QuerySet, after: int, limit: int) -> list:
    return list(queryset.filter(pk__gt=after).order_by("pk")[: limit + 1])


def _page_of(rows: list, limit: int, section: str) -> tuple[list, tuple[str, int] | None]:
    """The first ``limit`` rows and the cursor after them, if a row more was read."""
    if len(rows) > limit:
        return rows[:limit], (section, rows[limit - 1].pk)
    return rows, None


def _section_page(section: str, *, user: User, filters: StixFilters, after: int, limit: int, build: _Builder):
    """Objects of one section after id ``after``, and the cursor of the rest of the section."""
    if section == "actors":
        if not filters.empty:
            return [], None  # a filtered walk brings the actors its records refer to, not every actor
        actors, cursor = _page_of(_after(Actor.objects.prefetch_related("aliases"), after, limit), limit, section)
        return [build.actor(actor) for actor in actors], cursor

    if section in ("relationships", "transfers"):
        model, ends = (
            (Relationship, ("subject", "object"))
            if section == "relationships"
            else (ArmsTransfer, ("supplier", "recipient"))
        )
        queryset = _filtered(model, visible_records(user=user, queryset=model.objects.select_related(*ends)), filters)
        if filters.sources:
            queryset = _backed_in_sources(queryset, user=user, sources=filters.sources)
        records, cursor = _page_of(_after(queryset, after, limit), limit, section)
        actors = _actors(getattr(r, f"{end}_id") for r in records for end in ends)
        ids = {pk: actor_stix_id(actor) for pk, actor in actors.items()}
        make = build.relationship if model is Relationship else build.transfer
        return [*map(build.actor, actors.values()), *(make(record, ids) for record in records)], cursor

    if section == "events":
        evidence = visible_claims(
            user=user,
            queryset=Claim.objects.select_related("source")
            .only("modality", "start", "end", "source__sha256")
            .order_by("pk"),
        )
        queryset = visible_records(user=user, queryset=Event.objects.all()).prefetch_related(
            Prefetch("participants", queryset=Actor.objects.only("pk"), to_attr="shown_participants"),
            Prefetch("evidence", queryset=evidence, to_attr="shown_evidence"),
        )
        queryset = _filtered(Event, queryset, filters)
        if filters.sources:
            queryset = _backed_in_sources(queryset, user=user, sources=filters.sources)
        events, cursor = _page_of(_after(queryset, after, limit), limit, section)
        involved = {a.pk for e in events for a in e.shown_participants} | {e.place_id for e in events if e.place_id}
        actors = _actors(involved)
        objects = [build.actor(actor) for actor in actors.values()]
        for event in events:
            refs = [claim_stix_id(claim, claim.source.sha256) for claim in event.shown_evidence]
            people = [a.pk for a in event.shown_participants] + ([event.place_id] if event.place_id else [])
            refs = sorted(set(refs) | {actor_stix_id(actors[pk]) for pk in people})
            if refs:  # a grouping groups something: an event with no evidence, participant or place is left out
                objects.append(build.event(event, refs))
        return objects, cursor

    return _sources_page(user=user, filters=filters, after=after, limit=limit, build=build)


def _sources_page(*, user: User, filters: StixFilters, after: int, limit: int, build: _Builder):
    """Whole sources, each a report with its claims, until ``limit`` claims (at least one source)."""
    claims = _claims(user=user, filters=filters)
    sources = visible_sources(user=user, queryset=Source.objects.defer("text", "furniture_note")).filter(
        Exists(claims.filter(source_id=OuterRef("pk"))), pk__gt=after
    )
    if filters.sources:
        sources = sources.filter(pk__in=list(filters.sources))
    declared = FILTERSETS[Source].base_filters
    for bound in ("date_from", "date_to"):
        if getattr(filters, bound):
            sources = declared[bound].filter(sources, getattr(filters, bound))
    sources = sources.annotate(shown=count_subquery(claims.filter(source_id=OuterRef("pk")))).order_by("pk")[
        : limit + 1
    ]
    chosen, total, cursor = [], 0, None
    for source in sources:
        if chosen and (total + source.shown > limit or len(chosen) == limit):
            cursor = ("sources", chosen[-1].pk)
            break
        chosen.append(source)
        total += source.shown
    if not chosen:
        return [], None
    by_source = {source.pk: source for source in chosen}
    page_claims = list(
        claims.filter(source_id__in=list(by_source))
        .prefetch_related(Prefetch("subjects", queryset=Actor.objects.only("pk")))
        .order_by("source_id", "start")
    )
    authors = Source.authors.through.objects.filter(source_id__in=list(by_source)).order_by("pk")
    authored = [(link.source_id, link.actor_id) for link in authors]
    actors = _actors(
        [a.pk for c in page_claims for a in c.subjects.all()]
        + [c.speaker_id for c in page_claims if c.speaker_id]
        + [actor_id for _, actor_id in authored]
    )
    ids = {pk: actor_stix_id(actor) for pk, actor in actors.items()}
    objects = [build.actor(actor) for actor in actors.values()]
    refs: dict[int, list[str]] = {pk: [] for pk in by_source}
    for claim in page_claims:
        note = build.claim(claim, by_source[claim.source_id], ids)
        objects.append(note)
        refs[claim.source_id].append(note.id)
    for source_id, actor_id in authored:
        refs[source_id].append(ids[actor_id])
    objects += [build.report(source, list(dict.fromkeys(refs[source.pk]))) for source in chosen]
    return objects, cursor


def stix_page(
    *,
    user: User,
    base_url: str,
    filters: StixFilters = StixFilters(),
    cursor: tuple[str, int] | None = None,
    limit: int = DEFAULT_LIMIT,
) -> StixPage:
    """The page of the walk that starts at ``cursor`` (None: the first page).

    Sections with nothing to show are stepped over, so only the last page of a walk is empty
    (and only when the walk holds nothing at all).
    """
    sections = SECTIONS
    section, after = cursor or (sections[0], 0)
    build = _Builder(base_url)
    while True:
        objects, next_cursor = _section_page(section, user=user, filters=filters, after=after, limit=limit, build=build)
        if next_cursor is None and section != sections[-1]:
            next_cursor = (sections[sections.index(section) + 1], 0)
        if objects or next_cursor is None:
            return StixPage(objects=_unique(objects), section=section, next_cursor=next_cursor)
        section, after = next_cursor


def _unique(objects: list) -> list:
    """Each object once (an actor two records share is built twice), in a stable order."""
    return list({obj.id: obj for obj in objects}.values())


def stix_bundle(page: StixPage, *, key: str) -> stix2.Bundle:
    """The page as a bundle whose id follows from ``key`` (the request), so equal requests give equal bundles."""
    return stix2.Bundle(objects=page.objects, id=stix_id("bundle", key), allow_custom=True)
