"""Actors found by any spelling of their names, through the stored lookup form of every alias."""

from __future__ import annotations

from django.db import models

from kb.ingest.normalize import normalize_name
from kb.models import Actor, Alias


def actors_named(*, name: str, exact: bool = False) -> models.QuerySet[Actor]:
    """Actors with an alias whose normalised form contains the normalised ``name`` (or, ``exact``, equals it).

    Case, accents, hyphens and punctuation do not matter. A name with no letters or digits
    finds no one. Used as ``pk__in`` or ``field__in`` it stays one subquery on the alias index.
    """
    normalized = normalize_name(name or "")
    if not normalized:
        return Actor.objects.none()
    lookup = "normalized" if exact else "normalized__contains"
    return Actor.objects.filter(pk__in=Alias.objects.filter(**{lookup: normalized}).values("actor_id"))
