"""API token authentication: django-rest-knox's, reading one token per request."""

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox import auth

from kb.replicas import PinnedAuthenticationMixin


class TokenAuthentication(PinnedAuthenticationMixin, auth.TokenAuthentication):
    """``Authorization: Token <secret>``, checked against the stored digest.

    With read replicas, a user who wrote lately is read from the primary (the mixin).

    Knox, on every request, reads all the other tokens of the caller to delete the expired
    ones: a query per request whose cost grows with the caller's tokens. Here an expired
    token is refused (and deleted) when it is presented, and the others are left alone;
    they are refused in their turn, and the admin shows them as expired.
    """

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's ``tokenAuth``: ``Authorization: Token <secret>``."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
