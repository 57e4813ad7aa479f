"""Writes to draft records: proposing them, and accepting (through the record services) or rejecting them.

A draft's ``data`` is keyed by the service keywords, with actors and agreements as slugs and
partial dates as text. Creating a draft checks what it is given (known keys, choices, slugs,
dates, numbers) and leaves out nothing it is not given: a draft made from a claim may lack a
value the editor fills in when accepting. Accepting checks that everything the record needs
is there, applies the draft through the record services (with history and the reason), and
accepts the draft's still-proposed claims, which become the record's evidence: the record is
public because an accepted claim backs it. A draft that changes an existing record (its
``target``) is refused when that record's values changed since the draft saw them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from kb.choices import (
    ActorKind,
    ClaimStatus,
    DraftKind,
    DraftStatus,
    EventKind,
    MilestoneStep,
    RatificationKind,
    RelationshipPredicate,
    TransferCategory,
    TransferStatus,
)
from kb.dates import PartialDate, quoted
from kb.ingest.drafts import (
    find_category,
    find_designations,
    find_quantity,
    sentence_drafts,
)
from kb.models import Actor, Agreement, AgreementParty, ArmsTransfer, Claim, Draft, Event, Relationship, Source
from kb.selectors.names import actors_named
from kb.services.actors import actor_create, alias_add
from kb.services.agreements import agreement_party_add, agreement_party_update
from kb.services.base import User, evidence_with, history_user, record_create, record_update
from kb.services.claims import claim_update, claims_review
from kb.services.records import (
    event_create,
    event_update,
    relationship_create,
    relationship_update,
    transfer_create,
    transfer_update,
)


@dataclass(frozen=True)
class Field:
    """One key of a draft's data: its type (text, int, bool, date, choice, actor, actors, agreement, country)."""

    type: str
    required: bool = False
    choices: type[models.TextChoices] | None = None
    max_length: int = 300


FIELDS: dict[str, dict[str, Field]] = {
    DraftKind.ACTOR: {
        "name": Field("text", True, max_length=200),
        "kind": Field("choice", True, ActorKind),
        "country": Field("country"),
        "mentions": Field("int"),
    },
    DraftKind.EVENT: {
        "title": Field("text", True),
        "kind": Field("choice", True, EventKind),
        "participants": Field("actors"),
        "place": Field("actor"),
        "start_on": Field("date"),
        "summary": Field("text", max_length=2000),
    },
    DraftKind.TRANSFER: {
        "supplier": Field("actor", True),
        "recipient": Field("actor", True),
        "category": Field("choice", True, TransferCategory),
        "designation": Field("text", max_length=200),
        "quantity_low": Field("int"),
        "quantity_high": Field("int"),
        "quantity_unit": Field("text", max_length=50),
        "delivered_quantity_estimated": Field("bool"),
        "status": Field("choice", True, TransferStatus),
        "reported_by": Field("text"),
        "reported_on": Field("date"),
        "start_on": Field("date"),
        "description": Field("text", True, max_length=2000),
    },
    DraftKind.RELATIONSHIP: {
        "subject": Field("actor", True),
        "predicate": Field("choice", True, RelationshipPredicate),
        "object": Field("actor", True),
        "valid_from": Field("date"),
    },
    DraftKind.MILESTONE: {
        "agreement": Field("agreement", True),
        "party": Field("actor", True),
        "step": Field("choice", True, MilestoneStep),
        "on": Field("date", True),
    },
}
# The largest whole number a draft takes (a database integer), and its number of digits.
MAX_INT = 2**31 - 1
MAX_DIGITS = len(str(MAX_INT))
# The field of an agreement party each milestone step sets.
STEP_FIELDS = {
    MilestoneStep.SIGNED: "signed_on",
    MilestoneStep.RATIFIED: "ratified_on",
    MilestoneStep.IN_FORCE: "in_force_on",
}
# The values of an existing record a draft may change, as the draft's keys (the milestone's is its step's date).
COMPARED = {
    DraftKind.EVENT: ("start_on", "place", "participants"),
    DraftKind.TRANSFER: ("category", "quantity_low", "quantity_high", "quantity_unit", "start_on"),
    DraftKind.RELATIONSHIP: ("valid_from",),
    DraftKind.MILESTONE: ("on",),
}
# The record services that make and change the records of each kind of draft (a milestone's party is its own).
CREATE = {
    DraftKind.EVENT: event_create,
    DraftKind.TRANSFER: transfer_create,
    DraftKind.RELATIONSHIP: relationship_create,
}
UPDATE = {
    DraftKind.EVENT: event_update,
    DraftKind.TRANSFER: transfer_update,
    DraftKind.RELATIONSHIP: relationship_update,
}
TARGET_MODELS = {
    DraftKind.EVENT: Event,
    DraftKind.TRANSFER: ArmsTransfer,
    DraftKind.RELATIONSHIP: Relationship,
    DraftKind.MILESTONE: AgreementParty,
}


