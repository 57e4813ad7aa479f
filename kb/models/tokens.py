"""API tokens: kept as digests (django-rest-knox), named by their owner, with an expiry."""

from django.db import models
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """One client's key to the API, e.g. a script or a machine.

    Only a SHA-512 digest of the secret is stored; the secret itself is shown once, when
    the token is made, and cannot be read back. ``token_key`` (its first characters) finds
    the row; ``expiry`` (empty: never) ends it. The owner revokes it by deleting it.
    """

    KB_DATA = False  # not knowledge: making or revoking a token leaves cached reads alone (selectors/cache.py)

    name = models.CharField(max_length=100, blank=True, help_text="What uses the token, e.g. “nightly import on db2”.")

    class Meta:
        verbose_name = "API token"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name or 'API token'} ({self.user}, {self.token_key[:8]}…)"
