"""Reads that sum up the whole base, kept in Django's cache under the data's version.

A total over 200,000 claims or a layout of the busiest actors costs the same whoever asks
and changes only when the data does. Such reads go through :func:`cached`: the key holds
the reader's audience (editors see proposed claims, everyone else accepted ones) and the
data's version, so a write makes every earlier entry unreachable at once, in every
process sharing the database, whatever cache backend each one has. Entries also expire
after ``KB_CACHE_SECONDS`` (settings).

The version is read from the database in one query of index lookups: the newest history
row of every recorded model (every write through the services leaves one, deletes
included) and the highest id of the tables bulk loaders fill without history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

from kb.selectors.visibility import User, is_editor

T = TypeVar("T")

# Filled by synth_kb and kb_restore without history rows: their highest ids move with every load.
_BULK_LOADED = ("Actor", "Source", "Claim", "Relationship", "Event", "Agreement", "ArmsTransfer")


def _version_sql(using: str) -> str:
    quote = connections[using].ops.quote_name
    parts = []
    for model in apps.get_app_config("kb").get_models():
        if model.__name__.startswith("Historical") or model.__name__ in _BULK_LOADED:
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            parts.append(f"(SELECT MAX({pk}) FROM {table})")
    return "SELECT " + ", ".join(parts)


def data_version(*, using: str = DEFAULT_DB_ALIAS) -> str:
    """A value that changes with every write to the knowledge base (one query of index lookups)."""
    with connections[using].cursor() as cursor:
        cursor.execute(_version_sql(using))
        row = cursor.fetchone()
    return hashlib.blake2b(repr(row).encode(), digest_size=8).hexdigest()


def cached(name: str, compute: Callable[[], T], *, user: User, version: str | None = None) -> T:
    """``compute()``, or what it gave for this audience at this version of the data.

    ``name`` names the read and its parameters (``"graph:top=40"``); pass ``version`` when a
    page caches several reads, to ask the database for it once.
    """
    audience = "editor" if is_editor(user) else "reader"
    key = f"kb:{name}:{audience}:{version or data_version()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.KB_CACHE_SECONDS)
    return value
