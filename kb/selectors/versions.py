"""Versions of records for optimistic concurrency: the token a write must match, and who last wrote."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import models


def record_version(instance: models.Model) -> str:
    """A token that changes on every write to the record or to one of its parts (aliases, provisions…).

    Every service save sets ``updated_at``, and writing a part touches its record's, so the
    token is the record's identity and that timestamp, hashed. The API sends it as the ETag;
    the admin's change form carries it to refuse saving over someone else's newer change.
    """
    stamp = instance.updated_at.isoformat() if getattr(instance, "updated_at", None) else ""
    return hashlib.sha256(f"{instance._meta.label}:{instance.pk}:{stamp}".encode()).hexdigest()[:24]


def last_change(instance: models.Model) -> tuple[str, dt.datetime | None]:
    """Who last wrote ``instance`` or one of its parts, and when, from their history."""
    entries = []
    history = getattr(type(instance), "history", None)
    if history is not None:
        entries.append(history.filter(id=instance.pk).order_by("-history_date").first())
    for rel in instance._meta.related_objects:
        if rel.one_to_many and rel.on_delete is models.CASCADE and hasattr(rel.related_model, "history"):
            parts = rel.related_model.history.filter(**{rel.field.attname: instance.pk})
            entries.append(parts.order_by("-history_date").first())
    entries = [e for e in entries if e is not None]
    if not entries:
        return "someone", None
    latest = max(entries, key=lambda e: e.history_date)
    user = latest.history_user
    return (user.get_username() if user is not None else "someone"), latest.history_date
