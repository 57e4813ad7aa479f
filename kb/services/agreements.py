"""Writes to agreements with their parties (and signatories) and provisions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kb.models import Actor, Agreement, AgreementParty, Claim, Provision
from kb.services.base import (
    UNSET,
    DateInput,
    Unset,
    User,
    given,
    record_create,
    record_delete,
    record_update,
    refuses_unknown_fields,
    unique_slug,
)

Party = Actor | tuple[Actor, Actor | None] | Mapping[str, Actor | None]
"""A party as services take it: an actor, an (actor, signatory) pair, or ``{"actor": …, "signatory": …}``."""


def _party(party: Party) -> tuple[Actor, Actor | None]:
    if isinstance(party, Mapping):
        return party["actor"], party.get("signatory")
    if isinstance(party, tuple):
        return party
    return party, None


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
    for party in parties:
        actor, signatory = _party(party)
        agreement_party_add(agreement=agreement, user=user, actor=actor, signatory=signatory)
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

    A party that stays keeps its row (its signatory is updated); provisions are matched
    by position, so an edited provision keeps its history and evidence.
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
        wanted = [_party(p) for p in parties]
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
    """Make ``actor`` a party to ``agreement``, signed for by ``signatory``; a party twice is refused."""
    if agreement.party_links.filter(actor=actor).exists():
        raise ValidationError({"actor": [f"{actor} is already a party to {agreement}."]})
    return record_create(AgreementParty, user=user, agreement=agreement, actor=actor, signatory=signatory)


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
