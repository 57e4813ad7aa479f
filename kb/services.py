"""Every write to the knowledge base.

Each service takes keyword-only arguments and the acting ``user``, validates with
``full_clean()``, runs in one transaction and records history with that user. Bad
input raises ``django.core.exceptions.ValidationError`` keyed by field name, and
nothing is written. The admin, the API, the commands and the corpus loader all call
these functions; none of them creates domain rows directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from kb.choices import ActorKind, ClaimStatus, SourceKind
from kb.dates import PartialDate, coerce_partial_date
from kb.ingest.anchor import AnchorError, check_anchor, find_anchor, remap_span
from kb.ingest.extract import ArticleInputError, article_text
from kb.ingest.names import PhraseIndex, demonyms, title_phrases
from kb.ingest.normalize import clean_text, normalize_name, strip_accents
from kb.ingest.proposals import Analysis, analyse
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

M = TypeVar("M", bound=models.Model)
User = AbstractBaseUser | AnonymousUser | None

EDITORS_GROUP = "Editors"


class RecordInUse(ValidationError):
    """A delete refused because other records depend on this one."""


# --- generic machinery ------------------------------------------------------------


def _history_user(user: User) -> AbstractBaseUser | None:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _expand_partial_dates(model: type[models.Model], fields: dict[str, Any]) -> dict[str, Any]:
    """Accept ``name="2024-06"`` or a PartialDate for any partial date and set both columns."""
    for name in getattr(model, "partial_dates", ()):
        if name not in fields:
            continue
        value = fields[name]
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            continue  # a plain date goes with an explicit ``<name>_precision``
        partial = coerce_partial_date(value, name)
        fields[name] = partial.date if partial else None
        fields[f"{name}_precision"] = partial.precision if partial else ""
    return fields


def _split_m2m(model: type[models.Model], fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list]]:
    m2m_names = {f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created}
    plain = {k: v for k, v in fields.items() if k not in m2m_names}
    m2m = {k: list(v) for k, v in fields.items() if k in m2m_names}
    unknown = [k for k in plain if k not in _settable_names(model)]
    if unknown:
        raise ValidationError({name: [f"{model.__name__} has no field {name!r}."] for name in unknown})
    return plain, m2m


def _settable_names(model: type[models.Model]) -> set[str]:
    names = set()
    for field in model._meta.concrete_fields:
        names.add(field.name)
        names.add(field.attname)
    return names


def _save(instance: M, *, user: User, m2m: dict[str, list] | None = None, reason: str = "") -> M:
    """Validate and save ``instance`` and its many-to-many values, recording ``user`` in history."""
    instance.full_clean()
    instance._history_user = _history_user(user)
    if reason:
        instance._change_reason = reason
    try:
        with transaction.atomic():
            instance.save()
            for name, values in (m2m or {}).items():
                getattr(instance, name).set(values)
            _touch_wholes(instance)
    except IntegrityError as exc:
        # full_clean() catches what the model knows; a race with another writer lands here.
        raise ValidationError({"__all__": [f"The database refused the record: {exc}"]}) from exc
    return instance


def _touch_wholes(part: models.Model) -> None:
    """A written part (alias, party, provision, claim link) changes its record: move the record's ``updated_at``.

    The record's version (``selectors.record_version``) then changes too, so an API client's
    If-Match or an open admin form of the record notices. No history row: the part has its own.
    """
    for field in part._meta.concrete_fields:
        remote = field.remote_field
        if field.many_to_one and remote.on_delete is models.CASCADE and remote.model._meta.app_label == "kb":
            whole_id = getattr(part, field.attname)
            if whole_id is not None:
                remote.model._default_manager.filter(pk=whole_id).update(updated_at=timezone.now())


@transaction.atomic
def record_create(model: type[M], *, user: User, reason: str = "", **fields: Any) -> M:
    """Create one record of ``model`` from field values (many-to-many values as lists)."""
    plain, m2m = _split_m2m(model, _expand_partial_dates(model, dict(fields)))
    return _save(model(**plain), user=user, m2m=m2m, reason=reason)


@transaction.atomic
def record_update(instance: M, *, user: User, reason: str = "", **fields: Any) -> M:
    """Change the given fields of ``instance``; fields not named keep their values."""
    plain, m2m = _split_m2m(type(instance), _expand_partial_dates(type(instance), dict(fields)))
    for name, value in plain.items():
        setattr(instance, name, value)
    return _save(instance, user=user, m2m=m2m, reason=reason)


def dependents(instance: models.Model) -> list[tuple[str, int]]:
    """Records that depend on ``instance`` and would block its deletion, as (what, count) pairs.

    Reverse foreign keys declared PROTECT and reverse many-to-many relations (evidence,
    subjects, participants, authors) are dependencies; CASCADE children (aliases,
    provisions, links) are parts of the record and go with it.
    """
    found = []
    for rel in instance._meta.related_objects:
        if rel.related_model._meta.app_label != "kb" or rel.related_name == "+":
            continue
        if rel.one_to_many and rel.on_delete is not models.PROTECT:
            continue
        if rel.many_to_many and not rel.related_model._meta.auto_created and not rel.through._meta.auto_created:
            continue  # counted through the explicit through model's PROTECT foreign key
        count = getattr(instance, rel.get_accessor_name()).count()
        if count:
            meta = rel.related_model._meta
            what = meta.verbose_name if count == 1 else meta.verbose_name_plural
            found.append((f"{what} (as {rel.field.verbose_name})", count))
    return found


@transaction.atomic
def record_delete(instance: models.Model, *, user: User, reason: str = "") -> None:
    """Delete ``instance`` unless other records depend on it; history keeps its last version."""
    blocking = dependents(instance)
    if blocking:
        listed = ", ".join(f"{count} {what}" for what, count in blocking)
        raise RecordInUse(
            f"{instance._meta.verbose_name.capitalize()} “{instance}” cannot be deleted: "
            f"it is used by {listed}. Remove or reassign those first."
        )
    instance._history_user = _history_user(user)
    if reason:
        instance._change_reason = reason
    for child in _cascade_children(instance):
        child._history_user = instance._history_user
    instance.delete()
    _touch_wholes(instance)


def _cascade_children(instance: models.Model) -> Iterable[models.Model]:
    for rel in instance._meta.related_objects:
        if rel.one_to_many and rel.on_delete is models.CASCADE and rel.related_model._meta.app_label == "kb":
            yield from getattr(instance, rel.get_accessor_name()).all()


# --- actors -----------------------------------------------------------------------


def unique_slug(model: type[models.Model], text: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(strip_accents(text))[:180] or model._meta.model_name
    slug, n = base, 2
    qs = model._default_manager.all()
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    while qs.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def actor_create(*, user: User, name: str, kind: str, slug: str = "", aliases: Iterable[str] = (), **fields) -> Actor:
    """Create an actor; its name and every alias are stored as aliases for lookup."""
    actor = record_create(Actor, user=user, name=name, kind=kind, slug=slug or unique_slug(Actor, name), **fields)
    for alias in [name, *aliases]:
        alias_add(actor=actor, user=user, name=alias, exist_ok=True)
    return actor


@transaction.atomic
def actor_update(actor: Actor, *, user: User, **fields) -> Actor:
    """Change an actor; a new name is kept as an alias so the old and new spellings both resolve."""
    actor = record_update(actor, user=user, **fields)
    alias_add(actor=actor, user=user, name=actor.name, exist_ok=True)
    return actor


@transaction.atomic
def actor_delete(actor: Actor, *, user: User) -> None:
    record_delete(actor, user=user)


@transaction.atomic
def alias_add(*, user: User, actor: Actor, name: str, language: str = "", exist_ok: bool = False) -> Alias:
    """Add a spelling to an actor; one that normalises like an existing alias of the actor is a duplicate."""
    normalized = normalize_name(name)
    existing = actor.aliases.filter(normalized=normalized).first()
    if existing:
        if exist_ok:
            return existing
        raise ValidationError({"name": [f"“{name}” is already an alias of {actor} (as “{existing.name}”)."]})
    return record_create(Alias, user=user, actor=actor, name=name.strip(), language=language)


@transaction.atomic
def alias_delete(alias: Alias, *, user: User) -> None:
    if alias.normalized == normalize_name(alias.actor.name):
        raise RecordInUse(f"“{alias.name}” is the name of {alias.actor}; rename the actor before removing it.")
    record_delete(alias, user=user)


def actors_by_name(name: str) -> models.QuerySet[Actor]:
    """Actors any of whose aliases normalises like ``name``."""
    return Actor.objects.filter(aliases__normalized=normalize_name(name)).distinct()


def _swap_actor(actors: Iterable[Actor], duplicate: Actor, into: Actor) -> list[Actor]:
    """``actors`` with ``duplicate`` replaced by ``into``, each actor once."""
    swapped = {}
    for actor in actors:
        actor = into if actor.pk == duplicate.pk else actor
        swapped[actor.pk] = actor
    return list(swapped.values())


@transaction.atomic
def actor_merge(*, user: User, duplicate: Actor, into: Actor) -> Actor:
    """Fold ``duplicate`` into ``into``: every reference moves, its names become aliases, and it is deleted.

    Claims (subjects, speaker), relationships (both ends), agreement parties, signatories and
    signing places, transfers, events (participants, place) and source authors move to
    ``into``; blank fields of ``into`` (summary, country code, Wikidata id, dates) are filled
    from ``duplicate``. A relationship that would relate ``into`` to itself is deleted, and one
    that would repeat an existing relationship is folded into it with its evidence. A transfer
    whose supplier and recipient would become the same actor refuses the merge. Every change
    is recorded in history with ``user`` and the reason "merge: …".
    """
    if duplicate.pk == into.pk:
        raise ValidationError({"into": [f"{into} cannot be merged into itself."]})
    duplicate = Actor.objects.select_for_update().get(pk=duplicate.pk)
    into = Actor.objects.select_for_update().get(pk=into.pk)
    reason = f"merge: {duplicate} (#{duplicate.pk}) into {into} (#{into.pk})"
    Q = models.Q
    clashing = list(
        ArmsTransfer.objects.filter(
            Q(supplier=duplicate, recipient=into) | Q(supplier=into, recipient=duplicate)
        ).order_by("pk")
    )
    if clashing:
        names = ", ".join(f"#{t.pk} {t}" for t in clashing)
        message = f"Merging would make {into} both supplier and recipient of transfer(s) {names}; fix those first."
        raise ValidationError({"into": [message]})

    def move(instance: models.Model, **fields: Any) -> None:
        record_update(instance, user=user, reason=reason, **fields)

    for claim in Claim.objects.filter(subjects=duplicate).prefetch_related("subjects").order_by("pk"):
        move(claim, subjects=_swap_actor(claim.subjects.all(), duplicate, into))
    for claim in Claim.objects.filter(speaker=duplicate).order_by("pk"):
        move(claim, speaker=into)
    for event in Event.objects.filter(participants=duplicate).prefetch_related("participants").order_by("pk"):
        move(event, participants=_swap_actor(event.participants.all(), duplicate, into))
    for event in Event.objects.filter(place=duplicate).order_by("pk"):
        move(event, place=into)
    for source in Source.objects.filter(authors=duplicate).prefetch_related("authors").order_by("pk"):
        move(source, authors=_swap_actor(source.authors.all(), duplicate, into))
    for agreement in Agreement.objects.filter(signed_place=duplicate).order_by("pk"):
        move(agreement, signed_place=into)
    for party in AgreementParty.objects.filter(actor=duplicate).select_related("signatory").order_by("pk"):
        existing = AgreementParty.objects.filter(agreement_id=party.agreement_id, actor=into).first()
        if existing is None:
            move(party, actor=into)
            continue
        if existing.signatory_id is None and party.signatory_id is not None:
            move(existing, signatory=party.signatory)
        record_delete(party, user=user, reason=reason)
    for party in AgreementParty.objects.filter(signatory=duplicate).order_by("pk"):
        move(party, signatory=into)
    for transfer in ArmsTransfer.objects.filter(supplier=duplicate).order_by("pk"):
        move(transfer, supplier=into)
    for transfer in ArmsTransfer.objects.filter(recipient=duplicate).order_by("pk"):
        move(transfer, recipient=into)
    relationships = Relationship.objects.filter(Q(subject=duplicate) | Q(object=duplicate))
    for rel in relationships.prefetch_related("evidence").order_by("pk"):
        subject_id = into.pk if rel.subject_id == duplicate.pk else rel.subject_id
        object_id = into.pk if rel.object_id == duplicate.pk else rel.object_id
        if subject_id == object_id:
            record_delete(rel, user=user, reason=reason)
            continue
        same = (
            Relationship.objects.filter(
                subject_id=subject_id, predicate=rel.predicate, object_id=object_id, valid_from=rel.valid_from
            )
            .exclude(pk=rel.pk)
            .first()
        )
        if same is None:
            move(rel, subject_id=subject_id, object_id=object_id)
            continue
        evidence = {claim.pk: claim for claim in [*same.evidence.all(), *rel.evidence.all()]}
        move(same, evidence=list(evidence.values()))
        record_delete(rel, user=user, reason=reason)

    names = list(duplicate.aliases.order_by("pk").values_list("name", "language"))
    blanks = ("summary", "country_code", "wikidata_id", "start_on", "start_on_precision", "end_on", "end_on_precision")
    filled = {name: getattr(duplicate, name) for name in blanks if not getattr(into, name) and getattr(duplicate, name)}
    record_delete(duplicate, user=user, reason=reason)
    for name, language in names:
        alias_add(user=user, actor=into, name=name, language=language, exist_ok=True)
    return record_update(into, user=user, reason=reason, **filled)


# --- sources ----------------------------------------------------------------------


@transaction.atomic
def source_create(*, user: User, title: str, text: str, publisher: str, **fields) -> Source:
    """Store an article. Its text is cleaned; the same text twice is refused as a duplicate."""
    text = clean_text(text or "")
    if not text:
        raise ValidationError({"text": ["The source text is empty."]})
    duplicate = Source.objects.filter(sha256=text_sha256(text)).first()
    if duplicate:
        raise ValidationError({"text": [f"This text is already stored as source #{duplicate.pk} “{duplicate}”."]})
    return record_create(Source, user=user, title=title, text=text, publisher=publisher, **fields)


@transaction.atomic
def source_update(source: Source, *, user: User, **fields) -> Source:
    """Change a source. New text keeps every claim anchored or is refused, naming the claims it would break.

    A claim whose quote is no longer at its offsets follows its words through the edit,
    or, when the edit touched them, moves to the quote's only occurrence in the new text.
    """
    if "text" in fields:
        new_text = clean_text(fields["text"] or "")
        fields["text"] = new_text
        if new_text != source.text:
            moved, broken = [], []
            for claim in source.claims.select_for_update().order_by("pk"):
                if new_text[claim.start : claim.end] == claim.quote:
                    continue
                span = remap_span(source.text, new_text, claim.start, claim.end)
                if span is None:
                    try:
                        anchor = find_anchor(new_text, claim.quote)
                    except AnchorError:
                        broken.append(claim)
                        continue
                    span = (anchor.start, anchor.end)
                moved.append((claim, span))
            if broken:
                names = ", ".join(f"#{c.pk} {c}" for c in broken[:10])
                more = f" and {len(broken) - 10} more" if len(broken) > 10 else ""
                raise ValidationError(
                    {"text": [f"The new text would break the anchors of {len(broken)} claim(s): {names}{more}."]}
                )
            source = record_update(source, user=user, **fields)
            for claim, (start, end) in moved:
                record_update(claim, user=user, start=start, end=end, reason="re-anchored")
            return source
    return record_update(source, user=user, **fields)


@transaction.atomic
def source_delete(source: Source, *, user: User) -> None:
    record_delete(source, user=user)


# --- claims -----------------------------------------------------------------------


def _anchor(source: Source, quote: str, start: int | None, end: int | None, occurrence: int | None):
    """The anchor for a claim: checked when offsets are given, found in the text otherwise."""
    try:
        if start is not None or end is not None:
            if start is None or end is None:
                raise AnchorError("Give both start and end, or neither.", field="start" if start is None else "end")
            check_anchor(source.text, quote, start, end)
            return start, end, quote
        anchor = find_anchor(source.text, quote, occurrence)
        return anchor.start, anchor.end, anchor.quote
    except AnchorError as exc:
        raise ValidationError({exc.field: [str(exc)]}) from exc


@transaction.atomic
def claim_create(
    *,
    user: User,
    source: Source,
    quote: str,
    start: int | None = None,
    end: int | None = None,
    occurrence: int | None = None,
    status: str = ClaimStatus.PROPOSED,
    **fields,
) -> Claim:
    """Create a claim anchored in ``source``; offsets are found from the quote when not given."""
    start, end, quote = _anchor(source, quote, start, end, occurrence)
    duplicate = Claim.objects.filter(source=source, start=start, end=end).first()
    if duplicate:
        raise ValidationError({"quote": [f"Claim #{duplicate.pk} already anchors this quote at {start}..{end}."]})
    if status != ClaimStatus.PROPOSED:
        fields.setdefault("reviewed_by", _history_user(user))
        fields.setdefault("reviewed_at", timezone.now())
    return record_create(
        Claim,
        user=user,
        source=source,
        quote=quote,
        start=start,
        end=end,
        status=status,
        created_by=_history_user(user),
        **fields,
    )


@transaction.atomic
def claim_update(claim: Claim, *, user: User, occurrence: int | None = None, **fields) -> Claim:
    """Change a claim; a new quote, source or offsets is anchored again before anything is saved."""
    if {"quote", "start", "end", "source"} & fields.keys() or occurrence is not None:
        source = fields.get("source", claim.source)
        quote = fields.get("quote", claim.quote)
        offsets_given = "start" in fields or "end" in fields
        start = fields.get("start", claim.start) if offsets_given else None
        end = fields.get("end", claim.end) if offsets_given else None
        fields["start"], fields["end"], fields["quote"] = _anchor(source, quote, start, end, occurrence)
        clash = Claim.objects.filter(source=source, start=fields["start"], end=fields["end"]).exclude(pk=claim.pk)
        if clash.exists():
            raise ValidationError({"quote": [f"Claim #{clash.first().pk} already anchors this quote."]})
    if "status" in fields and fields["status"] != claim.status:
        return claim_review(claim, user=user, status=fields.pop("status"), note=fields.pop("review_note", ""), **fields)
    return record_update(claim, user=user, **fields)


@transaction.atomic
def claim_review(claim: Claim, *, user: User, status: str, note: str = "", **fields) -> Claim:
    """Accept, reject, dispute or send back a claim, recording reviewer, time and note."""
    if status not in ClaimStatus.values:
        raise ValidationError(
            {"status": [f"Unknown status {status!r}; expected one of {', '.join(ClaimStatus.values)}."]}
        )
    reviewed = status != ClaimStatus.PROPOSED
    return record_update(
        claim,
        user=user,
        status=status,
        review_note=note,
        reviewed_by=_history_user(user) if reviewed else None,
        reviewed_at=timezone.now() if reviewed else None,
        reason=f"review: {status}",
        **fields,
    )


@transaction.atomic
def claim_delete(claim: Claim, *, user: User) -> None:
    record_delete(claim, user=user)


@transaction.atomic
def claim_link(*, user: User, from_claim: Claim, to_claim: Claim, kind: str, note: str = "") -> ClaimLink:
    """Link two claims (supports, contradicts, updates, duplicates); the same link twice is refused."""
    if ClaimLink.objects.filter(from_claim=from_claim, to_claim=to_claim, kind=kind).exists():
        raise ValidationError({"to_claim": [f"Claim #{from_claim.pk} already {kind} claim #{to_claim.pk}."]})
    return record_create(ClaimLink, user=user, from_claim=from_claim, to_claim=to_claim, kind=kind, note=note)


@transaction.atomic
def claim_unlink(link: ClaimLink, *, user: User) -> None:
    record_delete(link, user=user)


# --- relationships, events, agreements, transfers ----------------------------------


@transaction.atomic
def relationship_create(*, user: User, **fields) -> Relationship:
    return record_create(Relationship, user=user, **fields)


@transaction.atomic
def event_create(*, user: User, title: str, slug: str = "", **fields) -> Event:
    return record_create(Event, user=user, title=title, slug=slug or unique_slug(Event, title), **fields)


@transaction.atomic
def transfer_create(*, user: User, **fields) -> ArmsTransfer:
    return record_create(ArmsTransfer, user=user, **fields)


@transaction.atomic
def agreement_create(
    *,
    user: User,
    title: str,
    slug: str = "",
    parties: Iterable[Actor | tuple[Actor, Actor | None]] = (),
    provisions: Iterable[dict[str, Any]] = (),
    **fields,
) -> Agreement:
    """Create an agreement with its parties (an actor, or an (actor, signatory) pair) and provisions."""
    agreement = record_create(Agreement, user=user, title=title, slug=slug or unique_slug(Agreement, title), **fields)
    for party in parties:
        actor, signatory = party if isinstance(party, tuple) else (party, None)
        agreement_party_add(agreement=agreement, user=user, actor=actor, signatory=signatory)
    for order, provision in enumerate(provisions, start=1):
        provision_add(agreement=agreement, user=user, **{"order": order, **provision})
    return agreement


@transaction.atomic
def agreement_update(
    agreement: Agreement,
    *,
    user: User,
    parties: Iterable[Actor | tuple[Actor, Actor | None]] | None = None,
    provisions: Iterable[dict[str, Any]] | None = None,
    **fields,
) -> Agreement:
    """Change an agreement; ``parties`` and ``provisions``, when given, replace the current lists.

    A party that stays keeps its row (its signatory is updated); provisions are matched
    by position, so an edited provision keeps its history and evidence.
    """
    agreement = record_update(agreement, user=user, **fields)
    if parties is not None:
        wanted = [p if isinstance(p, tuple) else (p, None) for p in parties]
        actors = [actor.pk for actor, _ in wanted]
        if len(set(actors)) != len(actors):
            raise ValidationError({"parties": ["An actor is listed twice among the parties."]})
        current = {link.actor_id: link for link in agreement.party_links.all()}
        for actor_id, link in current.items():
            if actor_id not in actors:
                record_delete(link, user=user)
        for actor, signatory in wanted:
            link = current.get(actor.pk)
            if link is None:
                agreement_party_add(agreement=agreement, user=user, actor=actor, signatory=signatory)
            elif link.signatory_id != (signatory.pk if signatory else None):
                record_update(link, user=user, signatory=signatory)
    if provisions is not None:
        existing = list(agreement.provisions.order_by("order", "pk"))
        wanted_provisions = list(provisions)
        for provision in existing[len(wanted_provisions) :]:
            record_delete(provision, user=user)
        for order, data in enumerate(wanted_provisions, start=1):
            data = {"order": order, **data}
            if order <= len(existing):
                record_update(existing[order - 1], user=user, **data)
            else:
                provision_add(agreement=agreement, user=user, **data)
    return agreement


@transaction.atomic
def agreement_party_add(
    *, user: User, agreement: Agreement, actor: Actor, signatory: Actor | None = None
) -> AgreementParty:
    if agreement.party_links.filter(actor=actor).exists():
        raise ValidationError({"actor": [f"{actor} is already a party to {agreement}."]})
    return record_create(AgreementParty, user=user, agreement=agreement, actor=actor, signatory=signatory)


@transaction.atomic
def provision_add(*, user: User, agreement: Agreement, **fields) -> Provision:
    return record_create(Provision, user=user, agreement=agreement, **fields)


# --- ingest -----------------------------------------------------------------------


@dataclass
class IngestResult:
    """What one ingest did: the source, whether it is new, the claims proposed, actors and new names found."""

    source: Source
    created: bool
    claims: list[Claim]
    actors: list[Actor]
    candidates: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": {"id": self.source.pk, "title": self.source.title, "sha256": self.source.sha256},
            "created": self.created,
            "claims": [
                {
                    "id": claim.pk,
                    "quote": claim.quote,
                    "start": claim.start,
                    "end": claim.end,
                    "modality": claim.modality,
                    "attributed_to": claim.attributed_to,
                    "speaker": claim.speaker_id,
                    "subjects": [actor.pk for actor in claim.subjects.all()],
                    "about": str(claim.about) if claim.about else None,
                }
                for claim in self.claims
            ],
            "actors": [{"id": actor.pk, "slug": actor.slug, "name": actor.name} for actor in self.actors],
            "candidates": list(self.candidates),
        }


@transaction.atomic
def claims_propose(*, user: User, source: Source, claims: list[dict[str, Any]], reason: str = "") -> list[Claim]:
    """Create many proposed claims on one source in a handful of queries, with their subjects and history.

    Each claim is anchored and validated as ``claim_create`` does (offsets checked against
    the text, fields and partial dates cleaned, an anchor taken twice refused); the
    database keeps the constraints. Ingest uses it: one article proposes dozens of claims.
    """
    taken = set(Claim.objects.filter(source=source).values_list("start", "end"))
    instances, subject_lists = [], []
    for given in claims:
        fields = dict(given)
        subject_lists.append(list(fields.pop("subjects", [])))
        quote, start, end = fields.pop("quote", ""), fields.pop("start", None), fields.pop("end", None)
        plain, _m2m = _split_m2m(Claim, _expand_partial_dates(Claim, fields))
        start, end, quote = _anchor(source, quote, start, end, None)
        if (start, end) in taken:
            raise ValidationError({"quote": [f"A claim already anchors “{quote[:60]}” at {start}..{end}."]})
        taken.add((start, end))
        claim = Claim(
            source=source,
            quote=quote,
            start=start,
            end=end,
            status=ClaimStatus.PROPOSED,
            created_by=_history_user(user),
            **plain,
        )
        # The related rows were handed in as instances, so they are not looked up again.
        excluded = ["source", "speaker", "created_by", "reviewed_by"]
        claim.full_clean(exclude=excluded, validate_unique=False, validate_constraints=False)
        instances.append(claim)
    try:
        with transaction.atomic():
            created = Claim.objects.bulk_create(instances)
            through = Claim.subjects.through
            rows = through.objects.bulk_create(
                [
                    through(claim=claim, actor=actor)
                    for claim, subjects in zip(created, subject_lists, strict=True)
                    for actor in dict.fromkeys(subjects)
                ]
            )
            history = Claim.history.bulk_history_create(
                created, default_user=_history_user(user), default_change_reason=reason or None
            )
            subjects_history = apps.get_model(Claim._meta.app_label, f"{Claim.history.model.__name__}_subjects")
            by_claim = {entry.id: entry for entry in history}
            subjects_history.objects.bulk_create(
                [
                    subjects_history(history=by_claim[row.claim_id], id=row.pk, claim=row.claim, actor_id=row.actor_id)
                    for row in rows
                ]
            )
    except IntegrityError as exc:
        raise ValidationError({"__all__": [f"The database refused the claims: {exc}"]}) from exc
    return created


def _ingest_capitals() -> dict[int, int]:
    """Places that can stand for their state ("Pyongyang said"): a place and a state sharing a country code."""
    states: dict[str, list[int]] = {}
    with_code = Actor.objects.exclude(country_code="")
    for pk, code in with_code.filter(kind=ActorKind.STATE).values_list("pk", "country_code"):
        states.setdefault(code, []).append(pk)
    places = with_code.filter(kind=ActorKind.PLACE).values_list("pk", "country_code")
    return {pk: states[code][0] for pk, code in places if len(states.get(code, ())) == 1}


def _ingest_indexes() -> tuple[PhraseIndex, PhraseIndex, PhraseIndex]:
    """Every actor alias, the agreement and event titles, transfer designations, and the adjectives of states."""
    actors = PhraseIndex(Alias.objects.values_list("name", "actor_id").iterator())
    adjectives = PhraseIndex(
        (form, actor_id)
        for name, actor_id in Alias.objects.filter(actor__kind=ActorKind.STATE).values_list("name", "actor_id")
        for form in demonyms(name)
    )
    records = PhraseIndex(match_case=False)
    for pk, title in Agreement.objects.values_list("pk", "title"):
        for phrase in title_phrases(title):
            records.add(phrase, ("agreement", pk))
    for pk, title in Event.objects.values_list("pk", "title"):
        if len(title.split()) >= 2:  # "Korean War", "Russian invasion of Ukraine" are written as titled
            records.add(title, ("event", pk))
    for pk, designation in ArmsTransfer.objects.exclude(designation="").values_list("pk", "designation"):
        if len(designation.strip()) >= 2:
            records.add(designation, ("transfer", pk))
    return actors, records, adjectives


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
    user: User,
    content: bytes,
    filename: str = "",
    title: str,
    publisher: str,
    published_on: str | dt.date | PartialDate,
    byline: str = "",
    url: str = "",
    kind: str = "news",
) -> IngestResult:
    """Store an article file (text or HTML) as a source and propose claims from it for review.

    Everything is validated before anything is written (``ValidationError`` keyed by
    field: ``content``, ``title``, ``publisher``, ``published_on``, ``kind``…). The same
    cleaned text again returns the stored source with ``created=False`` and writes
    nothing. Otherwise one transaction stores the source and one proposed claim per
    sentence worth citing, with its modality, attribution, subject actors and date, and
    cites it as evidence of the agreements, events and transfers it mentions. Names not yet in
    the knowledge base are reported in ``candidates``, never created.
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
    if kind not in SourceKind.values:
        errors["kind"] = [f"Unknown source kind {kind!r}; expected one of {', '.join(SourceKind.values)}."]
    try:
        article = article_text(content, filename=filename, max_bytes=settings.KB_INGEST_MAX_BYTES)
    except ArticleInputError as exc:
        errors[exc.field] = [str(exc)]
    if errors:
        raise ValidationError(errors)

    actor_index, record_index, adjective_index = _ingest_indexes()
    analysis = analyse(
        article.text,
        actors=actor_index,
        records=record_index,
        adjectives=adjective_index,
        published=published,
        kind=kind,
        capitals=_ingest_capitals(),
        signings={
            ("agreement", pk): PartialDate(signed, "day")
            for pk, signed in Agreement.objects.filter(signed_on_precision="day").values_list("pk", "signed_on")
        },
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
        )

    if (result := stored()) is not None:
        return result
    try:
        return _ingest_write(
            user=user,
            analysis=analysis,
            title=title,
            text=article.text,
            publisher=publisher,
            published_on=published,
            byline=byline.strip(),
            url=url.strip(),
            kind=kind,
            furniture_note=article.furniture_note,
        )
    except ValidationError:
        # Another editor may have stored the same text a moment ago: that is "already stored", not an error.
        if (result := stored()) is not None:
            return result
        raise


