"""API tokens: made for their owner (the secret is returned once), revoked by their owner.

A superuser may make and revoke anyone's tokens; every other user only their own.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from kb.models import ApiToken

NAME_MAX = ApiToken._meta.get_field("name").max_length
DAYS_MAX = 3650


def _may_manage(user, owner) -> bool:
    return bool(user.is_active and (user.is_superuser or user.pk == owner.pk))


def token_create(*, user, owner=None, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``owner`` (default: ``user``) and its secret, which is not stored.

    ``days`` is its lifetime (default ``KB_TOKEN_DAYS``; 0 means until revoked).
    """
    owner = owner or user
    if not _may_manage(user, owner):
        raise PermissionDenied("Only a superuser makes tokens for someone else.")
    name = (name or "").strip()
    if len(name) > NAME_MAX:
        raise ValidationError({"name": f"At most {NAME_MAX} characters."})
    days = settings.KB_TOKEN_DAYS if days is None else days
    if not 0 <= days <= DAYS_MAX:
        raise ValidationError({"expiry": f"A token lasts 0 (until revoked) to {DAYS_MAX} days."})
    return ApiToken.objects.create(owner, expiry=dt.timedelta(days=days) if days else None, name=name)


def token_revoke(*, token: ApiToken, user) -> None:
    """Delete ``token``: requests carrying it are refused from now on."""
    if not _may_manage(user, token.user):
        raise PermissionDenied("Only the token's owner or a superuser revokes it.")
    token.delete()


def tokens_revoke_all(*, owner, user, keep: ApiToken | None = None) -> int:
    """Revoke every token of ``owner`` (but ``keep``); the number revoked."""
    if not _may_manage(user, owner):
        raise PermissionDenied("Only the tokens' owner or a superuser revokes them.")
    tokens = ApiToken.objects.filter(user=owner)
    if keep is not None:
        tokens = tokens.exclude(pk=keep.pk)
    deleted, _ = tokens.delete()
    return deleted