# --- the data: checked, resolved, put into words ------------------------------------------


@dataclass
class Refs:
    """The actors and agreements a draft's data names, by slug."""

    actors: dict[str, Actor]
    agreements: dict[str, Agreement]

    def actor(self, slug: str | None) -> Actor | None:
        return self.actors.get(slug) if slug else None


def _unknown_kind(kind: object) -> str:
    return f"Unknown draft kind {quoted(kind, 40)}; expected one of {', '.join(DraftKind.values)}."


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def clean_data(kind: str, data: Any) -> dict[str, Any]:
    """``data`` checked for ``kind``: known keys, values of the right type and choice, dates and slugs well formed.

    Empty values are dropped. Refusals are keyed by the data's key.
    """
    if kind not in DraftKind.values:
        raise ValidationError({"kind": [_unknown_kind(kind)]})
    if not isinstance(data, Mapping):
        raise ValidationError({"data": [f"The data of a draft is an object of values, not {type(data).__name__}."]})
    fields = FIELDS[kind]
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key, value in data.items():
        field = fields.get(key)
        if field is None:
            known = ", ".join(fields)
            errors[str(key)[:60]] = [f"A {kind} draft has no value {quoted(key, 60)}; its values are {known}."]
            continue
        if _empty(value):
            continue
        try:
            clean[key] = _clean_value(field, value)
        except ValueError as exc:
            errors[key] = [str(exc)]
    if kind == DraftKind.TRANSFER and not errors:
        low, high = clean.get("quantity_low"), clean.get("quantity_high")
        if low is not None and high is not None and low > high:
            errors["quantity_high"] = [f"The high estimate {high} is below the low {low}."]
        if clean.get("supplier") and clean.get("supplier") == clean.get("recipient"):
            errors["recipient"] = ["The supplier and the recipient are the same actor."]
    same_ends = clean.get("subject") and clean.get("subject") == clean.get("object")
    if kind == DraftKind.RELATIONSHIP and not errors and same_ends:
        errors["object"] = ["An actor cannot be related to itself."]
    if errors:
        raise ValidationError(errors)
    return clean


def _clean_value(field: Field, value: Any) -> Any:
    if field.type in ("text", "country"):
        if not isinstance(value, str):
            raise ValueError(f"Expected text, not {type(value).__name__}.")
        value = value.strip()
        if len(value) > field.max_length:
            raise ValueError(f"At most {field.max_length} characters; this has {len(value)}.")
        if field.type == "country":
            value = value.upper()
            if len(value) != 2 or not value.isascii() or not value.isalpha():
                raise ValueError(f"{quoted(value)} is not an ISO 3166-1 alpha-2 code such as RU or KP.")
        return value
    if field.type == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            digits = value.strip() if isinstance(value, str) else ""
            if not (digits.isascii() and digits.isdigit()):
                raise ValueError(f"{quoted(value)} is not a whole number.")
            if len(digits.lstrip("0")) > MAX_DIGITS:
                # Checked before int(), which refuses thousands of digits with a message of its own.
                raise ValueError(f"A number of {len(digits)} digits is out of range: give a whole number from 0.")
            value = int(digits)
        if value < 0 or value > MAX_INT:
            shown = value if abs(value) <= 10**MAX_DIGITS else "This number"
            raise ValueError(f"{shown} is out of range: give a whole number from 0.")
        return value
    if field.type == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{quoted(value)} is not true or false.")
        return value
    if field.type == "date":
        if isinstance(value, PartialDate):
            return str(value)
        if not isinstance(value, str):
            raise ValueError(f"{quoted(value)} is not a date. Write it as 2024, 2024-06, 2024-06-19 or 2020s.")
        return str(PartialDate.parse(value))
    if field.type == "choice":
        if not isinstance(value, str) or value not in field.choices.values:
            raise ValueError(f"{quoted(value, 40)} is not one of {', '.join(field.choices.values)}.")
        return value
    if field.type in ("actor", "agreement"):
        return _slug(value)
    if field.type == "actors":
        if not isinstance(value, list | tuple):
            raise ValueError("Expected a list of actor slugs.")
        return list(dict.fromkeys(_slug(item) for item in value))
    raise AssertionError(field.type)


