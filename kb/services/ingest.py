"""Ingest: store an article as a source and propose claims from it for review."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction

from kb.choices import ActorKind, EventKind, SourceKind, SourceReliability, TransferStatus
from kb.dates import PartialDate
from kb.ingest.extract import ArticleInputError, article_text
from kb.ingest.links import EventCue, RecordCues, TransferCue, event_kinds_named
from kb.ingest.names import PhraseIndex
from kb.ingest.proposals import Analysis, analyse
from kb.ingest.suggest import credibility
from kb.models import Actor, Agreement, AgreementParty, ArmsTransfer, Claim, Draft, Event, Source
from kb.models.sources import text_sha256
from kb.services.base import User, evidence_with, record_update
from kb.services.claims import claims_propose
from kb.services.ingest_drafts import Planned, ingest_drafts, name_indexes, plan_drafts
from kb.services.sources import source_create

INGEST_USERNAME = "ingest"


class IngestAccount(enum.Enum):
    """The type of ``INGEST_ACCOUNT``."""

    INGEST_ACCOUNT = "ingest account"

    def __repr__(self) -> str:
        return "INGEST_ACCOUNT"


INGEST_ACCOUNT = IngestAccount.INGEST_ACCOUNT
"""``source_ingest(user=INGEST_ACCOUNT)``: record the ingest under the ``ingest`` account (``ingest_account``).

The account is made, the first time, in the ingest's own transaction: an ingest refused or already
stored writes no account.
"""


@dataclass
class IngestResult:
    """What one ingest did: the source, whether it is new, the claims proposed, actors and new names found,
    and the draft records proposed from its sentences (transfers, events, milestones, relationships, new names).

    The claims come with their subjects prefetched, so listing them costs no query per claim.
    """

    source: Source
    created: bool
    claims: list[Claim]
    actors: list[Actor]
    candidates: list[str]
    drafts: list[Draft] = field(default_factory=list)


def _ingest_capitals() -> tuple[dict[int, int], dict[str, int]]:
    """Places that can stand for their state ("Pyongyang said"): a place and a state sharing a country code;
    and the state of each country code only one state has."""
    states: dict[str, list[int]] = {}
    with_code = Actor.objects.exclude(country_code="")
    for pk, code in with_code.filter(kind=ActorKind.STATE).values_list("pk", "country_code"):
        states.setdefault(code, []).append(pk)
    of_code = {code: pks[0] for code, pks in states.items() if len(pks) == 1}
    places = with_code.filter(kind=ActorKind.PLACE).values_list("pk", "country_code")
    return {pk: of_code[code] for pk, code in places if code in of_code}, of_code


def _nationals(people: set[int], of_code: dict[str, int]) -> dict[int, int]:
    """The state of each of ``people`` with a country code: whom "the Russian leader" may be."""
    rows = Actor.objects.filter(pk__in=people).exclude(country_code="").values_list("pk", "country_code")
    return {pk: of_code[code] for pk, code in rows if code in of_code}


def _mentioned(text: str, actors: PhraseIndex, adjectives: PhraseIndex, capitals: dict[int, int]) -> set[int]:
    """The actors ``text`` names, by name, alias or adjective, and the states of the capitals it names."""
    named = {key for m in [*actors.find(text), *adjectives.find(text)] for key in m.keys}
    return named | {capitals[key] for key in named if key in capitals}


def _record_cues(text: str, named: set[int], states: set[int], signed: list[tuple[int, dt.date]]) -> RecordCues:
    """The events and transfers of the actors ``text`` names (``named``: places, participants, parties), described
    for ``kb.ingest.links``: what a sentence can cite without naming the record. ``states`` are those of them
    that are states; ``signed`` lists the agreements signed on a known day: a signing event on that day is the
    agreement's signing."""
    if not named:
        return RecordCues()
    # only what a sentence of this text could cite: events of a kind it speaks of, transfers between two it names
    kinds = event_kinds_named(text)
    # ("other" events are cited by the words of their titles: "North Korea's Covid-19 border closure")
    events = Event.objects.filter(models.Q(place__in=named) | models.Q(participants__in=named))
    events = events.filter(models.Q(kind__in=kinds) | models.Q(kind=EventKind.OTHER)).distinct()
    rows = events.values_list(
        "pk", "kind", "start_on", "start_on_precision", "end_on", "end_on_precision", "place", "title"
    )
    participants: dict[int, set[int]] = {}
    through = Event.participants.through.objects.filter(event__in=events.values("pk"))
    for event_id, actor_id in through.values_list("event_id", "actor_id"):
        participants.setdefault(event_id, set()).add(actor_id)
    on_day: dict[dt.date, list[int]] = {}
    for agreement, day in signed:
        on_day.setdefault(day, []).append(agreement)
    signings: dict[int, list[int]] = {}  # agreement -> the signing events of its day, where it alone was signed
    for pk, kind, start, precision, *_rest in rows:
        if kind == EventKind.SIGNING and precision == "day" and len(on_day.get(start, ())) == 1:
            signings.setdefault(on_day[start][0], []).append(pk)
    signing_of = {pks[0]: agreement for agreement, pks in signings.items() if len(pks) == 1}
    cues = [
        EventCue(
            key=("event", pk),
            kind=kind,
            start=PartialDate.from_fields(start, precision),
            end=PartialDate.from_fields(end, end_precision),
            place=place,
            participants=frozenset(participants.get(pk, ())),
            agreement=("agreement", signing_of[pk]) if pk in signing_of else None,
            title=title,
        )
        for pk, kind, start, precision, end, end_precision, place, title in rows
    ]
    transfers = ArmsTransfer.objects.filter(supplier__in=named, recipient__in=named)
    columns = "pk", "supplier", "recipient", "category", "designation", "start_on", "start_on_precision"
    transfer_cues = [
        TransferCue(
            key=("transfer", pk),
            supplier=supplier,
            recipient=recipient,
            category=category,
            designation=designation,
            start=PartialDate.from_fields(start, precision),
            end=PartialDate.from_fields(end, end_precision),
            planned=status == TransferStatus.PLANNED,
        )
        for pk, supplier, recipient, category, designation, start, precision, end, end_precision, status in (
            transfers.values_list(*columns, "end_on", "end_on_precision", "status")
        )
    ]
    return RecordCues(
        cues,
        transfer_cues,
        states=states,
    )


