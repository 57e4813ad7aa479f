"""Writes to actors and their aliases, and the merge that folds a duplicate actor into another."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from kb.ingest.normalize import normalize_name
from kb.models import Actor, Agreement, AgreementParty, Alias, ArmsTransfer, Claim, Event, Relationship, Source
from kb.services.base import (
    UNSET,
    DateInput,
    RecordInUse,
    Unset,
    User,
    given,
    record_create,
    record_delete,
    record_update,
    refuses_unknown_fields,
    unique_slug,
)


@refuses_unknown_fields(Actor)
@transaction.atomic
def actor_create(
    *,
    user: User,
    name: str,
    kind: str,
    slug: str = "",
    aliases: Iterable[str] = (),
    summary: str = "",
    country_code: str = "",
    start_on: DateInput = None,
    start_on_precision: str = "",
    end_on: DateInput = None,
    end_on_precision: str = "",
    wikidata_id: str = "",
    reason: str = "",
) -> Actor:
    """Create an actor; its name and every alias are stored as aliases for lookup."""
    actor = record_create(
        Actor,
        user=user,
        reason=reason,
        name=name,
        kind=kind,
        slug=slug or unique_slug(Actor, name),
        summary=summary,
        country_code=country_code,
        start_on=start_on,
        start_on_precision=start_on_precision,
        end_on=end_on,
        end_on_precision=end_on_precision,
        wikidata_id=wikidata_id,
    )
    for alias in [name, *aliases]:
        alias_add(actor=actor, user=user, name=alias, exist_ok=True)
    return actor


@refuses_unknown_fields(Actor)
@transaction.atomic
def actor_update(
    actor: Actor,
    *,
    user: User,
    name: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    slug: str | Unset = UNSET,
    aliases: Iterable[str] = (),
    summary: str | Unset = UNSET,
    country_code: str | Unset = UNSET,
    start_on: DateInput | Unset = UNSET,
    start_on_precision: str | Unset = UNSET,
    end_on: DateInput | Unset = UNSET,
    end_on_precision: str | Unset = UNSET,
    wikidata_id: str | Unset = UNSET,
    reason: str = "",
) -> Actor:
    """Change an actor; a new name is kept as an alias so the old and new spellings both resolve.

    ``aliases`` are spellings to add; those the actor already has are left as they are, and
    none is removed.
    """
    fields = given(
        name=name,
        kind=kind,
        slug=slug,
        summary=summary,
        country_code=country_code,
        start_on=start_on,
        start_on_precision=start_on_precision,
        end_on=end_on,
        end_on_precision=end_on_precision,
        wikidata_id=wikidata_id,
    )
    actor = record_update(actor, user=user, reason=reason, **fields)
    for alias in [actor.name, *aliases]:
        alias_add(actor=actor, user=user, name=alias, exist_ok=True)
    return actor


@transaction.atomic
def actor_delete(actor: Actor, *, user: User, reason: str = "") -> None:
    record_delete(actor, user=user, reason=reason)


@transaction.atomic
def alias_add(
    *, user: User, actor: Actor, name: str, language: str = "", exist_ok: bool = False, reason: str = ""
) -> Alias:
    """Add a spelling to an actor; one that normalises like an existing alias of the actor is a duplicate."""
    normalized = normalize_name(name)
    existing = actor.aliases.filter(normalized=normalized).first()
    if existing:
        if exist_ok:
            return existing
        raise ValidationError({"name": [f"“{name}” is already an alias of {actor} (as “{existing.name}”)."]})
    return record_create(Alias, user=user, reason=reason, actor=actor, name=name.strip(), language=language)


@transaction.atomic
def alias_delete(alias: Alias, *, user: User, reason: str = "") -> None:
    if alias.normalized == normalize_name(alias.actor.name):
        raise RecordInUse(f"“{alias.name}” is the name of {alias.actor}; rename the actor before removing it.")
    record_delete(alias, user=user, reason=reason)


# --- merging ----------------------------------------------------------------------


def _swap_actor(actors: Iterable[Actor], duplicate: Actor, into: Actor) -> list[Actor]:
    """``actors`` with ``duplicate`` replaced by ``into``, each actor once."""
    swapped = {}
    for actor in actors:
        actor = into if actor.pk == duplicate.pk else actor
        swapped[actor.pk] = actor
    return list(swapped.values())


def _party_gaps(kept: AgreementParty, folded: AgreementParty) -> dict[str, Any]:
    """What ``folded`` (the same actor's other row in one agreement) knows that ``kept`` lacks, with all evidence."""
    fields: dict[str, Any] = {}
    if kept.signatory_id is None and folded.signatory_id is not None:
        fields["signatory"] = folded.signatory
    steps = {"signed_on": (), "ratified_on": ("ratification_kind",), "in_force_on": ()}
    for name, together in steps.items():
        if getattr(kept, name) is None and getattr(folded, name) is not None:
            for field in (name, f"{name}_precision", *together):
                fields[field] = getattr(folded, field)
    evidence = {claim.pk: claim for claim in (*kept.evidence.all(), *folded.evidence.all())}
    if len(evidence) != kept.evidence.count():
        fields["evidence"] = list(evidence.values())
    return fields


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
        # The same actor twice in one agreement becomes one party, with the steps and evidence of both.
        existing = AgreementParty.objects.filter(agreement_id=party.agreement_id, actor=into).first()
        if existing is None:
            move(party, actor=into)
            continue
        gaps = _party_gaps(existing, party)
        if gaps:
            move(existing, **gaps)
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


@transaction.atomic
def actors_merge(*, user: User, duplicates: Iterable[Actor], into: Actor) -> Actor:
    """Fold every one of ``duplicates`` into ``into`` (see ``actor_merge``): all of them, or none on a refusal."""
    for duplicate in duplicates:
        into = actor_merge(user=user, duplicate=duplicate, into=into)
    return into