def _slug(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ValueError(f"{quoted(value, 40)} is not a slug.")
    return value.strip().lower()


def resolve(kind: str, data: dict[str, Any]) -> Refs:
    """The actors and agreements ``data`` names, in two queries; a slug nobody has is refused, named."""
    fields = FIELDS[kind]
    actor_slugs: set[str] = set()
    agreement_slugs: set[str] = set()
    for key, value in data.items():
        if fields[key].type == "actor":
            actor_slugs.add(value)
        elif fields[key].type == "actors":
            actor_slugs.update(value)
        elif fields[key].type == "agreement":
            agreement_slugs.add(value)
    actors = {a.slug: a for a in Actor.objects.filter(slug__in=actor_slugs)} if actor_slugs else {}
    agreements = {a.slug: a for a in Agreement.objects.filter(slug__in=agreement_slugs)} if agreement_slugs else {}
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        type_ = fields[key].type
        if type_ in ("actor", "actors"):
            missing = [slug for slug in ([value] if type_ == "actor" else value) if slug not in actors]
            if missing:
                errors[key] = [f"No actor has the slug {', '.join(quoted(s, 60) for s in missing)}."]
        elif type_ == "agreement" and value not in agreements:
            errors[key] = [f"No agreement has the slug {quoted(value, 60)}."]
    if errors:
        raise ValidationError(errors)
    return Refs(actors, agreements)


def require_complete(kind: str, data: dict[str, Any]) -> None:
    """Refuse data that lacks a value the record needs, naming each missing key."""
    missing = {
        key: [f"A {kind} needs its {key.replace('_', ' ')}: give it in the data to accept the draft."]
        for key, field in FIELDS[kind].items()
        if field.required and _empty(data.get(key))
    }
    if missing:
        raise ValidationError(missing)


def _name(refs: Refs, slug: str | None, unknown: str) -> str:
    actor = refs.actor(slug)
    return actor.name if actor is not None else unknown


def _resolved(kind: str, data: dict[str, Any], refs: Refs) -> dict[str, Any]:
    """``data`` as the record services take it: the actors and agreements its slugs name."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        match FIELDS[kind][key].type:
            case "actor":
                value = refs.actors[value]
            case "actors":
                value = [refs.actors[slug] for slug in value]
            case "agreement":
                value = refs.agreements[value]
        out[key] = value
    return out


def draft_title(kind: str, data: dict[str, Any], refs: Refs) -> str:
    """What a draft proposes, in words: "KN-23 missiles, North Korea → Russia"."""
    if kind == DraftKind.ACTOR:
        return data.get("name") or "a new name"
    if kind == DraftKind.EVENT:
        return data.get("title") or "an event"
    if kind == DraftKind.TRANSFER:
        category = data.get("category")
        label = TransferCategory(category).label.lower() if category and category != TransferCategory.OTHER else ""
        what = " ".join(part for part in (data.get("designation", ""), label) if part) or "arms"
        supplier = _name(refs, data.get("supplier"), "unknown supplier")
        recipient = _name(refs, data.get("recipient"), "unknown recipient")
        return f"{what}, {supplier} → {recipient}"[:300]
    if kind == DraftKind.RELATIONSHIP:
        predicate = data.get("predicate")
        words = RelationshipPredicate(predicate).label if predicate else "related to"
        subject, object_ = _name(refs, data.get("subject"), "someone"), _name(refs, data.get("object"), "someone")
        return f"{subject} {words} {object_}"[:300]
    agreement = refs.agreements.get(data.get("agreement", ""))
    title = agreement.title if agreement is not None else "an agreement"
    party = _name(refs, data.get("party"), "a party")
    step = data.get("step")
    on = f" on {PartialDate.parse(data['on']).display()}" if data.get("on") else ""
    if step == MilestoneStep.IN_FORCE:
        return f"{title} entered into force for {party}{on}"[:300]
    verb = MilestoneStep(step).label if step else "signed or ratified"
    return f"{party} {verb} {title}{on}"[:300]


# --- what an existing record holds, as a draft's data would say it ---------------------------


def _date_text(instance: models.Model, name: str) -> str | None:
    partial = PartialDate.from_fields(getattr(instance, name), getattr(instance, f"{name}_precision"))
    return str(partial) if partial is not None else None


def target_values(kind: str, target: models.Model | None) -> dict[str, Any]:
    """The values of ``target`` a ``kind`` draft may change, keyed and written as its data is."""
    if target is None:
        return {}
    if kind == DraftKind.MILESTONE:
        return {"on": {step: _date_text(target, name) for step, name in STEP_FIELDS.items()}}
    values: dict[str, Any] = {}
    for key in COMPARED[kind]:
        match FIELDS[kind][key].type:
            case "actors":
                values[key] = sorted(a.slug for a in getattr(target, key).all())
            case "actor":
                values[key] = getattr(target, key).slug if getattr(target, f"{key}_id") else None
            case "date":
                values[key] = _date_text(target, key)
            case _:
                values[key] = getattr(target, key) if getattr(target, key) not in ("",) else None
    return values


def draft_changes(kind: str, data: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """What ``data`` would change in a record holding ``current`` (``target_values``): a key → its new value.

    An empty value changes nothing; participants are added to those there; a date the record
    already has at a finer precision within the draft's period is no change.
    """
    changes: dict[str, Any] = {}
    for key in COMPARED[kind]:
        value = data.get(key)
        if _empty(value):
            continue
        if kind == DraftKind.MILESTONE:
            have = (current.get("on") or {}).get(data.get("step"))
            if have is None or not PartialDate.parse(value).contains(PartialDate.parse(have)):
                changes[key] = value
            continue
        have = current.get(key)
        type_ = FIELDS[kind][key].type
        if type_ == "actors":
            if set(value) - set(have or []):
                changes[key] = sorted(set(value) | set(have or []))
        elif type_ == "date" and have is not None:
            if not PartialDate.parse(value).contains(PartialDate.parse(have)):
                changes[key] = value
        elif value != have:
            changes[key] = value
    return changes


def find_target(kind: str, data: dict[str, Any], refs: Refs) -> models.Model | None:
    """The existing record a draft would change instead of duplicating it, if there is one (see ``find_targets``)."""
    return find_targets([(kind, data, None)], refs).get(0)


def find_targets(drafts: Sequence[tuple[str, Mapping[str, Any], int | None]], refs: Refs) -> dict[int, models.Model]:
    """The existing record each draft (``kind``, ``data``, the id of an event its sentence cites) would change, by
    position, read in one query per kind of record whatever the number of drafts.

    - a transfer: the same supplier and recipient, and the same designation (in any case) or, when the draft
      names none, no designation and the same category; a draft naming neither has no target;
    - an event: the event its sentence cites, else one of the same title (in any case), else one of the same
      kind on the same day (a day-precision start) at the same place;
    - a relationship: the same subject, predicate and object; of several (different periods), the one whose
      start the draft's ``valid_from`` covers, else the earliest recorded;
    - a milestone: the party's row in the agreement.

    Among records matching alike, the earliest recorded is taken.
    """
    actor_ids = {slug: actor.pk for slug, actor in refs.actors.items()}
    agreement_ids = {slug: agreement.pk for slug, agreement in refs.agreements.items()}

    def ids(data: Mapping[str, Any], *keys: str) -> tuple[int | None, ...]:
        return tuple((agreement_ids if key == "agreement" else actor_ids).get(data.get(key) or "") for key in keys)

    found: dict[int, models.Model] = {}
    for kind, (model, keys) in _MATCHED.items():
        wanted = [
            (position, data, cited, ids(data, *keys))
            for position, (draft_kind, data, cited) in enumerate(drafts)
            if draft_kind == kind
        ]
        wanted = [
            (position, data, cited, pks) for position, data, cited, pks in wanted if _can_match(kind, data, cited, pks)
        ]
        if not wanted:
            continue
        rows = list(_candidates(kind, model, [(data, cited, pks) for _p, data, cited, pks in wanted]).order_by("pk"))
        for position, data, cited, pks in wanted:
            ranked = [
                (rank, i) for i, row in enumerate(rows) if (rank := _matches(kind, data, cited, pks, row)) is not None
            ]
            if ranked:
                found[position] = rows[min(ranked)[1]]
    return found


# The record each kind of draft may change, and the keys of its data that name its actors and agreement.
_MATCHED: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    DraftKind.TRANSFER: (ArmsTransfer, ("supplier", "recipient")),
    DraftKind.EVENT: (Event, ("place",)),
    DraftKind.RELATIONSHIP: (Relationship, ("subject", "object")),
    DraftKind.MILESTONE: (AgreementParty, ("agreement", "party")),
}


def _day(data: Mapping[str, Any]) -> dt.date | None:
    """The day an event draft starts on, when its start is a day."""
    start = PartialDate.parse(data["start_on"]) if data.get("start_on") else None
    return start.date if start is not None and start.precision == "day" else None


def _can_match(kind: str, data: Mapping[str, Any], cited: int | None, pks: tuple[int | None, ...]) -> bool:
    """Whether a draft says enough to match a record (see ``find_targets``)."""
    if kind == DraftKind.TRANSFER:
        return None not in pks and bool(data.get("designation") or data.get("category"))
    if kind == DraftKind.EVENT:
        same_day = None not in pks and bool(data.get("kind")) and _day(data) is not None
        return cited is not None or bool(data.get("title")) or same_day
    if kind == DraftKind.RELATIONSHIP:
        return None not in pks and bool(data.get("predicate"))
    return None not in pks


def _candidates(
    kind: str, model: type[models.Model], wanted: list[tuple[Mapping[str, Any], int | None, tuple]]
) -> models.QuerySet:
    """The records any of the ``wanted`` drafts may match, in one query: a superset ``_matches`` picks from."""
    if kind == DraftKind.TRANSFER:
        designations = {data["designation"].lower() for data, _c, _p in wanted if data.get("designation")}
        categories = {data["category"] for data, _c, _p in wanted if not data.get("designation")}
        return model.objects.annotate(lower_designation=Lower("designation")).filter(
            Q(lower_designation__in=designations) | Q(designation="", category__in=categories),
            supplier_id__in={pks[0] for _d, _c, pks in wanted},
            recipient_id__in={pks[1] for _d, _c, pks in wanted},
        )
    if kind == DraftKind.EVENT:
        same_day = [(data.get("kind"), _day(data), pks[0]) for data, _c, pks in wanted]
        same_day = [(kind_, day, place) for kind_, day, place in same_day if kind_ and day and place]
        return (
            model.objects.annotate(lower_title=Lower("title"))
            .filter(
                Q(pk__in={cited for _d, cited, _p in wanted if cited is not None})
                | Q(lower_title__in={data["title"].lower() for data, _c, _p in wanted if data.get("title")})
                | Q(
                    kind__in={k for k, _d, _p in same_day},
                    start_on__in={d for _k, d, _p in same_day},
                    start_on_precision="day",
                    place_id__in={p for _k, _d, p in same_day},
                )
            )
            .select_related("place")
            .prefetch_related("participants")
        )
    if kind == DraftKind.RELATIONSHIP:
        return model.objects.filter(
            subject_id__in={pks[0] for _d, _c, pks in wanted},
            predicate__in={data["predicate"] for data, _c, _p in wanted},
            object_id__in={pks[1] for _d, _c, pks in wanted},
        )
    return model.objects.filter(
        agreement_id__in={pks[0] for _d, _c, pks in wanted}, actor_id__in={pks[1] for _d, _c, pks in wanted}
    )


def _matches(
    kind: str, data: Mapping[str, Any], cited: int | None, pks: tuple[int | None, ...], row: models.Model
) -> int | None:
    """How well ``row`` matches a draft (0 best), or None when it does not (see ``find_targets``)."""
    if kind == DraftKind.TRANSFER:
        if (row.supplier_id, row.recipient_id) != pks:
            return None
        if data.get("designation"):
            return 0 if row.designation.lower() == data["designation"].lower() else None
        return 0 if not row.designation and row.category == data.get("category") else None
    if kind == DraftKind.EVENT:
        if cited is not None and row.pk == cited:
            return 0
        if data.get("title") and row.title.lower() == data["title"].lower():
            return 1
        day = _day(data)
        same_day = day is not None and row.start_on_precision == "day" and row.start_on == day
        same = same_day and data.get("kind") == row.kind and pks[0] is not None and row.place_id == pks[0]
        return 2 if same else None
    if kind == DraftKind.RELATIONSHIP:
        if (row.subject_id, row.predicate, row.object_id) != (pks[0], data["predicate"], pks[1]):
            return None
        start = _date_text(row, "valid_from")
        covered = (
            data.get("valid_from")
            and start
            and PartialDate.parse(data["valid_from"]).contains(PartialDate.parse(start))
        )
        return 0 if covered else 1
    return 0 if (row.agreement_id, row.actor_id) == pks else None


# --- the services ---------------------------------------------------------------------------


def _reference(instance: models.Model | None) -> dict[str, Any]:
    if instance is None:
        return {"type": None, "id": None}
    return {"type": ContentType.objects.get_for_model(type(instance)), "id": instance.pk}


@transaction.atomic
def draft_create(
    *,
    user: User,
    kind: str,
    data: Mapping[str, Any],
    claims: Iterable[Claim] = (),
    source: Source | None = None,
    target: models.Model | None = None,
    reason: str = "",
) -> Draft:
    """Propose a draft record; ``data`` is checked (see ``clean_data``) and its slugs looked up.

    Without a ``target``, an existing record that the draft matches (``find_target``) becomes its
    target; the values the draft would change there are kept as the draft saw them.
    """
    clean = clean_data(kind, data)
    refs = resolve(kind, clean)
    claims = list(claims)
    if source is None and claims:
        source = claims[0].source
    if target is not None and kind in TARGET_MODELS and not isinstance(target, TARGET_MODELS[kind]):
        expected = TARGET_MODELS[kind]._meta.verbose_name
        raise ValidationError({"target": [f"A {kind} draft changes a {expected}, not {target._meta.verbose_name}."]})
    if target is None and kind in TARGET_MODELS:
        target = find_target(kind, clean, refs)
    if target is not None and kind == DraftKind.ACTOR:
        raise ValidationError({"target": ["An actor draft names a new actor; it has no target."]})
    reference = _reference(target)
    return record_create(
        Draft,
        user=user,
        reason=reason,
        kind=kind,
        title=draft_title(kind, clean, refs),
        source=source,
        data=clean,
        target_type=reference["type"],
        target_id=reference["id"],
        target_seen=target_values(kind, target),
        created_by=history_user(user),
        claims=claims,
    )


def _proposed(draft: Draft) -> Draft:
    """The draft, locked until the transaction ends, if it is still proposed."""
    locked = Draft.objects.select_for_update().filter(pk=draft.pk).first()
    if locked is None:
        raise ValidationError({"draft": [f"Draft #{draft.pk} no longer exists."]})
    if locked.status != DraftStatus.PROPOSED:
        who = f" by {locked.reviewed_by}" if locked.reviewed_by_id else ""
        raise ValidationError({"draft": [f"Draft #{locked.pk} was already {locked.status}{who}."]})
    return locked


@transaction.atomic
def draft_accept(
    draft: Draft,
    *,
    user: User,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    actor: Actor | None = None,
    reason: str = "",
) -> models.Model:
    """Apply a draft through the record services and return the record it created or changed.

    ``data`` overrides the draft's values. The draft's still-proposed claims are accepted and
    become the record's evidence (rejected ones are left out). An actor draft makes a new actor,
    or with ``actor=`` an alias of that actor; either way the proposed claims of the source whose
    quote contains the name get the actor as a subject. A name several actors answer to is
    refused without ``actor=``, listing them. A draft whose target changed since it was made is
    refused, naming what changed.
    """
    draft = _proposed(draft)
    if data is not None and not isinstance(data, Mapping):
        raise ValidationError({"data": ["The data overrides are an object of values."]})
    given = {**draft.data, **(data or {})}
    clean = clean_data(draft.kind, given)
    require_complete(draft.kind, clean)
    refs = resolve(draft.kind, clean)
    if actor is not None and draft.kind != DraftKind.ACTOR:
        raise ValidationError({"actor": ["Only an actor draft (a new name) takes an actor."]})
    reason = _reason(reason, f"draft #{draft.pk} accepted", note)
    claims = list(draft.claims.order_by("pk"))
    if draft.kind == DraftKind.ACTOR:
        record = _accept_actor(draft, clean, user=user, actor=actor, reason=reason)
    else:
        proposed = [claim for claim in claims if claim.status == ClaimStatus.PROPOSED]
        claims_review(user=user, claims=proposed, status=ClaimStatus.ACCEPTED, note=note or f"draft #{draft.pk}")
        evidence = [claim for claim in claims if claim.status != ClaimStatus.REJECTED]
        record = _apply(draft, clean, refs, evidence=evidence, user=user, reason=reason)
    reference = _reference(record)
    record_update(
        draft,
        user=user,
        reason=reason,
        status=DraftStatus.ACCEPTED,
        data=clean,
        title=draft_title(draft.kind, clean, refs),
        note=note,
        reviewed_by=history_user(user),
        reviewed_at=timezone.now(),
        record_type=reference["type"],
        record_id=reference["id"],
    )
    return record


def _reason(given: str, what: str, note: str) -> str:
    """The history's change reason: the one given, else what happened and the note (history shortens it)."""
    return given or (f"{what}: {note}" if note else what)


@transaction.atomic
def draft_reject(draft: Draft, *, user: User, note: str, reason: str = "") -> Draft:
    """Reject a draft with the reviewer's note; its claims keep their own review."""
    draft = _proposed(draft)
    return record_update(
        draft,
        user=user,
        reason=_reason(reason, f"draft #{draft.pk} rejected", note),
        status=DraftStatus.REJECTED,
        note=note,
        reviewed_by=history_user(user),
        reviewed_at=timezone.now(),
    )


def _accept_actor(draft: Draft, data: dict[str, Any], *, user: User, actor: Actor | None, reason: str) -> Actor:
    name = data["name"]
    if actor is None:
        known = list(actors_named(name=name, exact=True).order_by("name", "pk"))
        if len(known) > 1:
            listed = ", ".join(f"{a.name} ({a.slug})" for a in known)
            raise ValidationError(
                {"actor": [f"“{name}” is a name of several actors: {listed}. Say which one it is (actor)."]}
            )
        if known:
            actor = known[0]  # the name is already this actor's: nothing new to make
    if actor is None:
        actor = actor_create(
            user=user, name=name, kind=data["kind"], country_code=data.get("country", ""), reason=reason
        )
    else:
        alias_add(user=user, actor=actor, name=name, exist_ok=True)
    if draft.source_id is not None:
        mentioning = (
            Claim.objects.filter(source_id=draft.source_id, status=ClaimStatus.PROPOSED, quote__icontains=name)
            .exclude(subjects=actor)
            .prefetch_related("subjects")
            .order_by("pk")
        )
        for claim in mentioning:
            claim_update(claim, user=user, subjects=[*claim.subjects.all(), actor], reason=reason)
    return actor


def _current_target(draft: Draft, data: dict[str, Any], refs: Refs) -> models.Model | None:
    """The record the accept changes: the draft's target, or one matching it made since."""
    if draft.target_type_id is not None:
        model = draft.target_type.model_class()
        found = model._default_manager.filter(pk=draft.target_id).first()
        if found is None:
            raise ValidationError(
                {"target": [f"The {model._meta.verbose_name} #{draft.target_id} this draft changes no longer exists."]}
            )
        return found
    return find_target(draft.kind, data, refs)


def _refuse_if_changed(
    draft: Draft, data: dict[str, Any], changes: dict[str, Any], current: dict[str, Any], target: models.Model
) -> None:
    """Refuse when a value the accept would change is not what the draft saw there.

    ``data`` is what is accepted (the draft's values with the editor's overrides): a milestone's
    date is compared at the step it sets, which an override may have changed.
    """
    seen = draft.target_seen or {}
    changed = []
    for key in changes:
        if draft.kind == DraftKind.MILESTONE:
            step = data["step"]
            before, now = (seen.get("on") or {}).get(step), (current.get("on") or {}).get(step)
        else:
            before, now = seen.get(key), current.get(key)
        if before != now:
            changed.append(f"{key} was {before if before is not None else 'empty'}, now {now}")
    if changed:
        what = target._meta.verbose_name
        raise ValidationError(
            {
                "target": [
                    f"The {what} “{target}” changed since this draft was made ({'; '.join(changed)}): "
                    "it is not overwritten. Look at it, then reject this draft or draft the change again."
                ]
            }
        )


def _apply(
    draft: Draft, data: dict[str, Any], refs: Refs, *, evidence: list[Claim], user: User, reason: str
) -> models.Model:
    kind = draft.kind
    target = _current_target(draft, data, refs)
    if target is not None:
        current = target_values(kind, target)
        changes = draft_changes(kind, data, current)
        _refuse_if_changed(draft, data, changes, current, target)
        return _update(kind, target, data, changes, refs, evidence=evidence, user=user, reason=reason)
    if kind in CREATE:
        return CREATE[kind](user=user, reason=reason, evidence=evidence, **_resolved(kind, data, refs))
    step_field = STEP_FIELDS[data["step"]]
    extra = {"ratification_kind": RatificationKind.RATIFICATION} if data["step"] == MilestoneStep.RATIFIED else {}
    return agreement_party_add(
        user=user,
        reason=reason,
        agreement=refs.agreements[data["agreement"]],
        actor=refs.actors[data["party"]],
        evidence=evidence,
        **{step_field: data["on"]},
        **extra,
    )


def _update(
    kind: str,
    target: models.Model,
    data: dict[str, Any],
    changes: dict[str, Any],
    refs: Refs,
    *,
    evidence: list[Claim],
    user: User,
    reason: str,
) -> models.Model:
    cited = evidence_with(target, evidence)
    if kind in UPDATE:
        if "participants" in changes:  # those the event has stay, and the draft's refs need not hold them
            refs = Refs({**{a.slug: a for a in target.participants.all()}, **refs.actors}, refs.agreements)
        return UPDATE[kind](target, user=user, reason=reason, evidence=cited, **_resolved(kind, changes, refs))
    fields: dict[str, Any] = {}
    if "on" in changes:
        fields[STEP_FIELDS[data["step"]]] = changes["on"]
        if data["step"] == MilestoneStep.RATIFIED and not target.ratification_kind:
            fields["ratification_kind"] = RatificationKind.RATIFICATION
    return agreement_party_update(target, user=user, reason=reason, evidence=cited, **fields)


def _read_claim(claim: Claim, kind: str) -> dict[str, Any]:
    """What ingest reads in the claim's quote for a ``kind`` draft (``kb.ingest.drafts``, with the names, adjectives
    and states ingest knows), actors and agreements as slugs."""
    from kb.services.ingest_drafts import as_slugs, name_indexes, read_actors  # that module builds on this one

    indexes = name_indexes()
    named, facts, states = read_actors(claim.quote, indexes.actors, indexes.adjectives)
    agreements = {
        ("agreement", a.pk): (a.slug, a.title, [p.actor_id for p in a.party_links.all()])
        for a in claim.agreements.prefetch_related("party_links").order_by("pk")
    }
    specs = sentence_drafts(
        claim.quote,
        named=named,
        facts={pk: fact for pk, (fact, _slug) in facts.items()},
        states=states,
        modality=claim.modality,
        about=claim.about,
        published=claim.source.published,
        reported_by=claim.attributed_to,
        agreements=list(agreements),
        parties={key: members for key, (_slug, _title, members) in agreements.items()},
    )
    spec = next((spec for spec in specs if spec.kind == kind), None)
    return as_slugs(spec, facts, agreements) if spec is not None else {}


def claim_prefill(claim: Claim, kind: str) -> dict[str, Any]:
    """The values a ``kind`` draft can take from ``claim``: what its quote says (as ingest reads it), else its
    subjects, the time it speaks about, the designation and agreement it names."""
    subjects = [actor.slug for actor in claim.subjects.all()]
    about = str(claim.about) if claim.about else None
    if kind == DraftKind.ACTOR:
        return {}
    if kind == DraftKind.EVENT:
        basic = {"title": claim.title[:300], "participants": subjects, "start_on": about}
    elif kind == DraftKind.TRANSFER:
        reported = claim.source.published
        designations = find_designations(claim.quote)
        quantity = find_quantity(claim.quote)
        basic = {
            "supplier": subjects[0] if subjects else None,
            "recipient": subjects[1] if len(subjects) > 1 else None,
            "category": find_category(claim.quote),
            "designation": designations[0] if designations else None,
            "status": TransferStatus.REPORTED,
            "description": claim.title[:2000],
            "reported_by": claim.attributed_to[:300],
            "reported_on": str(reported) if reported else None,
            "start_on": about,
        }
        if quantity is not None:
            basic.update(
                quantity_low=quantity.low,
                quantity_high=quantity.high,
                quantity_unit=quantity.unit,
                delivered_quantity_estimated=quantity.estimated,
            )
    elif kind == DraftKind.RELATIONSHIP:
        basic = {
            "subject": subjects[0] if subjects else None,
            "object": subjects[1] if len(subjects) > 1 else None,
            "valid_from": about,
        }
    else:
        agreement = claim.agreements.order_by("pk").first()
        basic = {"agreement": agreement.slug if agreement else None, "party": subjects[0] if subjects else None}
        basic["on"] = about
    return {**basic, **_read_claim(claim, kind)}


def draft_from_claim(claim: Claim, *, user: User, kind: str) -> Draft:
    """A draft of ``kind`` prefilled from ``claim``; what the claim does not give is left for the editor to fill in."""
    if kind not in DraftKind.values:
        raise ValidationError({"kind": [_unknown_kind(kind)]})
    return draft_create(user=user, kind=kind, data=claim_prefill(claim, kind), claims=[claim], source=claim.source)