def _agreement_kinds(states: set[int]) -> dict[tuple[str, int], tuple[str, frozenset[int]]]:
    """The kind and the parties of each agreement between two of ``states``: which one "the arrangement" may be."""
    rows = AgreementParty.objects.filter(agreement__party_links__actor__in=states, actor__in=states)
    found: dict[tuple[str, int], tuple[str, set[int]]] = {}
    for pk, kind, actor in rows.values_list("agreement", "agreement__kind", "actor").distinct():
        found.setdefault(("agreement", pk), (kind, set()))[1].add(actor)
    return {key: (kind, frozenset(parties)) for key, (kind, parties) in found.items() if len(parties) >= 2}


def _publisher_reliability(publisher: str) -> str:
    """The reliability of the publisher's latest graded source: how far its reports are trusted so far."""
    graded = Source.objects.filter(publisher__iexact=publisher).exclude(reliability=SourceReliability.F)
    latest = graded.order_by("-created_at", "-pk").values_list("reliability", flat=True).first()
    return latest or SourceReliability.F


def ingest_account() -> User:
    """The account that command-line ingests are recorded under when no user is named: no login (no password)."""
    model = get_user_model()
    user, created = model.objects.get_or_create(username=INGEST_USERNAME, defaults={"is_active": True})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class _Agreements:
    """The record keys of agreements, as the record index names them: ("agreement", pk)."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and key[:1] == ("agreement",)


def _ingest_published(value: Any) -> PartialDate:
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return PartialDate(value, "day")
    if not isinstance(value, str) or not value.strip():
        raise ValueError("The publication date is missing; give it as YYYY-MM-DD (or YYYY-MM, YYYY).")
    return PartialDate.parse(value)


def source_ingest(
    *,
    user: User | IngestAccount,
    content: bytes,
    filename: str = "",
    title: str,
    publisher: str,
    published_on: str | dt.date | PartialDate,
    byline: str = "",
    url: str = "",
    kind: str = "news",
    reason: str = "",
    reliability: str = "",
) -> IngestResult:
    """Store an article file (text or HTML) as a source and propose claims from it for review.

    Everything is validated before anything is written (``ValidationError`` keyed by
    field: ``content``, ``title``, ``publisher``, ``published_on``, ``kind``…). The same
    cleaned text again returns the stored source with ``created=False`` and writes
    nothing. Otherwise one transaction stores the source and one proposed claim per
    sentence worth citing, with its modality, attribution, subject actors and date, and
    cites it as evidence of the agreements, events and transfers it mentions. Names not yet in
    the knowledge base are reported in ``candidates``, never created: each is proposed as an
    actor draft, beside the draft transfers, events, agreement milestones and relationships the
    sentences give (``kb.services.ingest_drafts``), for an editor to accept or reject.

    Each proposal carries suggestions, listed in its ``suggested`` fields for the editor to
    check: a paraphrase (``statement``) of an attributed sentence and a ``credibility`` from
    the source's ``reliability`` (given, else the publisher's latest graded source's, else F)
    and the claim's modality.

    ``user=INGEST_ACCOUNT`` records the ingest under the ``ingest`` account, made only if it writes.
    """
    errors: dict[str, list[str]] = {}
    title, publisher = (title or "").strip(), (publisher or "").strip()
    if not title:
        errors["title"] = ["The title is missing."]
    if not publisher:
        errors["publisher"] = ["The publisher is missing."]
    try:
        published = _ingest_published(published_on)
    except ValueError as exc:
        errors["published_on"] = [str(exc)]
    if reliability and reliability not in SourceReliability.values:
        errors["reliability"] = [
            f"Unknown reliability {reliability!r}; expected one of {', '.join(SourceReliability.values)}."
        ]
    if kind not in SourceKind.values:
        errors["kind"] = [f"Unknown source kind {kind!r}; expected one of {', '.join(SourceKind.values)}."]
    try:
        article = article_text(content, filename=filename, max_bytes=settings.KB_INGEST_MAX_BYTES, title=title)
    except ArticleInputError as exc:
        errors[exc.field] = [str(exc)]
    if errors:
        raise ValidationError(errors)

    indexes = name_indexes()
    actor_index, record_index, adjective_index, kinds = (
        indexes.actors,
        indexes.records,
        indexes.adjectives,
        indexes.kinds,
    )
    capitals, of_code = _ingest_capitals()
    named = _mentioned(article.text, actor_index, adjective_index, capitals)
    of_kind = {kind: {pk for pk in named if kinds.get(pk) == kind} for kind in (ActorKind.STATE, ActorKind.PERSON)}
    signed = list(Agreement.objects.filter(signed_on_precision="day").values_list("pk", "signed_on"))
    analysis = analyse(
        article.text,
        actors=actor_index,
        records=record_index,
        adjectives=adjective_index,
        published=published,
        kind=kind,
        capitals=capitals,
        cues=_record_cues(article.text, named, of_kind[ActorKind.STATE], signed),
        people=frozenset(of_kind[ActorKind.PERSON]),
        nationals=_nationals(of_kind[ActorKind.PERSON], of_code) if of_kind[ActorKind.PERSON] else {},
        agreement_kinds=_agreement_kinds(of_kind[ActorKind.STATE]) if len(of_kind[ActorKind.STATE]) >= 2 else {},
        title=title,
        publisher=publisher,
        agreements=_Agreements(),
        signings={("agreement", pk): PartialDate(day, "day") for pk, day in signed},
    )
    sha256 = text_sha256(article.text)

    def stored() -> IngestResult | None:
        existing = Source.objects.filter(sha256=sha256).first()
        if existing is None:
            return None
        claims = list(existing.claims.prefetch_related("subjects").order_by("start", "pk"))
        actors = Actor.objects.in_bulk(analysis.actors)
        return IngestResult(
            source=existing,
            created=False,
            claims=claims,
            actors=[actors[pk] for pk in analysis.actors if pk in actors],
            candidates=analysis.candidates,
            drafts=list(existing.drafts.order_by("pk")),
        )

    if (result := stored()) is not None:
        return result
    planned, facts, agreements = plan_drafts(
        article.text, analysis, actor_index=actor_index, adjective_index=adjective_index, published=published
    )
    try:
        return _ingest_write(
            user=user,
            analysis=analysis,
            drafting=(planned, facts, agreements),
            title=title,
            text=article.text,
            publisher=publisher,
            published_on=published,
            byline=byline.strip(),
            url=url.strip(),
            kind=kind,
            reliability=reliability or _publisher_reliability(publisher),
            furniture_note=article.furniture_note,
            reason=reason or "ingest",
        )
    except ValidationError:
        # Another editor may have stored the same text a moment ago: that is "already stored", not an error.
        if (result := stored()) is not None:
            return result
        raise


@transaction.atomic
def _ingest_write(
    *,
    user: User | IngestAccount,
    analysis: Analysis,
    drafting: tuple[Planned, dict, dict],
    title: str,
    text: str,
    publisher: str,
    published_on: PartialDate,
    byline: str,
    url: str,
    kind: str,
    reliability: str,
    furniture_note: str,
    reason: str,
) -> IngestResult:
    """The writes of one ingest, in one transaction: the source, its proposed claims and their citations."""
    if user is INGEST_ACCOUNT:
        user = ingest_account()
    source = source_create(
        user=user,
        title=title,
        text=text,
        publisher=publisher,
        published_on=published_on,
        byline=byline,
        url=url,
        kind=kind,
        reliability=reliability,
        furniture_note=furniture_note,
        reason=reason,
    )
    wanted = {*analysis.actors, *(p.speaker for p in analysis.proposals if p.speaker is not None)}
    actors = Actor.objects.in_bulk(wanted)
    records = {}
    for kind_name, model in (("agreement", Agreement), ("event", Event), ("transfer", ArmsTransfer)):
        ids = {pk for p in analysis.proposals for linked_kind, pk in p.links if linked_kind == kind_name}
        records.update({(kind_name, pk): obj for pk, obj in model.objects.in_bulk(ids).items()})
    claims = claims_propose(
        user=user,
        source=source,
        reason=reason,
        claims=[
            {
                "quote": proposal.quote,
                "start": proposal.start,
                "end": proposal.end,
                "modality": proposal.modality,
                "attributed_to": proposal.attributed_to[:200],
                "speaker": actors.get(proposal.speaker),
                "subjects": [actors[pk] for pk in proposal.subjects if pk in actors],
                "about_on": proposal.about,
                "statement": proposal.statement,
                "credibility": credibility(reliability, proposal.modality),
                "suggested": ["statement", "credibility"] if proposal.statement else ["credibility"],
            }
            for proposal in analysis.proposals
        ],
    )
    evidence: dict[tuple[str, int], list[Claim]] = {}
    for proposal, claim in zip(analysis.proposals, claims, strict=True):
        for key in proposal.links:
            if key in records:
                evidence.setdefault(key, []).append(claim)
    for key, cited in evidence.items():
        record = records[key]
        record_update(
            record, user=user, reason="ingest: cited by proposed claims", evidence=evidence_with(record, cited)
        )
    planned, facts, agreements = drafting
    drafts = ingest_drafts(user=user, source=source, planned=planned, claims=claims, facts=facts, agreements=agreements)
    models.prefetch_related_objects(claims, "subjects")  # the result lists them without a query per claim
    return IngestResult(
        source=source,
        created=True,
        claims=claims,
        actors=[actors[pk] for pk in analysis.actors if pk in actors],
        candidates=analysis.candidates,
        drafts=drafts,
    )
