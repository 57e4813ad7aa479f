"""Writes to agreements with their parties (signatories, ratification ladder, evidence) and provisions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kb.errors import error_lines
from kb.models import Actor, Agreement, AgreementParty, Claim, Provision
from kb.services.base import (
    UNSET,
    DateInput,
    Unset,
    User,
    expand_partial_dates,
    given,
    record_create,
    record_delete,
    record_update,
    refuses_unknown_fields,
    unique_slug,
)

Party = Actor | tuple[Actor, Actor | None] | Mapping[str, Any]
"""A party as services take it: an actor, an (actor, signatory) pair, or a mapping.

The mapping holds ``actor`` and any of ``PARTY_FIELDS``: ``signatory``, the partial dates
``signed_on``, ``ratified_on`` and ``in_force_on`` (as "2024-06", a PartialDate, or a plain
date with its ``<name>_precision``), ``ratification_kind`` and ``evidence`` (claims).
"""

# A party's own fields, with the value each has when a party is given without it.
PARTY_FIELDS: dict[str, Any] = {
    "signatory": None,
    "signed_on": None,
    "ratified_on": None,
    "ratification_kind": "",
    "in_force_on": None,
    "evidence": (),
}
_PARTY_NAMES = {"actor", *PARTY_FIELDS, *(f"{name}_precision" for name in AgreementParty.partial_dates)}


def _party(party: Party, number: int) -> tuple[Actor, dict[str, Any]]:
    """The actor of the ``number``-th ``party`` and its other fields."""
    if isinstance(party, Mapping):
        unknown = sorted(str(name) for name in party if name not in _PARTY_NAMES)
        if unknown:
            listed = ", ".join(map(repr, unknown))
            message = f"item {number}: a party has no field {listed}; its fields are actor, {', '.join(PARTY_FIELDS)}."
            raise ValidationError({"parties": [message]})
        if party.get("actor") is None:
            raise ValidationError({"parties": [f"item {number}: each party needs its actor."]})
        return party["actor"], {name: value for name, value in party.items() if name != "actor"}
    if isinstance(party, tuple):
        actor, signatory = party
        return actor, {"signatory": signatory}
    return party, {}


@contextmanager
def _party_errors(number: int, actor: Actor) -> Iterator[None]:
    """A refusal of the ``number``-th party, reported under ``parties`` naming the party and its field."""
    try:
        yield
    except ValidationError as exc:
        lines = error_lines(exc, f"item {number} ({actor})")
        raise ValidationError({"parties": lines}) from exc


def _parties(parties: Iterable[Party]) -> list[tuple[Actor, dict[str, Any]]]:
    wanted = [_party(p, number) for number, p in enumerate(parties, start=1)]
    actors = [actor.pk for actor, _ in wanted]
    if len(set(actors)) != len(actors):
        raise ValidationError({"parties": ["An actor is listed twice among the parties."]})
    return wanted


def _party_changes(link: AgreementParty, fields: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``link`` that ``fields`` (every party field, partial dates expanded) would change."""
    changes = {}
    for name, value in fields.items():
        if name == "evidence":
            if {claim.pk for claim in value} != {claim.pk for claim in link.evidence.all()}:
                changes[name] = value
        elif name == "signatory":
            if link.signatory_id != (value.pk if value is not None else None):
                changes[name] = value
        elif getattr(link, name) != value:
            changes[name] = value
    return changes


@refuses_unknown_fields(Agreement)
@transaction.atomic
def agreement_create(
    *,
    user: User,
    title: str,
    kind: str,
    status: str,
    slug: str = "",
    signed_on: DateInput = None,
    signed_on_precision: str = "",
    signed_place: Actor | None = None,
    in_force_on: DateInput = None,
    in_force_on_precision: str = "",
    summary: str = "",
    evidence: Iterable[Claim] = (),
    parties: Iterable[Party] = (),
    provisions: Iterable[Mapping[str, Any]] = (),
    reason: str = "",
) -> Agreement:
    """Create an agreement with its parties and its provisions (label, kind, summary, evidence), in order."""
    agreement = record_create(
        Agreement,
        user=user,
        reason=reason,
        title=title,
        slug=slug or unique_slug(Agreement, title),
        kind=kind,
        status=status,
        signed_on=signed_on,
        signed_on_precision=signed_on_precision,
        signed_place=signed_place,
        in_force_on=in_force_on,
        in_force_on_precision=in_force_on_precision,
        summary=summary,
        evidence=evidence,
    )
    for number, (actor, fields) in enumerate(_parties(parties), start=1):
        with _party_errors(number, actor):
            agreement_party_add(agreement=agreement, user=user, actor=actor, **fields)
    for order, provision in enumerate(provisions, start=1):
        provision_add(agreement=agreement, user=user, **{"order": order, **provision})
    return agreement


