"""Throttling of anonymous API requests; the rate comes from the KB_API_ANON_RATE setting."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousThrottle(AnonRateThrottle):
    """Anonymous requests per client address, e.g. "300/minute"; an empty rate turns throttling off.

    Counts live in Django's default cache: give every app server the same cache (Redis,
    Memcached or the database) so that the limit holds across processes.
    """

    scope = "anon"

    def get_rate(self) -> str | None:
        return getattr(settings, "KB_API_ANON_RATE", None) or None
