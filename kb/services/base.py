"""The machinery under every service: validated saves with history, partial dates, many-to-many values, deletes."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from kb.dates import PartialDate, coerce_partial_date
from kb.ingest.normalize import strip_accents
from kb.text import shorten

M = TypeVar("M", bound=models.Model)
P = ParamSpec("P")
R = TypeVar("R")
User = AbstractBaseUser | AnonymousUser | None
DateInput = str | dt.date | PartialDate | None
"""A partial date as services take it: "2024-06", a PartialDate, or a plain date with its ``<name>_precision``."""


class Unset(enum.Enum):
    """The type of ``UNSET``."""

    UNSET = "unset"

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset.UNSET
"""The default of every field of an update service: the field was not given, so it keeps its value."""

REASON_LENGTH = 100
"""The longest change reason history keeps (simple_history's ``history_change_reason`` column)."""


def given(**values: Any) -> dict[str, Any]:
    """The field values an update was given: those not left ``UNSET``."""
    return {name: value for name, value in values.items() if value is not UNSET}


def refuses_unknown_fields(model: type[models.Model]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Make a service answer a keyword it does not name with a ValidationError naming it, not a TypeError.

    Bad input is a ValidationError keyed by field wherever it comes from, so a field the model
    does not have (a caller's typo, a fixture's extra key) is reported like any other.
    """

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        names = set(inspect.signature(service).parameters)

        @functools.wraps(service)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            unknown = [name for name in kwargs if name not in names]
            if unknown:
                raise ValidationError({name: [f"{model.__name__} has no field {name!r}."] for name in unknown})
            return service(*args, **kwargs)

        return checked

    return decorate


class RecordInUse(ValidationError):
    """A delete refused because other records depend on this one."""


def history_user(user: User) -> AbstractBaseUser | None:
    """The user to record in history and in ``created_by``/``reviewed_by``: nobody for anonymous or missing users."""
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def history_reason(reason: str) -> str:
    """A write's change reason as history keeps it: a longer one is shortened at a word, with an ellipsis.

    Callers pass the whole reason (an editor's note, say); the cut is made here, once, for every write.
    """
    return shorten(reason, REASON_LENGTH)


def expand_partial_dates(model: type[models.Model], fields: dict[str, Any]) -> dict[str, Any]:
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


def split_m2m(model: type[models.Model], fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list]]:
    """Field values as (column values, many-to-many lists); a name the model does not have is refused."""
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
    instance._history_user = history_user(user)
    if reason:
        instance._change_reason = history_reason(reason)
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
    plain, m2m = split_m2m(model, expand_partial_dates(model, dict(fields)))
    # A new record has no many-to-many rows yet: an empty list needs no query.
    return _save(model(**plain), user=user, m2m={k: v for k, v in m2m.items() if v}, reason=reason)


@transaction.atomic
def record_update(instance: M, *, user: User, reason: str = "", **fields: Any) -> M:
    """Change the given fields of ``instance``; fields not named keep their values."""
    plain, m2m = split_m2m(type(instance), expand_partial_dates(type(instance), dict(fields)))
    for name, value in plain.items():
        setattr(instance, name, value)
    return _save(instance, user=user, m2m=m2m, reason=reason)


def evidence_with(record: models.Model, claims: Iterable[models.Model]) -> list[models.Model]:
    """``record``'s evidence with ``claims`` added: what to set as its evidence to cite them too (the claims it
    already has are read by id only)."""
    have = {claim.pk: claim for claim in record.evidence.only("pk")}
    have.update((claim.pk, claim) for claim in claims)
    return list(have.values())


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
        if rel.many_to_many and not getattr(rel.related_model, "HOLDS_ITS_LINKS", True):
            continue  # a draft's claims: the link goes with the claim, the draft stays (kb.models.drafts)
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
    instance._history_user = history_user(user)
    if reason:
        instance._change_reason = history_reason(reason)
    for child in _cascade_children(instance):
        child._history_user = instance._history_user
    instance.delete()
    _touch_wholes(instance)


def _cascade_children(instance: models.Model) -> Iterable[models.Model]:
    for rel in instance._meta.related_objects:
        if rel.one_to_many and rel.on_delete is models.CASCADE and rel.related_model._meta.app_label == "kb":
            yield from getattr(instance, rel.get_accessor_name()).all()


def unique_slug(model: type[models.Model], text: str, *, exclude_pk: int | None = None) -> str:
    """A slug made from ``text`` that no other record of ``model`` has yet (``-2``, ``-3``… when taken)."""
    base = slugify(strip_accents(text))[:180] or model._meta.model_name
    slug, n = base, 2
    qs = model._default_manager.all()
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    while qs.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
