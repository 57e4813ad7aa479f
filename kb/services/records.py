"""Writes to the records claims back that have no rules of their own: relationships, events, arms transfers."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from kb.models import Actor, ArmsTransfer, Claim, Event, Relationship
from kb.services.base import (
    UNSET,
    DateInput,
    Unset,
    User,
    given,
    record_create,
    record_update,
    refuses_unknown_fields,
    unique_slug,
)


@refuses_unknown_fields(Relationship)
@transaction.atomic
def relationship_create(
    *,
    user: User,
    subject: Actor,
    predicate: str,
    object: Actor,
    valid_from: DateInput = None,
    valid_from_precision: str = "",
    valid_until: DateInput = None,
    valid_until_precision: str = "",
    note: str = "",
    evidence: Iterable[Claim] = (),
    reason: str = "",
) -> Relationship:
    return record_create(
        Relationship,
        user=user,
        reason=reason,
        subject=subject,
        predicate=predicate,
        object=object,
        valid_from=valid_from,
        valid_from_precision=valid_from_precision,
        valid_until=valid_until,
        valid_until_precision=valid_until_precision,
        note=note,
        evidence=evidence,
    )


@refuses_unknown_fields(Relationship)
@transaction.atomic
def relationship_update(
    relationship: Relationship,
    *,
    user: User,
    subject: Actor | Unset = UNSET,
    predicate: str | Unset = UNSET,
    object: Actor | Unset = UNSET,
    valid_from: DateInput | Unset = UNSET,
    valid_from_precision: str | Unset = UNSET,
    valid_until: DateInput | Unset = UNSET,
    valid_until_precision: str | Unset = UNSET,
    note: str | Unset = UNSET,
    evidence: Iterable[Claim] | Unset = UNSET,
    reason: str = "",
) -> Relationship:
    fields = given(
        subject=subject,
        predicate=predicate,
        object=object,
        valid_from=valid_from,
        valid_from_precision=valid_from_precision,
        valid_until=valid_until,
        valid_until_precision=valid_until_precision,
        note=note,
        evidence=evidence,
    )
    return record_update(relationship, user=user, reason=reason, **fields)


@refuses_unknown_fields(Event)
@transaction.atomic
def event_create(
    *,
    user: User,
    title: str,
    kind: str,
    slug: str = "",
    start_on: DateInput = None,
    start_on_precision: str = "",
    end_on: DateInput = None,
    end_on_precision: str = "",
    place: Actor | None = None,
    participants: Iterable[Actor] = (),
    summary: str = "",
    evidence: Iterable[Claim] = (),
    reason: str = "",
) -> Event:
    return record_create(
        Event,
        user=user,
        reason=reason,
        title=title,
        slug=slug or unique_slug(Event, title),
        kind=kind,
        start_on=start_on,
        start_on_precision=start_on_precision,
        end_on=end_on,
        end_on_precision=end_on_precision,
        place=place,
        participants=participants,
        summary=summary,
        evidence=evidence,
    )


@refuses_unknown_fields(Event)
@transaction.atomic
def event_update(
    event: Event,
    *,
    user: User,
    title: str | Unset = UNSET,
    slug: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    start_on: DateInput | Unset = UNSET,
    start_on_precision: str | Unset = UNSET,
    end_on: DateInput | Unset = UNSET,
    end_on_precision: str | Unset = UNSET,
    place: Actor | Unset | None = UNSET,
    participants: Iterable[Actor] | Unset = UNSET,
    summary: str | Unset = UNSET,
    evidence: Iterable[Claim] | Unset = UNSET,
    reason: str = "",
) -> Event:
    fields = given(
        title=title,
        slug=slug,
        kind=kind,
        start_on=start_on,
        start_on_precision=start_on_precision,
        end_on=end_on,
        end_on_precision=end_on_precision,
        place=place,
        participants=participants,
        summary=summary,
        evidence=evidence,
    )
    return record_update(event, user=user, reason=reason, **fields)


@refuses_unknown_fields(ArmsTransfer)
@transaction.atomic
def transfer_create(
    *,
    user: User,
    supplier: Actor,
    recipient: Actor,
    category: str,
    description: str,
    status: str,
    designation: str = "",
    ordered_quantity: int | None = None,
    ordered_quantity_estimated: bool = False,
    ordered_on: DateInput = None,
    ordered_on_precision: str = "",
    ordered_on_estimated: bool = False,
    quantity_low: int | None = None,
    quantity_high: int | None = None,
    quantity_unit: str = "",
    delivered_quantity_estimated: bool = False,
    start_on: DateInput = None,
    start_on_precision: str = "",
    end_on: DateInput = None,
    end_on_precision: str = "",
    delivered_period_estimated: bool = False,
    comments: str = "",
    reported_by: str = "",
    reported_on: DateInput = None,
    reported_on_precision: str = "",
    evidence: Iterable[Claim] = (),
    reason: str = "",
) -> ArmsTransfer:
    return record_create(
        ArmsTransfer,
        user=user,
        reason=reason,
        supplier=supplier,
        recipient=recipient,
        category=category,
        designation=designation,
        description=description,
        ordered_quantity=ordered_quantity,
        ordered_quantity_estimated=ordered_quantity_estimated,
        ordered_on=ordered_on,
        ordered_on_precision=ordered_on_precision,
        ordered_on_estimated=ordered_on_estimated,
        quantity_low=quantity_low,
        quantity_high=quantity_high,
        quantity_unit=quantity_unit,
        delivered_quantity_estimated=delivered_quantity_estimated,
        start_on=start_on,
        start_on_precision=start_on_precision,
        end_on=end_on,
        end_on_precision=end_on_precision,
        delivered_period_estimated=delivered_period_estimated,
        comments=comments,
        status=status,
        reported_by=reported_by,
        reported_on=reported_on,
        reported_on_precision=reported_on_precision,
        evidence=evidence,
    )


@refuses_unknown_fields(ArmsTransfer)
@transaction.atomic
def transfer_update(
    transfer: ArmsTransfer,
    *,
    user: User,
    supplier: Actor | Unset = UNSET,
    recipient: Actor | Unset = UNSET,
    category: str | Unset = UNSET,
    description: str | Unset = UNSET,
    status: str | Unset = UNSET,
    designation: str | Unset = UNSET,
    ordered_quantity: int | Unset | None = UNSET,
    ordered_quantity_estimated: bool | Unset = UNSET,
    ordered_on: DateInput | Unset = UNSET,
    ordered_on_precision: str | Unset = UNSET,
    ordered_on_estimated: bool | Unset = UNSET,
    quantity_low: int | Unset | None = UNSET,
    quantity_high: int | Unset | None = UNSET,
    quantity_unit: str | Unset = UNSET,
    delivered_quantity_estimated: bool | Unset = UNSET,
    start_on: DateInput | Unset = UNSET,
    start_on_precision: str | Unset = UNSET,
    end_on: DateInput | Unset = UNSET,
    end_on_precision: str | Unset = UNSET,
    delivered_period_estimated: bool | Unset = UNSET,
    comments: str | Unset = UNSET,
    reported_by: str | Unset = UNSET,
    reported_on: DateInput | Unset = UNSET,
    reported_on_precision: str | Unset = UNSET,
    evidence: Iterable[Claim] | Unset = UNSET,
    reason: str = "",
) -> ArmsTransfer:
    fields = given(
        supplier=supplier,
        recipient=recipient,
        category=category,
        description=description,
        status=status,
        designation=designation,
        ordered_quantity=ordered_quantity,
        ordered_quantity_estimated=ordered_quantity_estimated,
        ordered_on=ordered_on,
        ordered_on_precision=ordered_on_precision,
        ordered_on_estimated=ordered_on_estimated,
        quantity_low=quantity_low,
        quantity_high=quantity_high,
        quantity_unit=quantity_unit,
        delivered_quantity_estimated=delivered_quantity_estimated,
        start_on=start_on,
        start_on_precision=start_on_precision,
        end_on=end_on,
        end_on_precision=end_on_precision,
        delivered_period_estimated=delivered_period_estimated,
        comments=comments,
        reported_by=reported_by,
        reported_on=reported_on,
        reported_on_precision=reported_on_precision,
        evidence=evidence,
    )
    return record_update(transfer, user=user, reason=reason, **fields)
