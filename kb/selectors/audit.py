"""The integrity audit behind ``verify_kb``: every broken anchor, reference and invariant, one line each."""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.db import models

from kb.choices import ClaimStatus
from kb.dates import PartialDate
from kb.ingest.normalize import clean_text, normalize_name
from kb.models import Actor, Alias, ArmsTransfer, Claim, ClaimLink, Relationship, Source
from kb.models.sources import text_sha256


def _partial_date_violations(model: type[models.Model]) -> Iterator[str]:
    names = getattr(model, "partial_dates", ())
    if not names:
        return
    fields = ["pk"] + [f for name in names for f in (name, f"{name}_precision")]
    for row in model.objects.values_list(*fields).iterator():
        pk = row[0]
        for i, name in enumerate(names):
            date, precision = row[1 + 2 * i], row[2 + 2 * i]
            label = f"{model.__name__} #{pk} {name}"
            if date is None and precision:
                yield f"{label}: precision {precision!r} without a date"
            elif date is not None and not precision:
                yield f"{label}: date {date} without a precision"
            elif date is not None:
                try:
                    PartialDate(date, precision)
                except ValueError as exc:
                    yield f"{label}: {exc}"


def _reference_violations(model: type[models.Model]) -> Iterator[str]:
    """Foreign keys that point at no row (possible when constraints were bypassed)."""
    for field in model._meta.concrete_fields:
        if not field.is_relation:
            continue
        target = field.related_model
        dangling = (
            model._default_manager.exclude(**{f"{field.attname}__isnull": True})
            .exclude(**{f"{field.attname}__in": target._default_manager.values("pk")})
            .values_list("pk", field.attname)
        )
        for pk, ref in dangling:
            yield f"{model.__name__} #{pk} {field.name}: refers to missing {target.__name__} #{ref}"


def kb_violations() -> Iterator[str]:
    """Every broken anchor, reference and invariant in the knowledge base, one line each."""
    texts = dict(Source.objects.values_list("pk", "text"))
    for pk, text, sha in Source.objects.values_list("pk", "text", "sha256"):
        if sha != text_sha256(text):
            yield f"Source #{pk}: sha256 does not match its text"
        if text != clean_text(text):
            yield f"Source #{pk}: text is not in cleaned form"
    # Accepting a claim publishes its source, and a source with accepted claims cannot be hidden.
    waiting = set(Source.objects.filter(published_at__isnull=True).values_list("pk", flat=True))
    claims = Claim.objects.values_list("pk", "source_id", "quote", "start", "end", "status", "reviewed_at")
    for pk, source_id, quote, start, end, status, reviewed_at in claims.iterator():
        text = texts.get(source_id)
        if text is None:
            continue  # reported as a dangling reference
        if not quote:
            yield f"Claim #{pk}: empty quote"
        elif not (0 <= start < end <= len(text)):
            yield f"Claim #{pk}: offsets {start}..{end} outside source #{source_id} ({len(text)} characters)"
        elif text[start:end] != quote:
            found = text[start:end]
            yield f"Claim #{pk}: source #{source_id} text at {start}..{end} is {found!r}, not the quote {quote!r}"
        if status not in ClaimStatus.values:
            yield f"Claim #{pk}: unknown status {status!r}"
        elif status != ClaimStatus.PROPOSED and reviewed_at is None:
            yield f"Claim #{pk}: status {status} without a review time"
        if status == ClaimStatus.ACCEPTED and source_id in waiting:
            yield f"Claim #{pk}: accepted, but its source #{source_id} is hidden from readers (not published)"
    for pk, name, normalized in Alias.objects.values_list("pk", "name", "normalized").iterator():
        if normalized != normalize_name(name):
            yield f"Alias #{pk} {name!r}: normalized form {normalized!r} should be {normalize_name(name)!r}"
    alias_keys = set(Alias.objects.values_list("actor_id", "normalized"))
    for pk, name in Actor.objects.values_list("pk", "name"):
        if (pk, normalize_name(name)) not in alias_keys:
            yield f"Actor #{pk} {name!r}: its name is not among its aliases"
    for pk in ClaimLink.objects.filter(from_claim=models.F("to_claim")).values_list("pk", flat=True):
        yield f"ClaimLink #{pk}: links a claim to itself"
    for pk in Relationship.objects.filter(subject=models.F("object")).values_list("pk", flat=True):
        yield f"Relationship #{pk}: relates an actor to itself"
    for pk in ArmsTransfer.objects.filter(quantity_low__gt=models.F("quantity_high")).values_list("pk", flat=True):
        yield f"ArmsTransfer #{pk}: low estimate above high estimate"
    for model in apps.get_app_config("kb").get_models():
        if model.__module__.startswith("kb.models"):
            yield from _partial_date_violations(model)
            yield from _reference_violations(model)
            for m2m in model._meta.many_to_many:
                if m2m.remote_field.through._meta.auto_created:
                    yield from _reference_violations(m2m.remote_field.through)