@refuses_unknown_fields(Agreement)
@transaction.atomic
def agreement_update(
    agreement: Agreement,
    *,
    user: User,
    title: str | Unset = UNSET,
    slug: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    status: str | Unset = UNSET,
    signed_on: DateInput | Unset = UNSET,
    signed_on_precision: str | Unset = UNSET,
    signed_place: Actor | Unset | None = UNSET,
    in_force_on: DateInput | Unset = UNSET,
    in_force_on_precision: str | Unset = UNSET,
    summary: str | Unset = UNSET,
    evidence: Iterable[Claim] | Unset = UNSET,
    parties: Iterable[Party] | None = None,
    provisions: Iterable[Mapping[str, Any]] | None = None,
    reason: str = "",
) -> Agreement:
    """Change an agreement; ``parties`` and ``provisions``, when given, replace the current lists.

    A party that stays keeps its row, its fields set to those given (a field left out of a
    party is cleared); provisions are matched by position, so an edited provision keeps its
    history and evidence.
    """
    fields = given(
        title=title,
        slug=slug,
        kind=kind,
        status=status,
        signed_on=signed_on,
        signed_on_precision=signed_on_precision,
        signed_place=signed_place,
        in_force_on=in_force_on,
        in_force_on_precision=in_force_on_precision,
        summary=summary,
        evidence=evidence,
    )
    agreement = record_update(agreement, user=user, reason=reason, **fields)
    if parties is not None:
        wanted = _parties(parties)
        actors = {actor.pk for actor, _ in wanted}
        current = {link.actor_id: link for link in agreement.party_links.prefetch_related("evidence")}
        for actor_id, link in current.items():
            if actor_id not in actors:
                record_delete(link, user=user)
        for number, (actor, fields) in enumerate(wanted, start=1):
            link = current.get(actor.pk)
            with _party_errors(number, actor):
                if link is None:
                    agreement_party_add(agreement=agreement, user=user, actor=actor, **fields)
                    continue
                given_fields = expand_partial_dates(AgreementParty, {**PARTY_FIELDS, **fields})
                changes = _party_changes(link, given_fields)
                if changes:
                    agreement_party_update(link, user=user, **changes)
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


@refuses_unknown_fields(AgreementParty)
@transaction.atomic
def agreement_party_add(
    *,
    user: User,
    agreement: Agreement,
    actor: Actor,
    signatory: Actor | None = None,
    signed_on: DateInput = None,
    signed_on_precision: str = "",
    ratified_on: DateInput = None,
    ratified_on_precision: str = "",
    ratification_kind: str = "",
    in_force_on: DateInput = None,
    in_force_on_precision: str = "",
    evidence: Iterable[Claim] = (),
    reason: str = "",
) -> AgreementParty:
    """Make ``actor`` a party to ``agreement``, with its signatory and its steps; a party twice is refused.

    The steps (signature, ratification or accession, entry into force for the party) are
    partial dates that must come in that order; ``evidence`` is the claims that report them.
    """
    if agreement.party_links.filter(actor=actor).exists():
        raise ValidationError({"actor": [f"{actor} is already a party to {agreement}."]})
    return record_create(
        AgreementParty,
        user=user,
        reason=reason,
        agreement=agreement,
        actor=actor,
        signatory=signatory,
        signed_on=signed_on,
        signed_on_precision=signed_on_precision,
        ratified_on=ratified_on,
        ratified_on_precision=ratified_on_precision,
        ratification_kind=ratification_kind,
        in_force_on=in_force_on,
        in_force_on_precision=in_force_on_precision,
        evidence=evidence,
    )


@refuses_unknown_fields(AgreementParty)
@transaction.atomic
def agreement_party_update(
    party: AgreementParty,
    *,
    user: User,
    agreement: Agreement | Unset = UNSET,
    actor: Actor | Unset = UNSET,
    signatory: Actor | Unset | None = UNSET,
    signed_on: DateInput | Unset = UNSET,
    signed_on_precision: str | Unset = UNSET,
    ratified_on: DateInput | Unset = UNSET,
    ratified_on_precision: str | Unset = UNSET,
    ratification_kind: str | Unset = UNSET,
    in_force_on: DateInput | Unset = UNSET,
    in_force_on_precision: str | Unset = UNSET,
    evidence: Iterable[Claim] | Unset = UNSET,
    reason: str = "",
) -> AgreementParty:
    """Change a party's signatory, steps or evidence (or, from its own admin page, its agreement or actor)."""
    fields = given(
        agreement=agreement,
        actor=actor,
        signatory=signatory,
        signed_on=signed_on,
        signed_on_precision=signed_on_precision,
        ratified_on=ratified_on,
        ratified_on_precision=ratified_on_precision,
        ratification_kind=ratification_kind,
        in_force_on=in_force_on,
        in_force_on_precision=in_force_on_precision,
        evidence=evidence,
    )
    target_agreement = fields.get("agreement", party.agreement)
    target_actor = fields.get("actor", party.actor)
    if ("agreement" in fields or "actor" in fields) and (
        target_agreement.party_links.filter(actor=target_actor).exclude(pk=party.pk).exists()
    ):
        raise ValidationError({"actor": [f"{target_actor} is already a party to {target_agreement}."]})
    return record_update(party, user=user, reason=reason, **fields)


@refuses_unknown_fields(Provision)
@transaction.atomic
def provision_add(
    *,
    user: User,
    agreement: Agreement,
    kind: str,
    summary: str,
    label: str = "",
    order: int = 0,
    evidence: Iterable[Claim] = (),
    reason: str = "",
) -> Provision:
    """Add a provision (an article of the agreement, or an unnumbered one) with its evidence."""
    return record_create(
        Provision,
        user=user,
        reason=reason,
        agreement=agreement,
        label=label,
        kind=kind,
        summary=summary,
        order=order,
        evidence=evidence,
    )
