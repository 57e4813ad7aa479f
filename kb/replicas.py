"""Read replicas: reads go to a replica, writes and transactions to the primary, and writers read their own writes.

Installed only when ``DATABASE_REPLICA_URLS`` names replicas (settings; docs/deployment.md, "Read replicas").
The parts are django-multidb-router's, used as its authors intend:

- :class:`ReplicaRouter` is its ``PinningReplicaRouter`` (reads to the replicas in turn,
  unless this thread is pinned to the primary; writes and migrations to ``default``), which
  also sends every read made inside a transaction to the primary: a service validates
  against the rows it is about to change, never against a copy that may lag behind.
- :class:`ReplicaPinMiddleware` is its ``PinningRouterMiddleware``: a non-safe request runs
  pinned, and one that succeeds leaves the browser a cookie (``kb_primary``) that pins its
  requests for ``KB_REPLICA_PIN_SECONDS``. It also keeps that pin per user, in Django's
  cache (Redis when several servers share it), for clients that carry no cookie: API
  token clients, and the same editor in another browser.
- :class:`PinnedAuthenticationMixin` goes in front of the API's token authentication
  (``kb.api.authentication``): once the
  request's user is known, :func:`pin_user_if_recent` pins it if that user wrote within
  the window. DRF authenticates inside the view, after the middleware has run.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from multidb import PinningReplicaRouter
from multidb.middleware import READ_ONLY_METHODS, PinningRouterMiddleware
from multidb.pinning import pin_this_thread, this_thread_is_pinned, unpin_this_thread, use_primary_db
from rest_framework.exceptions import AuthenticationFailed

PIN_KEY = "kb:primary-pin:{}"


def replicas_configured() -> bool:
    return bool(getattr(settings, "REPLICA_DATABASES", None))


def reads_from_replica() -> bool:
    """Whether a read made now, on this thread, goes to a replica."""
    return replicas_configured() and not this_thread_is_pinned() and not connections[DEFAULT_DB_ALIAS].in_atomic_block


class ReplicaRouter(PinningReplicaRouter):
    """multidb's pinning router, and every read inside a transaction on the primary."""

    def db_for_read(self, model, **hints):
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return super().db_for_read(model, **hints)


def pin_user(user) -> None:
    """Send ``user``'s reads to the primary for the next ``KB_REPLICA_PIN_SECONDS``, on every server."""
    if not replicas_configured() or not getattr(user, "is_authenticated", False):
        return
    seconds = settings.KB_REPLICA_PIN_SECONDS
    # The deadline is the value, so the pin ends on time whatever the cache does with timeouts.
    cache.set(PIN_KEY.format(user.pk), time.time() + seconds, timeout=seconds + 1)


def pin_user_if_recent(user) -> bool:
    """Pin this thread (this request) to the primary if ``user`` wrote within the window; True if pinned."""
    if not replicas_configured() or not getattr(user, "is_authenticated", False):
        return False
    if this_thread_is_pinned():
        return True
    deadline = cache.get(PIN_KEY.format(user.pk))
    if deadline is not None and deadline > time.time():
        pin_this_thread()
        return True
    return False


class ReplicaPinMiddleware(PinningRouterMiddleware):
    """Pins a request to the primary after its client or user wrote; pins the writes themselves.

    It sits after AuthenticationMiddleware, and nothing above it reads the database, so the
    session and the user are read where the pin says.
    """

    def __call__(self, request):
        self.process_request(request)
        try:
            response = self.get_response(request)
            if response.streaming and this_thread_is_pinned():
                # A streamed export reads its rows as it is sent, after this returns.
                response.streaming_content = _pinned(response.streaming_content)
        finally:
            # A worker thread serves the next request unpinned unless that request says otherwise.
            unpin_this_thread()
        return self.process_response(request, response)

    def process_request(self, request):
        super().process_request(request)
        if not this_thread_is_pinned() and settings.SESSION_COOKIE_NAME in request.COOKIES:
            pin_user_if_recent(request.user)

    def process_response(self, request, response):
        wrote = request.method not in READ_ONLY_METHODS or getattr(response, "_db_write", False)
        if not wrote or response.status_code >= 400:
            return response  # a refused write changed nothing: nothing to read back
        response = super().process_response(request, response)
        # DRF sets the user it authenticated (a token's) on the request it wraps.
        pin_user(getattr(request, "user", None))
        return response


def _pinned(content):
    pin_this_thread()
    try:
        yield from content
    finally:
        unpin_this_thread()


class PinnedAuthenticationMixin:
    """For a DRF authentication class: the user it finds reads from the primary if they wrote lately.

    A credential the replica does not know yet (a token made a moment ago on the primary) is
    looked up again on the primary before it is refused.
    """

    def authenticate(self, request):
        try:
            result = super().authenticate(request)
        except AuthenticationFailed:
            if not reads_from_replica():
                raise
            with use_primary_db:
                result = super().authenticate(request)
            pin_this_thread()  # the user is new to the replica: so may be the rest of their data
        if result is not None:
            pin_user_if_recent(result[0])
        return result
