"""Reads that sum up the whole base, kept in Django's cache under the data's version.

A total over 200,000 claims or a layout of the busiest actors costs the same whoever asks
and changes only when the data does. Such reads go through :func:`cached`: the key holds
the reader's audience (editors see proposed claims, everyone else accepted ones) and the
data's version, so a write makes every earlier entry unreachable at once. Entries also
expire after ``KB_CACHE_SECONDS`` (settings).

The version lives in the cache too, and every write moves it on: the save, delete and
many-to-many signals of the kb models (every write goes through the services, which
save models), and the bulk loaders (``synth_kb``, ``kb_restore``) when they finish. Where
several processes serve the app, they must share the cache (``KB_CACHE_URL``, Redis) for
one process to see another's writes at once (docs/deployment.md).

With read replicas (kb/replicas.py) a read may come from a copy that has not replayed the
latest write yet. What the primary gave and what a replica gave are kept apart, so a writer
pinned to the primary never gets a total a replica computed; and what a replica gives within
``KB_REPLICA_PIN_SECONDS`` of the last write is kept only until that window closes, so a
total counted before the replica caught up does not outlive it.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.utils.functional import cached_property

from kb.replicas import reads_from_replica, replicas_configured
from kb.selectors.visibility import User, is_editor

T = TypeVar("T")

VERSION_KEY = "kb:data-version"
CHANGED_AT_KEY = "kb:data-changed-at"


def data_version() -> int:
    """A number that moves on with every write to the knowledge base (no query)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        # A new or emptied cache: start from the clock, never from a number an old entry may hold.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache: any new start differs from every earlier version
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def data_changed(**kwargs) -> None:
    """Move the version on now and again when the transaction commits.

    Now: this process sees its own write at once (tests run inside one transaction).
    At commit: a reader that cached the old data while the transaction ran is not kept.
    """
    if kwargs.get("raw"):
        return  # a row loaded as it was stored (restore, fixtures): the loader calls this once at its end
    sender = kwargs.get("sender")
    if sender is not None and (
        sender._meta.app_label != "kb"
        or sender.__name__.startswith("Historical")
        or not getattr(sender, "KB_DATA", True)
    ):
        return  # another app's model, the history row of a kb model's own save, or not knowledge (tokens)
    _bump()
    transaction.on_commit(_committed)


def _committed() -> None:
    _bump()
    if replicas_configured():  # a replica may lag behind this commit for a while (_replica_timeout)
        cache.set(CHANGED_AT_KEY, time.time(), timeout=settings.KB_REPLICA_PIN_SECONDS + 1)


def cached(name: str, compute: Callable[[], T], *, user: User) -> T:
    """``compute()``, or what it gave for this audience at this version of the data.

    ``name`` says what is read, with every parameter that changes it: ``"graph:top=40"``, or
    a query's SQL. Keys hold a digest of it, so a name may be as long as it needs to be.
    """
    audience = "editor" if is_editor(user) else "reader"
    digest = hashlib.blake2b(name.encode(), digest_size=12).hexdigest()
    replica = reads_from_replica()
    key = f"kb:{audience}:{'replica' if replica else 'primary'}:{data_version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, _replica_timeout() if replica else settings.KB_CACHE_SECONDS)
    return value


def _replica_timeout() -> int:
    """How long a replica's answer is kept: until the pin window after the last write closes, then as usual."""
    changed_at = cache.get(CHANGED_AT_KEY)
    if changed_at is None:
        return settings.KB_CACHE_SECONDS
    left = changed_at + settings.KB_REPLICA_PIN_SECONDS - time.time()
    return settings.KB_CACHE_SECONDS if left <= 0 else min(settings.KB_CACHE_SECONDS, max(1, math.ceil(left)))


class CachedCountPaginator(Paginator):
    """A paginator whose total is counted once per version of the data and query.

    Counting the rows a filter selects walks them all (200,000 claims, 20,000 transfers whose
    visibility is tested row by row); the pages themselves are read in index order and cost
    what they show. The count is keyed by the query's SQL and parameters, which hold the
    reader's visibility, so editors and readers never share a number.
    """

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list)
        queryset = self.object_list
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:
            return 0
        # Not keyed by the database alias: replicas hold the primary's rows (cached() keeps
        # their answers apart from the primary's), and one key serves them all.
        return cached(f"count:{sql}:{params!r}", queryset.count, user=None)