@transaction.atomic
def _ingest_write(*, user: User, analysis: Analysis, **source_fields: Any) -> IngestResult:
    """The writes of one ingest, in one transaction: the source, its proposed claims and their citations."""
    source = source_create(user=user, **source_fields)
    wanted = {*analysis.actors, *(p.speaker for p in analysis.proposals if p.speaker is not None)}
    actors = Actor.objects.in_bulk(wanted)
    records = {}
    for kind, model in (("agreement", Agreement), ("event", Event), ("transfer", ArmsTransfer)):
        ids = {pk for p in analysis.proposals for kind_, pk in p.links if kind_ == kind}
        records.update({(kind, pk): obj for pk, obj in model.objects.in_bulk(ids).items()})
    claims = claims_propose(
        user=user,
        source=source,
        reason="ingest",
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
        cited = [*record.evidence.all(), *cited]
        record_update(record, user=user, reason="ingest: cited by proposed claims", evidence=cited)
    models.prefetch_related_objects(claims, "subjects")  # as_dict() lists them without a query per claim
    return IngestResult(
        source=source,
        created=True,
        claims=claims,
        actors=[actors[pk] for pk in analysis.actors if pk in actors],
        candidates=analysis.candidates,
    )


# --- permissions ------------------------------------------------------------------


def editors_group_sync() -> Group:
    """The Editors group, with every permission on kb's records, history and API tokens."""
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=["kb", "authtoken"])
    group.permissions.set(permissions)
    return group


__all__ = [
    "PartialDate",
    "RecordInUse",
    "actor_create",
    "actor_delete",
    "actor_merge",
    "actor_update",
    "actors_by_name",
    "agreement_create",
    "agreement_party_add",
    "agreement_update",
    "alias_add",
    "alias_delete",
    "claim_create",
    "claim_delete",
    "claim_link",
    "claim_review",
    "claim_unlink",
    "claim_update",
    "claims_propose",
    "editors_group_sync",
    "event_create",
    "provision_add",
    "record_create",
    "record_delete",
    "record_update",
    "relationship_create",
    "source_create",
    "source_delete",
    "source_ingest",
    "source_update",
    "transfer_create",
]
