"""Authentication backends: the login rate limit in front of Django's own backend."""

from axes.backends import AxesStandaloneBackend


class LoginRateLimitBackend(AxesStandaloneBackend):
    """Refuses logins for a username and address that failed too often (django-axes).

    Every login that comes through a web request (the admin's, DRF's token and basic
    authentication) passes the request and is counted. A call made without a request
    (``Client.login`` in tests, a shell) has no address to count and is left to the
    next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
